"""The type rules: where a value may go (sound, with ``any`` fitting both ways) and what operators
give. Each assertion is one rule of ``oic/sema/types.py`` or ``oic/sema/operators.py``."""

from __future__ import annotations

import pytest

from oic.sema import operators
from oic.sema import types as t

STRING_OR_NULL = t.union([t.STRING, t.NULL])


def obj(
    fields: dict[str, t.Type], required: tuple[str, ...] = (), closed: bool = True, extra: t.Type = t.ANY
):
    return t.ObjectType(tuple(fields.items()), frozenset(required), closed, extra)


def test_the_named_types_are_what_their_names_say() -> None:
    """The types every rule starts from, made when the module is imported. (First in this file,
    which is first in `make mutation`'s selection: mutmut credits what runs at import time to the
    first test it runs.)"""
    named = [t.ANY, t.SECRET_ANY, t.STRING, t.SECRET, t.NUMBER, t.INTEGER, t.BOOL, t.NULL]
    assert [type_.describe() for type_ in named] == [
        "any",
        "any (derived from a secret)",
        "string",
        "secret",
        "number",
        "integer",
        "bool",
        "null",
    ]
    assert t.ANY == t.AnyType() and t.SECRET_ANY == t.AnyType(secret=True) != t.ANY
    assert t.STRING == t.StringType() and t.SECRET == t.StringType(secret=True) != t.STRING
    assert t.NUMBER == t.NumberType() and t.INTEGER == t.NumberType(integer=True) != t.NUMBER
    assert (t.ANY.secret, t.SECRET_ANY.secret, t.STRING.secret, t.SECRET.secret) == (False, True, False, True)
    assert (t.NUMBER.integer, t.INTEGER.integer) == (False, True)


def test_any_fits_both_ways() -> None:
    assert t.compatible(t.ANY, t.STRING) and t.compatible(t.STRING, t.ANY)
    assert t.compatible(t.ANY, t.EnumType(("a",))) and t.compatible(t.ListType(t.ANY), t.ListType(t.INTEGER))


def test_a_union_fits_only_when_every_member_does() -> None:
    assert not t.compatible(t.union([t.STRING, t.NUMBER]), t.NUMBER)
    assert not t.compatible(STRING_OR_NULL, t.STRING)
    assert t.compatible(STRING_OR_NULL, STRING_OR_NULL)
    assert t.compatible(t.STRING, STRING_OR_NULL)
    assert t.compatible(t.union([t.STRING, t.ANY]), t.STRING)  # any absorbs the union


def test_numbers_integers_and_secrets() -> None:
    assert t.compatible(t.INTEGER, t.NUMBER)
    assert not t.compatible(t.NUMBER, t.INTEGER)
    assert t.mismatch(t.NUMBER, t.INTEGER) == "it may not be a whole number"
    assert t.compatible(t.SECRET, t.STRING) and t.compatible(t.STRING, t.SECRET)
    assert not t.compatible(t.BOOL, t.NUMBER) and not t.compatible(t.NULL, t.STRING)


def test_enums_compare_json_values() -> None:
    numbers = t.EnumType((1, 2))
    assert not t.literal_fits(True, numbers)  # Python's True == 1, JSON's true is not 1
    assert t.literal_fits(1.0, numbers) and t.literal_fits(2, numbers) and not t.literal_fits(3, numbers)
    assert t.compatible(t.EnumType(("a",)), t.STRING) and t.compatible(
        t.EnumType(("a",)), t.EnumType(("a", "b"))
    )
    assert not t.compatible(t.EnumType(("a", "c")), t.EnumType(("a", "b")))
    assert not t.compatible(t.STRING, t.EnumType(("a",)))  # a string may be any text
    assert t.EnumType((True,)) != t.EnumType((1,))
    assert t.EnumType((1,)) == t.EnumType((1.0,))
    assert not t.compatible(t.EnumType((1.5,)), t.INTEGER) and t.compatible(t.EnumType((1,)), t.INTEGER)


def test_unions_merge_enums_and_drop_covered_literals() -> None:
    assert t.union([t.EnumType(("a",)), t.EnumType(("b",))]) == t.EnumType(("a", "b"))
    assert t.union([t.STRING, t.EnumType(("a",))]) == t.STRING
    assert t.union([t.INTEGER, t.NUMBER]) == t.NUMBER and t.union([t.STRING, t.SECRET]) == t.SECRET
    assert t.union([t.NULL, t.ANY]) == t.ANY
    assert t.may_be_null(t.EnumType(("a", None))) and t.without_null(t.EnumType(("a", None))) == t.EnumType(
        ("a",)
    )
    assert t.without_null(STRING_OR_NULL) == t.STRING and not t.may_be_null(t.ANY)


def test_lists_fit_by_their_elements() -> None:
    assert t.compatible(t.ListType(t.INTEGER), t.ListType(t.NUMBER))
    assert not t.compatible(t.ListType(t.NUMBER), t.ListType(t.INTEGER))
    assert not t.compatible(t.ListType(STRING_OR_NULL), t.ListType(t.STRING))
    assert t.compatible(t.LIST, t.ListType(t.STRING))  # list of unknown elements: gradual


def test_objects_fit_structurally() -> None:
    auth = obj({"App": t.STRING, "Token": t.STRING}, ("App", "Token"))
    assert t.compatible(obj({"App": t.STRING, "Token": t.SECRET}, ("App", "Token")), auth)
    assert t.mismatch(obj({"App": t.STRING}, ("App",)), auth) == "it has no field 'Token'"
    optional = obj({"App": t.STRING, "Token": t.STRING}, ("App",))
    assert t.mismatch(optional, auth) == "its field 'Token' may be missing"
    extra = obj({"App": t.STRING, "Token": t.STRING, "x": t.STRING}, ("App", "Token", "x"))
    assert t.mismatch(extra, auth) == "field 'x' is not allowed here"
    wrong = obj({"App": t.STRING, "Token": t.INTEGER}, ("App", "Token"))
    assert "its field 'Token' is integer, not string" in (t.mismatch(wrong, auth) or "")
    assert t.compatible(t.OBJECT, auth)  # fields unknown: gradual
    assert t.compatible(auth, t.OBJECT)
    map_of_strings = obj({}, closed=False, extra=t.STRING)
    assert t.mismatch(map_of_strings, auth) == "its field 'App' may be missing"
    open_target = obj({"a": t.INTEGER}, closed=False, extra=t.INTEGER)
    assert not t.compatible(map_of_strings, open_target)
    assert t.compatible(obj({}, closed=False, extra=t.INTEGER), open_target)


@pytest.mark.parametrize(
    ("op", "left", "right", "result"),
    [
        ("+", t.ANY, t.ANY, t.ANY),
        # a number from an `any` may be whole or not: `any`, to fit an integer field or a number one
        ("+", t.ANY, t.INTEGER, t.ANY),
        ("+", t.STRING, t.ANY, t.STRING),
        ("+", t.ANY, t.SECRET, t.SECRET),
        ("+", t.ANY, t.ListType(t.STRING), t.LIST),
        ("+", t.INTEGER, t.INTEGER, t.INTEGER),
        ("+", t.INTEGER, t.NUMBER, t.NUMBER),
        ("+", t.ListType(t.STRING), t.ListType(t.INTEGER), t.ListType(t.union([t.STRING, t.INTEGER]))),
        ("-", t.ANY, t.ANY, t.ANY),
        ("*", t.INTEGER, t.INTEGER, t.INTEGER),
        ("/", t.INTEGER, t.INTEGER, t.NUMBER),
        ("%", t.INTEGER, t.ANY, t.ANY),
        ("<", t.ANY, t.STRING, t.BOOL),
        ("in", t.NULL, t.ListType(t.STRING), t.BOOL),
        ("==", STRING_OR_NULL, t.NUMBER, t.BOOL),
        ("+", t.EnumType(("a",)), t.STRING, t.STRING),
    ],
)
def test_operator_results(op: str, left: t.Type, right: t.Type, result: t.Type) -> None:
    outcome = operators.binary(op, left, right)
    assert outcome.ok and outcome.type == result


@pytest.mark.parametrize(
    ("op", "left", "right", "null"),
    [
        ("+", t.union([t.STRING, t.NUMBER]), t.NUMBER, False),
        ("+", t.ANY, t.BOOL, False),
        ("+", t.OBJECT, t.OBJECT, False),
        ("-", t.STRING, t.ANY, False),
        ("<", t.NUMBER, t.STRING, False),
        ("in", t.NUMBER, t.STRING, False),
        ("+", STRING_OR_NULL, t.STRING, True),
        ("*", t.INTEGER, t.union([t.INTEGER, t.NULL]), True),
        ("in", t.STRING, t.union([t.LIST, t.NULL]), True),
    ],
)
def test_operator_refusals(op: str, left: t.Type, right: t.Type, null: bool) -> None:
    outcome = operators.binary(op, left, right)
    assert not outcome.ok and outcome.null_refused == null


def test_negation() -> None:
    assert operators.negate(t.ANY).type == t.ANY
    assert operators.negate(t.INTEGER).type == t.INTEGER
    assert operators.negate(t.union([t.INTEGER, t.NULL])).null_refused
    assert not operators.negate(STRING_OR_NULL).ok


def test_optional_and_typed_additional_properties_from_schema() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
        "required": ["a"],
        "additionalProperties": {"type": "integer"},
    }
    parsed = t.from_schema(schema)
    assert isinstance(parsed, t.ObjectType)
    assert not parsed.closed and parsed.extra == t.INTEGER and parsed.required == {"a"}
    closed_empty = t.from_schema({"type": "object", "properties": {}, "additionalProperties": False})
    assert isinstance(closed_empty, t.ObjectType) and closed_empty.closed
    patterned = t.from_schema(
        {
            "type": "object",
            "properties": {"a": {}},
            "patternProperties": {"^x": {}},
            "additionalProperties": False,
        }
    )
    assert isinstance(patterned, t.ObjectType) and not patterned.closed


def test_json_pointer_escapes() -> None:
    schema = {
        "definitions": {"a/b": {"type": "integer"}, "x~1y": {"type": "boolean"}, "x/y": {"type": "null"}},
        "properties": {"slash": {"$ref": "#/definitions/a~1b"}, "tilde": {"$ref": "#/definitions/x~01y"}},
    }
    parsed = t.from_schema(schema)
    assert isinstance(parsed, t.ObjectType)
    assert parsed.field_type("slash") == t.INTEGER
    assert parsed.field_type("tilde") == t.BOOL  # "~01" is "~1", not "/"


def test_a_reference_that_is_not_a_pointer_into_the_schema_is_any() -> None:
    schema = {
        "definitions": {"a": {"type": "integer"}, "list": [{"type": "string"}]},
        "properties": {
            "whole": {"$ref": "#"},
            "dangling": {"$ref": "#/definitions/missing"},
            "into_a_list": {"$ref": "#/definitions/list/0"},
            "anchor": {"$ref": "#definitions"},
            "other_document": {"$ref": "other.json#/definitions/a"},
            "pointer": {"$ref": "#/definitions/a"},
        },
    }
    parsed = t.from_schema(schema)
    assert isinstance(parsed, t.ObjectType)
    assert isinstance(parsed.field_type("whole"), t.ObjectType)
    for name in ("dangling", "into_a_list", "anchor", "other_document"):
        assert parsed.field_type(name) == t.ANY, name
    assert parsed.field_type("pointer") == t.INTEGER


def test_without_null_takes_null_out_wherever_it_is_in_the_union() -> None:
    assert t.without_null(t.union([t.NULL, t.STRING, t.NUMBER])) == t.union([t.STRING, t.NUMBER])
    with_null = t.EnumType(("a", None))
    assert t.without_null(t.union([with_null, t.NUMBER])) == t.union([t.EnumType(("a",)), t.NUMBER])
    assert t.without_null(t.union([t.NUMBER, with_null])) == t.union([t.NUMBER, t.EnumType(("a",))])
    assert t.without_null(t.NULL) == t.NULL and t.without_null(t.STRING) == t.STRING
    assert t.without_null(t.from_schema({"enum": [None]})) == t.NULL


def test_enum_values_are_described_as_json() -> None:
    values = t.EnumType((True, False, None, 1, 'say "hi"', "a\\b"))
    assert values.describe() == 'one of true, false, null, 1, "say \\"hi\\"", "a\\\\b"'


def test_why_an_object_does_not_fit() -> None:
    string_or_null = obj({"a": STRING_OR_NULL}, required=("a",))
    assert t.mismatch(string_or_null, obj({"a": t.STRING}, required=("a",))) == (
        "its field 'a' is string | null, not string: it may be null"
    )
    assert t.mismatch(obj({"a": t.NUMBER}, ("a",)), obj({"a": t.STRING}, ("a",))) == (
        "its field 'a' is number, not string"
    )
    numbers = obj({}, closed=False, extra=t.NUMBER)  # a map: any key may hold a number
    assert t.mismatch(numbers, obj({"a": t.NUMBER})) == "it may have fields that are not allowed here"
    assert t.mismatch(numbers, obj({"a": t.STRING}, closed=False, extra=t.NUMBER)) == (
        "its fields are number, not string"
    )
    assert t.mismatch(numbers, obj({}, closed=False, extra=t.STRING)) == "its fields are number, not string"
    # A field the map lists is checked as a field, not as one of its other keys.
    listed = obj({"a": t.STRING}, closed=False, extra=t.NUMBER)
    assert t.mismatch(listed, obj({"a": t.STRING}, closed=False, extra=t.NUMBER)) is None


def test_a_union_of_enums_keeps_each_json_value_once() -> None:
    merged = t.union([t.EnumType(("a", "b", 1)), t.EnumType(("b", True, 1.0, None))])
    assert merged.describe() == 'one of "a", "b", 1, true, null'


def test_enum_values_are_compared_as_json() -> None:
    assert t.EnumType((1,)).allows(1.0) and not t.EnumType((1,)).allows(1.5)
    assert not t.EnumType((1, 2)).allows(True) and not t.EnumType((True,)).allows(1)
    assert not t.EnumType((2**53,)).allows(2**53 + 1)  # whole numbers exactly, not as floats
    assert t.EnumType((1.5,)).allows(1.5) and not t.EnumType(("1",)).allows(1)
    assert t.EnumType((None,)).allows(None) and not t.EnumType((None,)).allows([1])
    assert t.EnumType(([1, "a"],)).allows([1.0, "a"]) and not t.EnumType(([1],)).allows([2])
    assert not t.EnumType(([],)).allows(None) and not t.EnumType(({},)).allows([])
    assert t.EnumType(({"a": 1},)).allows({"a": 1.0})
    assert not t.EnumType(({"a": 1},)).allows({"b": 1}) and not t.EnumType(({"a": 1},)).allows({"a": 2})


def test_a_secret_anywhere_inside_a_value_is_carried() -> None:
    assert t.carries_secret(t.union([t.NUMBER, t.ListType(t.SECRET)]))
    assert t.carries_secret(obj({}, closed=False, extra=t.SECRET))
    assert t.carries_secret(obj({"a": t.NUMBER, "b": t.SECRET}))
    assert not t.carries_secret(t.union([t.NUMBER, t.ListType(t.STRING)]))
    assert not t.carries_secret(obj({"a": t.STRING}, closed=False, extra=t.NUMBER))


def test_written_list_types() -> None:
    assert t.from_written("list") == t.ListType(t.ANY)
    assert t.from_written("list", t.SECRET) == t.ListType(t.SECRET)
    assert t.from_written("lsit") is None


def test_the_types_of_json_values() -> None:
    assert t.literal_type([1, "a"]) == t.ListType(t.union([t.INTEGER, t.STRING]))
    assert t.literal_type([]) == t.LIST and t.literal_type(1.5) == t.NUMBER
    assert t.literal_type({"a": 1, "b": [True]}) == obj(
        {"a": t.INTEGER, "b": t.ListType(t.BOOL)}, required=("a", "b")
    )
    assert t.literal_type({}) == obj({})


def test_a_literal_fits_a_union_when_it_fits_one_member() -> None:
    integer_or_null = t.union([t.INTEGER, t.NULL])
    assert t.literal_fits(None, integer_or_null) and t.literal_fits(2, integer_or_null)
    assert t.literal_fits(2.0, integer_or_null)  # a whole number decoded from JSON
    assert not t.literal_fits(2.0, integer_or_null, written=True)  # `2.0` written in a .oi file
    assert not t.literal_fits("2", integer_or_null)


def test_null_taken_out_wherever_it_is_in_a_union() -> None:
    assert t.without_null(t.UnionType((t.NULL, t.STRING, t.INTEGER))) == t.union([t.STRING, t.INTEGER])
    assert t.without_null(t.UnionType((t.STRING, t.NULL, t.BOOL))) == t.union([t.STRING, t.BOOL])
    nullable_enum = t.UnionType((t.EnumType(("a", None)), t.INTEGER))
    assert t.without_null(nullable_enum) == t.union([t.EnumType(("a",)), t.INTEGER])


def test_a_schema_nested_ten_objects_deep_is_typed_to_its_leaf() -> None:
    schema: dict = {"type": "string"}
    for _ in range(10):
        schema = {"type": "object", "properties": {"inner": schema}, "required": ["inner"]}
    kind = t.from_schema(schema)
    for _ in range(10):
        assert isinstance(kind, t.ObjectType)
        found = kind.field_type("inner")
        assert found is not None
        kind = found
    assert kind == t.STRING


def test_a_pointer_skips_empty_parts_before_and_between_names() -> None:
    root = {"definitions": {"a": {"type": "integer"}}}
    assert t.from_schema({"$ref": "#//definitions/a"}, root) == t.INTEGER
    assert t.from_schema({"$ref": "#/definitions//a"}, root) == t.INTEGER


def _leaf(kind: t.Type) -> tuple[int, t.Type]:
    """How many lists, objects and unions with null wrap a type, and what they wrap."""
    levels = 0
    while True:
        if isinstance(kind, t.ListType):
            kind = kind.element
        elif isinstance(kind, t.ObjectType):
            found = kind.field_type("a")
            kind = found if found is not None else kind.extra
        elif isinstance(kind, t.UnionType):
            kind = next(option for option in kind.options if option != t.NULL)
        else:
            return levels, kind
        levels += 1


_WRAPS = {
    "items": lambda inner: {"type": "array", "items": inner},
    "properties": lambda inner: {"type": "object", "properties": {"a": inner}, "required": ["a"]},
    "additionalProperties": lambda inner: {"type": "object", "additionalProperties": inner},
}


@pytest.mark.parametrize("wrap", sorted(_WRAPS))
def test_schemas_are_typed_twelve_levels_deep_and_no_deeper(wrap: str) -> None:
    def nested(levels: int, leaf: dict) -> dict:
        schema = leaf
        for _ in range(levels):
            schema = _WRAPS[wrap](schema)
        return schema

    assert _leaf(t.from_schema(nested(12, {"type": "string"}))) == (12, t.STRING)
    assert _leaf(t.from_schema(nested(13, {"type": "string"}))) == (13, t.ANY)
    # A list of types is one level more: its string is typed at 11 wrappers, not at 12.
    assert _leaf(t.from_schema(nested(11, {"type": ["string"]}))) == (11, t.STRING)
    assert _leaf(t.from_schema(nested(12, {"type": ["string"]}))) == (12, t.ANY)


def test_the_options_of_any_of_are_one_level_deeper() -> None:
    def lists(levels: int) -> dict:
        schema: dict = {"type": "string"}
        for _ in range(levels):
            schema = {"type": "array", "items": schema}
        return {"anyOf": [schema, {"type": "null"}]}

    assert _leaf(t.from_schema(lists(11))) == (12, t.STRING)
    assert _leaf(t.from_schema(lists(12))) == (13, t.ANY)


def test_references_are_followed_twelve_deep_and_no_deeper() -> None:
    def chain(length: int) -> tuple[dict, dict]:
        definitions = {f"d{n}": {"$ref": f"#/definitions/d{n + 1}"} for n in range(length)}
        definitions[f"d{length}"] = {"type": "string"}
        root = {"definitions": definitions}
        return {"$ref": "#/definitions/d0"}, root

    assert t.from_schema(*chain(11)) == t.STRING
    assert t.from_schema(*chain(12)) == t.ANY


def test_a_reference_resolves_inside_every_kind_of_schema() -> None:
    root = {"definitions": {"n": {"type": "integer"}}}
    ref = {"$ref": "#/definitions/n"}
    assert t.from_schema({"type": "array", "items": ref}, root) == t.ListType(t.INTEGER)
    assert t.from_schema({"anyOf": [ref, {"type": "null"}]}, root) == t.union([t.INTEGER, t.NULL])
    assert t.from_schema({"type": ["array", "null"], "items": ref}, root) == t.union(
        [t.ListType(t.INTEGER), t.NULL]
    )
    extra = t.from_schema({"type": "object", "additionalProperties": ref}, root)
    assert isinstance(extra, t.ObjectType) and extra.extra == t.INTEGER
    assert (
        t.from_schema({"$ref": "#/definitions/m"}, {"definitions": {"m": ref, "n": {"type": "integer"}}})
        == t.INTEGER
    )


def test_the_origin_of_a_schema_reaches_every_object_inside_it() -> None:
    root = {"definitions": {"o": {"type": "object", "properties": {"x": {"type": "string"}}}}}
    for schema in (
        {"$ref": "#/definitions/o"},
        {"type": ["object"], "properties": {"x": {"type": "string"}}},
        {"type": "object", "additionalProperties": {"$ref": "#/definitions/o"}},
        {"type": "array", "items": {"$ref": "#/definitions/o"}},
    ):
        kind = t.from_schema(schema, root, origin="the output of task 'a'")
        while not (isinstance(kind, t.ObjectType) and kind.fields):
            kind = kind.element if isinstance(kind, t.ListType) else kind.extra  # type: ignore[attr-defined]
        assert kind.origin == "the output of task 'a'", schema
    assert t.ObjectType() == t.OBJECT and not t.ObjectType().closed and t.ObjectType().origin == ""
    unnamed = t.from_schema({"type": "object", "properties": {"x": {"type": "string"}}})
    assert isinstance(unnamed, t.ObjectType) and unnamed.origin == ""


def test_const_one_of_and_schemas_that_say_nothing() -> None:
    assert t.from_schema({"const": "x"}) == t.EnumType(("x",))
    assert t.from_schema({"oneOf": [{"type": "string"}, {"type": "integer"}]}) == t.union(
        [t.STRING, t.INTEGER]
    )
    assert t.from_schema({"anyOf": [{"type": "string"}, {"type": "integer"}]}) == t.union(
        [t.STRING, t.INTEGER]
    )
    assert t.from_schema({"type": "number"}) == t.NUMBER
    assert t.from_schema({}) == t.ANY
    assert t.from_schema({"minLength": 1}) == t.ANY
    patterned = t.from_schema(
        {"type": "object", "patternProperties": {"^x": {}}, "additionalProperties": {"type": "integer"}}
    )
    assert isinstance(patterned, t.ObjectType) and patterned.extra == t.ANY
