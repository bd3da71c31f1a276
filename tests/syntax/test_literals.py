"""Literals are decoded once, exactly; interpolated expressions carry their exact positions."""

from __future__ import annotations

import pytest

from oic.source import Span
from oic.syntax import ast
from oic.syntax.literals import decode_text, duration_seconds, number_value
from tests.syntax.support import NOWHERE, expression, member, name, parse_errors, parse_ok, string, unspanned


@pytest.mark.parametrize(
    ("source", "value"),
    [
        (r'"plain"', "plain"),
        (r'""', ""),
        (r'"a\nb\tc\rd"', "a\nb\tc\rd"),
        (r'"quote \" backslash \\ dollar \$"', 'quote " backslash \\ dollar $'),
        (r'"\u{1F600} \u{41}\u{e9}"', "\U0001f600 A\u00e9"),
        (r'"a lone $ and $x stay"', "a lone $ and $x stay"),
        (r'"\${not interpolated}"', "${not interpolated}"),
        ('"tab\tinside"', "tab\tinside"),
        ('"line\u2028separator"', "line\u2028separator"),
        ('"h\u00e9llo \U0001f600"', "h\u00e9llo \U0001f600"),
    ],
)
def test_string_literals_are_decoded(source: str, value: str) -> None:
    assert expression(source) == string(value)


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("0", 0),
        ("42", 42),
        ("007", 7),
        ("2.5", 2.5),
        ("1e3", 1000.0),
        ("1.5E-2", 0.015),
        ("9" * 300, int("9" * 300)),
    ],
)
def test_numbers(source: str, value: int | float) -> None:
    node = expression(source)
    assert node == ast.NumberLiteral(NOWHERE, value)
    assert type(node.value) is type(value)


def test_negative_numbers_are_unary_minus() -> None:
    assert expression("-3") == ast.Unary(NOWHERE, "-", ast.NumberLiteral(NOWHERE, 3))


@pytest.mark.parametrize(
    ("source", "seconds"),
    [("500ms", 0.5), ("30s", 30.0), ("2m", 120.0), ("1h", 3600.0), ("1.5s", 1.5), ("0s", 0.0)],
)
def test_durations(source: str, seconds: float) -> None:
    module = parse_ok(f'on engine.started {{ task "t" = s.e() timeout {source} backoff {source} }}')
    (reaction,) = module.declarations
    assert isinstance(reaction, ast.ReactionDecl)
    (task,) = reaction.body
    assert isinstance(task, ast.TaskStmt)
    assert task.settings.timeout == ast.Duration(task.settings.timeout.span, seconds)  # type: ignore[union-attr]
    assert task.settings.backoff is not None and task.settings.backoff.seconds == seconds


def test_interpolation_parts() -> None:
    assert expression('"archive-${c.id}"') == ast.InterpolatedString(
        NOWHERE, (string("archive-"), member(name("c"), "id"))
    )
    assert expression('"${a}${b}"') == ast.InterpolatedString(NOWHERE, (name("a"), name("b")))
    assert expression('"x ${a} y ${b} z"') == ast.InterpolatedString(
        NOWHERE, (string("x "), name("a"), string(" y "), name("b"), string(" z"))
    )
    assert expression(r'"\n${a}\$"') == ast.InterpolatedString(
        NOWHERE, (string("\n"), name("a"), string("$"))
    )


def test_strings_nest_inside_interpolations() -> None:
    assert expression('"failed: ${tasks["fetch"].error}"') == ast.InterpolatedString(
        NOWHERE, (string("failed: "), member(ast.Index(NOWHERE, name("tasks"), string("fetch")), "error"))
    )
    nested = expression('"a ${"b ${"c ${d}"}"}"')
    inner = ast.InterpolatedString(NOWHERE, (string("c "), name("d")))
    middle = ast.InterpolatedString(NOWHERE, (string("b "), inner))
    assert nested == ast.InterpolatedString(NOWHERE, (string("a "), middle))


def test_braces_inside_interpolations_balance() -> None:
    node = expression('"${ {a: 1}.a } and ${ {for x in xs: x => {y: x}} }"')
    assert isinstance(node, ast.InterpolatedString)
    assert isinstance(node.parts[0], ast.Member)
    assert node.parts[1] == string(" and ")
    assert isinstance(node.parts[2], ast.ObjectComprehension)


def test_interpolation_positions_are_exact() -> None:
    text = 'param p: any = "ab ${x.y} \u00e9 ${ tasks["t"].output }!"'
    module = parse_ok(text)
    (param,) = module.declarations
    assert isinstance(param, ast.ParamDecl)
    node = param.default
    assert isinstance(node, ast.InterpolatedString)
    assert node.span == Span(1, 16, 1, len(text) + 1)
    first_text, first, middle_text, second, last_text = node.parts
    assert first_text == ast.StringLiteral(Span(1, 17, 1, 20), "ab ")
    assert isinstance(first, ast.Member) and first.span == Span(1, 22, 1, 25)
    assert text[21:24] == "x.y"
    assert middle_text == ast.StringLiteral(Span(1, 26, 1, 29), " \u00e9 ")
    assert isinstance(second, ast.Member)
    start = text.index("tasks") + 1
    assert second.span == Span(1, start, 1, start + len('tasks["t"].output'))
    assert isinstance(second.target, ast.Index) and second.target.index.span == Span(
        1, start + 6, 1, start + 9
    )
    assert last_text == ast.StringLiteral(Span(1, len(text) - 1, 1, len(text)), "!")


def test_columns_count_code_points_after_tabs_and_wide_characters() -> None:
    module = parse_ok('param\tp: any = "\U0001f600\u00e9"\t+ x')
    (param,) = module.declarations
    assert isinstance(param, ast.ParamDecl) and isinstance(param.default, ast.Binary)
    assert param.name.span == Span(1, 7, 1, 8)
    assert param.default.left.span == Span(1, 16, 1, 20)
    assert param.default.right.span == Span(1, 23, 1, 24)


def test_quoted_object_keys_are_decoded() -> None:
    node = unspanned(expression(r'{"a\"b": 1, "\u{41}": 2}'))
    assert [field.key for field in node.fields] == ['a"b', "A"]


def test_literal_helpers_never_raise_on_odd_input() -> None:
    assert decode_text("\\") == "\\"
    assert decode_text("\\u{110000}") == "\ufffd"
    assert number_value("1" * 5000) == 0
    assert number_value("1e999999") == float("inf")
    assert duration_seconds("s") == 0.0


def test_a_newline_in_a_string_is_an_error_at_the_opening_quote() -> None:
    (error,) = parse_errors('param p: any = "abc\n"')
    assert error.code == "E0104" and error.span.line == 1 and error.span.column == 16
