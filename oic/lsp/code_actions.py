"""Quick fixes: one for each diagnostic with a spelling hint ("did you mean `trello`?"), replacing
the misspelt text with the suggestion (``Diagnostic.replacement`` at ``replacement_span``)."""

from __future__ import annotations

from lsprotocol import types

from oic.lsp.checking import Checked
from oic.lsp.diagnostics import to_lsp


def _overlaps(a: types.Range, b: types.Range) -> bool:
    start_a, end_a = (a.start.line, a.start.character), (a.end.line, a.end.character)
    start_b, end_b = (b.start.line, b.start.character), (b.end.line, b.end.character)
    return start_a <= end_b and start_b <= end_a


def quick_fixes(checked: Checked, uri: str, wanted: types.Range) -> list[types.CodeAction]:
    actions = []
    for diagnostic in checked.diagnostics:
        if not diagnostic.replacement or diagnostic.replacement_span is None:
            continue
        published = to_lsp(diagnostic, checked.lines)
        if not _overlaps(published.range, wanted):
            continue
        edit = types.TextEdit(
            range=checked.lines.range(diagnostic.replacement_span), new_text=diagnostic.replacement
        )
        actions.append(
            types.CodeAction(
                title=f"Replace with `{diagnostic.replacement}`",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[published],
                is_preferred=True,
                edit=types.WorkspaceEdit(changes={uri: [edit]}),
            )
        )
    return actions
