"""Param types come from one table (``runtime.param_types``): the checker types every written name,
the generator passes its canonical text, and the binary parses values of exactly that type."""

from __future__ import annotations

import pytest

from oic.sema import types as t
from runtime import param_types
from runtime.program import ParamSpec, UsageError, bind_params, convert
from tests.codegen.support import compile_text, load


def test_every_written_name_has_a_static_type_and_a_runtime_parser() -> None:
    for written, canonical in param_types.WRITTEN_PARAM_TYPES.items():
        assert t.from_written(written) is not None, written
        assert canonical in param_types.CANONICAL_PARAM_TYPES
    assert t.WRITTEN_TYPE_NAMES == tuple(param_types.WRITTEN_PARAM_TYPES)
    assert t.from_written("int") == t.INTEGER == t.from_written("integer")
    assert t.from_written("nubmer") is None


@pytest.mark.parametrize(
    ("written", "flag", "value"),
    [
        ("integer", "42", 42),
        ("int", "-7", -7),
        ("number", "2.5", 2.5),
        ("list[int]", "[1, 2]", [1, 2]),
        ("list[list[string]]", '[["a"], []]', [["a"], []]),
        ("bool", "yes", True),
        ("any", "NaN", "NaN"),
    ],
)
def test_a_checked_param_type_runs(written: str, flag: str, value: object) -> None:
    generated = compile_text(
        f'pipeline "p" {{}}\nparam n: {written}\nservice sh = catalog "exec"\n'
        'on engine.started {\n  task "a" = sh.command(Command: "echo ${n}")\n}\n'
    )
    spec = load(generated).PROGRAM
    bound, _ = bind_params(spec, {"n": flag}, {})
    assert bound["n"] == value and type(bound["n"]) is type(value)


@pytest.mark.parametrize(
    ("canonical", "text", "fragment"),
    [
        ("integer", "4.5", "expects a whole number"),
        ("integer", "four", "expects a whole number"),
        ("list[integer]", '["a"]', "expects a JSON list[integer]"),
        ("list[integer]", "[1.5]", "expects a JSON list[integer]"),
        ("list[number]", "[NaN]", "expects a JSON list[number]"),
        ("list[bool]", "[1]", "expects a JSON list[bool]"),
        ("object", '{"a": Infinity}', "expects a JSON object"),
    ],
)
def test_values_of_the_wrong_type_are_usage_errors(canonical: str, text: str, fragment: str) -> None:
    with pytest.raises(UsageError) as caught:
        convert(ParamSpec("n", canonical, True), text, "--param")
    assert fragment in str(caught.value)


def test_admits_tells_bools_from_numbers() -> None:
    assert not param_types.admits("integer", True)
    assert not param_types.admits("number", False)
    assert param_types.admits("list[any]", [True, None])
    assert not param_types.admits("list[string]", ["a", 1])


def test_a_default_reads_the_params_declared_before_it() -> None:
    generated = compile_text(
        'pipeline "p" {}\nparam host: string = "example.org"\nparam port: int = 8080\n'
        'param url: string = "https://${host}:${port + 1}/"\nservice sh = catalog "exec"\n'
        'on engine.started {\n  task "a" = sh.command(Command: "curl ${url}")\n}\n'
    )
    spec = load(generated).PROGRAM
    assert bind_params(spec, {}, {})[0]["url"] == "https://example.org:8081/"
    assert bind_params(spec, {"host": "h"}, {"OI_PARAM_PORT": "1"})[0]["url"] == "https://h:2/"
