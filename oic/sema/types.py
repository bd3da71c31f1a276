"""The static types of oi values, the rule that says where a value may go, and how types are read
from JSON Schema.

The lattice is small on purpose: ``any`` (nothing known), ``string`` (with ``secret`` as a tainted
subtype), ``number`` (with ``integer`` below it), ``bool``, ``null``, ``list[T]``, objects with known
fields, enums of JSON literals, and unions.

Checking is *sound modulo* ``any`` (gradual typing): ``compatible(value, target)`` holds only when
every value of type ``value`` is a value of type ``target``, except where ``any`` stands for what is
not known, which fits everywhere and accepts everything. The rules, each a guarantee:

- a union fits a target when *every* member fits; a value fits a union target when it fits some
  member. So ``string | null`` does not fit ``string``: a null may arrive (E0315 says so);
- an enum fits a target when every one of its literals does; a non-enum type never fits an enum
  (a ``string`` may hold any text). Literals are compared as JSON values: ``true`` is not ``1``,
  ``1`` is ``1.0``;
- ``integer`` fits ``number``; ``number`` does not fit ``integer`` (a value not known to be whole
  can fail a schema's ``integer`` at run time); a ``secret`` fits ``string`` and vice versa (secrecy
  is a taint, checked where it matters: task names, E0314, and E0319);
- ``list[A]`` fits ``list[B]`` when ``A`` fits ``B`` (values are never changed in place);
- an object fits an object type when each field the target requires is certainly present, every
  field it has fits the target's field, and it has no field a closed target forbids. An object whose
  fields are unknown (``object``, a schema without ``properties``) is the gradual case: its fields
  are not held against it.

What a schema says is read by ``from_schema``: a field listed in ``properties`` but not ``required``
is *optional*, and reading it gives ``F | null`` (see ``expressions``). A schema that lists its
properties without ``additionalProperties`` is read as closed (a misspelt field is far more likely
than a field the schema forgot); fields it does not list are then unknown, not forbidden.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oic.records import Record, set_field
from oic.sema.alternatives import only_requires
from runtime.param_types import WRITTEN_PARAM_TYPES

# The types are ``oic.records.Record`` values (frozen dataclasses without their import-time cost).


class Type(Record):
    """Base of the static types."""

    __slots__ = ()

    def describe(self) -> str:
        raise NotImplementedError


class AnyType(Type):
    """Nothing is known about the value; ``secret`` when it was computed from a secret (``parse_json``
    of a secret), so that what is read from it stays secret too."""

    __slots__ = ("secret",)

    secret: bool

    def __init__(self, secret: bool = False) -> None:
        set_field(self, "secret", secret)

    def describe(self) -> str:
        return "any (derived from a secret)" if self.secret else "any"


ANY = AnyType()
SECRET_ANY = AnyType(secret=True)


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
    """``true`` or ``false``."""

    __slots__ = ()

    def __init__(self) -> None:
        pass

    def describe(self) -> str:
        return "bool"


class NullType(Type):
    """``null``: the absence of a value (a missing optional field, a task without output)."""

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
    """An object. ``fields`` are the known fields and their types, ``required`` those that are
    certainly present (the others are optional). ``closed`` means no other field can be read (the
    schema lists ``properties`` and does not allow more); otherwise ``extra`` is the type of the fields
    not listed: ``any`` when nothing is known about them (the gradual case), or a type (a map, from a
    typed ``additionalProperties`` or an object comprehension), whose fields are optional. ``origin``
    says what the object is, for messages (``the output of task "fetch"``); it takes no part in
    equality."""

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

    def listed(self, name: str) -> bool:
        return any(known == name for known, _ in self.fields)

    def field_names(self) -> list[str]:
        return [name for name, _ in self.fields]

    @property
    def fields_unknown(self) -> bool:
        """Whether the object may have fields nothing is known about (the gradual case)."""
        return not self.closed and isinstance(self.extra, AnyType)


class EnumType(Type):
    """One of a fixed set of JSON literal values (compared as JSON: ``true`` is not ``1``)."""

    __slots__ = ("values",)

    values: tuple[Any, ...]

    def __init__(self, values: tuple[Any, ...]) -> None:
        set_field(self, "values", values)

    def _key(self) -> tuple[Any, ...]:
        return (frozenset(json_key(value) for value in self.values),)

    def describe(self) -> str:
        return "one of " + ", ".join(json_literal(value) for value in self.values)

    def allows(self, value: Any) -> bool:
        key = json_key(value)
        return any(json_key(allowed) == key for allowed in self.values)


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


def json_key(value: Any) -> Any:
    """A hashable key equal for equal JSON values: bools apart from numbers, ``1`` equal to ``1.0``,
    integers compared exactly. Tagged with the Python class of the JSON kind."""
    if isinstance(value, bool):
        return (bool, value)
    if isinstance(value, (int, float)):
        return (int, float(value) if isinstance(value, float) and not value.is_integer() else int(value))
    if isinstance(value, str):
        return (str, value)
    if value is None:
        return (None,)
    if isinstance(value, list):
        return (list, tuple(json_key(item) for item in value))
    if isinstance(value, Mapping):
        return (dict, frozenset((str(key), json_key(item)) for key, item in value.items()))
    return (type(value), repr(value))


def json_literal(value: Any) -> str:
    """A JSON literal as the language writes it, for messages."""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return str(value)


# -- combining types ---------------------------------------------------------------------------------


def members(value: Type) -> tuple[Type, ...]:
    """The members of a union, or the type itself."""
    return value.options if isinstance(value, UnionType) else (value,)


def union(types: list[Type]) -> Type:
    """The least type covering all of ``types``: flattened, duplicates removed, ``any`` absorbing all,
    ``integer`` absorbed by ``number`` and ``string`` by ``secret``, enums merged into one and their
    literals dropped where another member covers them."""
    flat: list[Type] = []
    literals: list[Any] = []
    for item in types:
        for member in members(item):
            if isinstance(member, AnyType):
                return SECRET_ANY if any(carries_secret(kind) for kind in types) else ANY
            if isinstance(member, EnumType):
                literals.extend(value for value in member.values if not _has_literal(literals, value))
            elif member not in flat:
                flat.append(member)
    if NUMBER in flat and INTEGER in flat:
        flat.remove(INTEGER)
    if SECRET in flat and STRING in flat:
        flat.remove(STRING)
    uncovered = [value for value in literals if not any(literal_fits(value, other) for other in flat)]
    if uncovered:
        flat.append(EnumType(tuple(uncovered)))
    if not flat:
        return ANY
    return flat[0] if len(flat) == 1 else UnionType(tuple(flat))


def _has_literal(literals: list[Any], value: Any) -> bool:
    key = json_key(value)
    return any(json_key(known) == key for known in literals)


def may_be_null(value: Type) -> bool:
    """Whether a value of this type may be null (``any`` is not counted: it is unchecked)."""
    return any(
        isinstance(member, NullType) or (isinstance(member, EnumType) and member.allows(None))
        for member in members(value)
    )


def without_null(value: Type) -> Type:
    """The type with ``null`` taken out (what remains once a value is known not to be null)."""
    kept: list[Type] = []
    for member in members(value):
        if isinstance(member, NullType):
            continue
        if isinstance(member, EnumType) and member.allows(None):
            rest = tuple(item for item in member.values if item is not None)
            if rest:
                kept.append(EnumType(rest))
            continue
        kept.append(member)
    if not kept:  # only null was there: every member was null, or an enum of null alone
        return NULL
    return union(kept)


def is_secret(value: Type) -> bool:
    """Whether a value of this type may be a string derived from a secret."""
    if isinstance(value, (StringType, AnyType)):
        return value.secret
    return any(isinstance(member, (StringType, AnyType)) and member.secret for member in members(value))


def carries_secret(value: Type) -> bool:
    """Whether a value of this type is, or holds somewhere inside it, a string derived from a secret."""
    if isinstance(value, (StringType, AnyType)):
        return value.secret
    if isinstance(value, UnionType):
        return any(carries_secret(option) for option in value.options)
    if isinstance(value, ListType):
        return carries_secret(value.element)
    if isinstance(value, ObjectType):
        return carries_secret(value.extra) or any(carries_secret(kind) for _, kind in value.fields)
    return is_secret(value)


def literal_type(value: Any) -> Type:
    """The type of a JSON value: a number with a fraction (a float) is a ``number``, a whole one an
    ``integer``; lists and objects are typed element by element (objects closed, every field present)."""
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if value is None:
        return NULL
    if isinstance(value, list):
        return ListType(union([literal_type(item) for item in value])) if value else LIST
    if isinstance(value, Mapping):
        fields = tuple((str(key), literal_type(item)) for key, item in value.items())
        return ObjectType(fields, frozenset(name for name, _ in fields), True)
    return ANY


# -- where a value may go ----------------------------------------------------------------------------


def compatible(value: Type, target: Type) -> bool:
    """Whether every value of type ``value`` is a value of type ``target`` (``any`` fits both ways)."""
    return mismatch(value, target) is None


def literal_fits(value: Any, target: Type, written: bool = False) -> bool:
    """Whether the JSON value ``value`` is a value of type ``target``. A number ``written`` in a `.oi`
    file with a fraction or an exponent (``2.0``, ``1e3``) is a ``number``, never an ``integer``."""
    if isinstance(target, AnyType):
        return True
    if isinstance(target, UnionType):
        return any(literal_fits(value, option, written) for option in target.options)
    if isinstance(target, EnumType):
        return target.allows(value)
    if isinstance(target, NumberType) and target.integer and isinstance(value, float):
        return value.is_integer() and not written
    return compatible(literal_type(value), target)


def mismatch(value: Type, target: Type) -> str | None:
    """None when ``value`` fits ``target``; otherwise why not, as a phrase for a message ("" when the
    two types say it all)."""
    if value is target or isinstance(value, AnyType) or isinstance(target, AnyType):
        return None
    if isinstance(value, UnionType):
        for option in value.options:
            reason = mismatch(option, target)
            if reason is not None:
                return reason or f"it may be {option.describe()}"
        return None
    if isinstance(value, EnumType):
        for item in value.values:
            if not literal_fits(item, target):
                return f"it may be {json_literal(item)}"
        return None
    if isinstance(target, UnionType):
        if any(mismatch(value, option) is None for option in target.options):
            return None
        objects = [option for option in target.options if isinstance(option, ObjectType)]
        if isinstance(value, ObjectType) and len(objects) == 1:
            return mismatch(value, objects[0])
        return ""
    if isinstance(target, EnumType):
        return f"a {value.describe()} may hold other values"
    if isinstance(target, NumberType):
        if not isinstance(value, NumberType):
            return ""
        return "it may not be a whole number" if target.integer and not value.integer else None
    if isinstance(target, ListType):
        if not isinstance(value, ListType):
            return ""
        reason = mismatch(value.element, target.element)
        if reason is None:
            return None
        return f"its elements are {value.element.describe()}, not {target.element.describe()}" + (
            f": {reason}" if reason else ""
        )
    if isinstance(target, ObjectType):
        return _object_mismatch(value, target) if isinstance(value, ObjectType) else ""
    return None if type(value) is type(target) else ""


def _object_mismatch(value: ObjectType, target: ObjectType) -> str | None:
    for name in sorted(target.required - value.required):
        if value.listed(name) or not value.closed and not value.fields_unknown:
            return f"its field {name!r} may be missing"
        if value.closed:
            return f"it has no field {name!r}"
    for name, kind in value.fields:
        expected = target.field_type(name)
        if expected is None:
            return f"field {name!r} is not allowed here"
        reason = mismatch(kind, expected)
        if reason is not None:
            return f"its field {name!r} is {kind.describe()}, not {expected.describe()}" + (
                f": {reason}" if reason else ""
            )
    if value.closed or value.fields_unknown:
        return None
    # A map: any key may hold a value of type ``value.extra``.
    if target.closed:
        return "it may have fields that are not allowed here"
    for expected in [kind for name, kind in target.fields if not value.listed(name)] + [target.extra]:
        if mismatch(value.extra, expected) is not None:
            return f"its fields are {value.extra.describe()}, not {expected.describe()}"
    return None


# -- written types -----------------------------------------------------------------------------------

# The static type of each canonical param type name (``runtime.param_types``, the table the binary
# parses param values with).
_OF_PARAM_TYPE: dict[str, Type] = {
    "string": STRING,
    "secret": SECRET,
    "number": NUMBER,
    "integer": INTEGER,
    "bool": BOOL,
    "object": OBJECT,
    "any": ANY,
}


def from_written(name: str, element: Type | None = None) -> Type | None:
    """The type of a written type name (a param or definition parameter); None for an unknown name."""
    kind = WRITTEN_PARAM_TYPES.get(name)
    if kind is None:
        return None
    if kind == "list":
        return ListType(element if element is not None else ANY)
    return _OF_PARAM_TYPE[kind]


WRITTEN_TYPE_NAMES = tuple(WRITTEN_PARAM_TYPES)


# -- JSON Schema -------------------------------------------------------------------------------------


def from_schema(schema: Any, root: Mapping[str, Any] | None = None, depth: int = 0, origin: str = "") -> Type:
    """The type a JSON Schema describes. Anything not understood is ``any`` (the gradual escape:
    unknown, so unchecked). ``origin`` names the value for messages and is given to every object type
    inside it."""
    if depth > 12 or not isinstance(schema, Mapping):
        return ANY
    root = schema if root is None else root
    reference = schema.get("$ref")
    if isinstance(reference, str):
        return from_schema(_resolve_pointer(root, reference), root, depth + 1, origin)
    if "enum" in schema and isinstance(schema["enum"], list) and schema["enum"]:
        return union([EnumType(tuple(schema["enum"]))])
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
    patterned = isinstance(schema.get("patternProperties"), Mapping) and bool(schema["patternProperties"])
    # A schema that lists its properties is read as closed unless it explicitly allows more: a
    # misspelt field name is far more likely than a field the schema forgot.
    closed = not patterned and (additional is False or (bool(fields) and additional is None))
    typed_extra = isinstance(additional, Mapping) and not patterned
    extra = from_schema(additional, root, depth + 1, origin) if typed_extra else ANY
    return ObjectType(tuple(fields), required_names, closed, extra, origin)


def _resolve_pointer(root: Mapping[str, Any], reference: str) -> Any:
    if reference != "#" and not reference.startswith("#/"):
        return None  # another document, or an anchor (`#name`): not resolved, so the type is `any`
    current: Any = root
    for part in reference[2:].split("/"):  # the parts after "#/"
        if not part:
            continue
        # JSON Pointer escapes, in this order: "~1" is "/", then "~0" is "~" ("~01" is "~1").
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        else:
            return None
    return current
