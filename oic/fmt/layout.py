"""The layout engine of ``oic fmt``: documents of text and line breaks, laid out within a width.

A document says what may break, not where it breaks (Wadler's "prettier printer", as Prettier and
Black use it): ``Group`` marks a part that is printed on one line when it fits and with every one of
its own ``LINE``s broken otherwise; ``Indent`` indents the lines broken inside it; ``IfBreak`` is text
that only appears when its group is broken (the trailing comma of a list laid out one item per line).
``HARDLINE`` always breaks and breaks every group around it; so does a ``Comment``, which ends its
line and counts for nothing when a group measures whether it fits.

Building a document records, bottom up, whether it holds a hard break (``hard``), and laying it out is
a loop over an explicit stack: a file of any size or nesting never touches Python's stack here.
"""

from __future__ import annotations

from collections.abc import Iterable

WIDTH = 100
INDENT = 2

_FLAT, _BREAK = 0, 1


class Doc:
    """Base of the document nodes; ``hard`` when the node holds a break that cannot be undone."""

    __slots__ = ("hard",)

    hard: bool


class Concat(Doc):
    """Parts laid out one after the other (a ``str`` part is literal text without line breaks)."""

    __slots__ = ("parts",)

    def __init__(self, parts: list[Doc | str]) -> None:
        self.parts = parts
        self.hard = any(type(part) is not str and part.hard for part in parts)  # type: ignore[union-attr]


class Group(Doc):
    """``content`` on one line if it fits (and holds no hard break), else with its lines broken."""

    __slots__ = ("content",)

    def __init__(self, content: Doc | str) -> None:
        self.content = content
        self.hard = type(content) is not str and content.hard  # type: ignore[union-attr]


class Indent(Doc):
    """``content`` with the lines broken inside it indented one more level."""

    __slots__ = ("content",)

    def __init__(self, content: Doc | str) -> None:
        self.content = content
        self.hard = type(content) is not str and content.hard  # type: ignore[union-attr]


class Line(Doc):
    """A possible line break: ``flat`` is the text printed instead when the group stays on one line."""

    __slots__ = ("flat",)

    def __init__(self, flat: str, hard: bool = False) -> None:
        self.flat = flat
        self.hard = hard


class IfBreak(Doc):
    """``broken`` when the enclosing group is broken, else ``flat``."""

    __slots__ = ("broken", "flat")

    def __init__(self, broken: str, flat: str = "") -> None:
        self.broken = broken
        self.flat = flat
        self.hard = False


class Comment(Doc):
    """A comment that ends its line: it forces the line break after it, and it is never the reason
    a group does not fit (a long comment must not reshape the code before it)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text
        self.hard = True


LINE = Line(" ")
SOFTLINE = Line("")
HARDLINE = Line("", hard=True)


def concat(*parts: Doc | str) -> Concat:
    return Concat(list(parts))


def join(separator: Doc | str, items: Iterable[Doc | str]) -> Concat:
    parts: list[Doc | str] = []
    for item in items:
        if parts:
            parts.append(separator)
        parts.append(item)
    return Concat(parts)


def render(document: Doc | str, width: int = WIDTH) -> str:
    """The text of ``document`` laid out within ``width`` columns, without trailing spaces."""
    out: list[str] = []
    column = 0
    pending: int | None = 0  # the indentation owed to the current line before its first text
    stack: list[tuple[int, int, Doc | str]] = [(0, _BREAK, document)]
    while stack:
        indent, mode, doc = stack.pop()
        kind = type(doc)
        if kind is str:
            if doc:
                if pending is not None:
                    out.append(" " * pending)
                    column = pending
                    pending = None
                out.append(doc)  # type: ignore[arg-type]
                column += len(doc)  # type: ignore[arg-type]
        elif kind is Concat:
            stack.extend((indent, mode, part) for part in reversed(doc.parts))  # type: ignore[union-attr]
        elif kind is Indent:
            stack.append((indent + INDENT, mode, doc.content))  # type: ignore[union-attr]
        elif kind is Group:
            if mode == _FLAT:
                stack.append((indent, _FLAT, doc.content))  # type: ignore[union-attr]
            elif doc.hard:  # type: ignore[union-attr]
                stack.append((indent, _BREAK, doc.content))  # type: ignore[union-attr]
            else:
                start = column if pending is None else pending
                fits = _fits(doc.content, stack, width - start)  # type: ignore[union-attr]
                stack.append((indent, _FLAT if fits else _BREAK, doc.content))  # type: ignore[union-attr]
        elif kind is Line:
            if mode == _FLAT and not doc.hard:  # type: ignore[union-attr]
                stack.append((indent, mode, doc.flat))  # type: ignore[union-attr]
            else:
                out.append("\n")
                pending = indent
                column = indent
        elif kind is IfBreak:
            stack.append((indent, mode, doc.broken if mode == _BREAK else doc.flat))  # type: ignore[union-attr]
        elif kind is Comment:
            stack.append((indent, mode, doc.text))  # type: ignore[union-attr]
    return "".join(out)


def _fits(content: Doc | str, rest: list[tuple[int, int, Doc | str]], width: int) -> bool:
    """Whether ``content``, flat, and what follows it up to the next line break fit in ``width``."""
    pending: list[tuple[int, Doc | str]] = [(_FLAT, content)]
    rest_index = len(rest)
    while width >= 0:
        if not pending:
            if rest_index == 0:
                return True
            rest_index -= 1
            _indent, rest_mode, rest_doc = rest[rest_index]
            pending.append((rest_mode, rest_doc))
            continue
        mode, doc = pending.pop()
        kind = type(doc)
        if kind is str:
            width -= len(doc)  # type: ignore[arg-type]
        elif kind is Concat:
            pending.extend((mode, part) for part in reversed(doc.parts))  # type: ignore[union-attr]
        elif kind is Indent:
            pending.append((mode, doc.content))  # type: ignore[union-attr]
        elif kind is Group:
            pending.append((_BREAK if doc.hard else mode, doc.content))  # type: ignore[union-attr]
        elif kind is Line:
            if mode == _BREAK or doc.hard:  # type: ignore[union-attr]
                return True
            width -= len(doc.flat)  # type: ignore[union-attr]
        elif kind is IfBreak:
            width -= len(doc.broken if mode == _BREAK else doc.flat)  # type: ignore[union-attr]
    return False
