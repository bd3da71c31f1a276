"""The record ``tasks[NAME]``: its static type, and which reads of it need the task to have run.

At run time ``tasks[NAME]`` is always a record (it never fails because the task has not run):

- ``status``: ``"waiting"`` (built, not started), ``"running"``, ``"success"``, ``"failed"``, or
  ``"none"`` (no run of NAME was built): the enum ``STATUS``;
- ``output``: the output of the latest finished run when it succeeded, else ``null``;
- ``error``: the error of the latest finished run when it failed, else ``""``;
- ``arguments``: the arguments of the latest started run, else ``null``.

Statically, ``output`` has the type of the endpoint's ``returns.json`` when the facts say the task's
latest finished run succeeded (or say both that and that it failed: the code never runs), ``null``
when they say it failed, and that type ``| null`` otherwise; ``arguments`` has the type of
``arguments.json`` once a run certainly started, else ``| null``. The
endpoint is known when every statement that can build NAME calls the same endpoint.

``NEEDED`` says how far a task must be known to have got before a field means what it says: reading
one sooner is W0108 (the value is then null or empty, which is defined but rarely what was meant).
"""

from __future__ import annotations

from oic.sema import types as t
from oic.sema.knowledge import FAILED, FINISHED, IMPOSSIBLE, STARTED, SUCCESS
from oic.sema.resolve import Declarations
from oic.sema.task_index import TaskIndex

STATUS_WORDS = ("waiting", "running", "success", "failed", "none")
STATUS = t.EnumType(STATUS_WORDS)
FIELDS = ("output", "status", "error", "arguments")

# Field (None: the record as a whole) -> the level the task must have reached, or None for never.
NEEDED: dict[str | None, str | None] = {
    "status": None,
    "arguments": STARTED,
    "output": FINISHED,
    "error": FINISHED,
    None: FINISHED,
}


def endpoint_types(static: str | None, table: Declarations, index: TaskIndex) -> tuple[t.Type, t.Type, str]:
    """The types of the output and the arguments of the task named ``static`` (``any`` when unknown),
    and the endpoint as ``alias.endpoint`` ("" when unknown)."""
    if static is None:
        return t.ANY, t.ANY, ""
    sites = index.builders_of(static)
    endpoints = {(site.statement.call.service.name, site.statement.call.endpoint.name) for site in sites}
    if len(endpoints) != 1:
        return t.ANY, t.ANY, ""
    alias, endpoint = next(iter(endpoints))
    service = table.services.get(alias)
    schemas = service.schemas.get(endpoint) if service is not None else None
    if schemas is None:
        return t.ANY, t.ANY, f"{alias}.{endpoint}"
    what = f"task {static!r} ({alias}.{endpoint})"
    output = (
        t.from_schema(schemas.returns, origin=f"the output of {what}")
        if schemas.returns is not None
        else t.ANY
    )
    arguments = (
        t.from_schema(schemas.arguments, origin=f"the arguments of {what}")
        if schemas.arguments is not None
        else t.ANY
    )
    return output, arguments, f"{alias}.{endpoint}"


def record_type(static: str | None, level: str | None, output: t.Type, arguments: t.Type) -> t.ObjectType:
    """The type of ``tasks[static]`` where the facts say ``level`` about the task (None: nothing), for
    an endpoint whose output and arguments have the types given (``endpoint_types``)."""
    if level in (SUCCESS, IMPOSSIBLE):  # impossible: the code never runs, so nothing is refused
        output_type = output
    elif level == FAILED:
        output_type = t.NULL
    else:
        output_type = _or_null(output)
    arguments_type = arguments if level is not None else _or_null(arguments)
    fields = (
        ("output", output_type),
        ("status", STATUS),
        ("error", t.STRING),
        ("arguments", arguments_type),
    )
    origin = f"the record of task {static!r}" if static is not None else "a task record"
    return t.ObjectType(fields, frozenset(FIELDS), True, origin=origin)


def _or_null(kind: t.Type) -> t.Type:
    """``kind | null``. An untyped endpoint's output is ``any``, which a union would let absorb the
    null; but a task that has not run has no output, whatever its endpoint, so reading a field of it
    before it surely ran is E0315 as for a typed one (``any | null``: null is known, the rest not)."""
    if isinstance(kind, t.AnyType):
        return t.UnionType((kind, t.NULL))
    return t.union([kind, t.NULL])
