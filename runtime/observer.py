"""What a run tells whoever watches it: small immutable events, handed to a ``RunObserver``.

The engine never writes to the terminal: it reports what happens (the run starts, a task run starts,
finishes or is retried, a warning, the run ends) to the observer of ``EngineOptions.observer``, and
the renderers of ``runtime.console`` (or anything else: a report, a test) decide what to show.

The engine calls ``event`` on the thread that handles the event, usually with the engine's lock held:
an observer must be quick and must not block (no waiting on the terminal, no call back into the
engine), and it may be called from several threads (retries come from the workers). An observer that
raises is switched off for the rest of the run; the engine notes that once in its log and in
``RunResult.observer_error``, and the run goes on.

The events are named tuples, not dataclasses: this module is imported by every run, and made of
dataclasses it took 6.5 ms to import instead of 1.5 to 2.5 (``python -X importtime``).

Text in these events (errors, warnings) is redacted but not made visible: what a task or a service
wrote is untrusted, and a renderer must pass it through ``runtime.shown_text.visible`` before it
reaches a terminal.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    from runtime.engine import RunResult

# How a task run ended, as the summary counts it (``TaskState.status`` only knows Success / failed).
ENDED_SUCCEEDED = "succeeded"
ENDED_FAILED = "failed"
ENDED_TIMED_OUT = "timed out"  # its own timeout passed, or the run's while it ran
ENDED_CANCELLED = "cancelled"  # the run was interrupted, or stopped for another reason, while it ran
ENDED_SKIPPED = "skipped"  # built, but the run ended before it started
ENDINGS = (ENDED_SUCCEEDED, ENDED_FAILED, ENDED_TIMED_OUT, ENDED_CANCELLED, ENDED_SKIPPED)


class RunStarted(NamedTuple):
    """The run began (its services are about to start)."""

    pipeline: str
    run_id: str
    logs_dir: str
    at: datetime.datetime


class TaskStarted(NamedTuple):
    """A task run was handed to a worker. ``run`` counts the runs of this name (1 for the first; a
    reusable task has more); ``id`` is the task run's id, as in ``state.yaml``."""

    id: str
    name: str
    run: int
    service: str
    endpoint: str
    at: datetime.datetime


class TaskFinished(NamedTuple):
    """A task run's call returned (or it could not be made). ``ended`` is one of ``ENDINGS``;
    ``error`` the whole error, redacted ("" on success); ``duration`` seconds from start to finish."""

    id: str
    name: str
    run: int
    ended: str
    duration: float
    error: str
    at: datetime.datetime

    @property
    def error_first_line(self) -> str:
        return self.error.split("\n", 1)[0]


class TaskRetried(NamedTuple):
    """A task run's call failed and will be made again after ``backoff`` seconds."""

    id: str
    name: str
    run: int
    attempt: int
    attempts: int
    error: str
    backoff: float


class RunWarning(NamedTuple):
    """Something the user should know that does not stop the run."""

    message: str


class TaskRunRecord(NamedTuple):
    """One task run as the end of the run saw it, for a summary: ``built_by`` is the id of the task
    run whose ``task.finished`` event built this one ("" when another event did, such as
    ``engine.started`` or a ``task.reported``); ``log`` is the path of its task log (which may not exist: most
    tasks write nothing); ``handled`` is True for a failure a reaction handled."""

    id: str
    name: str
    run: int
    ended: str
    duration: float | None
    error: str
    log: str
    built_by: str
    handled: bool = False


class RunEnded(NamedTuple):
    """The run is over and its files are written. ``reason`` is why it ended when that is not a list
    of failed tasks ("" then, and on success): a timeout, a signal, a reaction that raised;
    ``tasks`` are the task runs in the order they were built; ``redact`` hides the run's secrets in
    text read after the run (a task log's tail)."""

    result: RunResult
    pipeline: str
    reason: str
    started_at: datetime.datetime
    finished_at: datetime.datetime
    tasks: tuple[TaskRunRecord, ...]
    redact: Callable[[str], str]

    @property
    def duration(self) -> float:
        return max(0.0, (self.finished_at - self.started_at).total_seconds())


RunEvent = RunStarted | TaskStarted | TaskFinished | TaskRetried | RunWarning | RunEnded


class RunObserver(Protocol):
    """Gets every event of a run, in the order the engine handled them."""

    def event(self, event: RunEvent) -> None: ...
