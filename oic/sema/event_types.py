"""The type of ``event`` in a reaction: the events its condition can fire on, and their payloads.

A reaction fires on an event that *triggers* one of its condition's atoms (``runtime.conditions``):
``engine.started`` on the engine's start, ``task(x).started`` on a ``task.started`` event,
``task(x).finished`` (with or without a status) on ``task.finished``, ``task(x).reported(e)`` on
``task.reported``. ``a and b`` and ``a or b`` fire on an event of either side; ``not a`` never
triggers anything itself. So the events a reaction sees are those of the atoms outside any ``not``,
named conditions included, and ``event.payload`` is the union of their payloads as the engine makes
them: a field every one of them has is there, one only some have may be absent (null, and E0315 where
null breaks), one none has is E0303. Where the events are not known (a builder body, which any
reaction may call; a condition that never triggers), the payload stays ``any``.
"""

from __future__ import annotations

from collections.abc import Mapping

from oic.sema import types as t
from oic.syntax import ast

_TASK_FIELDS = (("task", t.STRING), ("id", t.STRING))
_ANY_OR_NULL = t.UnionType((t.ANY, t.NULL))

# The payload of each event a condition can fire on, as ``runtime.engine`` makes it.
PAYLOADS: dict[str, tuple[tuple[str, t.Type], ...]] = {
    "engine.started": (),
    "task.started": _TASK_FIELDS,
    # The output is null when the task failed (the reaction may fire on either).
    "task.finished": (*_TASK_FIELDS, ("status", t.STRING), ("error", t.STRING), ("output", _ANY_OR_NULL)),
    "task.reported": (*_TASK_FIELDS, ("event", t.STRING), ("data", t.ANY)),
}
_ATOM_EVENTS = {"started": "task.started", "finished": "task.finished", "reported": "task.reported"}

# ``event`` where nothing is known of the events: its payload is ``any``.
ANY_EVENT = t.ObjectType(
    (("name", t.STRING), ("payload", t.ANY)), frozenset({"name", "payload"}), True, origin="event"
)


def event_type(condition: ast.ConditionExpr, conditions: Mapping[str, ast.ConditionDecl]) -> t.Type:
    """The type of ``event`` where ``condition`` (of a reaction or a named condition) has fired."""
    names = triggering_events(condition, conditions, frozenset())
    if not names:
        return ANY_EVENT
    payloads = [_payload(name) for name in sorted(names)]
    fields = (("name", t.STRING), ("payload", t.union(payloads)))
    return t.ObjectType(fields, frozenset({"name", "payload"}), True, origin="event")


def triggering_events(
    condition: ast.ConditionExpr, conditions: Mapping[str, ast.ConditionDecl], seen: frozenset[str]
) -> frozenset[str] | None:
    """The names of the events ``condition`` can fire on; None when that is not known (a use of an
    undefined or recursive named condition, reported elsewhere)."""
    if isinstance(condition, ast.EngineStarted):
        return frozenset({"engine.started"})
    if isinstance(condition, ast.TaskCondition):
        return frozenset({_ATOM_EVENTS[condition.kind]})
    if isinstance(condition, ast.NotCondition):
        return frozenset()
    if isinstance(condition, (ast.AllOf, ast.AnyOf)):
        found: frozenset[str] = frozenset()
        for operand in condition.operands:
            events = triggering_events(operand, conditions, seen)
            if events is None:
                return None
            found |= events
        return found
    name = condition.name.name
    definition = conditions.get(name)
    if definition is None or name in seen:
        return None
    return triggering_events(definition.condition, conditions, seen | {name})


def _payload(name: str) -> t.Type:
    fields = PAYLOADS[name]
    required = frozenset(field for field, _ in fields)
    return t.ObjectType(fields, required, True, origin=f"the payload of event '{name}'")
