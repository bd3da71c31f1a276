"""The engine: start the services, react to events, run tasks, record everything, stop the services.

How a run goes:

1. The services start (``ServiceRunner.start``), with a ``ReportServer`` beside them when any are
   declared, so that a service can report events during a call.
2. Events are handled one at a time, in order, under the *engine lock*, usually on the thread that
   called ``run`` (the *engine thread*). Handling an event means: apply it to the ``State`` (so
   conditions see it), append it to ``history.yaml``, then ask every reaction's condition; each
   reaction whose condition holds builds tasks. Built tasks wait for one of ``parallelism`` workers:
   while one is free, the engine computes the next task's arguments (``Argument.func``, under the
   engine lock, just before the task starts: keep it quick), handles its ``task.started``, and hands
   it to a worker thread.
3. A worker calls the endpoint (per-attempt timeout; up to ``retry.attempts`` attempts with doubling
   backoff, waiting on an event that cancellation sets, never sleeping) and hands in ``task.finished``.
   Normally it puts the event on the engine's queue. When the queue is empty and no thread holds the
   engine lock, it takes the lock and handles the event itself, then runs the first task that event
   started: a chain of tasks then runs on one thread, without two thread wake-ups per task. Only the
   holder of the engine lock changes the state. The engine thread writes the files: the
   ``history.yaml`` and ``logs/log`` lines of a burst of events together, at most ``LINES_LAG``
   (10 ms) after the first of them, while the workers' calls are in flight, and ``state.yaml`` on
   its timer (``runtime/logs.py``).
4. The run is over when no task is waiting or running and no event is left: ``task.finished`` is the
   last event of each task (its reports come before it, during the call), so the engine counts tasks
   built minus ``task.finished`` events handled, and stops the moment that reaches 0 with an empty
   queue. Nothing polls and nothing sleeps.
5. In every case (success, failure, timeout, a signal, an exception) the services are stopped in a
   ``finally``, tasks still running are recorded as failed, ``engine.finished`` is recorded and
   ``state.yaml`` written a last time.

The engine writes nothing to stdout or stderr: it tells ``EngineOptions.observer`` (``runtime.observer``)
what happens, the run's start, each task run's start, end and retries, warnings, and the run's end
with every task run and the run that built it, and the renderers of ``runtime.console`` show it.

Non-reusable task names run at most once per run: building one again is ignored (and logged). A
reusable task runs again each time a reaction builds it, up to ``max_task_runs`` runs per name:
building one more fails the run at once (a reusable task that triggers its own reaction would
otherwise loop until the disk or the memory is full).

Outcome (``RunResult.status`` / ``exit_code``):

- ``succeeded`` / 0: every failed task run was *handled*: at its ``task.finished`` event or later, a
  reaction fired whose condition has a satisfied ``task(NAME).finished`` or
  ``task(NAME).finished(failed)`` atom matching the task, outside any ``not`` (``runtime.outcome``);
  the exit status does not depend on the order in which tasks finish;
- ``failed`` / 3: a failed run no reaction handled (``failed_tasks`` names them), or a condition or
  reaction raised, or a reusable task reached ``max_task_runs`` (the run stops at once), or the
  services could not be started;
- ``timed-out`` / 4: the whole-run ``timeout`` passed;
- ``cancelled`` / 130 (SIGINT) or 143 (SIGTERM): the run was interrupted. Handlers are installed only
  when ``run`` is called on the main thread (and ``handle_signals`` is on).
"""

from __future__ import annotations

import datetime
import os
import queue
import random
import secrets as token_source
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import FrameType
from typing import Any

from runtime.conditions import Condition
from runtime.engine_options import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_TIMED_OUT,
    STATUS_CANCELLED,
    STATUS_FAILED,
    STATUS_SUCCEEDED,
    STATUS_TIMED_OUT,
    EngineKubernetesOptions,
    EngineOptions,
    RunResult,
)
from runtime.expressions import on_secret
from runtime.file_modes import make_private, private_directory
from runtime.logs import EngineLog, HistoryFile, StateFile, task_log_name
from runtime.model import (
    EVENT_ENGINE_FINISHED,
    EVENT_ENGINE_STARTED,
    EVENT_TASK_FINISHED,
    EVENT_TASK_REPORTED,
    EVENT_TASK_STARTED,
    TASK_STATUS_FAILED,
    TASK_STATUS_SUCCESS,
    Event,
    EventMetadata,
    EventReaction,
    Task,
)
from runtime.observer import (
    ENDED_CANCELLED,
    ENDED_FAILED,
    ENDED_SKIPPED,
    ENDED_SUCCEEDED,
    ENDED_TIMED_OUT,
    RunEnded,
    RunEvent,
    RunStarted,
    RunWarning,
    TaskFinished,
    TaskRetried,
    TaskRunRecord,
    TaskStarted,
)
from runtime.outcome import FailureLedger
from runtime.redact import MIN_LENGTH, Redactor, mask_secret_fields
from runtime.run_directories import begin_run, run_directory
from runtime.services.base import RunContext, ServiceConnection, ServiceError, ServiceRunner
from runtime.shown_text import failure_listing
from runtime.signals import SignalWatch
from runtime.state import State

# Under a steady stream of events, the history and the engine log are written at least this often
# (events), and a line waits at most LINES_LAG seconds for its write: the lines of a burst of events
# go out together, so a fan-out does not wake the engine thread for a write per event.
FLUSH_EVERY = 64
LINES_LAG = 0.01
# The failed tasks a run's summary lists with their errors (state.yaml has them all).
SUMMARY_FAILURES = 10
_EXIT_BY_SIGNAL: dict[int, int] = {signal.SIGINT: EXIT_INTERRUPTED, signal.SIGTERM: EXIT_TERMINATED}


@dataclass(slots=True)
class _Notice:
    """An event for the engine thread, with the recorded arguments for ``task.started`` and the
    number of calls made for ``task.finished``."""

    event: Event
    arguments: Mapping[str, Any] | None = None
    attempts: int | None = None
    timed_out: bool = False  # for a failed task.finished: its last call outlived the task's timeout


@dataclass(frozen=True)
class _Cancel:
    signal_number: int


class _Wake:
    """Makes the engine thread look again: the run may be over, or a state write became due."""


@dataclass(frozen=True, slots=True)
class _Job:
    """A task run built by a reaction; ``arguments`` (or the ``error`` computing them) once it starts."""

    run_id: str
    task: Task
    log_path: str
    arguments: Mapping[str, Any] | None = None
    error: str = ""
    run: int = 1  # the how-manieth run of its task name


class _BoundReached(Exception):
    """A reusable task was built more often than ``EngineOptions.max_task_runs`` allows."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Interrupted(BaseException):
    """Raised by the signal handler while services start (a blocking call we cannot wake otherwise)."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal_number)
        self.signal_number = signal_number


@dataclass
class _Outcome:
    status: str
    exit_code: int
    message: str = ""
    failed_tasks: tuple[str, ...] = field(default_factory=tuple)
    lists_failures: bool = False  # the message is the list of unhandled failures, not a reason


@dataclass(frozen=True)
class _Broken:
    """The outcome of a run that a worker's handling of an event broke: the engine thread ends it."""

    outcome: _Outcome


# Ids only need to be unique, not unguessable: drawn from a generator seeded once from the system's
# entropy instead of asking the kernel for 16 random bytes three times per task. The version digit of
# a UUID4 is kept, so ids look as they did (the first 16 hex digits of ``uuid.uuid4().hex``).
_ids = random.Random()


def new_id() -> str:
    return f"{(_ids.getrandbits(64) & ~0xF000) | 0x4000:016x}"


def make_event(name: str, payload: Mapping[str, Any] | None = None) -> Event:
    return Event(
        EventMetadata(name=name, id=new_id(), created_at=datetime.datetime.now(datetime.timezone.utc)),
        dict(payload or {}),
    )


class Engine:
    """Runs one pipeline once: ``Engine(options).run() -> RunResult``. Never raises for anything a
    pipeline or its services do; every failure becomes a ``RunResult`` and a line in ``logs/log``."""

    def __init__(self, options: EngineOptions) -> None:
        self.options = options
        self.run_id = new_id()
        self.state = State()
        self._separate_runs = options.separate_runs or options.keep_runs is not None
        if self._separate_runs:
            self.logs_dir = run_directory(options.logs_directory, self.run_id, time.time())
        else:
            self.logs_dir = os.path.abspath(os.path.join(options.logs_directory, "logs"))
        self._run_lock: int | None = None  # with separate runs: held on the run's log while it goes on
        self._token = (
            options.service_token if options.service_token is not None else token_source.token_hex(16)
        )
        self._redactor = Redactor([*options.secrets, self._token])
        self._notices: queue.SimpleQueue[_Notice | _Cancel | _Wake | _Broken] = queue.SimpleQueue()
        # Held by whichever thread handles events: the engine thread, or a worker handing in its task's
        # ``task.finished`` while the engine thread is idle (see ``_deliver``).
        self._engine_lock = threading.Lock()
        # When the engine thread wakes by itself (monotonic time; None: only for a notice; 0: it is
        # awake and looks at everything before it waits again). Read and written under the lock.
        self._wakes_at: float | None = 0.0
        # When the oldest history or log line not yet written is due (None: none is waiting).
        self._lines_due: float | None = None
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._built_names: set[str] = set()
        self._outstanding = 0  # task runs built and not finished
        self._running = 0  # of which handed to a worker
        # Worker threads started so far: one per task running at once, up to ``parallelism``, started
        # when a task needs one (a run of three tasks with a parallelism of 1,000 starts three).
        self._workers = 0
        self._waiting: deque[_Job] = deque()  # built, waiting for a free worker
        self._released: list[_Job] = []  # started, handed to the workers after the files are written
        self._failures = FailureLedger()
        self._runs_by_log: dict[str, tuple[str, str]] = {}
        # Task log path -> (size, mtime in ns) when it was last scrubbed (see ``_scrub_task_logs``).
        self._scrubbed: dict[str, tuple[int, int]] = {}
        # (id of a connection, endpoint) -> paths of the argument fields its schema marks secret: a
        # connection's schemas do not change during a run, and walking one costs more than the lookup.
        self._secret_paths: dict[tuple[int, str], list[tuple[str, ...]]] = {}
        self._connections: Mapping[str, ServiceConnection] = {}
        self._starting = False
        self._ran = False
        self._log: EngineLog | None = None
        self._observer = options.observer
        self._observer_error = ""
        # For the observer and the summary: task run id -> the run whose task.finished built it, the
        # how-manieth run of its name it is (whether its timeout passed is in its TaskState).
        self._built_by: dict[str, str] = {}
        self._run_numbers: dict[str, int] = {}
        self._started_at = datetime.datetime.now(datetime.timezone.utc)

    @property
    def redactor(self) -> Redactor:
        """What every file of the run goes through: the secrets given, and those the run derived
        from them (kept after the run, for the files written from its state once it is over)."""
        return self._redactor

    # -- the run ----------------------------------------------------------------------------------

    def run(self) -> RunResult:
        if self._ran:
            raise RuntimeError("an Engine runs once: create a new Engine for another run")
        self._ran = True
        # Every string the pipeline derives from a secret while it runs is redacted from then on.
        stop_learning = on_secret(self._redactor.add_derived)
        try:
            outcome = self._run()
        except OSError as error:
            where = error.filename or self.logs_dir
            outcome = _Outcome(STATUS_FAILED, EXIT_FAILED, f"cannot write {where}: {error.strerror or error}")
            self._log_traceback("the logs could not be written")
        except Exception as error:  # the last line of defence: a result, never a traceback
            outcome = _Outcome(STATUS_FAILED, EXIT_FAILED, f"internal error: {type(error).__name__}: {error}")
            self._log_traceback("internal error")
        finally:
            stop_learning()
            if self._run_lock is not None:
                os.close(self._run_lock)  # the run is over: a later run may remove its directory
                self._run_lock = None
        message = self._redactor.text(outcome.message)
        result = RunResult(
            status=outcome.status,
            exit_code=outcome.exit_code,
            failed_tasks=outcome.failed_tasks,
            message=message,
            run_id=self.run_id,
            logs_dir=self.logs_dir,
        )
        if self._observer is not None:
            self._notify_built(self._run_ended, result, outcome)
        if self._observer_error:
            result = replace(result, observer_error=self._observer_error)
        return result

    # -- the observer -----------------------------------------------------------------------------

    def _notify(self, event: RunEvent) -> None:
        """Tell the observer; one that raises is switched off (noted once), the run goes on."""
        observer = self._observer
        if observer is None:
            return
        try:
            observer.event(event)
        except Exception as error:
            self._observer_failed(error)

    def _notify_built(self, build: Callable[..., RunEvent], *arguments: Any) -> None:
        """``_notify`` of the event ``build(*arguments)`` makes: failing to make it also switches
        the observer off, rather than breaking the run."""
        try:
            event = build(*arguments)
        except Exception as error:
            self._observer_failed(error)
            return
        self._notify(event)

    def _observer_failed(self, error: Exception) -> None:
        self._observer = None
        self._observer_error = f"{type(error).__name__}: {error}"
        if self._log is not None:  # (after the run, the log is closed: RunResult says it)
            self._log.warning(f"the run's observer raised {self._observer_error}: it is told nothing more")

    def _run_ended(self, result: RunResult, outcome: _Outcome) -> RunEnded:
        """What the observer needs for a summary: every task run with how it ended."""
        facts, runs = self.state.snapshot()
        unhandled = set(self._failures.unhandled_names())
        records = []
        for task_state in runs:
            if task_state.succeeded:
                ended = ENDED_SUCCEEDED
            elif task_state.abandoned:
                if task_state.started_at is None:
                    ended = ENDED_SKIPPED
                else:
                    timed_out = outcome.status == STATUS_TIMED_OUT
                    ended = ENDED_TIMED_OUT if timed_out else ENDED_CANCELLED
            elif task_state.timed_out:
                ended = ENDED_TIMED_OUT
            else:
                ended = ENDED_FAILED
            records.append(
                TaskRunRecord(
                    id=task_state.id,
                    name=task_state.task,
                    run=self._run_numbers.get(task_state.id, 1),
                    ended=ended,
                    duration=task_state.duration,
                    error=self._redactor.text(task_state.error),
                    log=task_state.logger,
                    built_by=self._built_by.get(task_state.id, ""),
                    handled=task_state.failed
                    and not task_state.abandoned
                    and task_state.task not in unhandled,
                )
            )
        return RunEnded(
            result=result,
            pipeline=self.options.pipeline.metadata.name,
            reason="" if outcome.lists_failures else result.message,
            started_at=facts.started_at or self._started_at,
            finished_at=facts.finished_at or datetime.datetime.now(datetime.timezone.utc),
            tasks=tuple(records),
            redact=self._redactor.text,
        )

    def _run(self) -> _Outcome:
        if self._separate_runs:
            self._run_lock = begin_run(self.logs_dir, self.options.keep_runs)
        for directory in (
            self.logs_dir,
            *(os.path.join(self.logs_dir, name) for name in ("tasks", "services")),
        ):
            private_directory(directory)  # 0700: the files of a run are its user's (runtime/file_modes.py)
        self._log = EngineLog(os.path.join(self.logs_dir, "log"), self._redactor)
        self._history = HistoryFile(os.path.join(self.logs_dir, "history.yaml"), self._redactor)
        self._state_file = StateFile(
            os.path.join(self.logs_dir, "state.yaml"), self._redactor, interval=self.options.state_interval
        )
        pipeline = self.options.pipeline
        self._started_at = datetime.datetime.now(datetime.timezone.utc)
        self.state.begin(self.run_id, self._started_at)
        self._log.info(f"run {self.run_id} of pipeline {pipeline.metadata.name!r} begins")
        if self._observer is not None:
            self._notify(RunStarted(pipeline.metadata.name, self.run_id, self.logs_dir, self._started_at))
        self._warn_about_short_secrets()
        previous_handlers = self._install_signal_handlers()
        runner: ServiceRunner | None = None
        report_server: Any = None
        outcome = _Outcome(STATUS_FAILED, EXIT_FAILED, "the run ended before it began")
        # The whole-run timeout counts from here: starting the services is part of the run.
        deadline = None if self.options.timeout is None else time.monotonic() + self.options.timeout
        try:
            services = list(pipeline.spec.services)
            if services:
                report_server = self._start_report_server()
                runner = self._make_runner(report_server.address if report_server is not None else "")
                self._starting = True
                try:
                    self._log.info(f"starting {len(services)} service(s)")
                    context = RunContext(
                        self.run_id,
                        self.logs_dir,
                        self._token,
                        self._log.warning,
                        deadline=deadline,
                        pipeline_name=pipeline.metadata.name,
                    )
                    self._connections = runner.start(services, context)
                finally:
                    self._starting = False
            outcome = self._loop(deadline)
        except _Interrupted as interruption:
            outcome = self._cancelled(interruption.signal_number)
        except ServiceError as error:
            if deadline is not None and time.monotonic() >= deadline:
                outcome = self._timed_out(f"while starting the services: {error}")
            else:
                outcome = _Outcome(STATUS_FAILED, EXIT_FAILED, str(error))
                self._log.error(f"the services could not be started: {error}")
        finally:
            self._stopping.set()
            with self._engine_lock:
                workers = self._workers
            for _ in range(workers):
                self._jobs.put(None)
            self._stop(runner, report_server)
            with self._engine_lock:  # a worker may still be handing in an event
                self._finish(outcome)
            self._restore_signal_handlers(previous_handlers)
        return outcome

    def _loop(self, deadline: float | None) -> _Outcome:
        assert self._log is not None
        self._notices.put(_Notice(make_event(EVENT_ENGINE_STARTED)))
        while True:
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                return self._timed_out()
            with self._engine_lock:
                if self._outstanding == 0 and self._notices.empty():
                    break
                waits = [w for w in (self._state_file.seconds_until_due(),) if w is not None]
                if self._lines_due is None and (self._history.pending or self._log.pending):
                    self._lines_due = now
                if self._lines_due is not None:
                    waits.append(self._lines_due - now)  # lines of handled events: written here
                if deadline is not None:
                    waits.append(deadline - now)
                timeout = max(0.0, min(waits)) if waits else None
                self._wakes_at = None if timeout is None else now + timeout
            try:
                notice = self._notices.get(timeout=timeout)
            except queue.Empty:
                notice = _Wake()
            if isinstance(notice, _Cancel):
                return self._cancelled(notice.signal_number)
            if isinstance(notice, _Broken):
                return notice.outcome
            with self._engine_lock:
                self._wakes_at = 0.0
                released: list[_Job] = []
                if not isinstance(notice, _Wake):
                    failure, released = self._process(notice)
                    if failure is not None:
                        return failure
                self._write_files()
                # Handed out after the files are written, so that they show the events that
                # started the tasks (a worker that handles an event itself does not wait for the
                # files, see ``_deliver``).
                for job in released:
                    self._jobs.put(job)
        return self._ended()

    def _ended(self) -> _Outcome:
        """The outcome of a run whose events were all handled: failed when a failed task run was not
        handled (``runtime.outcome``), listing them (the first ``SUMMARY_FAILURES``)."""
        names = self._failures.unhandled_names()
        if names:
            failures = [(name, self._task_error(name)) for name in names]
            listing = failure_listing(failures, SUMMARY_FAILURES)
            message = f"{len(names)} task(s) failed:\n{listing}"
            return _Outcome(STATUS_FAILED, EXIT_FAILED, message, names, lists_failures=True)
        return _Outcome(STATUS_SUCCEEDED, EXIT_OK)

    def _process(self, notice: _Notice, *, write_files: bool = False) -> tuple[_Outcome | None, list[_Job]]:
        """Handle one event and start what it lets start; with the engine lock held. Returns an
        outcome when a reaction broke the run, else the started jobs to hand to workers. The files
        are written by ``_write_files``: here when ``write_files``, else by the engine thread."""
        assert self._log is not None
        self._log.batching_thread = threading.get_ident()
        try:
            failure = self._handle(notice) or self._start_waiting()
            if failure is not None:
                return failure, []
            self._state_file.mark_changed()
            if self._lines_due is None and (self._history.pending or self._log.pending):
                self._lines_due = time.monotonic() + LINES_LAG
            if write_files:
                self._write_files()
            released, self._released = self._released, []
            self._start_workers()
            return None, released
        finally:
            self._log.batching_thread = None

    def _write_files(self) -> None:
        """Write what the events handled so far left to write, with the engine lock held: the
        history and log lines once they are LINES_LAG old or FLUSH_EVERY events are waiting (with a
        state interval of 0, every time), and ``state.yaml`` when it is due."""
        due = self._lines_due
        if (
            self._state_file.writes_every_change
            or self._history.pending >= FLUSH_EVERY
            or (due is not None and time.monotonic() >= due)
        ):
            self._flush_files()
        self._state_file.write_if_due(self.state)

    def _flush_files(self) -> None:
        assert self._log is not None
        self._history.flush()
        self._log.flush()
        self._lines_due = None

    def _handle(self, notice: _Notice) -> _Outcome | None:
        """Apply one event and run the reactions; an outcome when a reaction broke the run."""
        assert self._log is not None
        event = notice.event
        self.state.apply(event, notice.arguments, notice.attempts, notice.timed_out)
        self._history.append(event)
        self._log_event(event)
        if event.metadata.name == EVENT_TASK_FINISHED:
            self._outstanding -= 1
            self._running -= 1
        payload = event.payload
        if event.metadata.name == EVENT_TASK_FINISHED:
            if payload.get("status") == TASK_STATUS_FAILED:
                self._failures.failed(str(payload.get("id")), str(payload.get("task")))
            if self._observer is not None:
                self._notify_built(self._task_finished, event)
        for index, reaction in enumerate(self.options.pipeline.spec.reactions, start=1):
            try:
                if not reaction.condition(event, self.state):
                    continue
                self._failures.reaction_fired(reaction.condition, self.state, self._log_handled)
                built = reaction.reaction(event, self.state)
                for task in built or ():
                    self._schedule(task, event)
            except _BoundReached as bound:
                self._log.error(bound.message)
                return _Outcome(STATUS_FAILED, EXIT_FAILED, bound.message)
            except Exception as error:
                where = _describe_reaction(index, reaction)
                self._log_traceback(f"{where} raised on event {event.metadata.name}")
                return _Outcome(STATUS_FAILED, EXIT_FAILED, f"{where} raised {type(error).__name__}: {error}")
        return None

    def _log_handled(self, name: str) -> None:
        assert self._log is not None
        self._log.info(f"the failure of task {name!r} was handled by a reaction")

    def _schedule(self, task: Task, event: Event) -> None:
        assert self._log is not None
        if not isinstance(task, Task):
            raise TypeError(f"a reaction must return Task objects, not {type(task).__name__}")
        name = task.metadata.name
        if name in self._built_names:
            if not task.metadata.reusable:
                self._log.info(
                    f"task {name!r} was built again and ignored: it already ran in this run (not reusable)"
                )
                return
            bound = self.options.max_task_runs
            if self.state.run_count(name) >= bound:
                raise _BoundReached(
                    f"reusable task {name!r} was built for a run beyond the bound of {bound} runs per "
                    "task: does it trigger its own reaction? (--max-task-runs N or OI_MAX_TASK_RUNS "
                    "raises the bound)"
                )
        self._built_names.add(name)
        run_id = new_id()
        log_path = os.path.join(self.logs_dir, "tasks", task_log_name(name, run_id))
        self._runs_by_log[log_path] = (run_id, name)
        self.state.add_pending(run_id, name, event.metadata.id, log_path)
        run = self.state.run_count(name)
        self._run_numbers[run_id] = run
        if event.metadata.name == EVENT_TASK_FINISHED:
            self._built_by[run_id] = str(event.payload.get("id"))
        self._outstanding += 1
        self._waiting.append(_Job(run_id, task, log_path, run=run))

    def _start_waiting(self) -> _Outcome | None:
        """Start built tasks while workers are free: compute each one's arguments and handle its
        ``task.started`` here, under the engine lock, in the same burst as the event that freed the
        worker or built the task (no round trip through a worker before the event is known)."""
        parallelism = max(1, self.options.parallelism)
        while self._waiting and self._running < parallelism:
            job = self._waiting.popleft()
            task = job.task
            spec = task.spec
            error = ""
            arguments: dict[str, Any] = {}
            for argument in spec.arguments:
                try:
                    arguments[argument.key] = argument.get_value()
                except Exception as raised:
                    error = (
                        f"argument {argument.key!r} could not be computed: {type(raised).__name__}: {raised}"
                    )
                    break
            connection = self._connections.get(spec.service)
            if connection is None and not error:
                known = ", ".join(sorted(self._connections)) or "none"
                error = f"no service is called {spec.service!r} in this pipeline (services: {known})"
            recorded = self._recorded_arguments(connection, spec.endpoint, arguments)
            self._running += 1
            self._released.append(_Job(job.run_id, task, job.log_path, arguments, error, job.run))
            started = make_event(EVENT_TASK_STARTED, {"task": task.metadata.name, "id": job.run_id})
            if self._observer is not None:
                self._notify(
                    TaskStarted(
                        job.run_id,
                        task.metadata.name,
                        job.run,
                        spec.service,
                        spec.endpoint,
                        started.metadata.created_at,
                    )
                )
            broken = self._handle(_Notice(started, recorded))
            if broken is not None:
                return broken
        return None

    # -- workers ----------------------------------------------------------------------------------

    def _start_workers(self) -> None:
        """Start workers until there is one per task handed out; with the engine lock held. A worker
        runs one task at a time and ``_start_waiting`` hands out at most ``parallelism``, so the
        workers never outnumber the parallelism, and none is started that would only wait."""
        while self._workers < self._running:
            threading.Thread(target=self._work, name=f"oi-task-{self._workers}", daemon=True).start()
            self._workers += 1

    def _work(self) -> None:
        job: _Job | None = None
        while True:
            if job is None:
                job = self._jobs.get()
                if job is None or self._stopping.is_set():
                    return
            try:
                notice = self._run_task(job)
            except Exception as error:  # a bug must still finish the task, or the run would never end
                notice = self._finished(job, TASK_STATUS_FAILED, f"{type(error).__name__}: {error}")
            job = self._deliver(notice)

    def _deliver(self, notice: _Notice) -> _Job | None:
        """Hand a task's ``task.finished`` to the engine; return a job for this worker to run next.

        When nothing waits in the queue and no thread handles events, the worker handles the event
        itself, and runs the first task it started (a chain goes on in one thread). A round trip
        through the engine thread would cost two thread wake-ups per task, each tens of microseconds
        on a busy machine: as much as the engine's own work on the event."""
        if not self._notices.empty() or not self._engine_lock.acquire(blocking=False):
            self._notices.put(notice)
            return None
        try:
            if self._stopping.is_set():
                self._notices.put(notice)  # the run is over: the engine thread drops it
                return None
            # The files are left to the engine thread, which writes them while this worker's next
            # call is in flight (it does not hold the interpreter lock then); with a state interval
            # of 0, every change is written before the tasks it started run.
            failure, released = self._process(notice, write_files=self._state_file.writes_every_change)
            if failure is not None:
                self._notices.put(_Broken(failure))
                return None
            for job in released[1:]:
                self._jobs.put(job)
            # Wake the engine thread if it sleeps past the moment the lines are due, or when the run
            # may be over (it notices the end at once). Otherwise it writes them when it wakes.
            wakes_at, due = self._wakes_at, self._lines_due
            if wakes_at != 0.0 and (
                self._outstanding == 0 or wakes_at is None or (due is not None and wakes_at > due)
            ):
                self._wakes_at = 0.0
                self._notices.put(_Wake())
            return released[0] if released else None
        finally:
            self._engine_lock.release()

    def _run_task(self, job: _Job) -> _Notice:
        """Run one task (with its retries); its ``task.finished`` notice."""
        task = job.task
        spec = task.spec
        connection = self._connections.get(spec.service)
        if job.error or connection is None or job.arguments is None:
            return self._finished(job, TASK_STATUS_FAILED, job.error or "not started", attempts=0)
        arguments = job.arguments
        # The task's log file is made by whoever first writes to it (the service, opening ``fd`` to
        # append, as the SDK and the original engine's services do), not here: most tasks write
        # nothing, and creating a file costs from 10 us to a few hundred on a busy disk, per task.
        error = ""
        timeout = task.metadata.timeout
        timed_out = False
        attempts = max(1, task.metadata.retry.attempts)
        for attempt in range(1, attempts + 1):
            began = time.monotonic()
            try:
                output = connection.call(spec.endpoint, arguments, job.log_path, timeout)
            except Exception as failure:
                error = (
                    str(failure)
                    if isinstance(failure, ServiceError)
                    else f"{type(failure).__name__}: {failure}"
                )
                # A call that fails once the task's timeout has passed failed for it (the deadline
                # the call was given): the message says which limit, the service's part says where.
                timed_out = timeout is not None and time.monotonic() - began >= timeout
                if timed_out:
                    error = f"{error} (the task's timeout of {timeout:g}s passed)"
            else:
                self._scrub_task_log(job.log_path)
                return self._finished(job, TASK_STATUS_SUCCESS, "", output, attempts=attempt)
            if attempt == attempts or self._stopping.is_set():
                break
            backoff = task.metadata.retry.backoff * (2 ** (attempt - 1))
            if self._log is not None:
                self._log.warning(
                    f"task {task.metadata.name!r} attempt {attempt} of {attempts} failed: {error}; "
                    f"next attempt in {backoff:g}s"
                )
            if self._observer is not None:
                shown = self._redactor.text(error)
                self._notify(
                    TaskRetried(job.run_id, task.metadata.name, job.run, attempt, attempts, shown, backoff)
                )
            if self._stopping.wait(backoff):
                break
        if attempts > 1:
            error = f"{error} (after {attempt} attempt(s))"
        self._scrub_task_log(job.log_path)
        return self._finished(job, TASK_STATUS_FAILED, error, attempts=attempt, timed_out=timed_out)

    def _scrub_task_log(self, path: str) -> None:
        """Scrub a task's log as its call returns, and remember what the file looked like then: the
        last scrub of the run (``_scrub_task_logs``) reads it again only if it changed since."""
        shown = self._redactor.file(path)
        if shown is not None and shown[0] > 0:  # most logs are never written: nothing to remember
            self._scrubbed[path] = shown

    def _recorded_arguments(
        self, connection: ServiceConnection | None, endpoint: str, arguments: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        """The arguments as the state shows them: fields the schema marks secret masked (and their
        values learned by the redactor)."""
        key = (id(connection), endpoint)
        paths = self._secret_paths.get(key)
        if paths is None:
            paths = _secret_paths(connection, endpoint)
            if paths is not None:  # a schema that could not be read is asked for again next time
                self._secret_paths[key] = paths
        return mask_secret_fields(dict(arguments), paths, learn=self._redactor) if paths else dict(arguments)

    def _finished(
        self,
        job: _Job,
        status: str,
        error: str,
        output: Any = None,
        attempts: int | None = None,
        timed_out: bool = False,
    ) -> _Notice:
        payload = {"task": job.task.metadata.name, "id": job.run_id, "status": status, "error": error}
        payload["output"] = output
        return _Notice(make_event(EVENT_TASK_FINISHED, payload), attempts=attempts, timed_out=timed_out)

    # -- reports ----------------------------------------------------------------------------------

    def _start_report_server(self) -> Any:
        try:
            from runtime.services.reporting import ReportServer
        except ImportError:
            return None
        server = ReportServer(self._on_report, self._token)
        try:
            server.start()
        except Exception as error:  # reporting is an extra: the run goes on without it
            if self._log is not None:
                self._log.warning(f"the report server could not start ({error}); task reports are off")
            return None
        return server

    def _on_report(self, fd: str, event_name: str, data: Any) -> None:
        run = self._runs_by_log.get(fd)
        if run is None:
            raise ValueError(f"no task of this run writes to {fd!r}")
        run_id, name = run
        payload = {"task": name, "id": run_id, "event": event_name, "data": data}
        self._notices.put(_Notice(make_event(EVENT_TASK_REPORTED, payload)))

    # -- runners ----------------------------------------------------------------------------------

    def _make_runner(self, report_address: str) -> ServiceRunner:
        runner = self.options.runner
        if runner is not None:
            if report_address and getattr(runner, "engine_address", None) == "":
                runner.engine_address = report_address  # type: ignore[attr-defined]
            return runner
        if self.options.kubeconfig is not None:
            return _kubernetes_runner(self.options.kubeconfig, report_address)
        from runtime.services.local import LocalRunner

        return LocalRunner(engine_address=report_address)

    # -- the end ----------------------------------------------------------------------------------

    def _stop(self, runner: ServiceRunner | None, report_server: Any) -> None:
        if runner is not None:
            try:
                runner.stop()
            except Exception as error:
                if self._log is not None:
                    self._log.error(f"stopping the services failed: {error}")
        if report_server is not None:
            try:
                report_server.stop(grace=0)
            except Exception as error:
                if self._log is not None:
                    self._log.error(f"stopping the report server failed: {error}")

    def _finish(self, outcome: _Outcome) -> None:
        """Record the end of the run; called once the services are stopped, so that nothing writes
        to the logs any more when they are scrubbed for the last time."""
        if self._log is None:
            return
        reason = {STATUS_CANCELLED: "the run was cancelled", STATUS_TIMED_OUT: "the run timed out"}.get(
            outcome.status, "the run stopped"
        )
        for run_id, task_state in list(self.state.tasks.items()):
            if not task_state.finished:
                self.state.abandon(run_id, f"{reason} before this task finished")
        self._scrub_task_logs()
        finished = make_event(EVENT_ENGINE_FINISHED, {"status": outcome.status})
        self.state.end(outcome.status, outcome.exit_code, finished.metadata.created_at)
        self.state.apply(finished)
        try:
            self._history.append(finished)
            self._state_file.write(self.state)
        finally:
            self._history.close()
        for name in sorted(os.listdir(os.path.join(self.logs_dir, "services"))):
            if name.endswith(f"-{self.run_id}.log"):
                self._redactor.file(os.path.join(self.logs_dir, "services", name))
        self._make_logs_private()
        level = self._log.info if outcome.status == STATUS_SUCCEEDED else self._log.error
        level(f"run {self.run_id} {outcome.status}" + (f": {outcome.message}" if outcome.message else ""))
        self._log.close()

    def _make_logs_private(self) -> None:
        """Set the task and service logs of this run to 0600: other processes created them, with
        modes of their own (``runtime/file_modes.py``)."""
        services = os.path.join(self.logs_dir, "services")
        paths = [
            os.path.join(services, name)
            for name in os.listdir(services)
            if name.endswith(f"-{self.run_id}.log")
        ]
        try:
            paths += [
                entry.path
                for entry in os.scandir(os.path.join(self.logs_dir, "tasks"))
                if entry.path in self._runs_by_log
            ]
        except OSError:
            pass  # the directory went away with the logs it held
        for path in paths:
            make_private(path)

    def _scrub_task_logs(self) -> None:
        """Scrub every task log of this run written to since it was last scrubbed: the logs of tasks
        still running when the run was cancelled or timed out, and of calls that went on writing
        after the engine gave up on them (a per-task timeout). One directory listing finds them:
        most tasks write no log."""
        try:
            entries = list(os.scandir(os.path.join(self.logs_dir, "tasks")))
        except OSError:
            return  # the directory went away with the logs it held
        for entry in entries:
            if entry.path not in self._runs_by_log:
                continue  # another run's log
            try:
                status = entry.stat()
            except OSError:
                continue
            if self._scrubbed.get(entry.path) != (status.st_size, status.st_mtime_ns):
                self._redactor.file(entry.path)

    def _warn_about_short_secrets(self) -> None:
        assert self._log is not None
        short = len({str(secret) for secret in self.options.secrets if 0 < len(secret) < MIN_LENGTH})
        if not short:
            return
        message = (
            f"{short} secret value(s) shorter than {MIN_LENGTH} characters: such a secret is hidden only "
            "where it is a whole value, not inside other text (ordinary words would turn into ***); "
            "use a longer secret"
        )
        self._log.warning(message)
        self._notify(RunWarning(message))

    def _timed_out(self, detail: str = "") -> _Outcome:
        assert self.options.timeout is not None
        message = f"the run did not finish within its timeout of {self.options.timeout:g}s"
        if detail:
            message += f" ({detail})"
        if self._log is not None:
            self._log.error(message)
        return _Outcome(STATUS_TIMED_OUT, EXIT_TIMED_OUT, message, self._running_task_names())

    def _cancelled(self, signal_number: int) -> _Outcome:
        try:
            name = signal.Signals(signal_number).name
        except ValueError:
            name = f"signal {signal_number}"
        message = f"interrupted by {name}"
        if self._log is not None:
            self._log.warning(f"{message}: stopping")
        exit_code = _EXIT_BY_SIGNAL.get(signal_number, 128 + signal_number)
        return _Outcome(STATUS_CANCELLED, exit_code, message, self._running_task_names())

    def _running_task_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(ts.task for ts in self.state.tasks.values() if not ts.finished))

    def _task_error(self, name: str) -> str:
        latest = self.state.latest_finished(name)
        return latest.error if latest is not None and latest.error else "failed"

    # -- signals ----------------------------------------------------------------------------------

    def _install_signal_handlers(self) -> SignalWatch | None:
        if not self.options.handle_signals:
            return None
        watch = SignalWatch((signal.SIGINT, signal.SIGTERM), self._on_signal, self._on_signal_while_starting)
        return watch if watch.install() else None

    def _on_signal(self, signal_number: int) -> None:
        """On the signal watcher's thread: the loop ends the run at the next notice (also when the
        signal came while the services started: then it is handled as soon as they are up)."""
        if self._stopping.is_set():
            return  # already stopping: the services are being stopped within their grace period
        self._notices.put(_Cancel(signal_number))

    def _on_signal_while_starting(self, signal_number: int, frame: FrameType | None) -> None:
        """On the main thread: starting the services is a blocking call that only raising ends."""
        if self._starting and not self._stopping.is_set():
            raise _Interrupted(signal_number)

    def _restore_signal_handlers(self, watch: SignalWatch | None) -> None:
        if watch is not None:
            watch.close()

    # -- logging ----------------------------------------------------------------------------------

    def _log_event(self, event: Event) -> None:
        assert self._log is not None
        payload = event.payload
        name = event.metadata.name
        if name == EVENT_TASK_STARTED:
            self._log.info(f"task {payload.get('task')!r} ({payload.get('id')}) started")
        elif name == EVENT_TASK_FINISHED:
            status = payload.get("status")
            text = f"task {payload.get('task')!r} ({payload.get('id')}) finished: {status}"
            if status == TASK_STATUS_FAILED:
                self._log.error(f"{text}: {payload.get('error')}")
            else:
                self._log.info(text)
        elif name == EVENT_TASK_REPORTED:
            self._log.info(
                f"task {payload.get('task')!r} ({payload.get('id')}) reported {payload.get('event')!r}"
            )
        else:
            self._log.info(f"event {name}")

    def _task_finished(self, event: Event) -> TaskFinished:
        """The observer's view of a ``task.finished`` event just applied to the state."""
        payload = event.payload
        run_id = str(payload.get("id"))
        task_state = self.state.tasks.get(run_id)
        duration = task_state.duration if task_state is not None else None
        if payload.get("status") == TASK_STATUS_SUCCESS:
            ended, error = ENDED_SUCCEEDED, ""
        else:
            ended = ENDED_TIMED_OUT if task_state is not None and task_state.timed_out else ENDED_FAILED
            error = self._redactor.text(str(payload.get("error") or "")) or "no message"
        return TaskFinished(
            run_id,
            str(payload.get("task")),
            self._run_numbers.get(run_id, 1),
            ended,
            duration or 0.0,
            error,
            event.metadata.created_at,
        )

    def _log_traceback(self, what: str) -> None:
        if self._log is not None:
            self._log.error(f"{what}:\n{traceback.format_exc().rstrip()}")


def _describe_reaction(index: int, reaction: EventReaction) -> str:
    condition = reaction.condition
    described = repr(condition) if isinstance(condition, Condition) else getattr(condition, "__name__", "")
    build = getattr(reaction.reaction, "__name__", "")
    parts = [f"reaction {index}"]
    if described:
        parts.append(f"on {described}")
    if build and build != "<lambda>":
        parts.append(f"({build})")
    return " ".join(parts)


def _secret_paths(connection: ServiceConnection | None, endpoint: str) -> list[tuple[str, ...]] | None:
    """Paths of the argument fields ``endpoint``'s schema marks secret, when the connection knows it:
    a connection may offer ``arguments_schema(endpoint)``, or expose its parsed schemas through
    ``initialize()`` as the gRPC connection does. None when asking for the schema failed."""
    if connection is None:
        return []
    schema: Any = None
    try:
        getter: Callable[[str], Any] | None = getattr(connection, "arguments_schema", None)
        if getter is not None:
            schema = getter(endpoint)
        elif hasattr(connection, "initialize"):
            endpoint_schemas = connection.initialize().get(endpoint)  # type: ignore[attr-defined]
            validator = getattr(endpoint_schemas, "arguments", None)
            schema = getattr(validator, "schema", None)
        if not isinstance(schema, Mapping):
            return []
        from runtime.services.schemas import secret_paths

        return secret_paths(schema)
    except Exception:
        return None  # unknown schema: nothing is marked secret (the call itself reports a broken service)


def _kubernetes_runner(options: EngineKubernetesOptions, report_address: str) -> ServiceRunner:
    # Imported here: the kubernetes package takes a noticeable time to import.
    from runtime import kubernetes

    try:
        runner_class = kubernetes.KubernetesRunner
    except (ImportError, AttributeError) as error:
        raise ServiceError(f"running services on Kubernetes is not available here: {error}") from None
    runner: ServiceRunner = runner_class(options.kubernetes_options())
    if report_address and getattr(runner, "engine_address", None) == "":
        runner.engine_address = report_address  # type: ignore[attr-defined]
    return runner
