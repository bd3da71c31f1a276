"""The generator's own model of oi's static types, written from docs/language.md and the typing
rules (null and optional fields, sound unions, ``any``), independently of ``oic/sema``.

The generator asks one question of it: *may a value of static type V be used where T is expected,
certainly, by a sound checker?* (``fits``). It answers conservatively: a program the generator calls
valid must be valid whatever reasonable choice the checker makes where the documents leave room.

``TAny(actual)`` is ``any`` to the checker; ``actual`` is what the generator knows the value will be
at run time (the shape of ``parse_json(json(x))``, of an ``object`` param it supplies, of a task
output it knows), so that it can use an ``any`` value in ways that do not fail. ``TStr(secret=True)``
as a *target* means "any string, secrets allowed"; as a value's type, "derived from a secret".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class GType:
    """Base of the generator's types."""

    __slots__ = ()


@dataclass(frozen=True)
class TStr(GType):
    """A string; ``secret`` when derived from a secret."""

    secret: bool = False


@dataclass(frozen=True)
class TInt(GType):
    """A whole number."""


@dataclass(frozen=True)
class TNum(GType):
    """Any number."""


@dataclass(frozen=True)
class TBool(GType):
    """``true`` or ``false``."""


@dataclass(frozen=True)
class TNull(GType):
    """``null``."""


@dataclass(frozen=True)
class TList(GType):
    """A list of ``element`` values."""

    element: GType


@dataclass(frozen=True)
class Field:
    """A field of an object type: ``required`` unless it may be absent."""

    name: str
    type: GType
    required: bool = True


@dataclass(frozen=True)
class TObj(GType):
    """An object: its known ``fields``; ``closed`` when no other field can be present; ``extra``:
    the type of fields not listed (None: unknown, as for a written ``object``). ``known`` is what the
    generator knows of a written ``object`` at run time (the checker knows nothing of its fields).
    ``keyed``: a schema's typed ``additionalProperties``, whose fields are read as optional ones (an
    object comprehension's fields are not: its keys are known only at run time)."""

    fields: tuple[Field, ...] = ()
    closed: bool = False
    extra: GType | None = None
    known: TObj | None = None
    keyed: bool = False

    def field(self, name: str) -> Field | None:
        for field in self.fields:
            if field.name == name:
                return field
        return None


@dataclass(frozen=True)
class TEnum(GType):
    """One of ``values`` (JSON literals)."""

    values: tuple[Any, ...]


@dataclass(frozen=True)
class TUnion(GType):
    """Any one of ``options``."""

    options: tuple[GType, ...]


@dataclass(frozen=True)
class TAny(GType):
    """``any`` to the checker; ``actual``: what the value is at run time (None: unknown)."""

    actual: GType | None = None


@dataclass(frozen=True)
class TNever(GType):
    """The element type of an empty list literal: ``list[any]`` to the checker, no value at all at
    run time, so it fits everything."""


STRING = TStr()
SECRET = TStr(secret=True)
INT = TInt()
NUM = TNum()
BOOL = TBool()
NULL = TNull()
ANY = TAny()
NEVER = TNever()
OBJECT = TObj()
LIST = TList(ANY)
STATUSES = ("waiting", "running", "success", "failed", "none")
STATUS = TEnum(STATUSES)


def union(types: list[GType]) -> GType:
    """The least type covering ``types``: ``any`` absorbs the rest (keeping what is known at run time
    when every member's value is known)."""
    if any(isinstance(item, TAny) for item in types):
        actuals = [runtime_type(item) for item in types]
        if any(actual is None for actual in actuals):
            return ANY
        return TAny(union([actual for actual in actuals if actual is not None]))
    flat: list[GType] = []
    for item in types:
        for member in item.options if isinstance(item, TUnion) else (item,):
            if member not in flat and not isinstance(member, TNever):
                flat.append(member)
    if not flat:
        return NEVER if types else ANY
    if NUM in flat and INT in flat:
        flat.remove(INT)
    if SECRET in flat and STRING in flat:
        flat.remove(STRING)
    return flat[0] if len(flat) == 1 else TUnion(tuple(flat))


def nullable(value: GType) -> GType:
    return union([value, NULL])


def has_null(value: GType) -> bool:
    if isinstance(value, TUnion):
        return any(isinstance(option, TNull) for option in value.options)
    return isinstance(value, TNull)


def without_null(value: GType) -> GType:
    if isinstance(value, TUnion):
        return union([option for option in value.options if not isinstance(option, TNull)])
    return value


def is_secret(value: GType) -> bool:
    """Whether a secret may be anywhere inside a value of this type."""
    if isinstance(value, TStr):
        return value.secret
    if isinstance(value, TUnion):
        return any(is_secret(option) for option in value.options)
    if isinstance(value, TList):
        return is_secret(value.element)
    if isinstance(value, TObj):
        return (
            any(is_secret(field.type) for field in value.fields)
            or (value.extra is not None and is_secret(value.extra))
            or (value.known is not None and is_secret(value.known))
        )
    if isinstance(value, TAny):
        return value.actual is not None and is_secret(value.actual)
    return False


def admits_secret(target: GType) -> bool:
    """Whether a value derived from a secret may be given where ``target`` is expected."""
    if isinstance(target, (TAny, TNever)):
        return True
    if isinstance(target, TStr):
        return target.secret
    if isinstance(target, TUnion):
        return any(admits_secret(option) for option in target.options)
    if isinstance(target, TList):
        return admits_secret(target.element)
    if isinstance(target, TObj):
        if any(admits_secret(field.type) for field in target.fields):
            return True
        if target.closed:
            return False
        return target.extra is None or admits_secret(target.extra)
    return False


def runtime_type(value: GType) -> GType | None:
    """What a value of this static type is at run time, as far as the generator knows (None: unknown)."""
    if isinstance(value, TAny):
        return value.actual
    return value


def fits(value: GType, target: GType) -> bool:
    """Whether a value of static type ``value`` certainly fits ``target``, for the checker (the static
    types) and at run time (what an ``any`` value really is)."""
    if isinstance(target, TAny) or isinstance(value, TNever):
        return True
    if isinstance(value, TAny):
        return value.actual is not None and fits(value.actual, target)
    if isinstance(value, TUnion):
        return all(fits(option, target) for option in value.options)
    if isinstance(target, TUnion):
        return any(fits(value, option) for option in target.options)
    if isinstance(target, TEnum):
        return isinstance(value, TEnum) and all(_member(item, target.values) for item in value.values)
    if isinstance(value, TEnum):
        return all(fits(literal_type(item), target) for item in value.values)
    if isinstance(target, TStr):
        return isinstance(value, TStr) and (target.secret or not value.secret)
    if isinstance(target, TNum):
        return isinstance(value, (TNum, TInt))
    if isinstance(target, TList):
        return isinstance(value, TList) and fits(value.element, target.element)
    if isinstance(target, TObj):
        return isinstance(value, TObj) and _object_fits(value, target)
    return type(value) is type(target)


def _object_fits(value: TObj, target: TObj) -> bool:
    if not target.fields and not target.closed and target.extra is None:
        return True  # a written `object`: any object
    for field in target.fields:
        given = value.field(field.name)
        if given is None:
            if field.required or not value.closed:
                return False
            continue
        if field.required and not given.required:
            return False
        if not fits(given.type, field.type):
            return False
    for given in value.fields:
        if target.field(given.name) is None:
            if target.closed or target.extra is None or not fits(given.type, target.extra):
                return False
    if not value.closed:
        # fields nobody listed may be present: they must fit whatever the target allows
        if target.closed:
            return False
        return target.extra is None or (value.extra is not None and fits(value.extra, target.extra))
    return True


def _member(item: Any, values: tuple[Any, ...]) -> bool:
    return any(type(item) is type(value) and item == value for value in values)


def literal_type(value: Any) -> GType:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, float):
        return NUM
    if isinstance(value, str):
        return STRING
    if value is None:
        return NULL
    raise ValueError(f"not a literal: {value!r}")


def read_field(target: GType, name: str) -> GType | None:
    """The type of ``target.name`` when the read certainly cannot fail (None otherwise): a required
    field, or an optional one as ``F | null`` (the null-returning read of optional fields); through an
    ``any`` whose actual object has the field as a required, non-null one."""
    if isinstance(target, TAny):
        actual = target.actual
        if isinstance(actual, TObj):
            field = actual.field(name)
            if field is not None and field.required:
                return TAny(field.type)
        return None
    if isinstance(target, TUnion):
        if has_null(target):
            return None
        found = [read_field(option, name) for option in target.options]
        if any(item is None for item in found) or not all(isinstance(o, TObj) for o in target.options):
            return None
        options = [option for option in target.options if isinstance(option, TObj)]
        if not all((option.field(name) or Field("", ANY, False)).required for option in options):
            return None
        return union([item for item in found if item is not None])
    if not isinstance(target, TObj):
        return None
    if target.known is not None:
        return read_field(TAny(target.known), name)
    field = target.field(name)
    if field is not None:
        return field.type if field.required else nullable(field.type)
    if target.closed:
        return None
    if target.extra is not None and target.keyed:
        return nullable(target.extra)
    return None


def from_schema(schema: Any, root: Mapping[str, Any] | None = None) -> GType:
    """The type a JSON Schema describes, as the documents say the checker reads it."""
    if not isinstance(schema, Mapping):
        return ANY
    root = schema if root is None else root
    reference = schema.get("$ref")
    if isinstance(reference, str):
        target: Any = root
        for part in reference[2:].split("/"):
            target = target[part]
        return from_schema(target, root)
    if "enum" in schema:
        return TEnum(tuple(schema["enum"]))
    if "const" in schema:
        return TEnum((schema["const"],))
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            return union([from_schema(option, root) for option in schema[combinator]])
    declared = schema.get("type")
    if isinstance(declared, list):
        return union([from_schema({**schema, "type": item}, root) for item in declared])
    simple: dict[str, GType] = {
        "string": STRING,
        "integer": INT,
        "number": NUM,
        "boolean": BOOL,
        "null": NULL,
    }
    if declared in simple:
        return simple[declared]
    if declared == "array":
        return TList(from_schema(schema["items"], root) if "items" in schema else ANY)
    if declared == "object" or "properties" in schema:
        required = set(schema.get("required", ()))
        fields = tuple(
            Field(name, from_schema(sub, root), name in required)
            for name, sub in schema.get("properties", {}).items()
        )
        additional = schema.get("additionalProperties")
        if isinstance(additional, Mapping):
            return TObj(fields, closed=False, extra=from_schema(additional, root), keyed=True)
        closed = bool(fields) and additional is not True
        return TObj(fields, closed=closed, extra=None)
    return ANY


def describe(value: GType) -> str:
    """A short description, for generated comments and test messages."""
    if isinstance(value, TStr):
        return "secret" if value.secret else "string"
    if isinstance(value, TInt):
        return "integer"
    if isinstance(value, TNum):
        return "number"
    if isinstance(value, TBool):
        return "bool"
    if isinstance(value, TNull):
        return "null"
    if isinstance(value, TList):
        return f"list[{describe(value.element)}]"
    if isinstance(value, TObj):
        return (
            "{"
            + ", ".join(f"{f.name}{'' if f.required else '?'}: {describe(f.type)}" for f in value.fields)
            + "}"
        )
    if isinstance(value, TEnum):
        return "enum" + repr(list(value.values))
    if isinstance(value, TUnion):
        return " | ".join(describe(option) for option in value.options)
    return "any" if value.actual is None else f"any({describe(value.actual)})"
