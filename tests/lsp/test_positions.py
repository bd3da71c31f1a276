"""Conversions between oi's spans (1-based, code points) and LSP positions (0-based, UTF-16 code
units, or UTF-8 bytes or code points when the client asks for them), both ways."""

from __future__ import annotations

import pytest
from lsprotocol import types

from oic.lsp.positions import UTF8, UTF16, UTF32, Lines, contains, from_client_character, to_client_character
from oic.source import Span

LINE = 'x = "é🎉z"'  # é: 1 UTF-16 unit, 2 UTF-8 bytes; 🎉: 2 units, 4 bytes


@pytest.mark.parametrize(
    ("column", "utf16", "utf8", "utf32"),
    [
        (0, 0, 0, 0),
        (5, 5, 5, 5),
        (6, 6, 7, 6),
        (7, 8, 11, 7),
        (8, 9, 12, 8),
        (9, 10, 13, 9),
        (12, 13, 16, 12),
    ],
)
def test_columns_convert_both_ways(column: int, utf16: int, utf8: int, utf32: int) -> None:
    for encoding, expected in ((UTF16, utf16), (UTF8, utf8), (UTF32, utf32)):
        assert to_client_character(LINE, column, encoding) == expected
        assert from_client_character(LINE, expected, encoding) == column


def test_a_position_inside_a_character_moves_to_its_start() -> None:
    # UTF-16 character 7 is the second half of the emoji, which starts at code point 6.
    assert from_client_character(LINE, 7, UTF16) == 6
    assert from_client_character(LINE, 9, UTF8) == 6


def test_spans_become_ranges_and_back() -> None:
    lines = Lines("pipeline\n" + LINE + "\n")
    span = Span(2, 7, 2, 9)  # the emoji and `z`
    assert lines.range(span) == types.Range(
        start=types.Position(line=1, character=6), end=types.Position(line=1, character=9)
    )
    assert lines.point(types.Position(line=1, character=8)) == (2, 8)
    assert lines.whole().end == types.Position(line=2, character=0)


def test_a_lone_surrogate_counts_as_one_unit() -> None:
    assert to_client_character("a\ud800b", 3, UTF16) == 3


def test_containment_includes_the_end() -> None:
    span = Span(1, 3, 1, 6)
    assert contains(span, 1, 3) and contains(span, 1, 6)
    assert not contains(span, 1, 2) and not contains(span, 1, 7) and not contains(span, 2, 1)
