"""Each syntax error: its code, its exact position, and a hint a person can act on."""

from __future__ import annotations

import re

import pytest

from oic.syntax import ast
from oic.syntax.parser import parse_text
from tests.syntax.support import parse_errors

RAW_TERMINAL = re.compile(
    r"\b(LSQB|RSQB|LPAR|RPAR|LBRACE|RBRACE|COMMA|COLON|NAME|STRING|ISTR_\w+|STMT_IF|\$END)\b"
)

# (source, code, line, column, words the message or hint must contain)
CASES = [
    ('on engine.started { task "a" s.e() }', "E0101", 1, 30, "expected `=` after the task name"),
    ("on engine.started { task = s.e() }", "E0101", 1, 26, "a task needs a name"),
    ("on engine.started { let a: 3 }", "E0101", 1, 26, "use `=` here"),
    ('pipeline "p" { os: "linux" }', "E0101", 1, 18, "use `=` here"),
    ('on engine.started { task "a" = s.e(A = 1) }', "E0101", 1, 38, "use `:` here"),
    ("param p: any = {a = 1}", "E0101", 1, 19, "use `:` here"),
    ('on engine.started { task "a" = s.e(A: 1 }', "E0101", 1, 41, "the `(` at 1:35 is not closed"),
    ("param p: any = [1, 2", "E0103", 1, 21, "the `[` at 1:16 is never closed"),
    ("on engine.started {\n  let x = 1\n", "E0103", 3, 1, "the `{` at 1:19 is never closed"),
    ("on engine.started { if a = b { } }", "E0101", 1, 26, "write `==`"),
    ("on engine.started { let for = 3 }", "E0108", 1, 25, "`for` is a keyword"),
    ("param in: string", "E0108", 1, 7, "`in` is a keyword"),
    ("on engine.started { let task = 1 }", "E0108", 1, 25, "`task` is a keyword"),
    ('task "x" = a.b()', "E0101", 1, 1, "cannot stand at the top level"),
    ("}", "E0101", 1, 1, "unmatched `}`"),
    ('on engine.started { task "a" = s.e() timeout 30 }', "E0101", 1, 46, "give it a unit: `30s`"),
    ('on engine.started { task "a" = s.e() retry 3s }', "E0101", 1, 44, "retry takes a count"),
    ('service s = catalog "a${x}"', "E0101", 1, 21, "an interpolated string is not allowed here"),
    ("param x: number = a < b < c", "E0101", 1, 25, "comparisons do not chain"),
    ('param p: any = "abc', "E0104", 1, 16, 'close it with `"`'),
    ('param p: any = "${ x\n}"', "E0104", 1, 16, "unterminated string"),
    (r'param p: any = "a\qb"', "E0105", 1, 18, r"invalid escape `\q`"),
    (r'param p: any = "\u{D800}"', "E0105", 1, 17, "not a unicode character"),
    (r'param p: any = "\u{}"', "E0105", 1, 17, "1 to 6 hex digits"),
    ("param p: any = 12abc", "E0106", 1, 16, "invalid number or duration `12abc`"),
    ("param p: any = 1e999999", "E0106", 1, 16, "too large"),
    ("param p: any = " + "7" * 5000, "E0106", 1, 16, "too many digits"),
    ("param p: any = @", "E0102", 1, 16, "unexpected character '@'"),
    ("param p: any = 'x'", "E0102", 1, 16, "double quotes"),
    ("param p: any = a && b", "E0102", 1, 18, "`and`"),
    ("param p: any = \u00e9t\u00e9", "E0102", 1, 16, "ASCII"),
    ('param p: any = "${ f( }"', "E0101", 1, 23, "the `(` at 1:21 is not closed"),
    ('param p: any = "${}"', "E0101", 1, 19, "expected an expression"),
    ("param p: string =", "E0103", 1, 18, "expected an expression"),
    ("condition c() = engine.stopped", "E0101", 1, 24, "`started`"),
    ('on task("a").done { }', "E0101", 1, 14, "`finished`"),
    ('on task("a").finished(ok) { }', "E0101", 1, 23, "`failed` or `success`"),
    ('on engine.started { task "a" = s.e(1) }', "E0101", 1, 36, "a name"),
    ('service s = docker "x"', "E0101", 1, 13, "`catalog` or `path`"),
    ('on engine.started { task "a" = s.e() backoff 1s backoff 2s }', "E0109", 1, 49, "`backoff` given twice"),
    ('service s = path "x" version "1"', "E0109", 1, 22, "a path service has no version"),
    ('service s = catalog "x" image "a" image "b"', "E0109", 1, 35, "`image` given twice"),
]


@pytest.mark.parametrize(("source", "code", "line", "column", "words"), CASES, ids=[c[0][:40] for c in CASES])
def test_syntax_error(source: str, code: str, line: int, column: int, words: str) -> None:
    errors = parse_errors(source)
    first = errors[0]
    shown = f"{first.code} {first.span.line}:{first.span.column} {first.message} / {first.hint}"
    assert (first.code, first.span.line, first.span.column) == (code, line, column), shown
    assert words in f"{first.message} {first.hint}", shown
    assert first.severity == "error"
    for error in errors:
        assert not RAW_TERMINAL.search(error.message + " " + error.hint), error


def test_several_errors_are_reported_one_per_declaration() -> None:
    text = (
        "param a: = 1\n"
        'param ok: string = "fine"\n'
        "param b: string = )\n"
        "on engine.started {\n"
        '  task "x" = s.e(A: 1,\n'
        "}\n"
        'on task("x").finished { task "y" = s.f() }\n'
    )
    module, errors = parse_text(text)
    assert [(error.code, error.span.line) for error in errors] == [("E0101", 1), ("E0101", 3), ("E0101", 6)]
    assert module is not None
    names = [type(declaration).__name__ for declaration in module.declarations]
    assert names == ["ParamDecl", "ReactionDecl"]


def test_only_the_first_error_of_a_declaration_is_reported() -> None:
    _module, errors = parse_text("on engine.started { task = ) ( ] let = = = }\n")
    assert len(errors) == 1


def test_declarations_before_an_error_survive() -> None:
    module, errors = parse_text('param a: string = "x"\nservice s = catalog "c"\nparam b: = 2\n')
    assert len(errors) == 1
    assert module is not None
    assert [type(d) for d in module.declarations] == [ast.ParamDecl, ast.ServiceDecl]


def test_the_number_of_errors_is_bounded() -> None:
    text = "param a: = 1\n" * 500
    _module, errors = parse_text(text)
    assert 1 <= len(errors) <= 25


def test_keyword_at_line_start_inside_a_broken_declaration_resynchronises() -> None:
    text = 'on engine.started {\n  task "a" = s.e(\non engine.started { }\n'
    module, errors = parse_text(text)
    assert [(error.code, error.span.line) for error in errors] == [("E0101", 3)]
    assert errors[0].message == "unfinished declaration before `on`"
    assert errors[0].hint == "the `(` at 2:17 is not closed"
    assert module is not None and len(module.declarations) == 1


def test_a_complete_declaration_before_a_lexical_error_survives() -> None:
    module, errors = parse_text('pipeline "p" { }\n@\nparam a: any = 1\n')
    assert [(error.code, error.span.line) for error in errors] == [("E0102", 2)]
    assert module is not None
    assert [type(d) for d in module.declarations] == [ast.PipelineDecl, ast.ParamDecl]
