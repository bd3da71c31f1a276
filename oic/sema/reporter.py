"""Collects the diagnostics of one file's semantic analysis."""

from __future__ import annotations

from oic import diagnostics
from oic.diagnostics import Diagnostic
from oic.source import SourceFile, Span


class Reporter:
    """Appends diagnostics for ``source``; the severity comes from the code registry."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.diagnostics: list[Diagnostic] = []

    def report(self, span: Span, code: str, message: str, hint: str = "") -> None:
        self.diagnostics.append(diagnostics.make(self.source, span, code, message, hint))

    def has_errors(self) -> bool:
        return any(diagnostic.is_error for diagnostic in self.diagnostics)
