"""Schema maps, validators and secrets, without processes."""

from __future__ import annotations

import json
import re

import pytest

from runtime.services.schemas import (
    REDACTED,
    SchemaError,
    ValidationFailed,
    parse_schema_map,
    redact,
    schema_key,
    secret_paths,
    validator_for,
)

ARGUMENTS = {
    "type": "object",
    "required": ["Auth", "Board"],
    "additionalProperties": False,
    "properties": {
        "Auth": {
            "type": "object",
            "required": ["Token"],
            "properties": {"App": {"type": "string"}, "Token": {"type": "string", "writeOnly": True}},
        },
        "Board": {"type": "string"},
        "cards": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}}}},
        "Pin": {"type": "string", "format": "password", "pattern": "^[0-9]{4}$"},
    },
}
DRAFTS = {
    "draft-04": "http://json-schema.org/draft-04/schema#",
    "draft-06": "http://json-schema.org/draft-06/schema#",
    "draft-07": "http://json-schema.org/draft-07/schema#",
    "2019-09": "https://json-schema.org/draft/2019-09/schema",
    "2020-12": "https://json-schema.org/draft/2020-12/schema",
}
EVERY_DRAFT = pytest.mark.parametrize(
    "schema",
    [ARGUMENTS] + [{**ARGUMENTS, "$schema": uri} for uri in DRAFTS.values()],
    ids=["no $schema", *DRAFTS],
)


def message(schema: dict, value: object) -> str:
    with pytest.raises(ValidationFailed) as failure:
        validator_for(schema).validate(value, "arguments")
    return str(failure.value)


def test_schema_map_keys_with_and_without_the_endpoints_prefix() -> None:
    schemas = parse_schema_map(
        {
            "getcards/arguments.json": json.dumps(ARGUMENTS),
            "endpoints/getcards/returns.json": "{}",
            "endpoints/archive/returns.json": '{"type": "object"}',
        }
    )
    assert schemas.typed
    assert schemas.names() == ["archive", "getcards"]
    getcards = schemas.get("getcards")
    assert getcards is not None and getcards.arguments is not None and getcards.returns is not None
    archive = schemas.get("archive")
    assert archive is not None and archive.arguments is None


def test_empty_schema_map_is_untyped() -> None:
    schemas = parse_schema_map({})
    assert not schemas.typed
    assert schemas.get("anything") is None


@pytest.mark.parametrize(
    ("schema_map", "expected"),
    [
        ({"x/arguments.json": "{not json"}, "x/arguments.json: not valid JSON"),
        ({"x/returns.json": "[1]"}, "x/returns.json: a JSON Schema must be an object"),
        ({"x/returns.json": '{"type": 12}'}, "x/returns.json: not a valid JSON Schema: at type: 12 is not"),
        (
            {"x/arguments.json": '{"properties": {"Name": {"type": "strnig"}}}'},
            "x/arguments.json: not a valid JSON Schema: at properties.Name.type: 'strnig' is not valid",
        ),
        ({"x/arguments.json": '{"properties": {"P": {"pattern": "(["}}}'}, "at properties.P.pattern: '(['"),
        ({"x/arguments.json": '{"$schema": "http://x/s"}'}, "x/arguments.json: unknown $schema 'http://x/s'"),
    ],
)
def test_malformed_schema_maps_are_reported(schema_map: dict, expected: str) -> None:
    with pytest.raises(SchemaError, match=re.escape(expected)):
        parse_schema_map(schema_map)


@EVERY_DRAFT
def test_messages_name_the_json_path(schema: dict) -> None:
    valid = {"Auth": {"Token": "t0k3n-value"}, "Board": "b"}
    validator_for(schema).validate(valid, "arguments")
    assert message(schema, {"Auth": {"Token": "x"}}) == "arguments: $.Board: required field is missing"
    assert message(schema, {**valid, "Bord": "b"}) == "arguments: $.Bord: unknown field"
    bad_card = {**valid, "cards": [{"id": "a"}, {"id": "b"}, {"id": 3}]}
    assert message(schema, bad_card).startswith("arguments: $.cards[2].id: ")
    assert message(schema, []).startswith("arguments: $: ")


@EVERY_DRAFT
def test_secret_values_never_reach_a_message(schema: dict) -> None:
    secret = "hunter2-very-secret"
    wrong_type = message(schema, {"Auth": {"Token": ["list", secret]}, "Board": "b"})
    assert wrong_type.startswith("arguments: $.Auth.Token: ")
    bad_pin = message(schema, {"Auth": {"Token": "t"}, "Board": "b", "Pin": secret})
    assert bad_pin.startswith("arguments: $.Pin: ")
    # The object holding the secret is itself of the wrong type: its text must not appear either.
    holder = message(schema, {"Auth": "x", "Board": {"nested": secret}, "cards": "not a list"})
    for text in (wrong_type, bad_pin, holder):
        assert secret not in text


def test_secret_paths_and_redaction() -> None:
    paths = secret_paths(ARGUMENTS)
    assert paths == [("Auth", "Token"), ("Pin",)]
    value = {"Auth": {"App": "a", "Token": "s3cr3t"}, "Board": "b", "Pin": "1234"}
    assert redact(value, paths) == {"Auth": {"App": "a", "Token": REDACTED}, "Board": "b", "Pin": REDACTED}
    assert value["Pin"] == "1234", "redact returns a copy"


def test_secret_paths_follow_items_and_local_refs() -> None:
    schema = {
        "definitions": {"credential": {"type": "string", "format": "password"}},
        "type": "object",
        "properties": {
            "Headers": {
                "type": "array",
                "items": {"type": "object", "properties": {"Value": {"writeOnly": True}}},
            },
            "Key": {"$ref": "#/definitions/credential"},
        },
    }
    paths = secret_paths(schema)
    assert paths == [("Headers", "*", "Value"), ("Key",)]
    redacted = redact({"Headers": [{"Name": "n", "Value": "v1"}, {"Value": "v2"}], "Key": "k"}, paths)
    assert redacted == {"Headers": [{"Name": "n", "Value": REDACTED}, {"Value": REDACTED}], "Key": REDACTED}


def test_validators_are_built_once_per_schema() -> None:
    text = json.dumps({"type": "object", "properties": {"n": {"type": "number"}}})
    assert validator_for(text) is validator_for(text)
    first = parse_schema_map({"a/arguments.json": text}).get("a")
    second = parse_schema_map({"b/arguments.json": text}).get("b")
    assert first is not None and second is not None and first.arguments is second.arguments


def test_remote_refs_are_never_fetched() -> None:
    schema = {"type": "object", "properties": {"x": {"$ref": "http://127.0.0.1:9/never.json"}}}
    validator = validator_for(schema)
    assert validator.violation({"y": 1}) is None
    violation = validator.violation({"x": 1})
    assert violation is not None and "cannot be checked" in violation.reason


def test_keys_other_than_endpoint_schemas_are_skipped() -> None:
    # The original's init answers also carried `types/...` keys: a service must not be unstartable
    # for them (the compiler skips them by the same rule, see tests/sema/test_init_schemas.py).
    schemas = parse_schema_map(
        {
            "types/auth.json": "not even JSON",
            "getcards.json": "{}",
            "a/b/arguments.json": "{}",
            "endpoints/list/arguments.json": '{"type": "object"}',
        }
    )
    assert schemas.names() == ["list"]
    assert schema_key("endpoints/list/returns.json") == ("list", "returns")
    assert schema_key("list/arguments.json") == ("list", "arguments")
    for key in ("types/auth.json", "list/schema.json", "/arguments.json", "a/b/arguments.json", "x.json"):
        assert schema_key(key) is None, key


FORMATTED = {
    "type": "object",
    "properties": {
        "When": {"type": "string", "format": "date-time"},
        "Mail": {"format": "email"},
        "Odd": {"type": "string", "format": "no-such-format"},
    },
}


@pytest.mark.parametrize("draft", [None, *DRAFTS.values()], ids=["no $schema", *DRAFTS])
def test_formats_are_checked_alike_under_every_draft(draft: str | None) -> None:
    schema = FORMATTED if draft is None else {**FORMATTED, "$schema": draft}
    validator = validator_for(schema)
    assert validator.violation({"When": "2024-02-29T13:05:00Z", "Mail": "a@example.com", "Odd": "x"}) is None
    assert message(schema, {"When": "yesterday"}) == "arguments: $.When: 'yesterday' is not a 'date-time'"
    assert message(schema, {"When": "2023-02-29T13:05:00Z"}).endswith("is not a 'date-time'")
    assert message(schema, {"Mail": "nobody"}) == "arguments: $.Mail: 'nobody' is not a 'email'"
    # Formats apply to strings only; unknown formats are ignored.
    assert validator.violation({"Mail": 3, "Odd": "anything at all"}) is None


def test_a_field_is_checked_alone_against_what_the_schema_says_about_it() -> None:
    schema = {
        "definitions": {"count": {"type": "integer", "minimum": 1}},
        "type": "object",
        "required": ["Count", "Other"],
        "properties": {"Count": {"$ref": "#/definitions/count"}, "Tags": {"type": "array"}},
        "patternProperties": {"^X-": {"type": "string", "maxLength": 3}},
        "allOf": [{"properties": {"Tags": {"items": {"type": "string", "pattern": "^[a-z]+$"}}}}],
        "if": {"properties": {"Other": {"const": 1}}},
        "then": {"properties": {"Count": {"maximum": 0}}},
    }
    validator = validator_for(schema)
    assert validator.field_violation("Count", 2) is None  # `then` depends on Other: not asked
    violation = validator.field_violation("Count", 0)
    assert violation is not None and violation.describe("arguments") == (
        "arguments: $.Count: 0 is less than the minimum of 1"
    )
    tags = validator.field_violation("Tags", ["ok", "Not"])
    assert (
        tags is not None
        and tags.describe("arguments") == "arguments: $.Tags[1]: 'Not' does not match '^[a-z]+$'"
    )
    header = validator.field_violation("X-Id", "long")
    assert header is not None and header.path == "$.X-Id"
    assert validator.field_violation("Unlisted", {"any": "thing"}) is None
