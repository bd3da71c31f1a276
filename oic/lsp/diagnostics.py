"""oi's diagnostics as LSP diagnostics: the range in the client's encoding, the severity, the code
with a link to its explanation (the file `oic explain CODE` prints), the hint on a line of its own,
and the spelling fix (``replacement``) in ``data`` for the quick fix (``code_actions``)."""

from __future__ import annotations

import functools
from typing import Any

from lsprotocol import types

from oic.commands.explain import EXPLANATIONS
from oic.diagnostics import ERROR, Diagnostic
from oic.lsp.positions import Lines

SOURCE = "oic"
# "declared but never used": editors grey such names out.
_UNUSED_CODES = frozenset({"W0102", "W0103", "W0106"})


@functools.cache
def explanation_link(code: str) -> types.CodeDescription | None:
    """A link to the file `oic explain CODE` prints (looked up once per code: a file of many
    warnings of one code would otherwise ask the file system for each)."""
    path = EXPLANATIONS / f"{code}.md"
    return types.CodeDescription(href=path.as_uri()) if path.is_file() else None


def to_lsp(diagnostic: Diagnostic, lines: Lines) -> types.Diagnostic:
    message = diagnostic.message
    if diagnostic.hint:
        message += f"\nhint: {diagnostic.hint}"
    data: dict[str, Any] | None = None
    if diagnostic.replacement and diagnostic.replacement_span is not None:
        edit_range = lines.range(diagnostic.replacement_span)
        data = {
            "replacement": diagnostic.replacement,
            "range": {
                "start": {"line": edit_range.start.line, "character": edit_range.start.character},
                "end": {"line": edit_range.end.line, "character": edit_range.end.character},
            },
        }
    return types.Diagnostic(
        range=lines.range(diagnostic.span),
        message=message,
        severity=types.DiagnosticSeverity.Error
        if diagnostic.severity == ERROR
        else types.DiagnosticSeverity.Warning,
        code=diagnostic.code,
        code_description=explanation_link(diagnostic.code),
        source=SOURCE,
        tags=[types.DiagnosticTag.Unnecessary] if diagnostic.code in _UNUSED_CODES else None,
        data=data,
    )


def publishable(diagnostics: list[Diagnostic], lines: Lines) -> list[types.Diagnostic]:
    return [to_lsp(diagnostic, lines) for diagnostic in diagnostics]
