"""Parsing the next version of a file again, reusing the declarations an edit did not touch.

An editor asks for a check after every keystroke, and on a long file the parse is most of the check's
time (about 8 microseconds a token). An edit touches one top-level declaration; the others are the same
text on the same lines as in the version before. ``ParseCache`` splits the text where a line begins,
in its first column, with a declaration keyword (``on``, ``param``, ``service``, ...), parses each part
on its own, with as many newlines before it as lines above it (so that every span is the one a parse of
the whole file gives), and keeps the parts' declarations for the next version.

The result is the one ``parse`` gives, or the cache is not used: a part that does not parse cleanly
(a split inside a multi-line string or expression leaves an unclosed part; a syntax error anywhere)
sends the whole text through ``parse``, so that diagnostics, recovery and limits are exactly the
whole file's. ``tests/syntax/test_incremental.py`` compares the two, spans included, on every file of
the repository, generated programs, mutated texts and sequences of edits.
"""

from __future__ import annotations

import re

from oic.diagnostics import Diagnostic
from oic.source import SourceFile, Span
from oic.syntax import ast
from oic.syntax.lexer import DECLARATION_KEYWORDS
from oic.syntax.parser import parse

# A line that may begin a declaration: a declaration keyword in the first column, then anything that
# cannot continue the word.
_DECLARATION_START = re.compile(
    r"^(?:" + "|".join(sorted(DECLARATION_KEYWORDS)) + r")(?![A-Za-z0-9_])", re.MULTILINE
)

# Below this many parts, splitting saves nothing worth keeping.
MIN_PARTS = 4

# A part's key: the line it starts on and its text. Its value: the declarations it holds.
_PartKey = tuple[int, str]


class ParseCache:
    """The parses of one document's parts, from its last version (not thread-safe: one per
    document, used by one check at a time)."""

    def __init__(self) -> None:
        self._parts: dict[_PartKey, tuple[ast.Declaration, ...]] = {}
        self.reused = 0  # parts taken from the cache by the last parse (for tests and benchmarks)

    def parse(self, source: SourceFile) -> tuple[ast.Module | None, list[Diagnostic]]:
        """What ``parse(source)`` returns."""
        parts = _parts(source.text)
        self.reused = 0
        if len(parts) < MIN_PARTS:
            self._parts = {}
            return parse(source)
        kept: dict[_PartKey, tuple[ast.Declaration, ...]] = {}
        declarations: list[ast.Declaration] = []
        for key in parts:
            found = self._parts.get(key)
            if found is None:
                found = _parse_part(source.path, *key)
                if found is None:  # not a clean parse on its own: the whole file decides
                    self._parts = {}
                    return parse(source)
            else:
                self.reused += 1
            kept[key] = found
            declarations.extend(found)
        self._parts = kept
        return ast.Module(_module_span(source.text), tuple(declarations)), []


def _parts(text: str) -> list[_PartKey]:
    """The text cut before each line that may begin a declaration, each part with its first line."""
    starts = [match.start() for match in _DECLARATION_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    starts.append(len(text))
    parts: list[_PartKey] = []
    line = 1
    for begin, end in zip(starts, starts[1:], strict=False):
        part = text[begin:end]
        parts.append((line, part))
        line += part.count("\n")
    return parts


def _parse_part(path: str, first_line: int, text: str) -> tuple[ast.Declaration, ...] | None:
    """The declarations of one part, parsed with its lines where they are in the file; None when it
    does not parse cleanly on its own."""
    module, found = parse(SourceFile(path, "\n" * (first_line - 1) + text))
    if module is None or found:
        return None
    return module.declarations


def _module_span(text: str) -> Span:
    """The span ``parse`` gives a whole module: from the start to the end of the text."""
    line = text.count("\n") + 1
    column = len(text) - (text.rfind("\n") + 1) + 1
    return Span(1, 1, line, column)
