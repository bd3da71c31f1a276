"""Laying out lists of members with their comments: blocks and bracketed lists.

Every comment of a file gets exactly one place, decided by where it stands between the members of
the innermost list around it:

- on the line of the list's opening bracket, before the first member: after the bracket;
- on the line where a member ends, after it: at the end of that member's line (a trailing comment);
- on its own line before a member: on its own line before that member, at the member's indentation;
- after the last member: on its own line before the closing bracket (inside the block);
- inside a member, where no inner list takes it (``let x = a +  # why`` / ``b``): on its own line
  before the member. When a member holds such a comment, every comment inside it moves there, so that
  comments keep their order.

A block (statements, declarations, pipeline settings) puts each member on its own line and keeps one
blank line where the source had one or more; a bracketed list (arguments, items, fields, parameters)
stays on one line when it fits and holds no comment, else takes one member per line with a trailing
comma; inside an operator chain, a conditional, a comprehension or a header (``unbroken``) it stays on
one line unless it holds a comment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from oic.fmt.layout import HARDLINE, LINE, SOFTLINE, Comment, Doc, Group, IfBreak, Indent, concat, join
from oic.fmt.source_index import Position, SourceIndex

Rendered = tuple[Doc | str, list[int]]  # a member's document and the comments moved before it


class Member(NamedTuple):
    """One member of a list: where it starts and ends, and how to lay it out (which returns the
    document and the comments to put before it)."""

    first: Position
    last: Position
    render: Callable[[], Rendered]


class _Line(NamedTuple):
    """One line item of a block: a comment or a member; ``first``/``last`` are its source lines (0
    when it must have no blank line before it)."""

    first: int
    last: int
    doc: Doc | str


class _Placed(NamedTuple):
    """Where the comments of a list go: ``after_open`` (one comment or None), ``leading[i]`` before
    member ``i``, ``trailing[i]`` at the end of its line, ``dangling`` after the last member."""

    after_open: int | None
    leading: list[list[int]]
    trailing: list[int | None]
    dangling: list[int]


# The ``opened`` of a file's list of declarations: before any position, and no bracket line.
TOP: Position = (0, 0)


class ListPrinter:
    """The comment placement and list layouts shared by the printers of every construct."""

    def __init__(self, index: SourceIndex) -> None:
        self.index = index
        # Above 0 while a member is laid out again without placing its comments (they all move
        # before it): the lists inside it then take none.
        self.suppress = 0
        # Above 0 inside an operator chain, a conditional, a comprehension or a header, where a
        # broken list reads worse than a long line: lists there stay on one line.
        self.unbroken = 0

    def comment(self, k: int) -> Comment:
        return Comment(self.index.comment_texts[k])

    def flat_region(self, first: Position, last: Position, build: Callable[[], Doc | str]) -> Rendered:
        """Lay out the text from ``first`` to ``last`` with ``build``; if a comment inside it found
        no place, lay it out again with every comment inside it moved before it."""
        if self.suppress:
            return build(), []
        doc = build()
        if not self.index.unclaimed_between(first, last):
            return doc, []
        inside = self.index.all_between(first, last)
        self.index.release(inside)
        self.suppress += 1
        try:
            doc = build()
        finally:
            self.suppress -= 1
        self.index.claim(inside)
        return doc, inside

    def _place(self, opened: Position, members: list[Member], closing: Position) -> _Placed:
        """Claim the comments between the members of a list (``opened`` is the end of its opening
        bracket, ``TOP`` for a file; ``closing`` the start of its closing one) and say where each goes."""
        index = self.index
        gaps: list[list[int]] = []  # the comments before each member, then those after the last
        previous_end = opened
        for member in members:
            gaps.append(index.unclaimed_between(previous_end, member.first))
            previous_end = member.last
        gaps.append(index.unclaimed_between(previous_end, closing))
        for gap in gaps:
            index.claim(gap)
        lines = index.comment_starts
        after_open = None
        if opened != TOP and gaps[0] and lines[gaps[0][0]][0] == opened[0]:
            after_open = gaps[0].pop(0)
        trailing: list[int | None] = []
        for member, gap in zip(members, gaps[1:], strict=True):
            trailing.append(gap.pop(0) if gap and lines[gap[0]][0] == member.last[0] else None)
        return _Placed(after_open, gaps[:-1], trailing, gaps[-1])

    def block(
        self, opened: Position, members: list[Member], closing: Position, moved: list[int] | None = None
    ) -> Doc | str:
        """``{`` members one per line ``}`` (``opened`` is the end of the ``{``, ``closing`` the start
        of the ``}``); ``moved`` are comments from before the ``{`` that go first inside it."""
        lines, after_open = self._block_lines(opened, members, closing, moved or [])
        if not lines and after_open is None:
            return "{}"
        head: list[Doc | str] = ["{"]
        if after_open is not None:
            head += ["  ", self.comment(after_open)]
        return concat(*head, Indent(concat(HARDLINE, self._join_lines(lines))), HARDLINE, "}")

    def top_level(self, members: list[Member]) -> Doc | str:
        """The declarations of a file, one per line, with the comments around them."""
        lines, _ = self._block_lines(TOP, members, (1 << 60, 0), [])
        return self._join_lines(lines)

    def _block_lines(
        self, opened: Position, members: list[Member], closing: Position, moved: list[int]
    ) -> tuple[list[_Line], int | None]:
        after_open, leading, trailing, dangling = self._place(opened, members, closing)
        lines = [_Line(0, 0, self.comment(k)) for k in moved]
        if moved and after_open is not None:  # it must stay after the moved ones
            lines.append(_Line(0, 0, self.comment(after_open)))
            after_open = None
        starts = self.index.comment_starts
        for member, before, after in zip(members, leading, trailing, strict=True):
            for k in before:
                line = starts[k][0]
                lines.append(_Line(line, line, self.comment(k)))
            doc, hoisted = member.render()
            parts: list[Doc | str] = []
            for k in hoisted:
                parts += [self.comment(k), HARDLINE]
            parts.append(doc)
            if after is not None:
                parts += ["  ", self.comment(after)]
            lines.append(_Line(member.first[0], member.last[0], concat(*parts)))
        for k in dangling:
            line = starts[k][0]
            lines.append(_Line(line, line, self.comment(k)))
        return lines, after_open

    @staticmethod
    def _join_lines(lines: list[_Line]) -> Doc | str:
        parts: list[Doc | str] = []
        previous: _Line | None = None
        for line in lines:
            if previous is not None:
                parts.append(HARDLINE)
                if previous.last and line.first and line.first - previous.last > 1:
                    parts.append(HARDLINE)
            parts.append(line.doc)
            previous = line
        return concat(*parts)

    def bracketed(
        self, opener: str, opened: Position, members: list[Member], closing: Position, closer: str
    ) -> Doc | str:
        """``opener`` members ``closer``: on one line (``f(a, b)``) when it fits and holds no
        comment, else one member per line, each followed by a comma. Where lists do not break
        (``unbroken``), it is on one line unless it holds a comment."""
        if self.suppress:
            docs = [member.render()[0] for member in members]
            if self.unbroken:
                return concat(opener, join(", ", docs), closer)
            inner: list[Doc | str] = []
            for doc in docs:
                inner += [LINE if inner else SOFTLINE, doc, ","]
            if inner:
                inner[-1] = IfBreak(",")
            return Group(concat(opener, Indent(concat(*inner)), SOFTLINE, closer))
        after_open, leading, trailing, dangling = self._place(opened, members, closing)
        if not members and after_open is None and not dangling:
            return opener + closer
        inside: list[Doc | str] = []
        docs = []
        for position, (member, before, after) in enumerate(zip(members, leading, trailing, strict=True)):
            inside.append(SOFTLINE if position == 0 else LINE)
            for k in before:
                inside += [self.comment(k), HARDLINE]
            doc, hoisted = member.render()
            docs.append(doc)
            for k in hoisted:
                inside += [self.comment(k), HARDLINE]
            inside += [doc, "," if position < len(members) - 1 else IfBreak(",")]
            if after is not None:
                inside += ["  ", self.comment(after)]
        for k in dangling:
            inside += [HARDLINE, self.comment(k)]
        head: list[Doc | str] = [opener]
        if after_open is not None:
            head += ["  ", self.comment(after_open)]
        body = Indent(concat(*inside))
        if self.unbroken and not body.hard:  # no comment inside: one line, however long
            return concat(opener, join(", ", docs), closer)
        return Group(concat(*head, body, SOFTLINE, closer))
