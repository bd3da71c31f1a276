"""Property: for any text, ``format_text`` either refuses it (``FormatRefused``) or formats it
faithfully (the same program, idempotent, every comment in order); it never raises anything else.

Texts come from the golden inputs and the examples, mutated at random: characters and whole tokens
inserted, deleted and duplicated, comments and line breaks put between tokens."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oic.fmt import FormatRefused, format_text
from oic.syntax.lexer import scan
from tests.fmt.support import assert_formats_faithfully

ROOT = Path(__file__).resolve().parent.parent.parent
SEEDS = [
    path.read_text(encoding="utf-8")
    for path in sorted([*ROOT.glob("tests/fmt/cases/*/input.oi"), *ROOT.glob("examples/*/pipeline.oi")])
]
# Line breaks, blanks and comments keep a text valid wherever they go between tokens: they test the
# layout and the comments. The rest mostly makes syntax errors, which must be refused cleanly.
LAYOUT = ["\n", " ", "\t", "# note\n", "\n# own line\n", "  # end\n", "\n\n\n"]
FRAGMENTS = [*LAYOUT, "(", ")", ",", "[", "]", "{", "}", "if", "else", "not ", "-"]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        tokens = scan(text)[0]
        if not tokens:
            break
        token = tokens[draw(st.integers(0, len(tokens) - 1))]
        operation = draw(st.sampled_from(["layout", "layout", "layout", "insert", "delete", "duplicate"]))
        if operation in ("layout", "insert"):
            fragment = draw(st.sampled_from(LAYOUT if operation == "layout" else FRAGMENTS))
            at = token.start_pos if draw(st.booleans()) else token.end_pos
            text = text[:at] + fragment + text[at:]
        elif operation == "delete":
            text = text[: token.start_pos] + text[token.end_pos :]
        else:
            text = text[: token.end_pos] + " " + token.value + text[token.end_pos :]
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_format_refuses_or_formats_faithfully(text: str) -> None:
    try:
        format_text(text)
    except FormatRefused as refused:
        assert refused.diagnostics
        return
    assert_formats_faithfully(text)
