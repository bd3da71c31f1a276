"""Diagnostics: what the compiler tells the user, collected, sorted and rendered.

Stages append ``Diagnostic`` values to a list instead of raising, so one run reports every problem.
``finalize`` sorts them by position, drops exact duplicates, and drops the cascade that follows a
syntax error (any other diagnostic on or after the line of the first syntax error).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from oic import codes
from oic.records import OrderedRecord, set_field
from oic.source import SourceFile, Span

ERROR = "error"
WARNING = "warning"


class Diagnostic(OrderedRecord):
    """One problem: where (``path``, ``span``), how bad (``severity``), which (``code``), what
    (``message``: facts, lowercase, no trailing period) and what to do (``hint``, may be "").

    A spelling hint ("did you mean `x`?") also comes as an edit: ``replacement`` is the text to put
    at ``replacement_span`` (the misspelt name, or the inside of the misspelt string); "" and None
    when the hint is no such edit. Both follow from the other fields, so they are not compared, and
    the JSON output (``to_json``) leaves them out, as it always has."""

    __slots__ = ("path", "span", "severity", "code", "message", "hint", "replacement", "replacement_span")
    _uncompared = frozenset({"replacement", "replacement_span"})

    path: str
    span: Span
    severity: str
    code: str
    message: str
    hint: str
    replacement: str
    replacement_span: Span | None

    def __init__(
        self,
        path: str,
        span: Span,
        severity: str,
        code: str,
        message: str,
        hint: str = "",
        replacement: str = "",
        replacement_span: Span | None = None,
    ) -> None:
        set_field(self, "path", path)
        set_field(self, "span", span)
        set_field(self, "severity", severity)
        set_field(self, "code", code)
        set_field(self, "message", message)
        set_field(self, "hint", hint)
        set_field(self, "replacement", replacement)
        set_field(self, "replacement_span", replacement_span)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def make(source: SourceFile, span: Span, code: str, message: str, hint: str = "") -> Diagnostic:
    """A diagnostic with the severity registered for ``code`` (and the edit its spelling hint
    suggests, if it has one)."""
    entry = codes.lookup(code)
    if entry is None:
        raise KeyError(f"unregistered diagnostic code {code}")
    replacement, replacement_span = spelling_fix(source, span, hint)
    return Diagnostic(source.path, span, entry.severity, code, message, hint, replacement, replacement_span)


_SPELLING_HINT = re.compile(r"did you mean `([^`\n]+)`\?")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def spelling_fix(source: SourceFile, span: Span, hint: str) -> tuple[str, Span | None]:
    """The edit a "did you mean `x`?" hint stands for: ``x`` in place of the name at ``span``, or of
    the inside of the string literal at ``span`` (a misspelt catalog or task name). Only a span that
    holds exactly one such word (on one line) is replaced, so a hint about a name inside a longer
    span (``lst[string]``) gives no edit rather than a wrong one."""
    if "did you mean" not in hint or span.end_line != span.line:
        return "", None
    match = _SPELLING_HINT.search(hint)
    if match is None:
        return "", None
    text = source.line_text(span.line)[span.column - 1 : span.end_column - 1]
    if _WORD.fullmatch(text):
        return match.group(1), span
    if len(text) >= 2 and text[0] == text[-1] == '"' and _WORD.fullmatch(text[1:-1]):
        return match.group(1), Span(span.line, span.column + 1, span.line, span.end_column - 1)
    return "", None


def is_syntax_code(code: str) -> bool:
    return code.startswith("E00") or code.startswith("E01")


def finalize(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted, de-duplicated, with cascades after the first syntax error of each file suppressed."""
    unique = sorted(set(diagnostics))
    first_syntax_line: dict[str, int] = {}
    for diagnostic in unique:
        if is_syntax_code(diagnostic.code) and diagnostic.path not in first_syntax_line:
            first_syntax_line[diagnostic.path] = diagnostic.span.line
    kept = []
    for diagnostic in unique:
        limit = first_syntax_line.get(diagnostic.path)
        if limit is not None and not is_syntax_code(diagnostic.code) and diagnostic.span.line >= limit:
            continue
        kept.append(diagnostic)
    return kept


def display_path(path: str) -> str:
    """``path`` relative to the working directory when it lies below it."""
    if path in ("<stdin>", "-") or not os.path.isabs(path):
        return path
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


def render_text(diagnostic: Diagnostic, source: SourceFile | None) -> str:
    """``path:line:col: error[CODE]: message``, the source line, a caret line, then ``hint: ...``."""
    span = diagnostic.span
    lines = [
        f"{display_path(diagnostic.path)}:{span.line}:{span.column}: "
        f"{diagnostic.severity}[{diagnostic.code}]: {diagnostic.message}"
    ]
    if source is not None:
        text = source.line_text(span.line)
        if text or span.line == 1:
            shown, caret_start, caret_width = _excerpt(text, span)
            lines.append(f"  | {shown}")
            lines.append("  | " + " " * caret_start + "^" * caret_width)
    if diagnostic.hint:
        lines.append(f"  = hint: {diagnostic.hint}")
    return "\n".join(lines)


def _excerpt(text: str, span: Span, width: int = 160) -> tuple[str, int, int]:
    """The part of a (possibly huge) line to show, with the caret's start and width in it. Control
    characters are shown as spaces so the caret stays aligned and the terminal stays sane."""
    start = span.column - 1
    end = span.end_column - 1 if span.end_line == span.line else len(text)
    end = max(end, start + 1)
    left = max(0, start - width // 2) if len(text) > width else 0
    shown = text[left : left + width]
    shown = "".join(ch if ch.isprintable() or ch == "\t" else " " for ch in shown).replace("\t", " ")
    caret_start = start - left
    caret_width = max(1, min(end - start, len(shown) - caret_start + 1))
    prefix = "..." if left else ""
    return prefix + shown, caret_start + len(prefix), caret_width


# The version of the ``--format json`` object. It changes when a field is removed or changes its
# meaning; fields may be added within a version (``docs/check-json.md``).
JSON_FORMAT_VERSION = 1


def to_json(files: Iterable[str], found: Iterable[Diagnostic]) -> str:
    """The stable machine-readable form of a check of ``files`` (the paths checked, in order) that
    found ``found``: ``{"version", "files", "diagnostics"}``, positions 1-based, described by
    ``docs/schemas/check-output.json``."""
    import json  # only this output needs it

    found = list(found)
    counts: dict[str, list[int]] = {}
    for diagnostic in found:
        count = counts.setdefault(diagnostic.path, [0, 0])
        count[0 if diagnostic.is_error else 1] += 1
    return json.dumps(
        {
            "version": JSON_FORMAT_VERSION,
            "files": [
                {
                    "file": display_path(path),
                    "errors": counts.get(path, [0, 0])[0],
                    "warnings": counts.get(path, [0, 0])[1],
                }
                for path in files
            ],
            "diagnostics": [
                {
                    "file": display_path(d.path),
                    "line": d.span.line,
                    "column": d.span.column,
                    "end_line": d.span.end_line,
                    "end_column": d.span.end_column,
                    "severity": d.severity,
                    "code": d.code,
                    "message": d.message,
                    "hint": d.hint,
                }
                for d in found
            ],
        },
        indent=2,
    )
