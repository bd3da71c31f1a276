"""What the formatter needs from the source text beyond the AST: tokens, brackets and comments.

The AST keeps spans but not punctuation: where a block's ``{`` is, whether a value was written in
parentheses, what a number looked like. This index answers those questions from the tokens
(``oic.syntax.lexer.scan``), by position. Positions are ``(line, column)`` pairs, 1-based as in
``Span``, and compare in text order.

It also holds the comments and which of them the printer has placed (``claimed``), so that a comment
is printed exactly once whatever construct it sits in.
"""

from __future__ import annotations

from bisect import bisect_left

from oic.source import Span
from oic.syntax.lexer import Token, scan

Position = tuple[int, int]

_OPENERS = {"LPAR": "RPAR", "LSQB": "RSQB", "LBRACE": "RBRACE"}


def start(span: Span) -> Position:
    return (span.line, span.column)


def end(span: Span) -> Position:
    return (span.end_line, span.end_column)


class SourceIndex:
    """The tokens and comments of one text that parsed cleanly.

    ``tokens`` in order, ``partner[i]`` the index of the bracket matching bracket ``i``;
    ``comments`` in order with their text stripped of trailing blanks, ``claimed[k]`` once comment
    ``k`` has a place in the output."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens, comment_tokens = scan(text)
        self.starts: list[Position] = [(token.line, token.column) for token in self.tokens]
        self._by_start = {position: index for index, position in enumerate(self.starts)}
        self._by_end = {(token.end_line, token.end_column): index for index, token in enumerate(self.tokens)}
        self.partner: dict[int, int] = {}
        open_brackets: list[int] = []
        for index, token in enumerate(self.tokens):
            if token.type in _OPENERS:
                open_brackets.append(index)
            elif token.type in ("RPAR", "RSQB", "RBRACE") and open_brackets:
                opener = open_brackets.pop()
                self.partner[opener] = index
                self.partner[index] = opener
        self.comments: list[Token] = comment_tokens
        self.comment_texts = [comment.value.rstrip() for comment in comment_tokens]
        self.comment_starts: list[Position] = [(comment.line, comment.column) for comment in comment_tokens]
        self.claimed = [False] * len(comment_tokens)
        self._line_starts = [0]
        newline = text.find("\n")
        while newline >= 0:
            self._line_starts.append(newline + 1)
            newline = text.find("\n", newline + 1)

    # -- tokens ---------------------------------------------------------------------------------

    def token_index_at(self, position: Position) -> int:
        """The index of the token that starts at ``position``."""
        return self._by_start[position]

    def token_index_ending_at(self, position: Position) -> int:
        """The index of the token that ends at ``position``."""
        return self._by_end[position]

    def token_index_after(self, position: Position) -> int:
        """The index of the first token that starts at or after ``position``."""
        return bisect_left(self.starts, position)

    def token_start(self, index: int) -> Position:
        return self.starts[index]

    def token_end(self, index: int) -> Position:
        token = self.tokens[index]
        return (token.end_line, token.end_column)

    def slice(self, first: Position, last: Position) -> str:
        """The source text from ``first`` up to ``last`` (exclusive)."""
        return self.text[self._offset(first) : self._offset(last)]

    def _offset(self, position: Position) -> int:
        return self._line_starts[position[0] - 1] + position[1] - 1

    def parentheses(self, span: Span) -> tuple[int, int, int]:
        """How many pairs of parentheses enclose the whole of ``span`` (``((x))``: two), and the
        indexes of the first and last tokens inside them."""
        first = self._by_start[start(span)]
        last = self._by_end[end(span)]
        layers = 0
        while self.tokens[first].type == "LPAR" and self.partner.get(first) == last:
            layers += 1
            first += 1
            last -= 1
        return layers, first, last

    # -- comments -------------------------------------------------------------------------------

    def unclaimed_between(self, first: Position, last: Position) -> list[int]:
        """The indexes of the comments not yet placed that start after ``first`` and before
        ``last``, in order."""
        low = bisect_left(self.comment_starts, first)
        high = bisect_left(self.comment_starts, last)
        return [k for k in range(low, high) if not self.claimed[k]]

    def claim(self, indexes: list[int]) -> None:
        for k in indexes:
            self.claimed[k] = True

    def all_between(self, first: Position, last: Position) -> list[int]:
        """The indexes of every comment that starts after ``first`` and before ``last``."""
        return list(range(bisect_left(self.comment_starts, first), bisect_left(self.comment_starts, last)))

    def release(self, indexes: list[int]) -> None:
        for k in indexes:
            self.claimed[k] = False
