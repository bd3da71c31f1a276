"""The standard library: one table (runtime/stdlib.py), and everything derived from it agrees.

The checker's signatures, the generator's helper names, the runtime's implementations and exports,
and the reference table of docs/language.md all come from the table; these tests hold each of them
to it, run every function, and run `quote` through a real shell. ``OI_UPDATE_GOLDEN=1`` rewrites the
reference table in docs/language.md instead of failing.
"""

from __future__ import annotations

import inspect
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

import runtime.exported
from oic.codegen.generator import EXPORTED_NAMES
from oic.sema import types as t
from oic.sema.stdlib import SIGNATURES, holds_secret
from runtime import stdlib
from runtime import stdlib_functions as functions
from runtime.expressions import PipelineError, Secret, mark_secrets
from tests.codegen.support import arguments_of, compile_text, fire, load, started_state

SITE = ("pipeline.oi", 12, 5)
LANGUAGE = Path(__file__).resolve().parents[2] / "docs" / "language.md"
START, END = "<!-- stdlib:start -->", "<!-- stdlib:end -->"

# One call per function, as (arguments, expected result): every function of the table has one.
SAMPLES: dict[str, tuple[tuple[Any, ...], Any]] = {
    "env": (("OI_TEST_MISSING", "d"), "d"),
    "len": (([1, 2],), 2),
    "json": (({"a": [1, "x"]},), '{"a":[1,"x"]}'),
    "parse_json": (('{"a": ["x"]}',), {"a": ["x"]}),
    "format": (("{} of {} {{}}", 1, "two"), "1 of two {}"),
    "string": (([1],), "[1]"),
    "number": ((" 42 ",), 42),
    "join": ((["a", 1, None], "-"), "a-1-"),
    "split": (("a,b", ","), ["a", "b"]),
    "keys": (({"a": 1},), ["a"]),
    "values": (({"a": "x"},), ["x"]),
    "lower": (("AbC",), "abc"),
    "upper": (("a",), "A"),
    "trim": (("  a \n",), "a"),
    "contains": (([1, 2], 2), True),
    "starts_with": (("abc", "ab"), True),
    "ends_with": (("abc", "bc"), True),
    "replace": (("a-b-c", "-", "+"), "a+b+c"),
    "default": ((None, "x"), "x"),
    "range": ((3,), [0, 1, 2]),
    "quote": (("it's",), "'it'\"'\"'s'"),
}


def test_every_function_has_a_sample_and_an_implementation_of_its_arity() -> None:
    assert set(SAMPLES) == set(stdlib.FUNCTIONS_BY_NAME)
    assert set(functions.HELPERS) == {function.helper for function in stdlib.FUNCTIONS}
    for function in stdlib.FUNCTIONS:
        implementation = functions.HELPERS[function.helper]
        parameters = list(inspect.signature(inspect.unwrap(implementation)).parameters.values())
        assert parameters[0].name == "site"
        positional = [p for p in parameters[1:] if p.kind is p.POSITIONAL_OR_KEYWORD]
        required = [p for p in positional if p.default is p.empty]
        rest = [p for p in parameters[1:] if p.kind is p.VAR_POSITIONAL]
        if function.variadic:
            assert rest and len(positional) == len(function.parameters), function.name
            assert len(required) == function.fewest, function.name
        elif rest:  # optional parameters taken as *rest: env(name, *fallback)
            assert len(positional) == function.fewest, function.name
        else:
            assert (len(required), len(positional)) == (function.fewest, function.most), function.name


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_function_computes_its_sample(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OI_TEST_MISSING", raising=False)
    arguments, expected = SAMPLES[name]
    assert functions.HELPERS[stdlib.FUNCTIONS_BY_NAME[name].helper](SITE, *arguments) == expected


def test_failures_name_the_function_and_the_position(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OI_TEST_MISSING", raising=False)
    failing = [
        (lambda: functions.std_env(SITE, "OI_TEST_MISSING"), 'environment variable "OI_TEST_MISSING"'),
        (lambda: functions.std_parse_json(SITE, "{"), "parse_json(): not valid JSON"),
        (lambda: functions.std_format(SITE, "{} {}", 1), "more '{}' placeholders"),
        (lambda: functions.std_number(SITE, "x"), 'number(): "x" is not a number'),
        (lambda: functions.std_number(SITE, [1]), "number() takes a string, a number or a bool"),
        (lambda: functions.std_range(SITE, -1), "range() needs a count of 0 or more"),
        (lambda: functions.std_len(SITE, 3), "len() takes a string, a list or an object"),
        (lambda: functions.std_quote(SITE, "a\0b"), "quote(): the text holds a NUL character"),
    ]
    for call, message in failing:
        with pytest.raises(PipelineError) as caught:
            call()
        assert str(caught.value).startswith("pipeline.oi:12:5: ") and message in str(caught.value)


def test_the_checker_generator_and_runtime_agree_on_every_function() -> None:
    assert set(SIGNATURES) == set(stdlib.FUNCTIONS_BY_NAME)
    for function in stdlib.FUNCTIONS:
        signature = SIGNATURES[function.name]
        assert signature.minimum == function.fewest
        assert signature.variadic == function.variadic
        assert len(signature.parameters) == len(function.parameters)
        assert function.helper in EXPORTED_NAMES
        assert getattr(runtime.exported, function.helper) is functions.HELPERS[function.helper]
    assert set(runtime.exported.__all__) == EXPORTED_NAMES


def test_join_takes_one_or_two_arguments_everywhere() -> None:
    # The copies of the library had drifted: the checker wanted 2 arguments, the runtime took 1 or 2.
    module = load(
        compile_text(
            'pipeline "p" {}\nservice s = catalog "exec"\n'
            'on engine.started { task "t" = s.command(Command: join(["a", "b"]) + join(["c", "d"], "-")) }\n'
        )
    )
    state, started = started_state()
    (task,) = fire(module, {}, state, started)
    assert arguments_of(task) == {"Command": "abc-d"}


def _secret_arguments(arguments: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """The sample's arguments with each string argument, in turn, made a secret."""
    variants = []
    for position, argument in enumerate(arguments):
        if isinstance(argument, str):
            marked = mark_secrets({"value": argument}, ("value",))["value"]
            variants.append((*arguments[:position], marked, *arguments[position + 1 :]))
    return variants


def _any_secret_string(value: Any) -> bool:
    if isinstance(value, Secret):
        return True
    if isinstance(value, list):
        return any(_any_secret_string(item) for item in value)
    if isinstance(value, dict):
        return any(_any_secret_string(item) for item in [*value.keys(), *value.values()])
    return False


def _all_strings_secret(value: Any) -> bool:
    if isinstance(value, str):
        return isinstance(value, Secret)
    if isinstance(value, list):
        return all(_all_strings_secret(item) for item in value)
    if isinstance(value, dict):
        return all(_all_strings_secret(item) for item in [*value.keys(), *value.values()])
    return True


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_derived_results_are_secret_at_run_time_exactly_when_the_checker_says(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OI_TEST_MISSING", raising=False)
    function = stdlib.FUNCTIONS_BY_NAME[name]
    arguments, _expected = SAMPLES[name]
    helper = functions.HELPERS[function.helper]
    assert not _any_secret_string(helper(SITE, *arguments))
    signature = SIGNATURES[name]
    for variant in _secret_arguments(arguments):
        result = helper(SITE, *variant)
        argument_types = [t.SECRET if isinstance(a, Secret) else t.literal_type(a) for a in variant]
        static = signature.result(argument_types)
        if function.secret == stdlib.DERIVED:
            assert _all_strings_secret(result), (name, variant, result)
            assert holds_secret(static) or static == t.ANY, (name, static)
        elif function.secret == stdlib.NONE:
            assert not _any_secret_string(result), (name, variant)
            assert not holds_secret(static), (name, static)


def test_a_secret_inside_a_structure_taints_what_is_derived_from_it() -> None:
    token = mark_secrets({"token": "s3cr3t-value"}, ("token",))["token"]
    assert isinstance(functions.std_json(SITE, {"auth": [token]}), Secret)
    assert isinstance(functions.std_string(SITE, {"auth": token}), Secret)
    assert isinstance(functions.std_format(SITE, "{}", [token]), Secret)
    pieces = functions.std_split(SITE, token, "-")
    assert pieces == ["s3cr3t", "value"] and all(isinstance(piece, Secret) for piece in pieces)
    parsed = functions.std_parse_json(SITE, mark_secrets({"j": '{"user": "u1"}'}, ("j",))["j"])
    assert all(isinstance(text, Secret) for text in (*parsed.keys(), *parsed.values()))
    secret_object = t.ObjectType((("auth", t.ListType(t.SECRET)),))
    assert SIGNATURES["json"].result([secret_object]) == t.SECRET
    assert SIGNATURES["split"].result([t.SECRET, t.STRING]) == t.ListType(t.SECRET)
    assert SIGNATURES["len"].result([t.SECRET]) == t.INTEGER


# -- quote(s) through a real shell ----------------------------------------------------------------

HOSTILE = [
    "",
    "plain",
    "two words",
    "it's",
    "'",
    "''",
    '"double" "quotes"',
    "$(touch {marker})",
    "`touch {marker}`",
    "${HOME}",
    "$HOME and $1 and $$",
    "a; touch {marker}",
    "a && touch {marker} || true",
    "a | tee {marker}",
    "line one\nline two\n",
    "\n",
    "*",
    "/*",
    "?[a-z]*",
    "~",
    "~root",
    "tab\there",
    "back\\slash\\",
    "-n",
    "-e \\n",
    "# not a comment",
    "!history",
    "{a,b}",
    "a=b",
    "\u00e9t\u00e9 \u2028 \U0001f600",
    "'\"$(`\\\n*?",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_quote_gives_the_shell_back_exactly_the_text(text: str, tmp_path: Path) -> None:
    marker = tmp_path / "touched"
    value = text.replace("{marker}", str(marker))
    quoted = functions.std_quote(SITE, value)
    # printf '%s' prints its argument as is (echo would interpret -n and backslashes).
    result = subprocess.run(
        ["/bin/sh", "-c", f"printf '%s' {quoted}"], cwd=tmp_path, capture_output=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode("utf-8") == value
    assert not marker.exists(), "the shell ran a command hidden in the text"


def test_quote_keeps_a_secret_secret() -> None:
    token = mark_secrets({"token": "s3 cr3t"}, ("token",))["token"]
    quoted = functions.std_quote(SITE, token)
    assert isinstance(quoted, Secret) and quoted == "'s3 cr3t'"
    assert SIGNATURES["quote"].result([t.SECRET]) == t.SECRET
    assert SIGNATURES["quote"].result([t.STRING]) == t.STRING


def test_a_pipeline_quotes_a_param_into_a_command_that_the_shell_reads_back(tmp_path: Path) -> None:
    module = load(
        compile_text(
            'pipeline "p" {}\nparam greeting: string\nservice s = catalog "exec"\n'
            'on engine.started { task "t" = s.command(Command: "printf %s ${quote(greeting)}") }\n'
        )
    )
    state, started = started_state()
    hostile = "$(touch pwned) `touch pwned` 'x' \"y\"\n*"
    (task,) = fire(module, {"greeting": hostile}, state, started)
    command = arguments_of(task)["Command"]
    result = subprocess.run(["/bin/sh", "-c", command], cwd=tmp_path, capture_output=True, timeout=30)
    assert result.stdout.decode("utf-8") == hostile
    assert not (tmp_path / "pwned").exists()


# -- the reference table in docs/language.md -----------------------------------------------------


def _type_text(type_name: str) -> str:
    # ``a|b`` in a Markdown table would split the cell.
    return " or ".join(f"`{name}`" for name in type_name.split("|"))


def _result_text(function: stdlib.Function) -> str:
    text = stdlib.RESULT_RULES.get(function.result) or _type_text(function.result)
    if function.secret == stdlib.DERIVED:
        text += " (derived)"
    return text


def reference_table() -> str:
    rows = ["| function | parameters | result | what it gives |", "|---|---|---|---|"]
    for function in stdlib.FUNCTIONS:
        parameters = ", ".join(
            f"{parameter.name}: {_type_text(parameter.type)}" for parameter in function.parameters
        )
        if function.variadic:
            parameters += ", values...: `any`"
        rows.append(
            f"| `{function.usage()}` | {parameters} | {_result_text(function)} | {function.description} |"
        )
    return "\n".join(rows)


def test_the_reference_table_is_generated_from_the_table() -> None:
    text = LANGUAGE.read_text(encoding="utf-8")
    before, rest = text.split(START)
    _old, after = rest.split(END)
    current = f"{before}{START}\n{reference_table()}\n{END}{after}"
    if os.environ.get("OI_UPDATE_GOLDEN") == "1":
        LANGUAGE.write_text(current, encoding="utf-8")
        text = current
    assert text == current, "docs/language.md's standard library is stale: run with OI_UPDATE_GOLDEN=1"
