"""Markers and the template guard: user values reach generated code only as exact literals."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from oic.codegen.markers import PyCode, UnsafeValue, literal, name
from oic.codegen.render import _finalize
from oic.codegen.scope import CodegenError

HOSTILE = "'\"\"\"''' \\ {x} ${y} \\${z} \n\r\t \x00 \u2028\u2029 \x1b[31m #) ; import os"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
@example(HOSTILE)
@example("x" * 100_000)
def test_a_literal_denotes_exactly_its_value(value: object) -> None:
    text = literal(value).text
    compile(text, "<literal>", "eval")  # a single expression, nothing else
    assert eval(text, {"__builtins__": {}, "float": float}) == value  # noqa: S307 - the point of the test


def test_non_finite_floats_and_tuples() -> None:
    assert eval(literal(float("inf")).text, {"float": float}) == float("inf")  # noqa: S307
    assert eval(literal((1,)).text) == (1,)  # noqa: S307


@pytest.mark.parametrize("value", [object(), {1: "a"}, b"bytes", type("S", (str,), {})("sub")])
def test_values_of_other_types_are_refused(value: object) -> None:
    with pytest.raises(UnsafeValue):
        literal(value)


@pytest.mark.parametrize("identifier", ["let_0", "params", "SCHEMAS_1"])
def test_synthesized_names(identifier: str) -> None:
    assert name(identifier).text == identifier


@pytest.mark.parametrize("identifier", ["a b", "x;y", "__import__", "", "é", "0x", "a\n"])
def test_unsafe_names_are_refused(identifier: str) -> None:
    with pytest.raises(UnsafeValue):
        name(identifier)


def test_templates_print_only_markers() -> None:
    assert _finalize(PyCode("x")) == "x"
    with pytest.raises(CodegenError, match="not a generated code marker"):
        _finalize("plain text")
    with pytest.raises(CodegenError):
        _finalize(3)
