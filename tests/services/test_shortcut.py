"""The validators' shortcut never accepts what jsonschema refuses, and accepts the common valid values.

``runtime/services/shortcut.py`` answers "certainly valid" without asking jsonschema for schemas made
of the common keywords. It may only ever be right when it accepts: these tests generate schemas of
those keywords under every draft it handles, and values around them, and compare with jsonschema
(with oi's format checker, as the validators use it).
"""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime import catalog
from runtime.services import schemas as schema_module
from runtime.services.schemas import validator_for
from runtime.services.shortcut import compile_shortcut

DRAFTS = [
    "http://json-schema.org/draft-04/schema#",
    "http://json-schema.org/draft-06/schema#",
    "http://json-schema.org/draft-07/schema#",
    "https://json-schema.org/draft/2019-09/schema",
    "https://json-schema.org/draft/2020-12/schema",
]
KEYS = ["a", "b", "c"]
STRINGS = [
    "",
    "x",
    "abc",
    "ABC",
    "2024-02-29T13:05:00Z",
    "2023-02-29T13:05:00Z",
    "yesterday",
    "a@example.com",
    "nobody",
    "192.168.0.1",
    "256.1.1.1",
    "https://example.com/a",
    "example.com",
    "123e4567-e89b-12d3-a456-426614174000",
    "([",
    "é\u2028",
]
FORMAT_NAMES = [
    "date-time",
    "email",
    "ipv4",
    "uri",
    "uuid",
    "regex",
    "hostname",
    "unknown-format",
    "password",
]
TYPE_NAMES = ["string", "integer", "number", "boolean", "null", "object", "array"]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-5, max_value=5)
    | st.sampled_from([0.0, 1.0, -1.5, 2.5, 1e300])
    | st.sampled_from(STRINGS),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(KEYS), children, max_size=3)
    ),
    max_leaves=12,
)


def _schema_of(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    keyword_values: dict[str, st.SearchStrategy[Any]] = {
        "type": st.sampled_from(TYPE_NAMES)
        | st.lists(st.sampled_from(TYPE_NAMES), min_size=1, max_size=3, unique=True),
        "properties": st.dictionaries(st.sampled_from(KEYS), children, max_size=3),
        "required": st.lists(st.sampled_from(KEYS), max_size=2, unique=True),
        "additionalProperties": st.booleans() | children,
        "items": children,
        "minLength": st.integers(0, 4),
        "maxLength": st.integers(0, 4),
        "minItems": st.integers(0, 3),
        "maxItems": st.integers(0, 3),
        "minimum": st.integers(-2, 2) | st.sampled_from([0.5, 1.0]),
        "maximum": st.integers(-2, 2) | st.sampled_from([0.5, 1.0]),
        "exclusiveMinimum": st.integers(-2, 2),
        "exclusiveMaximum": st.integers(-2, 2),
        "pattern": st.sampled_from(["^a", "b", "^[a-z]+$", "[0-9]"]),
        "enum": st.lists(
            st.sampled_from(["x", "abc", 1, 1.0, True, None, [1], {"a": 1}]), min_size=1, max_size=3
        ),
        "format": st.sampled_from(FORMAT_NAMES),
        "description": st.just("annotations assert nothing"),
    }
    # A few keywords per schema: with many, most values fail one of them and the others go untested.
    chosen = st.lists(st.sampled_from(sorted(keyword_values)), max_size=3, unique=True)
    return chosen.flatmap(lambda keywords: st.fixed_dictionaries({k: keyword_values[k] for k in keywords}))


schemas = st.recursive(st.just({}), _schema_of, max_leaves=6)

# Every generated schema is also tried on these values: the leaves, and containers of them.
_LEAVES: list[Any] = [None, True, False, -2, -1, 0, 1, 2, 5, 0.5, 1.0, -1.5, 1e300, *STRINGS]
PROBES: list[Any] = [
    *_LEAVES,
    [],
    {},
    *([leaf] for leaf in _LEAVES),
    ["x", "abc", 1],
    [[1], {"a": 1}],
    *({key: leaf} for key in KEYS for leaf in _LEAVES),
    {"a": "x", "b": 1},
    {"a": {"b": "abc"}, "c": [1, 2]},
    {"a": [{"b": 1}], "b": None, "c": 0.5},
]


def _jsonschema_valid(schema: dict[str, Any], value: Any) -> bool:
    library = schema_module._library_parts()
    validator_class = jsonschema.validators.validator_for(schema)
    return bool(validator_class(schema, format_checker=library["formats"]).is_valid(value))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(draft=st.sampled_from(DRAFTS), schema=schemas, values=st.lists(json_values, max_size=6))
def test_the_shortcut_accepts_only_what_jsonschema_accepts(
    draft: str, schema: dict[str, Any], values: list[Any]
) -> None:
    full = {**schema, "$schema": draft}
    shortcut = compile_shortcut(full, draft)
    if shortcut is None:
        return
    for value in [*PROBES, *values]:
        if shortcut(value):
            assert _jsonschema_valid(full, value), (full, value)


SINGLE_KEYWORDS: list[dict[str, Any]] = [
    *({"type": name} for name in TYPE_NAMES),
    {"type": ["integer", "string"]},
    {"properties": {"a": {"type": "string"}}},
    {"properties": {"a": {"type": "integer"}}, "additionalProperties": False},
    {"additionalProperties": {"type": "number"}},
    {"required": ["a", "b"]},
    {"items": {"type": "integer"}},
    *(
        {keyword: bound}
        for keyword in ("minLength", "maxLength", "minItems", "maxItems")
        for bound in (0, 1, 3)
    ),
    *({keyword: bound} for keyword in ("minimum", "maximum") for bound in (0, 1, 0.5)),
    *({keyword: bound} for keyword in ("exclusiveMinimum", "exclusiveMaximum") for bound in (0, 1)),
    {"pattern": "^[a-z]+$"},
    {"enum": ["x", 1, None, [1]]},
    {"enum": ["abc", 1.0, True]},
    *({"format": name} for name in FORMAT_NAMES),
]


@pytest.mark.parametrize("draft", DRAFTS)
@pytest.mark.parametrize("schema", SINGLE_KEYWORDS, ids=lambda schema: json.dumps(schema))
def test_each_keyword_alone_accepts_only_what_jsonschema_accepts(draft: str, schema: dict[str, Any]) -> None:
    full = {**schema, "$schema": draft}
    shortcut = compile_shortcut(full, draft)
    if shortcut is None:
        assert draft.startswith("http://json-schema.org/draft-04") and "exclusive" in json.dumps(schema)
        return
    wrongly_accepted = [value for value in PROBES if shortcut(value) and not _jsonschema_valid(full, value)]
    assert wrongly_accepted == []
    assert any(shortcut(value) for value in PROBES), "the shortcut accepts nothing at all"


@settings(max_examples=200, deadline=None)
@given(draft=st.sampled_from(DRAFTS), schema=schemas, value=json_values)
def test_a_validator_s_verdict_is_jsonschema_s(draft: str, schema: dict[str, Any], value: Any) -> None:
    full = {**schema, "$schema": draft}
    try:
        validator = validator_for(full)
    except schema_module.SchemaError:
        return  # e.g. draft 4 refuses an empty `required`
    assert (validator.violation(value) is None) == _jsonschema_valid(full, value), (full, value)


def test_the_catalog_s_schemas_and_the_benchmark_s_take_the_shortcut() -> None:
    # The engine's hot path: every schema oi ships, and the benchmark's, validate without jsonschema.
    found = [json.loads(text) for name in sorted(catalog.BUILTIN) for text in catalog.schemas(name).values()]
    bench = runpy.run_path(str(Path(__file__).resolve().parents[2] / "bench" / "echo_service.py"))
    found += [bench["ARGUMENTS"], bench["RETURNS"]]
    for schema in found:
        assert compile_shortcut(schema, schema.get("$schema", schema_module.DEFAULT_DRAFT)) is not None, (
            schema
        )


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ({"type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}}}, {"n": 3}),
        ({"type": "array", "items": {"type": "string", "format": "date-time"}}, ["2024-01-01T00:00:00Z"]),
        ({"properties": {"x": {"enum": ["a", "b"]}}, "additionalProperties": False}, {"x": "b"}),
        ({"type": "number", "exclusiveMinimum": 0}, 0.5),
    ],
)
def test_common_valid_values_are_accepted_by_the_shortcut(schema: dict[str, Any], value: Any) -> None:
    shortcut = compile_shortcut(schema, schema_module.DEFAULT_DRAFT)
    assert shortcut is not None and shortcut(value)


@pytest.mark.parametrize(
    "schema",
    [
        {"$ref": "#/definitions/x", "definitions": {"x": {}}},
        {"anyOf": [{}]},
        {"properties": {"a": False}},
        {"patternProperties": {"^a": {}}},
        {"items": [{}]},
        {"const": 1},
    ],
)
def test_keywords_the_shortcut_does_not_handle_leave_it_to_jsonschema(schema: dict[str, Any]) -> None:
    assert compile_shortcut(schema, schema_module.DEFAULT_DRAFT) is None
    assert compile_shortcut({"exclusiveMinimum": 1}, "http://json-schema.org/draft-04/schema#") is None
    assert compile_shortcut({}, "http://json-schema.org/draft-03/schema#") is None


@pytest.mark.parametrize("draft", DRAFTS)
@pytest.mark.parametrize("combinator", ["oneOf", "anyOf"])
def test_a_choice_of_required_fields_takes_the_shortcut_and_agrees_with_jsonschema(
    draft: str, combinator: str
):
    schema = {
        "$schema": draft,
        "type": "object",
        "properties": {"Command": {"type": "string"}, "Args": {"type": "array"}},
        combinator: [{"required": ["Command"]}, {"required": ["Args"], "description": "no shell"}],
    }
    shortcut = compile_shortcut(schema, draft)
    assert shortcut is not None
    values = [{"Command": "ls"}, {"Args": []}, {"Command": "ls", "Args": []}, {}, {"Other": 1}, "ls", None]
    for value in values:
        assert not shortcut(value) or _jsonschema_valid(schema, value), value
    assert shortcut({"Command": "ls"}) and shortcut({"Args": ["ls"]})
    assert shortcut({"Command": "ls", "Args": []}) == (combinator == "anyOf")
    bare = {"$schema": draft, combinator: [{"required": ["a"]}, {"required": ["b"]}]}
    bare_shortcut = compile_shortcut(bare, draft)
    assert bare_shortcut is not None
    for value in PROBES:
        assert not bare_shortcut(value) or _jsonschema_valid(bare, value), value
    assert compile_shortcut({combinator: [{"type": "string"}, {"required": ["a"]}]}, draft) is None
