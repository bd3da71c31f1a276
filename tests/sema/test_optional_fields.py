"""A field a schema lists but does not require is read with ``get_optional_member``: null when the
object lacks it, and the checker made every use of it null-safe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runtime.expressions import PipelineError, get_optional_member
from tests.codegen.support import arguments_of, compile_text, finish_task, fire, load, started_state

SITE = ("p.oi", 1, 1)

PIPELINE = """pipeline "p" {}
service store = path "./bin/store" schemas "./schemas/store"
on engine.started {
  task "get" = store.get(Key: "k")
}
on task("get").finished(success) {
  let out = tasks["get"].output
  task "note" = store.get(Key: default(out.Note, "no note") + " / " + default(out["Note"], "-"))
  task "required" = store.get(Key: out.Value)
}
"""


def write_schemas(directory: Path) -> None:
    endpoint = directory / "schemas" / "store" / "get"
    endpoint.mkdir(parents=True)
    closed = {"type": "object", "additionalProperties": False}
    arguments = {**closed, "properties": {"Key": {"type": "string"}}, "required": ["Key"]}
    returns = {
        **closed,
        "properties": {"Value": {"type": "string"}, "Note": {"type": "string"}},
        "required": ["Value"],
    }
    (endpoint / "arguments.json").write_text(json.dumps(arguments), encoding="utf-8")
    (endpoint / "returns.json").write_text(json.dumps(returns), encoding="utf-8")


def test_optional_fields_generate_the_null_returning_accessor(tmp_path: Path) -> None:
    write_schemas(tmp_path)
    generated = compile_text(PIPELINE, base_directory=str(tmp_path))
    assert generated.text.count("get_optional_member(") == 2  # out.Note and out["Note"]
    assert "get_member(let_0, 'Value'" in generated.text
    module = load(generated)
    state, started = started_state()
    fire(module, {}, state, started)
    finished = finish_task(state, "get", output={"Value": "v"})
    built = {task.metadata.name: arguments_of(task) for task in fire(module, {}, state, finished)}
    assert built == {"note": {"Key": "no note / -"}, "required": {"Key": "v"}}
    finished = finish_task(state, "get", output={"Value": "v", "Note": "n"})
    built = {task.metadata.name: arguments_of(task) for task in fire(module, {}, state, finished)}
    assert built["note"] == {"Key": "n / n"}


def test_get_optional_member_fails_like_get_member_on_what_is_not_an_object() -> None:
    assert get_optional_member({"a": 1}, "b", SITE) is None
    assert get_optional_member({"a": 1}, "a", SITE) == 1
    for value in (None, "text", [1]):
        with pytest.raises(PipelineError) as caught:
            get_optional_member(value, "a", SITE)
        assert str(caught.value).startswith("p.oi:1:1: cannot read field 'a' of ")
