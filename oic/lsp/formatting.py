"""Formatting: the whole document through ``oic.fmt.format_text`` (oi's formatter), as one edit.

The formatter is imported when first asked for, so that the server starts without it. Text that
does not parse is not formatted (``FormatRefused``): the answer is no edit, and a message says why.
"""

from __future__ import annotations

from lsprotocol import types

from oic.lsp.positions import Lines


class FormattingUnavailable(Exception):
    """Why the document was not formatted (shown to the user)."""


def format_document(text: str, path: str, lines: Lines) -> list[types.TextEdit]:
    try:
        from oic import fmt
    except ImportError as error:
        raise FormattingUnavailable("this oic has no formatter (oic.fmt)") from error
    try:
        formatted = fmt.format_text(text, path or "<untitled>")
    except fmt.FormatRefused as refused:
        first = refused.diagnostics[0] if refused.diagnostics else None
        where = f" (line {first.span.line}: {first.message})" if first is not None else ""
        raise FormattingUnavailable(f"not formatted: the file does not parse{where}") from refused
    if formatted == text:
        return []
    return [types.TextEdit(range=lines.whole(), new_text=formatted)]
