"""``oic.fmt.format_text`` as editors call it: refusals, line ends, and programs at the limits of the
language (deep nesting, long flat chains, long ``else if`` chains) laid out without exhausting the
Python stack."""

from __future__ import annotations

import pytest

from oic.diagnostics import Diagnostic
from oic.fmt import FormatRefused, format_text
from oic.syntax.lexer import Lexer, scan
from oic.syntax.limits import MAX_BLOCK_DEPTH, MAX_ELSE_IF, MAX_NESTING
from tests.fmt.support import assert_formats_faithfully
from tests.frontend.test_limits import COMPREHENSIONS, NESTINGS, nested


def test_the_lexer_gives_comments_only_when_asked() -> None:
    tokens, comments = scan('a # one\n  "#not" # two')
    assert [(c.type, c.value, c.line, c.column, c.end_column) for c in comments] == [
        ("COMMENT", "# one", 1, 3, 8),
        ("COMMENT", "# two", 2, 10, 15),
    ]
    assert [t.value for t in tokens] == ["a", '"#not"']
    assert Lexer("# x").comments is None  # the parser's lexer keeps none


def test_text_that_does_not_parse_is_refused_with_its_diagnostics() -> None:
    with pytest.raises(FormatRefused) as refused:
        format_text('pipeline "p" {\nparam x\n', path="broken.oi")
    assert isinstance(refused.value, Exception)
    found = refused.value.diagnostics
    assert found and all(isinstance(d, Diagnostic) for d in found)
    assert found[0].path == "broken.oi" and found[0].code.startswith("E01")


@pytest.mark.parametrize(
    "text",
    [
        'service s = catalog "x" version "1" version "2"\n',  # the tree keeps one: refused, not dropped
        'on engine.started {\n  task "t" = s.e() retry 1 retry 2\n}\n',
        "param p: string = " + "(" * 200 + "1" + ")" * 200 + "\n",
        "\x00",
    ],
)
def test_problems_the_parser_reports_beyond_the_grammar_are_refused_too(text: str) -> None:
    with pytest.raises(FormatRefused):
        format_text(text)


def test_line_ends_and_a_byte_order_mark_are_normalised() -> None:
    assert format_text("\ufeffparam a: string\r\nparam b: string\rparam c: string") == (
        "param a: string\nparam b: string\nparam c: string\n"
    )


@pytest.mark.parametrize("kind", sorted(NESTINGS))
def test_expressions_at_the_nesting_limit(kind: str) -> None:
    assert_formats_faithfully(f"on engine.started {{\n  let x = {nested(kind, MAX_NESTING - 1)}\n}}\n")


@pytest.mark.parametrize("kind", sorted(COMPREHENSIONS))
def test_comprehensions_at_their_limit(kind: str) -> None:
    assert_formats_faithfully(f"on engine.started {{\n  let x = {nested(kind, MAX_BLOCK_DEPTH)}\n}}\n")


def test_blocks_at_their_limit() -> None:
    body = 'task "t" = s.e()'
    for _ in range(MAX_BLOCK_DEPTH):
        body = f"for x in xs {{ {body} }}"
    formatted = assert_formats_faithfully(f"on engine.started {{\n{body}\n}}\n")
    assert "\n" + "  " * (MAX_BLOCK_DEPTH + 1) + 'task "t" = s.e()\n' in formatted


def test_conditions_and_types_at_the_nesting_limit() -> None:
    condition = 'task("t").finished'
    for _ in range((MAX_NESTING - 1) // 2):
        condition = f'task("t").started and ({condition})'
    assert_formats_faithfully(f"on {'not ' * (MAX_NESTING - 1)}engine.started {{}}\non {condition} {{}}\n")
    assert_formats_faithfully(f"param p: {'list[' * (MAX_NESTING - 1)}string{']' * (MAX_NESTING - 1)}\n")


def test_flat_chains_longer_than_the_python_stack() -> None:
    links = 2_000
    chains = [
        " + ".join(["1"] * links) + " - 1" * links,
        "2" + " * 3 / 3 % 7" * (links // 3),
        "event.payload" + ".a" * links,
        "a" + ".b[0]" * links,
        " and ".join(["a"] * links),
        " or ".join(["a"] * links),
    ]
    lets = "".join(f"  let x{number} = {chain}\n" for number, chain in enumerate(chains))
    formatted = assert_formats_faithfully("on engine.started {\n" + lets + "}\n")
    assert len(formatted.splitlines()) == len(chains) + 2  # a chain is never broken


def test_an_else_if_chain_at_its_limit() -> None:
    branches = "".join(f" else if a{i} {{ let x = {i} }}" for i in range(MAX_ELSE_IF))
    text = f"on engine.started {{\n  if a {{ let x = 1 }}{branches} else {{ let y = 2 }}\n}}\n"
    formatted = assert_formats_faithfully(text)
    assert formatted.count("} else if ") == MAX_ELSE_IF


def test_a_call_with_thousands_of_arguments() -> None:
    arguments = ", ".join(f"a{i}: [{i}, {{k: {i}}}]" for i in range(500))
    formatted = assert_formats_faithfully(f'on engine.started {{\n  task "t" = s.e({arguments})\n}}\n')
    assert "\n    a499: [499, {k: 499}],\n  )\n" in formatted


@pytest.mark.parametrize("kind", ["object", "call", "member-of-call"])
def test_the_deepest_expressions_in_the_deepest_blocks(kind: str) -> None:
    # The layout recurses along nesting: at the limits of both, it must stay well inside Python's
    # default stack of 1,000 frames (about 460 from a shallow caller today).
    body = f'task "t" = s.e(A: {nested(kind, MAX_NESTING - 1)})'
    for _ in range(MAX_BLOCK_DEPTH - 1):
        body = f"for x in xs {{ {body} }}"
    assert_formats_faithfully(f"on engine.started {{\n{body}\n}}\n")
