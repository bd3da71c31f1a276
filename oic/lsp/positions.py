"""Positions: oi's ``Span`` (1-based lines and columns counting code points) and the LSP's
``Position`` (0-based lines, characters counted in the negotiated encoding: UTF-16 code units
unless the client offered UTF-8 or UTF-32).

A character outside the Basic Multilingual Plane (an emoji) is one code point, two UTF-16 code
units and four UTF-8 bytes; ``é`` is one code point, one UTF-16 unit and two UTF-8 bytes. A client
position that falls inside a character (between the two halves of a surrogate pair) is moved to
the start of that character.
"""

from __future__ import annotations

from lsprotocol import types

from oic.source import Span

UTF16 = "utf-16"
UTF8 = "utf-8"
UTF32 = "utf-32"


def _units(character: str, encoding: str) -> int:
    code = ord(character)
    if encoding == UTF16:
        return 2 if code > 0xFFFF else 1
    if encoding == UTF8:
        return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
    return 1


def to_client_character(line_text: str, column: int, encoding: str) -> int:
    """The client's character offset of 0-based code-point ``column`` in ``line_text`` (a column
    past the end of the line counts the missing characters as one unit each)."""
    if encoding == UTF32 or line_text.isascii():
        return column
    before = line_text[:column]
    if encoding == UTF16:
        counted = len(before.encode("utf-16-le", "surrogatepass")) // 2
    else:
        counted = len(before.encode("utf-8", "surrogatepass"))
    return counted + max(0, column - len(line_text))


def from_client_character(line_text: str, character: int, encoding: str) -> int:
    """The 0-based code-point column of the client's ``character`` offset in ``line_text``."""
    if encoding == UTF32 or line_text.isascii():
        return max(0, character)
    spent = 0
    for index, char in enumerate(line_text):
        width = _units(char, encoding)
        if spent + width > character:
            return index
        spent += width
    return len(line_text) + max(0, character - spent)


class Lines:
    """The lines of a text, to convert positions in it."""

    def __init__(self, text: str, encoding: str = UTF16) -> None:
        self.lines = text.split("\n")
        self.encoding = encoding

    def line(self, number: int) -> str:
        """The 0-based line ``number`` ('' past the end)."""
        return self.lines[number] if 0 <= number < len(self.lines) else ""

    def position(self, line: int, column: int) -> types.Position:
        """The LSP position of 1-based ``line`` and ``column`` (code points)."""
        index = max(0, line - 1)
        return types.Position(
            line=index, character=to_client_character(self.line(index), max(0, column - 1), self.encoding)
        )

    def range(self, span: Span) -> types.Range:
        return types.Range(
            start=self.position(span.line, span.column), end=self.position(span.end_line, span.end_column)
        )

    def point(self, position: types.Position) -> tuple[int, int]:
        """The 1-based line and column (code points) of an LSP position."""
        text = self.line(position.line)
        return position.line + 1, from_client_character(text, position.character, self.encoding) + 1

    def whole(self) -> types.Range:
        """The range of the whole text (for an edit that replaces it)."""
        last = len(self.lines) - 1
        return types.Range(
            start=types.Position(line=0, character=0),
            end=types.Position(
                line=last,
                character=to_client_character(self.lines[last], len(self.lines[last]), self.encoding),
            ),
        )


def contains(span: Span, line: int, column: int) -> bool:
    """Whether 1-based ``line``/``column`` lies in ``span``, its end included (a cursor just after a
    name is on that name)."""
    if (line, column) < (span.line, span.column):
        return False
    return (line, column) <= (span.end_line, span.end_column)
