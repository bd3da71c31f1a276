"""``oic fmt``'s library: the one canonical layout of a `.oi` file.

``format_text`` is what the command and editors call: text in, text out, no I/O. It parses the text
first and refuses (``FormatRefused``, with the syntax diagnostics) anything that does not parse
cleanly, since a file with a syntax error has no tree to lay out. The layout rules are in
``docs/fmt.md``; the pieces: ``source_index`` (tokens, brackets and comments by position),
``layout`` (documents and the line-fitting algorithm), ``lists`` (where each comment goes),
``expressions`` and ``printer`` (the layout of each construct).
"""

from __future__ import annotations

from oic.diagnostics import Diagnostic
from oic.fmt.printer import format_module
from oic.fmt.source_index import SourceIndex
from oic.source import SourceFile
from oic.syntax import ast
from oic.syntax.parser import parse

__all__ = ["FormatRefused", "format_text", "format_with_tree"]


class FormatRefused(Exception):
    """The text does not parse: ``diagnostics`` are its syntax diagnostics (at least one)."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{len(diagnostics)} syntax error{'s' if len(diagnostics) != 1 else ''}")
        self.diagnostics = diagnostics


def format_text(text: str, path: str = "<string>") -> str:
    """The canonical layout of ``text``, a whole `.oi` file; ``path`` names it in diagnostics.

    Raises ``FormatRefused`` when the text has syntax errors. Newlines are normalised (``\\r\\n`` and
    ``\\r`` become ``\\n``) and a leading byte-order mark is dropped, as when a file is read."""
    return format_with_tree(text, path)[1]


def format_with_tree(text: str, path: str = "<string>") -> tuple[ast.Module, str]:
    """``format_text``, with the tree parsed from ``text`` (for callers that look at both)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    source = SourceFile(path, text)
    module, diagnostics = parse(source)
    if module is None or diagnostics:
        raise FormatRefused(diagnostics)
    return module, format_module(module, SourceIndex(text))
