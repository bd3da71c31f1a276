"""Quick fixes over a real stdio connection: each did-you-mean hint replaces the misspelt text."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from tests.lsp.client import RecordingClient, apply_edits, lsp_marks, open_document
from tests.lsp.pipeline import PIPELINE

pytestmark = lsp_marks()


@pytest.mark.parametrize(
    ("right", "wrong", "code"),
    [
        ("Board: board", "Bord: board", "E0302"),  # an argument field
        ("Base_URL: url)", "Base_URL: ulr)", "E0201"),  # a name
        ("trello.getcards", "trello.getcard", "E0203"),  # an endpoint of a built-in service
        ('catalog "exec"', 'catalog "exce"', "E0318"),  # a catalog name, inside its quotes
        ("board: string", "board: strng", "E0213"),  # a type
        ("archive(c)", "archiv(c)", "E0208"),  # a builder
        ('on task("hello")', 'on task("helo")', "E0401"),  # a task name
    ],
)
async def test_a_quick_fix_replaces_the_misspelt_text(
    client: RecordingClient, tmp_path: Path, right: str, wrong: str, code: str
) -> None:
    text = PIPELINE.replace(right, wrong, 1)
    uri = (tmp_path / "fix.oi").as_uri()
    found = await open_document(client, uri, text)
    [diagnostic] = [d for d in found if d.code == code]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    assert actions is not None
    [action] = actions
    assert isinstance(action, types.CodeAction)
    assert action.kind == types.CodeActionKind.QuickFix
    assert action.edit is not None and action.edit.changes is not None
    fixed = apply_edits(text, list(action.edit.changes[uri]))
    assert fixed == PIPELINE
    assert [d.code for d in action.diagnostics or []] == [code]


async def test_no_quick_fix_without_a_spelling_hint(client: RecordingClient, tmp_path: Path) -> None:
    text = PIPELINE.replace('param board: string = "b1"', "param board: string = 3")
    uri = (tmp_path / "nofix.oi").as_uri()
    found = await open_document(client, uri, text)
    [diagnostic] = [d for d in found if d.code == "E0310"]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    assert not actions
