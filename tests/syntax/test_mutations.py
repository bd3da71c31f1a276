"""Property: whatever is done to a valid pipeline, ``parse`` answers with a module or a diagnostic.

Valid pipelines are mutated by deleting, inserting, duplicating and swapping characters and whole
tokens; the parser must never raise, must return a module or at least one diagnostic, and every
diagnostic must carry a registered code and a span inside the text.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oic import codes
from oic.source import SourceFile
from oic.syntax.lexer import Lexer, Token
from oic.syntax.parser import parse

SEEDS = [
    'pipeline "p" {\n  os = "linux"\n  timeout = 10m\n}\n'
    'param board: string = env("BOARD")\nparam labels: list[string] = ["a", "b",]\n'
    'service trello = catalog "trello" version "0.1.0"\n',
    "condition ok(name: string) = task(name).finished(success) if len(tasks[name].output) > 0\n"
    'builder archive(card: object) {\n  task "archive-${card.id}" = trello.archive(IDs: [card.id])\n}\n',
    'on engine.started or not task("x").started {\n'
    '  let cards = tasks["fetch"].output\n'
    '  task "up" reusable = s.up(Rows: [for c in cards if c.ok: {ID: c.id}]) timeout 30s retry 3\n'
    '  for c in cards if c.list == "Done" { archive(c) }\n'
    '  if len(cards) == 0 { } else { task "n" = h.c(M: "failed: ${tasks["up"].error} \\u{1F600}") }\n'
    "}\n",
    'on task("b").reported("p") if event.payload.data.percent > 50 {\n'
    "  let m = {for k in keys(x): k => -x[k] * 2 % 3}\n  let y = a if b else c\n}\n",
]

# Pieces people (and editors) typically break code with.
FRAGMENTS = "\" ${ } { ( ) [ ] , : = . \\ # if on task 1e99999 ' =>".split() + [
    "\n",
    " ",
    "\x00",
    "\u2028",
    "\t",
    "9" * 30,
    "\ufeff",
    "\U0001f600",
]


def tokens_of(text: str) -> list[Token]:
    return [item for item in Lexer(text).tokens() if isinstance(item, Token)]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(
            st.sampled_from(["delete", "insert", "duplicate", "swap", "delete-token", "swap-tokens"])
        )
        if not text:
            text = draw(st.sampled_from(FRAGMENTS))
            continue
        at = draw(st.integers(0, len(text) - 1))
        if operation == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 5)) :]
        elif operation == "insert":
            piece = draw(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)))
            text = text[:at] + piece + text[at:]
        elif operation == "duplicate":
            end = min(len(text), at + draw(st.integers(1, 40)))
            text = text[:end] + text[at:end] + text[end:]
        elif operation == "swap":
            other = draw(st.integers(0, len(text) - 1))
            first, second = sorted((at, other))
            if first != second:
                text = (
                    text[:first] + text[second] + text[first + 1 : second] + text[first] + text[second + 1 :]
                )
        else:
            tokens = tokens_of(text)
            if len(tokens) < 2:
                continue
            index = draw(st.integers(0, len(tokens) - 2))
            one, two = tokens[index], tokens[index + 1]
            if operation == "delete-token":
                text = text[: one.start_pos] + text[one.end_pos :]
            else:
                text = (
                    text[: one.start_pos]
                    + two.value
                    + text[one.end_pos : two.start_pos]
                    + one.value
                    + text[two.end_pos :]
                )
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_parse_never_raises_and_always_answers(text: str) -> None:
    module, found = parse(SourceFile("mutant.oi", text))
    assert module is not None or found
    line_count = text.count("\n") + 1
    for diagnostic in found:
        assert codes.lookup(diagnostic.code) is not None
        assert 1 <= diagnostic.span.line <= line_count
        assert diagnostic.span.column >= 1
        assert diagnostic.message and diagnostic.message[0].islower() or diagnostic.message[0] == "`"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises(text: str) -> None:
    module, found = parse(SourceFile("random.oi", text))
    assert module is not None or found


def test_the_seeds_are_valid() -> None:
    for seed in SEEDS:
        module, found = parse(SourceFile("seed.oi", seed))
        assert found == [] and module is not None and module.declarations
