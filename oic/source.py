"""Source files and spans.

A ``Span`` is the one position type of the compiler: 1-based lines and columns, the end exclusive
(``end_column`` is the column just after the last character). Every AST node and every diagnostic
carries one. Columns count code points of the decoded text, so a tab or a non-ASCII character is one
column, as editors using the LSP "utf-32" position encoding expect.
"""

from __future__ import annotations

from oic.records import OrderedRecord, Record, set_field


class Span(OrderedRecord):
    """A region of one source file: ``line``/``column`` of its first character, ``end_line``/``end_column``
    just after its last one (all 1-based)."""

    __slots__ = ("line", "column", "end_line", "end_column")

    line: int
    column: int
    end_line: int
    end_column: int

    def __init__(self, line: int, column: int, end_line: int, end_column: int) -> None:
        # The slots' own setters: a span is made for every token and node, and these are more than
        # twice as fast as ``object.__setattr__``.
        _set_line(self, line)
        _set_column(self, column)
        _set_end_line(self, end_line)
        _set_end_column(self, end_column)

    @staticmethod
    def point(line: int, column: int) -> Span:
        """An empty span at one position (for "expected ... here")."""
        return Span(line, column, line, column)

    def to(self, other: Span) -> Span:
        """The span from the start of this one to the end of ``other``."""
        return Span(self.line, self.column, other.end_line, other.end_column)


_set_line = Span.__dict__["line"].__set__
_set_column = Span.__dict__["column"].__set__
_set_end_line = Span.__dict__["end_line"].__set__
_set_end_column = Span.__dict__["end_column"].__set__


class SourceFile(Record):
    """A decoded source file: ``path`` as given by the user (for messages), ``text`` with newlines
    normalised to ``\\n`` and a leading byte-order mark removed."""

    # ``__dict__`` holds the split lines once they are asked for (not a field).
    __slots__ = ("path", "text", "__dict__")

    path: str
    text: str

    def __init__(self, path: str, text: str) -> None:
        set_field(self, "path", path)
        set_field(self, "text", text)

    def line_text(self, line: int) -> str:
        """The text of a 1-based line without its newline ('' past the end)."""
        lines = self._lines()
        return lines[line - 1] if 1 <= line <= len(lines) else ""

    def _lines(self) -> list[str]:
        cached = self.__dict__.get("_lines_cache")
        if cached is None:
            cached = self.text.split("\n")
            object.__setattr__(self, "_lines_cache", cached)
        return cached
