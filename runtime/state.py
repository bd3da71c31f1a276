"""The state of one run: the engine's state, every task run, and the history of events.

Only the thread handling events (the holder of the engine's lock) changes a ``State``, and only by
applying an event (``apply``) or by recording a task it just built (``add_pending``), so what conditions
see is exactly the events handled so far: a task never looks finished before its ``task.finished`` event
is handled. Other threads may read it, so every method takes a lock; ``TaskState`` values are immutable
and replaced on change, so a reader never sees half an update.

Lookups by task name answer for the *latest* run of that name (a reusable task may run many times), and
the glob conditions (``"archive-*"``) ask for counters kept per prefix, updated on every change in time
proportional to the number of distinct prefixes asked about, so a fan-out of thousands of tasks does
not make each event cost a scan of the task table.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from runtime.model import (
    ENGINE_STATE_FINISHED,
    ENGINE_STATE_IN_PROGRESS,
    EVENT_ENGINE_FINISHED,
    EVENT_ENGINE_STARTED,
    EVENT_TASK_FINISHED,
    EVENT_TASK_REPORTED,
    EVENT_TASK_STARTED,
    TASK_STATE_FINISHED,
    TASK_STATE_IN_PROGRESS,
    TASK_STATE_PENDING,
    TASK_STATUS_FAILED,
    TASK_STATUS_SUCCESS,
    Event,
)


@dataclass(frozen=True, slots=True)
class TaskState:
    """One run of a task, as ``state.yaml`` shows it.

    ``id`` is the task-run id (the key in ``State.tasks``); ``task`` the task's name; ``state`` is
    pending / in-progress / finished; ``status`` is "Success" or "failed" once finished ("" before);
    ``output`` the decoded payload of a successful call; ``arguments`` the arguments the call was made
    with (fields the endpoint's schema marks secret are already masked); ``error`` why it failed;
    ``event_id`` the id of the event whose reaction built the task; ``logger`` the task's log file;
    ``started_at`` / ``finished_at`` when its ``task.started`` / ``task.finished`` event was made
    (UTC; None before, and ``started_at`` stays None for a run abandoned before it started);
    ``attempts`` how many calls of the endpoint it made (retries included; None until it finishes,
    and for a run the end of the run cut short); ``abandoned`` when the run gave up on it (cancelled,
    timed out) rather than its call returning; ``timed_out`` when it failed because its last call
    outlived the task's own ``timeout``."""

    id: str
    task: str
    state: str = TASK_STATE_PENDING
    status: str = ""
    output: Any = None
    arguments: Mapping[str, Any] | None = None
    error: str = ""
    event_id: str = ""
    logger: str = ""
    started_at: datetime.datetime | None = None
    finished_at: datetime.datetime | None = None
    attempts: int | None = None
    abandoned: bool = False
    timed_out: bool = False

    @property
    def duration(self) -> float | None:
        """Seconds from start to finish (None unless both are known)."""
        if self.started_at is None or self.finished_at is None:
            return None
        return max(0.0, (self.finished_at - self.started_at).total_seconds())

    @property
    def finished(self) -> bool:
        return self.state == TASK_STATE_FINISHED

    @property
    def succeeded(self) -> bool:
        return self.finished and self.status == TASK_STATUS_SUCCESS

    @property
    def failed(self) -> bool:
        return self.finished and self.status == TASK_STATUS_FAILED


@dataclass
class PrefixStats:
    """Counters over the distinct task names that start with one prefix (for glob conditions)."""

    names: int = 0
    started: int = 0
    active: int = 0
    finished: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    reported: set[str] = field(default_factory=set)


# What the counters need to know about one name: (started, active, finished, outcome). Only asked
# for once some glob condition asked for counters (``prefix_stats``): most pipelines never do.
_NameFacts = tuple[bool, bool, bool, str]
_NO_FACTS: _NameFacts = (False, False, False, "")


@dataclass(frozen=True)
class RunFacts:
    """What ``state.yaml``'s metadata says about the run as a whole: ``state`` (in-progress /
    finished), the ``run_id``, when it ``started_at`` and ``finished_at`` (UTC), and how it ended:
    ``outcome`` (the engine's status word: succeeded / failed / timed-out / cancelled; "" while it
    goes on) and ``exit_status`` (None while it goes on)."""

    state: str
    run_id: str = ""
    started_at: datetime.datetime | None = None
    finished_at: datetime.datetime | None = None
    outcome: str = ""
    exit_status: int | None = None


class State:
    """The run's state: ``state`` (in-progress / finished), ``tasks`` (task-run id -> ``TaskState``, in
    the order they were built) and ``history`` (the events handled, in order)."""

    def __init__(self) -> None:
        self.state = ENGINE_STATE_IN_PROGRESS
        self._run_facts = RunFacts(ENGINE_STATE_IN_PROGRESS)
        self.engine_started = False
        self.tasks: dict[str, TaskState] = {}
        self.history: list[Event] = []
        self._lock = threading.RLock()
        self._runs_by_name: dict[str, list[str]] = {}
        self._latest_finished: dict[str, str] = {}
        self._latest_started: dict[str, str] = {}
        self._active_runs: dict[str, int] = {}
        self._started_names: set[str] = set()
        self._reported: dict[str, set[str]] = {}
        self._prefixes: dict[str, PrefixStats] = {}

    # -- changes (under the engine lock only) ---------------------------------------------------

    def begin(self, run_id: str, moment: datetime.datetime) -> None:
        """Record the run's id and when it began."""
        with self._lock:
            self._run_facts = RunFacts(self.state, run_id, moment)

    def end(self, outcome: str, exit_status: int, moment: datetime.datetime) -> None:
        """Record how the run ended (before its ``engine.finished`` event is applied)."""
        with self._lock:
            facts = self._run_facts
            self._run_facts = replace(facts, finished_at=moment, outcome=outcome, exit_status=exit_status)

    def add_pending(self, run_id: str, name: str, event_id: str, logger: str) -> TaskState:
        """Record a task just built by a reaction to event ``event_id``; it waits for a worker."""
        with self._lock:
            before = self._facts(name) if self._prefixes else _NO_FACTS
            is_new_name = name not in self._runs_by_name
            task_state = TaskState(id=run_id, task=name, event_id=event_id, logger=logger)
            self.tasks[run_id] = task_state
            self._runs_by_name.setdefault(name, []).append(run_id)
            self._active_runs[name] = self._active_runs.get(name, 0) + 1
            if self._prefixes:
                self._count(name, before, self._facts(name), new_name=is_new_name)
            return task_state

    def apply(
        self,
        event: Event,
        arguments: Mapping[str, Any] | None = None,
        attempts: int | None = None,
        timed_out: bool = False,
    ) -> None:
        """Record ``event`` in the history and the task table. ``arguments`` go with ``task.started``,
        ``attempts`` (the calls the run made) and ``timed_out`` (the task's timeout passed) with
        ``task.finished``."""
        with self._lock:
            self.history.append(event)
            name = event.metadata.name
            payload = event.payload
            if name == EVENT_ENGINE_STARTED:
                self.engine_started = True
            elif name == EVENT_ENGINE_FINISHED:
                self.state = ENGINE_STATE_FINISHED
            elif name == EVENT_TASK_STARTED:
                self._start(str(payload.get("id")), arguments, event.metadata.created_at)
            elif name == EVENT_TASK_FINISHED:
                self._finish(
                    str(payload.get("id")),
                    status=str(payload.get("status", TASK_STATUS_FAILED)),
                    error=str(payload.get("error") or ""),
                    output=payload.get("output"),
                    moment=event.metadata.created_at,
                    attempts=attempts,
                    timed_out=timed_out,
                )
            elif name == EVENT_TASK_REPORTED:
                task_name = str(payload.get("task"))
                reported = str(payload.get("event"))
                self._reported.setdefault(task_name, set()).add(reported)
                for prefix, stats in self._prefixes.items():
                    if task_name.startswith(prefix):
                        stats.reported.add(reported)

    def abandon(self, run_id: str, error: str) -> None:
        """Mark a run that will never finish (the run was cancelled or timed out) as failed, without an
        event: no reaction may build tasks any more."""
        with self._lock:
            current = self.tasks.get(run_id)
            if current is not None and not current.finished:
                moment = datetime.datetime.now(datetime.timezone.utc)
                self._finish(
                    run_id, status=TASK_STATUS_FAILED, error=error, output=None, moment=moment, abandoned=True
                )

    def finish_engine(self) -> None:
        with self._lock:
            self.state = ENGINE_STATE_FINISHED

    def _start(
        self, run_id: str, arguments: Mapping[str, Any] | None, moment: datetime.datetime | None
    ) -> None:
        current = self.tasks.get(run_id)
        if current is None:
            return
        before = self._facts(current.task) if self._prefixes else _NO_FACTS
        # Built field by field: ``dataclasses.replace`` costs several times more, twice per task.
        self.tasks[run_id] = TaskState(
            id=current.id,
            task=current.task,
            state=TASK_STATE_IN_PROGRESS,
            status=current.status,
            output=current.output,
            arguments=arguments,
            error=current.error,
            event_id=current.event_id,
            logger=current.logger,
            started_at=moment,
        )
        self._started_names.add(current.task)
        self._latest_started[current.task] = run_id
        if self._prefixes:
            self._count(current.task, before, self._facts(current.task))

    def _finish(
        self,
        run_id: str,
        status: str,
        error: str,
        output: Any,
        moment: datetime.datetime | None,
        attempts: int | None = None,
        abandoned: bool = False,
        timed_out: bool = False,
    ) -> None:
        current = self.tasks.get(run_id)
        if current is None or current.finished:
            return
        before = self._facts(current.task) if self._prefixes else _NO_FACTS
        self.tasks[run_id] = TaskState(
            id=current.id,
            task=current.task,
            state=TASK_STATE_FINISHED,
            status=status,
            output=output,
            arguments=current.arguments,
            error=error,
            event_id=current.event_id,
            logger=current.logger,
            started_at=current.started_at,
            finished_at=moment,
            attempts=attempts,
            abandoned=abandoned,
            timed_out=timed_out,
        )
        self._active_runs[current.task] -= 1
        self._latest_finished[current.task] = run_id
        if self._prefixes:
            self._count(current.task, before, self._facts(current.task))

    def _facts(self, name: str) -> _NameFacts:
        latest = self._latest_finished.get(name)
        return (
            name in self._started_names,
            self._active_runs.get(name, 0) > 0,
            latest is not None,
            self.tasks[latest].status if latest is not None else "",
        )

    def _count(self, name: str, before: _NameFacts, after: _NameFacts, new_name: bool = False) -> None:
        if not self._prefixes or (before == after and not new_name):
            return
        for prefix, stats in self._prefixes.items():
            if name.startswith(prefix):
                if new_name:
                    stats.names += 1
                _add_facts(stats, before, -1)
                _add_facts(stats, after, +1)

    # -- lookups (any thread) ---------------------------------------------------------------------

    def runs(self, name: str) -> list[TaskState]:
        """Every run of the task named ``name``, oldest first."""
        with self._lock:
            return [self.tasks[run_id] for run_id in self._runs_by_name.get(name, ())]

    def task(self, name: str) -> TaskState | None:
        """The latest run of the task named ``name`` (None if it was never built)."""
        with self._lock:
            run_ids = self._runs_by_name.get(name)
            return self.tasks[run_ids[-1]] if run_ids else None

    def latest_finished(self, name: str) -> TaskState | None:
        """The most recently finished run of ``name``: its status is the name's *outcome*."""
        with self._lock:
            run_id = self._latest_finished.get(name)
            return self.tasks[run_id] if run_id is not None else None

    def run_count(self, name: str) -> int:
        """How many runs of ``name`` were built so far."""
        with self._lock:
            return len(self._runs_by_name.get(name, ()))

    def latest_started(self, name: str) -> TaskState | None:
        """The most recently started run of ``name`` (running or finished; None if none started)."""
        with self._lock:
            run_id = self._latest_started.get(name)
            return self.tasks[run_id] if run_id is not None else None

    def finished(self, name: str) -> bool:
        return self.latest_finished(name) is not None

    def succeeded(self, name: str) -> bool:
        latest = self.latest_finished(name)
        return latest is not None and latest.status == TASK_STATUS_SUCCESS

    def failed(self, name: str) -> bool:
        latest = self.latest_finished(name)
        return latest is not None and latest.status == TASK_STATUS_FAILED

    def output(self, name: str) -> Any:
        """The decoded output of the latest finished run of ``name`` (None if none finished)."""
        latest = self.latest_finished(name)
        return latest.output if latest is not None else None

    def has_started(self, name: str) -> bool:
        with self._lock:
            return name in self._started_names

    def has_active_run(self, name: str) -> bool:
        """Whether a run of ``name`` is waiting for a worker or in progress."""
        with self._lock:
            return self._active_runs.get(name, 0) > 0

    def has_reported(self, name: str, event_name: str) -> bool:
        with self._lock:
            return event_name in self._reported.get(name, ())

    def task_names(self) -> list[str]:
        """Distinct task names built so far, in the order first built."""
        with self._lock:
            return list(self._runs_by_name)

    def names_matching(self, pattern: str) -> list[str]:
        """Names built so far equal to ``pattern`` or, when it ends in ``*``, starting with the prefix."""
        with self._lock:
            if not pattern.endswith("*"):
                return [pattern] if pattern in self._runs_by_name else []
            prefix = pattern[:-1]
            return [name for name in self._runs_by_name if name.startswith(prefix)]

    def prefix_stats(self, prefix: str) -> PrefixStats:
        """Counters over the names starting with ``prefix``; kept current from the first call on."""
        with self._lock:
            stats = self._prefixes.get(prefix)
            if stats is None:
                stats = PrefixStats()
                for name in self._runs_by_name:
                    if name.startswith(prefix):
                        stats.names += 1
                        _add_facts(stats, self._facts(name), +1)
                        stats.reported.update(self._reported.get(name, ()))
                self._prefixes[prefix] = stats
            return stats

    def snapshot(self) -> tuple[RunFacts, list[TaskState]]:
        """The run's facts and the task runs, consistent with each other (for the state file)."""
        with self._lock:
            facts = self._run_facts
            if facts.state != self.state:
                facts = self._run_facts = replace(facts, state=self.state)
            return facts, list(self.tasks.values())

    @property
    def by_name(self) -> TasksByName:
        """A read-only mapping: task name -> its latest run (``tasks["fetch"]`` in a pipeline)."""
        return TasksByName(self)


def _add_facts(stats: PrefixStats, facts: _NameFacts, sign: int) -> None:
    started, active, finished, outcome = facts
    stats.started += sign * started
    stats.active += sign * active
    stats.finished += sign * finished
    if outcome:
        stats.outcomes[outcome] = stats.outcomes.get(outcome, 0) + sign


class TasksByName(Mapping[str, TaskState]):
    """Task name -> latest run; a name never built raises ``KeyError`` naming the known tasks."""

    def __init__(self, state: State) -> None:
        self._state = state

    def __getitem__(self, name: str) -> TaskState:
        task_state = self._state.task(name)
        if task_state is None:
            known = ", ".join(self._state.task_names()[:10]) or "none yet"
            raise KeyError(f"no task named {name!r} was built (tasks so far: {known})")
        return task_state

    def __iter__(self) -> Iterator[str]:
        return iter(self._state.task_names())

    def __len__(self) -> int:
        return len(self._state.task_names())
