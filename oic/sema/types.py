"""The static types of oi values, and how they are read from JSON Schema.

The lattice is small on purpose: ``any`` at the top (nothing known: every use is allowed), then
``string`` (with ``secret`` as a tainted subtype), ``number`` (with ``integer`` below it), ``bool``,
``null``, ``list[T]``, objects with known fields, enums of literal values, and unions.

Checking is *optimistic*: an error is reported only when a value certainly cannot have the expected
type. A union is compatible with a target when any of its members is, and ``any`` is compatible with
everything — so an untyped service never produces a false error, only the warning that it is untyped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oic.records import Record, set_field
from oic.sema.alternatives import only_requires

# The types are ``oic.records.Record`` values (frozen dataclasses without their import-time cost).


class Type(Record):
    """Base of the static types."""

    __slots__ = ()

    def describe(self) -> str:
        raise NotImplementedError


class AnyType(Type):
    """Nothing is known about the value."""

    __slots__ = ()

    def __init__(self) -> None:
        pass

    def describe(self) -> str:
        return "any"


ANY = AnyType()


class StringType(Type):
    """A string; ``secret`` marks a value derived from a secret param (it taints what it flows into)."""

    __slots__ = ("secret",)

    secret: bool

    def __init__(self, secret: bool = False) -> None:
        set_field(self, "secret", secret)

    def describe(self) -> str:
        return "secret" if self.secret else "string"


class NumberType(Type):
    """A number; ``integer`` when it is known to be whole."""

    __slots__ = ("integer",)

    integer: bool

    def __init__(self, integer: bool = False) -> None:
        set_field(self, "integer", integer)

    def describe(self) -> str:
        return "integer" if self.integer else "number"


class BoolType(Type):
    __slots__ = ()

    def __init__(self) -> None:
        pass

    def describe(self) -> str:
        return "bool"


class NullType(Type):
    __slots__ = ()

    def __init__(self) -> None:
        pass

    def describe(self) -> str:
        return "null"


class ListType(Type):
    """A list whose elements all have type ``element``."""

    __slots__ = ("element",)

    element: Type

    def __init__(self, element: Type = ANY) -> None:
        set_field(self, "element", element)

    def describe(self) -> str:
        return "list" if isinstance(self.element, AnyType) else f"list[{self.element.describe()}]"


class ObjectType(Type):
    """An object. ``fields`` are the known fields and their types, ``required`` those that must be
    present. ``closed`` means no other field is allowed (the schema lists ``properties`` and does not
    allow more); ``extra`` is the type of fields not listed (``any`` when unknown). ``origin`` says
    what the object is, for messages (``the output of task "fetch"``); it takes no part in equality."""

    __slots__ = ("fields", "required", "closed", "extra", "origin")
    _uncompared = frozenset({"origin"})

    fields: tuple[tuple[str, Type], ...]
    required: frozenset[str]
    closed: bool
    extra: Type
    origin: str

    def __init__(
        self,
        fields: tuple[tuple[str, Type], ...] = (),
        required: frozenset[str] = frozenset(),
        closed: bool = False,
        extra: Type = ANY,
        origin: str = "",
    ) -> None:
        set_field(self, "fields", fields)
        set_field(self, "required", required)
        set_field(self, "closed", closed)
        set_field(self, "extra", extra)
        set_field(self, "origin", origin)

    def describe(self) -> str:
        return "object"

    def field_type(self, name: str) -> Type | None:
        """The type of field ``name``, or None when the object certainly has no such field."""
        for known, known_type in self.fields:
            if known == name:
                return known_type
        return None if self.closed else self.extra

    def field_names(self) -> list[str]:
        return [name for name, _ in self.fields]


class EnumType(Type):
    """One of a fixed set of JSON literal values."""

    __slots__ = ("values",)

    values: tuple[Any, ...]

    def __init__(self, values: tuple[Any, ...]) -> None:
        set_field(self, "values", values)

    def describe(self) -> str:
        return "one of " + ", ".join(_json_literal(value) for value in self.values)


class UnionType(Type):
    """Any one of ``options`` (at least two, none of them a union)."""

    __slots__ = ("options",)

    options: tuple[Type, ...]

    def __init__(self, options: tuple[Type, ...]) -> None:
        set_field(self, "options", options)

    def describe(self) -> str:
        return " | ".join(option.describe() for option in self.options)


STRING = StringType()
SECRET = StringType(secret=True)
NUMBER = NumberType()
INTEGER = NumberType(integer=True)
BOOL = BoolType()
NULL = NullType()
OBJECT = ObjectType()
LIST = ListType()


def _json_literal(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return str(value)


def union(types: list[Type]) -> Type:
    """The least type covering all of ``types`` (flattened, duplicates removed; ``any`` absorbs all)."""
    flat: list[Type] = []
    for item in types:
        members = item.options if isinstance(item, UnionType) else (item,)
        for member in members:
            if isinstance(member, AnyType):
                return ANY
            if member not in flat:
                flat.append(member)
    if not flat:
        return ANY
    if len(flat) == 1:
        return flat[0]
    # integer and number together are just number; a secret and a plain string are a secret.
    if NUMBER in flat and INTEGER in flat:
        flat.remove(INTEGER)
    if SECRET in flat and STRING in flat:
        flat.remove(STRING)
    return flat[0] if len(flat) == 1 else UnionType(tuple(flat))


def without_null(value: Type) -> Type:
    if isinstance(value, UnionType):
        return union([option for option in value.options if not isinstance(option, NullType)])
    return value


def is_secret(value: Type) -> bool:
    if isinstance(value, UnionType):
        return any(is_secret(option) for option in value.options)
    return isinstance(value, StringType) and value.secret


def base_kind(value: Type) -> str:
    """A coarse kind used to compare types: any, string, number, bool, null, list, object, enum, union."""
    if isinstance(value, StringType):
        return "string"
    if isinstance(value, NumberType):
        return "number"
    if isinstance(value, BoolType):
        return "bool"
    if isinstance(value, NullType):
        return "null"
    if isinstance(value, ListType):
        return "list"
    if isinstance(value, ObjectType):
        return "object"
    if isinstance(value, EnumType):
        return "enum"
    if isinstance(value, UnionType):
        return "union"
    return "any"


def literal_type(value: Any) -> Type:
    """The type of a JSON literal value."""
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return INTEGER if value.is_integer() else NUMBER
    if isinstance(value, str):
        return STRING
    if value is None:
        return NULL
    if isinstance(value, list):
        return LIST
    return OBJECT


def compatible(value: Type, target: Type) -> bool:
    """Whether a value of type ``value`` may be used where ``target`` is expected (optimistic)."""
    if isinstance(value, AnyType) or isinstance(target, AnyType):
        return True
    if isinstance(value, UnionType):
        return any(compatible(option, target) for option in value.options)
    if isinstance(target, UnionType):
        return any(compatible(value, option) for option in target.options)
    if isinstance(target, EnumType):
        if isinstance(value, EnumType):
            return any(item in target.values for item in value.values)
        return any(compatible(value, literal_type(item)) for item in target.values)
    if isinstance(value, EnumType):
        return any(compatible(literal_type(item), target) for item in value.values)
    if isinstance(target, NumberType):
        # a number not known to be whole may still be whole at run time
        return isinstance(value, NumberType)
    if isinstance(target, ListType):
        return isinstance(value, ListType) and compatible(value.element, target.element)
    if isinstance(target, ObjectType):
        return isinstance(value, ObjectType)
    return base_kind(value) == base_kind(target)


def from_written(name: str, element: Type | None = None) -> Type | None:
    """The type of a written type name (a param or definition parameter); None for an unknown name."""
    simple: dict[str, Type] = {
        "string": STRING,
        "secret": SECRET,
        "number": NUMBER,
        "integer": INTEGER,
        "int": INTEGER,
        "bool": BOOL,
        "object": OBJECT,
        "any": ANY,
    }
    if name == "list":
        return ListType(element if element is not None else ANY)
    return simple.get(name)


WRITTEN_TYPE_NAMES = ("string", "secret", "number", "integer", "bool", "list", "object", "any")


def from_schema(schema: Any, root: Mapping[str, Any] | None = None, depth: int = 0, origin: str = "") -> Type:
    """The type a JSON Schema describes. Anything not understood is ``any`` (optimistic). ``origin``
    names the value for messages and is given to every object type inside it."""
    if depth > 12 or not isinstance(schema, Mapping):
        return ANY
    root = schema if root is None else root
    reference = schema.get("$ref")
    if isinstance(reference, str):
        return from_schema(_resolve_pointer(root, reference), root, depth + 1, origin)
    if "enum" in schema and isinstance(schema["enum"], list) and schema["enum"]:
        return EnumType(tuple(schema["enum"]))
    if "const" in schema:
        return EnumType((schema["const"],))
    for combinator in ("anyOf", "oneOf"):
        options = schema.get(combinator)
        if depth == 0 and only_requires(options):  # which fields to give: see oic.sema.alternatives
            continue
        if isinstance(options, list) and options:
            return union([from_schema(option, root, depth + 1, origin) for option in options])
    declared = schema.get("type")
    if isinstance(declared, list):
        return union(
            [from_schema({**schema, "type": item}, root, depth + 1, origin) for item in declared] or [ANY]
        )
    if declared == "string":
        return STRING
    if declared == "number":
        return NUMBER
    if declared == "integer":
        return INTEGER
    if declared == "boolean":
        return BOOL
    if declared == "null":
        return NULL
    if declared == "array":
        return ListType(
            from_schema(schema.get("items"), root, depth + 1, origin) if "items" in schema else ANY
        )
    if declared == "object" or (declared is None and "properties" in schema):
        return _object_from_schema(schema, root, depth, origin)
    return ANY


def _object_from_schema(schema: Mapping[str, Any], root: Mapping[str, Any], depth: int, origin: str) -> Type:
    properties = schema.get("properties")
    fields: list[tuple[str, Type]] = []
    if isinstance(properties, Mapping):
        fields = [(str(name), from_schema(sub, root, depth + 1, origin)) for name, sub in properties.items()]
    required = schema.get("required")
    required_names = frozenset(str(name) for name in required) if isinstance(required, list) else frozenset()
    additional = schema.get("additionalProperties")
    # A schema that lists its properties is read as closed unless it explicitly allows more: a
    # misspelt field name is far more likely than a field the schema forgot.
    closed = bool(fields) and (additional is None or additional is False)
    extra = from_schema(additional, root, depth + 1, origin) if isinstance(additional, Mapping) else ANY
    return ObjectType(tuple(fields), required_names, closed, extra, origin)


def _resolve_pointer(root: Mapping[str, Any], reference: str) -> Any:
    if not reference.startswith("#"):
        return None
    current: Any = root
    for part in reference[1:].split("/"):
        if not part:
            continue
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        else:
            return None
    return current
