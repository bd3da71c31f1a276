"""Which failed task runs were *handled*: what decides a run's exit status.

A failed task run is handled when, at the event of its ``task.finished`` or at any later event, a
reaction fires whose condition contains, outside any ``not``, an atom ``task(P).finished`` or
``task(P).finished(failed)`` that matches the task's name (``P`` exact, or a ``prefix*`` glob) and
is satisfied at that firing. The run succeeds (exit status 0) when every failed run was handled, and
fails (3) otherwise.

Why not "a reaction fired on the failure's own event", as before: an AND-join over a task that fails
and one that succeeds fires on whichever finishes second. With that rule, the failure was handled
only when the failing task happened to finish last, and the exit status depended on timing. With
this one, the join handles the failure whichever order the two finish in: the exit status is a
function of which tasks succeeded or failed and which reactions ran.

A plain function used as a condition (the original engine's style) cannot say which tasks it reacts
to, so it handles no failure: combine it with a ``task_finished_with_status(NAME, "failed")`` atom
(``all_of(task_finished_with_status("a", "failed"), my_function)``) to handle ``a``'s failure.
"""

from __future__ import annotations

from collections.abc import Callable

from runtime.conditions import ConditionLike, TaskFinished, failure_atoms, name_matches
from runtime.state import State


class FailureLedger:
    """The failed runs of one run not handled yet, by task name, and the atoms each reaction's
    condition contributes (asked once per condition object). A firing costs a lookup per exact atom
    and a pass over the names with unhandled failures per glob atom."""

    def __init__(self) -> None:
        self._unhandled: dict[str, list[str]] = {}  # task name -> ids of its failed runs
        # id of a condition -> (the condition, its atoms). Holding the condition keeps its id from
        # being reused by another object while the entry exists.
        self._atoms: dict[int, tuple[ConditionLike, tuple[TaskFinished, ...]]] = {}

    def failed(self, run_id: str, name: str) -> None:
        """Record the failure of run ``run_id`` of task ``name`` (before the reactions are asked)."""
        self._unhandled.setdefault(name, []).append(run_id)

    def reaction_fired(
        self, condition: ConditionLike, state: State, on_handled: Callable[[str], None]
    ) -> None:
        """A reaction on ``condition`` fired: the failed runs its satisfied atoms match are handled
        (``on_handled(name)`` is told about each)."""
        if not self._unhandled:
            return
        cached = self._atoms.get(id(condition))
        if cached is None:
            cached = self._atoms[id(condition)] = (condition, tuple(failure_atoms(condition)))
        for atom in cached[1]:
            if atom.name.endswith("*"):
                names = [name for name in self._unhandled if name_matches(atom.name, name)]
            else:
                names = [atom.name] if atom.name in self._unhandled else []
            if names and atom.satisfied(state):
                for name in names:
                    for _ in self._unhandled.pop(name):
                        on_handled(name)

    def unhandled_names(self) -> tuple[str, ...]:
        """The names of the tasks with a failed run no reaction handled, in the order they failed."""
        return tuple(self._unhandled)
