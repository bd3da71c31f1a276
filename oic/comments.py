"""The comments of a source text, found with the lexer so that a ``#`` inside a string is not one.

The lexer skips comments; what it yields are tokens, and a comment can only lie in the text between
two tokens (or before the first, or after the last). Strings, interpolations included (``"a
${x + "#"} b"``), are tokens, so their ``#`` characters are never in that text. Scanning the gaps is
therefore exactly as right as the lexer, with no second string scanner to keep in step with it.

Only a file that lexes cleanly is scanned to its end: after a lexical error the rest of the text is
not reliable, and the comments found before it are returned.
"""

from __future__ import annotations

from oic.records import Record, set_field
from oic.source import Span
from oic.syntax.lexer import Lexer, Token


class Comment(Record):
    """One ``#`` comment: ``span`` (from the ``#`` to the end of its line), ``text`` (from the ``#``
    on, without the newline), ``own_line`` (nothing but spaces before it on its line) and ``leading``
    (it comes before the first token of the file: the file's header)."""

    __slots__ = ("span", "text", "own_line", "leading")

    span: Span
    text: str
    own_line: bool
    leading: bool

    def __init__(self, span: Span, text: str, own_line: bool, leading: bool) -> None:
        set_field(self, "span", span)
        set_field(self, "text", text)
        set_field(self, "own_line", own_line)
        set_field(self, "leading", leading)


def comments(text: str) -> list[Comment]:
    """Every comment of ``text``, in order."""
    stretches: list[tuple[int, int, bool]] = []  # (start, end, before the first token)
    gap_start = 0
    for item in Lexer(text).tokens():
        if not isinstance(item, Token):
            break  # a lexical error: the text after it is not reliably code or string
        stretches.append((gap_start, item.start_pos, not stretches))
        gap_start = item.end_pos
    else:
        stretches.append((gap_start, len(text), not stretches))
    found: list[Comment] = []
    # Lines are counted on from the previous comment, so that a file of many comments costs one pass.
    line, line_start, counted_to = 1, 0, 0
    for start, end, leading in stretches:
        position = text.find("#", start, end)
        while position != -1:
            newlines = text.count("\n", counted_to, position)
            if newlines:
                line += newlines
                line_start = text.rfind("\n", counted_to, position) + 1
            line_end = text.find("\n", position, end)
            if line_end == -1:
                line_end = end
            column = position - line_start + 1
            span = Span(line, column, line, column + line_end - position)
            own_line = not text[line_start:position].strip()
            found.append(Comment(span, text[position:line_end], own_line, leading))
            counted_to = position
            position = text.find("#", line_end, end)
    return found
