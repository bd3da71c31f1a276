"""Schema directories and the types read from JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

from oic.sema import types as t
from oic.sema.reporter import Reporter
from oic.sema.schemas import load_directory
from oic.source import SourceFile, Span
from oic.syntax import ast

SPAN = Span(1, 1, 1, 10)
DECLARATION = ast.ServiceDecl(
    SPAN, ast.Identifier(SPAN, "s"), "catalog", ast.StringLiteral(SPAN, "s"), None, None, None
)


def reporter() -> Reporter:
    return Reporter(SourceFile("p.oi", "x\n"))


def write(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")


def test_directory_layout_with_and_without_an_endpoints_level(tmp_path: Path) -> None:
    write(tmp_path / "plain" / "get" / "arguments.json", {"type": "object"})
    write(tmp_path / "plain" / "get" / "returns.json", {"type": "string"})
    write(tmp_path / "original" / "endpoints" / "put" / "returns.json", {"type": "object"})
    (tmp_path / "plain" / "not-an-endpoint").mkdir()
    found = load_directory(tmp_path / "plain", DECLARATION, reporter())
    assert list(found) == ["get"]
    assert found["get"].arguments == {"type": "object"} and found["get"].returns == {"type": "string"}
    original = load_directory(tmp_path / "original", DECLARATION, reporter())
    assert original["put"].arguments is None and original["put"].returns == {"type": "object"}


def test_invalid_and_non_object_schemas_are_reported_at_the_service(tmp_path: Path) -> None:
    write(tmp_path / "a" / "arguments.json", '{"type": ')
    write(tmp_path / "b" / "arguments.json", "[1, 2]")
    collected = reporter()
    load_directory(tmp_path, DECLARATION, collected)
    messages = sorted(d.message for d in collected.diagnostics)
    assert [d.code for d in collected.diagnostics] == ["E0311", "E0311"]
    assert all(d.span == SPAN for d in collected.diagnostics)
    assert "invalid JSON" in messages[0] and "line 1 column 10" in messages[0]
    assert "is not a JSON object" in messages[1]


def test_types_from_schema() -> None:
    schema = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "kind": {"enum": ["a", "b"]},
            "parent": {"$ref": "#/definitions/node"},
            "note": {"type": ["string", "null"]},
        },
        "required": ["id"],
        "definitions": {"node": {"type": "object", "properties": {"id": {"type": "integer"}}}},
    }
    parsed = t.from_schema(schema)
    assert isinstance(parsed, t.ObjectType) and parsed.closed and parsed.required == {"id"}
    assert parsed.field_type("id") == t.INTEGER
    assert parsed.field_type("tags") == t.ListType(t.STRING)
    assert parsed.field_type("kind") == t.EnumType(("a", "b"))
    assert parsed.field_type("note") == t.UnionType((t.STRING, t.NULL))
    parent = parsed.field_type("parent")
    assert isinstance(parent, t.ObjectType) and parent.field_type("id") == t.INTEGER
    assert parsed.field_type("missing") is None
    opened = t.from_schema({"type": "object", "properties": {"a": {}}, "additionalProperties": True})
    assert isinstance(opened, t.ObjectType) and opened.field_type("other") == t.ANY


def test_a_recursive_schema_does_not_recurse_forever() -> None:
    schema = {"$ref": "#/definitions/a", "definitions": {"a": {"type": "array", "items": {"$ref": "#"}}}}
    assert isinstance(t.from_schema(schema), t.ListType)
