"""Built-in conditions and the ``all_of`` / ``any_of`` / ``not_`` combinators.

A condition is called like the original's ``condition(event, state) -> bool``, but it also knows two
separate things, which is what lets conjunctions fire exactly once:

- *satisfied* by the state: the state shows the thing (task "a" finished successfully, ...);
- *triggered* by the event: the event being handled is that very thing happening.

A reaction fires when its condition is satisfied and triggered. Combinators:

- ``all_of``: every operand satisfied and at least one triggered. ``a.finished and b.finished`` thus
  fires once, on whichever of the two finishes second;
- ``any_of``: some operand both satisfied and triggered;
- ``not_``: satisfied when its operand is not, never triggered by itself (so ``not_`` alone never fires).

A plain callable used as an operand counts as both satisfied and triggered when it returns True.

The state a condition sees already includes the event being handled (the engine applies the event to the
state first), and only the engine thread changes it, so a condition never sees a task finish before that
task's ``task.finished`` event is handled.

Task names: an exact name, or a name ending in ``*`` (a prefix glob: ``"archive-*"``). Per name, the
*outcome* is the status of its most recent finished run (a reusable task may run many times).

- exact name: ``task_started`` is satisfied once some run of it started; ``task_finished`` once some run
  finished; ``task_finished_with_status`` when its outcome has that status.
- glob: the same, but for *every* task name matching the prefix that was built so far, with at least
  one such name, and none of them with a run still waiting or in progress. Tasks built by one reaction
  are all built before any of them runs, so ``task_finished_with_status("archive-*", "Success")`` fires
  once, when the last of a fan-out succeeds — and not at all if any of them failed.
- ``task_event_reported(name, event)`` is satisfied when some run of a matching task reported that
  event (for a glob: *any* matching task — "all of them reported" is rarely what one wants).

Triggered: the event is ``task.started`` / ``task.finished`` (with that status, when one is given) /
``task.reported`` (with that event name) of a task matching the name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from runtime.model import (
    EVENT_ENGINE_STARTED,
    EVENT_TASK_FINISHED,
    EVENT_TASK_REPORTED,
    EVENT_TASK_STARTED,
    TASK_STATUS_FAILED,
    Event,
    file_status,
)

if TYPE_CHECKING:
    from runtime.state import State

ConditionLike = Callable[[Event, "State"], bool]


class Condition:
    """Base of the built-in conditions. Subclasses implement ``satisfied`` and ``triggered``; calling
    the condition answers whether a reaction guarded by it fires on ``event``."""

    def satisfied(self, state: State) -> bool:
        raise NotImplementedError

    def triggered(self, event: Event, state: State) -> bool:
        raise NotImplementedError

    def evaluate(self, event: Event, state: State) -> tuple[bool, bool]:
        """``(satisfied, triggered)`` in one go; combinators call this on their operands."""
        return self.satisfied(state), self.triggered(event, state)

    def failure_atoms(self) -> Iterator[TaskFinished]:
        """The ``task_finished`` / ``task_finished_with_status(..., "failed")`` atoms of this condition
        that lie outside any ``not_``: a reaction that fires on it *handles* the failed runs of the
        tasks those atoms name, when they are satisfied (see ``runtime.outcome``)."""
        return iter(())

    def __call__(self, event: Event, state: State) -> bool:
        if type(self).evaluate is not Condition.evaluate:  # a combinator: its own evaluation decides
            satisfied, triggered = self.evaluate(event, state)
            return satisfied and triggered
        # Most events trigger nothing: asking that first skips the state lookups.
        return self.triggered(event, state) and self.satisfied(state)

    def __and__(self, other: ConditionLike) -> Condition:
        return all_of(self, other)

    def __or__(self, other: ConditionLike) -> Condition:
        return any_of(self, other)

    def __invert__(self) -> Condition:
        return not_(self)


def evaluate(condition: ConditionLike, event: Event, state: State) -> tuple[bool, bool]:
    """``(satisfied, triggered)`` of any condition; a plain callable is both when it returns True."""
    if isinstance(condition, Condition):
        return condition.evaluate(event, state)
    holds = bool(condition(event, state))
    return holds, holds


def failure_atoms(condition: ConditionLike) -> Iterator[TaskFinished]:
    """``condition.failure_atoms()``; a plain callable has none (it cannot say what it reacts to)."""
    return condition.failure_atoms() if isinstance(condition, Condition) else iter(())


def normalize_status(status: str) -> str:
    """The files' spelling of ``status``, given in either spelling ("success"/"Success" -> "Success",
    "failed"); see ``runtime.model.file_status``."""
    return file_status(status)


def name_matches(pattern: str, name: str) -> bool:
    """Whether task ``name`` matches ``pattern`` (an exact name, or a prefix ending in ``*``)."""
    if pattern.endswith("*"):
        return name.startswith(pattern[:-1])
    return name == pattern


def _is_glob(pattern: str) -> bool:
    return pattern.endswith("*")


def _event_task(event: Event) -> str | None:
    task = event.payload.get("task") if isinstance(event.payload, Mapping) else None
    return task if isinstance(task, str) else None


class _EngineStarted(Condition):
    def satisfied(self, state: State) -> bool:
        return state.engine_started

    def triggered(self, event: Event, state: State) -> bool:
        return event.metadata.name == EVENT_ENGINE_STARTED

    def __repr__(self) -> str:
        return "engine_started"


engine_started: Condition = _EngineStarted()
"""Satisfied once the engine started; triggered by the ``engine.started`` event (so it fires once)."""


class TaskStarted(Condition):
    """Some run of the task (every matching task, for a glob) started."""

    def __init__(self, name: str) -> None:
        self.name = name

    def satisfied(self, state: State) -> bool:
        if not _is_glob(self.name):
            return state.has_started(self.name)
        stats = state.prefix_stats(self.name[:-1])
        return stats.names > 0 and stats.started == stats.names

    def triggered(self, event: Event, state: State) -> bool:
        task = _event_task(event)
        return (
            event.metadata.name == EVENT_TASK_STARTED and task is not None and name_matches(self.name, task)
        )

    def __repr__(self) -> str:
        return f"task_started({self.name!r})"


class TaskFinished(Condition):
    """The task (every matching task, for a glob) finished, with ``status`` when one is given."""

    def __init__(self, name: str, status: str | None = None) -> None:
        self.name = name
        self.status = normalize_status(status) if status is not None else None

    def _outcome_fits(self, state: State, name: str) -> bool:
        latest = state.latest_finished(name)
        return latest is not None and (self.status is None or latest.status == self.status)

    def satisfied(self, state: State) -> bool:
        if not _is_glob(self.name):
            return self._outcome_fits(state, self.name)
        stats = state.prefix_stats(self.name[:-1])
        fitting = stats.finished if self.status is None else stats.outcomes.get(self.status, 0)
        return stats.names > 0 and stats.active == 0 and fitting == stats.names

    def triggered(self, event: Event, state: State) -> bool:
        task = _event_task(event)
        if event.metadata.name != EVENT_TASK_FINISHED or task is None or not name_matches(self.name, task):
            return False
        return self.status is None or event.payload.get("status") == self.status

    def failure_atoms(self) -> Iterator[TaskFinished]:
        if self.status is None or self.status == TASK_STATUS_FAILED:
            yield self

    def __repr__(self) -> str:
        if self.status is None:
            return f"task_finished({self.name!r})"
        return f"task_finished_with_status({self.name!r}, {self.status!r})"


class TaskEventReported(Condition):
    """A run of a matching task reported ``event_name`` during its call."""

    def __init__(self, name: str, event_name: str) -> None:
        self.name = name
        self.event_name = event_name

    def satisfied(self, state: State) -> bool:
        if not _is_glob(self.name):
            return state.has_reported(self.name, self.event_name)
        return self.event_name in state.prefix_stats(self.name[:-1]).reported

    def triggered(self, event: Event, state: State) -> bool:
        task = _event_task(event)
        return (
            event.metadata.name == EVENT_TASK_REPORTED
            and task is not None
            and name_matches(self.name, task)
            and event.payload.get("event") == self.event_name
        )

    def __repr__(self) -> str:
        return f"task_event_reported({self.name!r}, {self.event_name!r})"


class AllOf(Condition):
    """Every operand satisfied, at least one triggered."""

    def __init__(self, operands: tuple[ConditionLike, ...]) -> None:
        self.operands = operands

    def evaluate(self, event: Event, state: State) -> tuple[bool, bool]:
        results = [evaluate(operand, event, state) for operand in self.operands]
        return all(sat for sat, _ in results), any(trig for _, trig in results)

    def satisfied(self, state: State) -> bool:
        return all(_satisfied(operand, state) for operand in self.operands)

    def triggered(self, event: Event, state: State) -> bool:
        return any(evaluate(operand, event, state)[1] for operand in self.operands)

    def failure_atoms(self) -> Iterator[TaskFinished]:
        for operand in self.operands:
            yield from failure_atoms(operand)

    def __repr__(self) -> str:
        return f"all_of({', '.join(map(repr, self.operands))})"


class AnyOf(Condition):
    """Some operand both satisfied and triggered (satisfied alone: some operand satisfied)."""

    def __init__(self, operands: tuple[ConditionLike, ...]) -> None:
        self.operands = operands

    def evaluate(self, event: Event, state: State) -> tuple[bool, bool]:
        results = [evaluate(operand, event, state) for operand in self.operands]
        return any(sat for sat, _ in results), any(sat and trig for sat, trig in results)

    def satisfied(self, state: State) -> bool:
        return any(_satisfied(operand, state) for operand in self.operands)

    def triggered(self, event: Event, state: State) -> bool:
        return self.evaluate(event, state)[1]

    def failure_atoms(self) -> Iterator[TaskFinished]:
        for operand in self.operands:
            yield from failure_atoms(operand)

    def __repr__(self) -> str:
        return f"any_of({', '.join(map(repr, self.operands))})"


class Not(Condition):
    """Satisfied when the operand is not; never triggered by itself."""

    def __init__(self, operand: ConditionLike) -> None:
        self.operand = operand

    def evaluate(self, event: Event, state: State) -> tuple[bool, bool]:
        satisfied, _ = evaluate(self.operand, event, state)
        return not satisfied, False

    def satisfied(self, state: State) -> bool:
        return not _satisfied(self.operand, state)

    def triggered(self, event: Event, state: State) -> bool:
        return False

    def __repr__(self) -> str:
        return f"not_({self.operand!r})"


def _satisfied(condition: ConditionLike, state: State) -> bool:
    if isinstance(condition, Condition):
        return condition.satisfied(state)
    raise TypeError(
        "a plain function condition needs the event: call evaluate(condition, event, state) instead"
    )


def task_started(name: str) -> Condition:
    """Fires when the task named ``name`` (or matching ``prefix*``) starts."""
    return TaskStarted(name)


def task_finished(name: str) -> Condition:
    """Fires when the task named ``name`` (or every task matching ``prefix*``) has finished."""
    return TaskFinished(name)


def task_finished_with_status(name: str, status: str) -> Condition:
    """Fires when the task finished with ``status`` ("Success"/"success" or "failed")."""
    return TaskFinished(name, status)


def task_event_reported(name: str, event_name: str) -> Condition:
    """Fires when the task reports ``event_name`` during its call (a ``task.reported`` event)."""
    return TaskEventReported(name, event_name)


def all_of(*conditions: ConditionLike) -> Condition:
    """All satisfied, one triggered: an AND-join that fires once, on the last operand to happen."""
    if not conditions:
        raise ValueError("all_of needs at least one condition")
    return AllOf(tuple(conditions))


def any_of(*conditions: ConditionLike) -> Condition:
    """Fires when any operand fires."""
    if not conditions:
        raise ValueError("any_of needs at least one condition")
    return AnyOf(tuple(conditions))


def not_(condition: ConditionLike) -> Condition:
    """The negation of ``condition``: use it inside ``all_of`` (alone it never fires)."""
    return Not(condition)


__all__ = [
    "AllOf",
    "AnyOf",
    "Condition",
    "ConditionLike",
    "Not",
    "TaskEventReported",
    "TaskFinished",
    "TaskStarted",
    "all_of",
    "any_of",
    "engine_started",
    "evaluate",
    "failure_atoms",
    "name_matches",
    "normalize_status",
    "not_",
    "task_event_reported",
    "task_finished",
    "task_finished_with_status",
    "task_started",
]
