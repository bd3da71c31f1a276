"""Source files and spans.

A ``Span`` is the one position type of the compiler: 1-based lines and columns, the end exclusive
(``end_column`` is the column just after the last character). Every AST node and every diagnostic
carries one. Columns count code points of the decoded text, so a tab or a non-ASCII character is one
column, as editors using the LSP "utf-32" position encoding expect.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Span:
    """A region of one source file: ``line``/``column`` of its first character, ``end_line``/``end_column``
    just after its last one (all 1-based)."""

    line: int
    column: int
    end_line: int
    end_column: int

    @staticmethod
    def point(line: int, column: int) -> Span:
        """An empty span at one position (for "expected ... here")."""
        return Span(line, column, line, column)

    def to(self, other: Span) -> Span:
        """The span from the start of this one to the end of ``other``."""
        return Span(self.line, self.column, other.end_line, other.end_column)


@dataclass(frozen=True)
class SourceFile:
    """A decoded source file: ``path`` as given by the user (for messages), ``text`` with newlines
    normalised to ``\\n`` and a leading byte-order mark removed."""

    path: str
    text: str

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
