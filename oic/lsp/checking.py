"""One check of an editor's text: the front end run on the text in memory (it may not be saved),
with relative paths (path services, schema directories) resolved against the document's directory,
as `oic check FILE` resolves them."""

from __future__ import annotations

import os

from oic.diagnostics import Diagnostic
from oic.frontend import check_file
from oic.lsp.positions import UTF16, Lines
from oic.sema import Analysis
from oic.syntax.incremental import ParseCache
from oic.syntax.reader import decode_source


class Checked:
    """The result of checking ``version`` of a document's ``text``: its diagnostics, and what the
    checker learned (``analysis``; its ``module`` is None when the text did not parse)."""

    def __init__(
        self, version: int, text: str, diagnostics: list[Diagnostic], analysis: Analysis, encoding: str
    ) -> None:
        self.version = version
        self.text = text
        self.lines = Lines(text, encoding)
        self.diagnostics = diagnostics
        self.analysis = analysis

    @property
    def parsed(self) -> bool:
        return self.analysis.module is not None


def check_text(
    path: str, text: str, version: int, encoding: str = UTF16, parse_cache: ParseCache | None = None
) -> Checked:
    """Check ``text`` as the file ``path`` (a real path, or "" for a document with none).
    ``parse_cache``, the document's own, reparses only the declarations an edit touched."""
    analysis = Analysis()
    shown = path or "<untitled>"
    # Through the same decoding as a file read from disk: the size limit and the NUL check apply
    # to an editor's text too. (A lone surrogate cannot be UTF-8: decoding reports it.)
    decoded = decode_source(shown, text.encode("utf-8", "surrogatepass"))
    if isinstance(decoded, Diagnostic):
        return Checked(version, text, [decoded], analysis, encoding)
    base = os.path.dirname(path) if path else os.getcwd()
    result = check_file(decoded, base_directory=base, parse_cache=parse_cache, analysis=analysis)
    return Checked(version, text, result.diagnostics, analysis, encoding)
