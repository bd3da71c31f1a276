"""Formatting over a real stdio connection: the whole document through oi's formatter (oic.fmt),
as one edit; text that does not parse is left alone, and the editor is told why."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from oic.fmt import format_text
from tests.lsp.client import RecordingClient, apply_edits, lsp_marks, open_document
from tests.lsp.pipeline import PIPELINE

pytestmark = lsp_marks()
MESSY = PIPELINE.replace(
    'param board: string = "b1"', 'param   board :string="b1"   # the board é🎉'
).replace(
    '  task "hello" = sh.command(Args: ["echo", board])',
    '      task "hello"=sh.command( Args:["echo",board] )',
)


async def formatted(client: RecordingClient, uri: str) -> list[types.TextEdit]:
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            options=types.FormattingOptions(tab_size=2, insert_spaces=True),
        )
    )
    return list(edits or [])


async def test_formatting_gives_the_formatters_layout(client: RecordingClient, tmp_path: Path) -> None:
    uri = (tmp_path / "messy.oi").as_uri()
    await open_document(client, uri, MESSY)
    edits = await formatted(client, uri)
    assert len(edits) == 1
    result = apply_edits(MESSY, edits)
    assert result == format_text(MESSY)
    assert 'param board: string = "b1"  # the board é🎉' in result
    assert '  task "hello" = sh.command(Args: ["echo", board])' in result


async def test_formatted_text_needs_no_edit(client: RecordingClient, tmp_path: Path) -> None:
    uri = (tmp_path / "tidy.oi").as_uri()
    await open_document(client, uri, PIPELINE)
    assert await formatted(client, uri) == []


async def test_text_that_does_not_parse_is_left_alone_with_a_reason(
    client: RecordingClient, tmp_path: Path
) -> None:
    uri = (tmp_path / "broken.oi").as_uri()
    broken = MESSY.replace("let cards = tasks", "let cards = = tasks")
    line = broken.split("\n").index('  let cards = = tasks["fetch"].output') + 1
    await open_document(client, uri, broken)
    shown_before = len(client.shown)
    assert await formatted(client, uri) == []
    [message] = client.shown[shown_before:]
    assert message.type == types.MessageType.Warning
    assert message.message == f"not formatted: the file does not parse (line {line}: unexpected `=`)"
