"""The slowest chain of a run: the task runs, each built by the end of the one before it, whose
durations add up to the most.

Every task run was built by a reaction to some event. When that event is another run's
``task.finished``, the finished run is its *parent* (``TaskRunRecord.built_by``); runs built on
``engine.started`` or on a ``task.reported`` event start a chain. The slowest chain is the path
from a chain's start to some run whose summed durations are the longest: the part of the pipeline
that a faster run has to shorten first (making a task outside it faster does not end the run
sooner).

Summed durations, not finish times: the time a built run waited for a free worker (``parallelism``)
is not in the sum, so the chain names work to speed up rather than a queue to widen.
"""

from __future__ import annotations

from collections.abc import Sequence

from runtime.observer import TaskRunRecord


def slowest_chain(tasks: Sequence[TaskRunRecord]) -> tuple[float, list[TaskRunRecord]]:
    """The chain with the longest summed duration, first run first, and that sum; ``(0.0, [])`` when
    no run has a duration. ``tasks`` are in the order they were built (a parent before its children:
    it had finished when they were built)."""
    by_id = {task.id: task for task in tasks}
    total: dict[str, float] = {}
    for task in tasks:
        parent = by_id.get(task.built_by)
        before = total.get(parent.id, 0.0) if parent is not None else 0.0
        total[task.id] = before + (task.duration or 0.0)
    timed = [task for task in tasks if task.duration is not None]
    if not timed:
        return 0.0, []
    end = max(timed, key=lambda task: total[task.id])
    chain = [end]
    seen = {end.id}
    parent = by_id.get(end.built_by)
    while parent is not None and parent.id not in seen:  # ids are unique: a loop is only a guard
        chain.append(parent)
        seen.add(parent.id)
        parent = by_id.get(parent.built_by)
    chain.reverse()
    return total[end.id], chain
