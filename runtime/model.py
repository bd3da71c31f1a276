"""The pipeline model: what a pipeline is made of, with the names of the Go original.

A ``Pipeline`` is metadata plus a spec of services and event reactions. On every event, each reaction
whose condition holds builds tasks; a task calls one endpoint of one service with arguments.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runtime.state import State

# Event names.
EVENT_ENGINE_STARTED = "engine.started"
EVENT_ENGINE_FINISHED = "engine.finished"
EVENT_TASK_STARTED = "task.started"
EVENT_TASK_FINISHED = "task.finished"
# A task reported an event of its own while it ran (payload: task, id, event, data).
EVENT_TASK_REPORTED = "task.reported"

# Engine and task states, task statuses (the original's strings, kept for state.yaml readers).
ENGINE_STATE_IN_PROGRESS = "in-progress"
ENGINE_STATE_FINISHED = "finished"
# A task that was built and waits for a free worker (not in the original, which had no queue).
TASK_STATE_PENDING = "pending"
TASK_STATE_IN_PROGRESS = ENGINE_STATE_IN_PROGRESS
TASK_STATE_FINISHED = ENGINE_STATE_FINISHED
TASK_STATUS_SUCCESS = "Success"
TASK_STATUS_FAILED = "failed"

# The language's words for the status of a task's latest run (``tasks["x"].status``, and the
# ``success`` / ``failed`` of ``finished(...)``). The files keep the original's spellings above, for
# the readers of state.yaml; ``status_word`` and ``file_status`` are the one mapping between the two.
STATUS_WAITING = "waiting"  # built, waiting for a free worker
STATUS_RUNNING = "running"  # started, its call in flight
STATUS_SUCCESS = "success"  # finished: the call succeeded
STATUS_FAILED = "failed"  # finished: the call failed
STATUS_NONE = "none"  # no run of the task was built in this run
TASK_STATUS_WORDS = (STATUS_WAITING, STATUS_RUNNING, STATUS_SUCCESS, STATUS_FAILED, STATUS_NONE)
_WORD_OF_FILE_STATUS = {TASK_STATUS_SUCCESS: STATUS_SUCCESS, TASK_STATUS_FAILED: STATUS_FAILED}
_FILE_STATUS_OF_WORD = {word: status for status, word in _WORD_OF_FILE_STATUS.items()}


def status_word(task_state: str, status: str) -> str:
    """The language's word for a run in ``task_state`` (pending / in-progress / finished) whose files'
    ``status`` is ``status`` ("Success", "failed" or "" before it finished)."""
    if task_state == TASK_STATE_FINISHED:
        return _WORD_OF_FILE_STATUS.get(status, STATUS_FAILED)
    return STATUS_RUNNING if task_state == TASK_STATE_IN_PROGRESS else STATUS_WAITING


def file_status(word: str) -> str:
    """The files' spelling of a finished status given in either spelling ("success" or "Success" ->
    "Success"; "failed" -> "failed"). Raises ``ValueError`` for anything else."""
    status = _FILE_STATUS_OF_WORD.get(word.strip().lower())
    if status is None:
        raise ValueError(f"unknown task status {word!r}: use {STATUS_SUCCESS!r} or {STATUS_FAILED!r}")
    return status


@dataclass(frozen=True)
class PipelineMetadata:
    """``name`` of the pipeline; ``os``/``architecture`` it was built for ("" = the host's)."""

    name: str
    os: str = ""
    architecture: str = ""


@dataclass(frozen=True)
class Service:
    """A service the pipeline starts: a catalog ``name`` + ``version``, or a local ``path`` (not both).

    ``alias`` is the name tasks use (the original's ``As``). ``builtin``: served by oi's own catalog
    (the pipeline binary can run it itself). ``schemas``: known endpoint schemas as JSON text, keyed like
    the protocol's ``InitResponse`` (``ENDPOINT/arguments.json``); when given they are used instead of
    asking the service. ``image``: the container image for Kubernetes mode ("" = derived)."""

    alias: str
    name: str = ""
    version: str = ""
    path: str = ""
    builtin: bool = False
    schemas: Mapping[str, str] | None = None
    image: str = ""


@dataclass(frozen=True, slots=True)
class EventMetadata:
    name: str
    id: str
    created_at: datetime.datetime


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened. Payloads by name:

    - ``task.started``: ``{"task": name, "id": task-run id}``
    - ``task.finished``: ``{"task", "id", "status", "error", "output"}``
    - ``task.reported``: ``{"task", "id", "event", "data"}``
    - ``engine.started`` / ``engine.finished``: ``{}``"""

    metadata: EventMetadata
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Argument:
    """A task argument: a static ``value``, or ``func`` computing it when the task runs."""

    key: str
    value: Any = None
    func: Callable[[], Any] | None = None

    def get_value(self) -> Any:
        return self.func() if self.func is not None else self.value


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Run a failed task up to ``attempts`` times in all, waiting ``backoff`` seconds before the second
    attempt and doubling the wait each time after."""

    attempts: int = 1
    backoff: float = 0.0


@dataclass(frozen=True, slots=True)
class TaskMetadata:
    """``name`` of the task; ``reusable`` tasks may run again on later events, others at most once per
    run. ``timeout`` (seconds) bounds one attempt; None = no bound."""

    name: str
    reusable: bool = False
    timeout: float | None = None
    retry: RetryPolicy = RetryPolicy()


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """Call ``endpoint`` of the service aliased ``service`` with ``arguments``."""

    service: str
    endpoint: str
    arguments: Sequence[Argument] = ()


@dataclass(frozen=True, slots=True)
class Task:
    metadata: TaskMetadata
    spec: TaskSpec


ConditionFunc = Callable[[Event, "State"], bool]
ReactionFunc = Callable[[Event, "State"], Sequence[Task]]


@dataclass(frozen=True)
class EventReaction:
    """When ``condition(event, state)`` holds, ``reaction(event, state)`` builds tasks.

    ``condition`` is a plain callable or one of the ``runtime.conditions`` objects (which also know
    whether they are merely satisfied by the state or triggered by this very event)."""

    condition: ConditionFunc
    reaction: ReactionFunc


@dataclass(frozen=True)
class PipelineSpec:
    services: Sequence[Service] = ()
    reactions: Sequence[EventReaction] = ()


@dataclass(frozen=True)
class Pipeline:
    metadata: PipelineMetadata
    spec: PipelineSpec
