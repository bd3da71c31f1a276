"""The fields a JSON Schema gives an object, with their descriptions: what hover shows for an
argument and what completion offers inside a call or after ``tasks["x"].output.``.

Types are described by the checker's own reading of schemas (``oic.sema.types.from_schema``), so
hover says what ``oic check`` checks; this module adds what the checker does not keep: the
``description`` of each field, and whether it is required.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oic.records import Record, set_field
from oic.sema import types as t
from oic.sema.resolve import Declarations
from oic.sema.task_index import TaskIndex

_MAX_DEPTH = 16


class Field(Record):
    __slots__ = ("name", "type_text", "description", "required")

    name: str
    type_text: str
    description: str
    required: bool

    def __init__(self, name: str, type_text: str, description: str, required: bool) -> None:
        set_field(self, "name", name)
        set_field(self, "type_text", type_text)
        set_field(self, "description", description)
        set_field(self, "required", required)


def resolve(schema: Any, root: Mapping[str, Any]) -> Any:
    """``schema`` with ``$ref`` pointers into ``root`` followed (a few levels at most)."""
    for _ in range(_MAX_DEPTH):
        if not isinstance(schema, Mapping) or not isinstance(schema.get("$ref"), str):
            return schema
        schema = t._resolve_pointer(root, schema["$ref"])
    return None


def fields(schema: Any, root: Mapping[str, Any] | None = None) -> list[Field]:
    """The fields of the object ``schema`` describes (through ``$ref``, ``allOf``, and the options
    of ``oneOf``/``anyOf``, whose fields are offered but not required), required ones first."""
    root = schema if root is None else root
    found: dict[str, Field] = {}
    _collect(schema, root, found, required_here=True, depth=0)
    return sorted(found.values(), key=lambda field: (not field.required, field.name))


def _collect(
    schema: Any, root: Mapping[str, Any], found: dict[str, Field], required_here: bool, depth: int
) -> None:
    schema = resolve(schema, root)
    if depth > _MAX_DEPTH or not isinstance(schema, Mapping):
        return
    required = schema.get("required")
    required_names = (
        {str(name) for name in required} if isinstance(required, list) and required_here else set()
    )
    properties = schema.get("properties")
    if isinstance(properties, Mapping):
        for name, sub in properties.items():
            sub = resolve(sub, root)
            description = sub.get("description", "") if isinstance(sub, Mapping) else ""
            type_text = t.from_schema(sub, root).describe()
            previous = found.get(str(name))
            found[str(name)] = Field(
                str(name),
                type_text,
                str(description) or (previous.description if previous else ""),
                str(name) in required_names or (previous.required if previous else False),
            )
    for part in schema.get("allOf") or []:
        _collect(part, root, found, required_here, depth + 1)
    for combinator in ("oneOf", "anyOf"):
        for part in schema.get(combinator) or []:
            _collect(part, root, found, False, depth + 1)


def field_schema(schema: Any, root: Mapping[str, Any], name: str) -> Any:
    """The schema of field ``name`` of the object ``schema`` describes (None when it has none)."""
    schema = resolve(schema, root)
    if not isinstance(schema, Mapping):
        return None
    properties = schema.get("properties")
    if isinstance(properties, Mapping) and name in properties:
        return resolve(properties[name], root)
    for combinator in ("allOf", "oneOf", "anyOf"):
        for part in schema.get(combinator) or []:
            found = field_schema(part, root, name)
            if found is not None:
                return found
    return None


def items_schema(schema: Any, root: Mapping[str, Any]) -> Any:
    """The schema of the items of the array ``schema`` describes (None when it is no array)."""
    schema = resolve(schema, root)
    if isinstance(schema, Mapping) and isinstance(schema.get("items"), Mapping):
        return resolve(schema["items"], root)
    return None


def endpoint_schemas(table: Declarations, alias: str, endpoint: str) -> tuple[Any, Any] | None:
    """The arguments and returns schemas of ``alias.endpoint`` (None when the endpoint is unknown)."""
    service = table.services.get(alias)
    if service is None:
        return None
    schemas = service.schemas.get(endpoint)
    if schemas is None:
        return None
    return schemas.arguments, schemas.returns


def task_endpoint(index: TaskIndex, name: str) -> tuple[str, str] | None:
    """The one ``alias.endpoint`` the task statements that can build task ``name`` call."""
    endpoints = {
        (site.statement.call.service.name, site.statement.call.endpoint.name)
        for site in index.builders_of(name)
    }
    return next(iter(endpoints)) if len(endpoints) == 1 else None
