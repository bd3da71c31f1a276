"""Go to definition, find references, document symbols and rename over a real stdio connection."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tests.lsp.client import RecordingClient, apply_edits, lsp_marks, open_document, position_of, text_at
from tests.lsp.pipeline import PIPELINE

pytestmark = lsp_marks()


async def opened(client: RecordingClient, tmp_path: Path, text: str = PIPELINE) -> str:
    uri = (tmp_path / "navigation.oi").as_uri()
    await open_document(client, uri, text)
    return uri


def document(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


async def definition_lines(
    client: RecordingClient, uri: str, position: types.Position
) -> list[tuple[int, str]]:
    result = await client.text_document_definition_async(
        types.DefinitionParams(text_document=document(uri), position=position)
    )
    assert isinstance(result, list)
    return [(location.range.start.line, text_at(PIPELINE, location.range)) for location in result]


def line_of(needle: str) -> int:
    return PIPELINE[: PIPELINE.index(needle)].count("\n")


@pytest.mark.parametrize(
    ("use", "offset", "declaration"),
    [
        ("Board: board", 8, "param board"),
        ("trello.getcards", 1, "service trello"),
        ('fetched("fetch") {', 2, "condition fetched"),
        ("archive(c)", 1, "builder archive"),
        ("in cards", 4, "let cards"),
        ("archive(c)", 8, "for c in"),
        ("card.id}", 1, "archive(card"),
        ('task("hello")', 6, 'task "hello"'),
        ('tasks["fetch"]', 8, 'task "fetch"'),
    ],
)
async def test_definition(
    client: RecordingClient, tmp_path: Path, use: str, offset: int, declaration: str
) -> None:
    uri = await opened(client, tmp_path)
    found = await definition_lines(client, uri, position_of(PIPELINE, use, offset))
    assert len(found) == 1
    line, name = found[0]
    assert line == line_of(declaration)
    assert name in declaration and name in use


async def test_references_of_a_param_include_every_use(client: RecordingClient, tmp_path: Path) -> None:
    uri = await opened(client, tmp_path)
    result = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=document(uri),
            position=position_of(PIPELINE, "param url", 7),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert result is not None
    assert {text_at(PIPELINE, location.range) for location in result} == {"url"}
    assert len(result) == 3  # the declaration and two calls
    without = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=document(uri),
            position=position_of(PIPELINE, "param url", 7),
            context=types.ReferenceContext(include_declaration=False),
        )
    )
    assert without is not None and len(without) == 2


async def test_references_of_a_task_name(client: RecordingClient, tmp_path: Path) -> None:
    uri = await opened(client, tmp_path)
    result = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=document(uri),
            position=position_of(PIPELINE, 'task "fetch"', 7),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert result is not None
    lines = sorted(location.range.start.line for location in result)
    assert lines == [line_of('task "fetch"'), line_of('on fetched("fetch")'), line_of('tasks["fetch"]')]


async def test_document_symbols_outline_the_file(client: RecordingClient, tmp_path: Path) -> None:
    uri = await opened(client, tmp_path)
    result = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=document(uri))
    )
    assert result is not None
    names = [symbol.name for symbol in result]
    assert names == [
        "pipeline lsp",
        "board",
        "token",
        "url",
        "trello",
        "sh",
        "fetched",
        "archive",
        "on engine.started",
        'on fetched("fetch")',
        'on task("hello").finished(success)',
    ]
    started = result[8]
    assert isinstance(started, types.DocumentSymbol)
    assert [child.name for child in started.children or []] == ["task fetch", "task hello"]
    assert (started.children or [])[0].detail == "trello.getcards"


async def rename(client: RecordingClient, uri: str, position: types.Position, new_name: str) -> str:
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=document(uri), position=position, new_name=new_name)
    )
    assert edit is not None and edit.changes is not None
    return apply_edits(PIPELINE, list(edit.changes[uri]))


async def test_rename_a_param_everywhere(client: RecordingClient, tmp_path: Path) -> None:
    uri = await opened(client, tmp_path)
    renamed = await rename(client, uri, position_of(PIPELINE, "Board: board", 8), "board_id")
    assert renamed == PIPELINE.replace("param board:", "param board_id:").replace(
        "Board: board", "Board: board_id"
    ).replace('"echo", board', '"echo", board_id')
    # the renamed file is still clean
    assert await open_document(client, (tmp_path / "renamed.oi").as_uri(), renamed) == []


async def test_rename_a_condition_and_a_builder(client: RecordingClient, tmp_path: Path) -> None:
    uri = await opened(client, tmp_path)
    renamed = await rename(client, uri, position_of(PIPELINE, "condition fetched", 11), "loaded")
    assert renamed == PIPELINE.replace("fetched(", "loaded(")
    renamed = await rename(client, uri, position_of(PIPELINE, "archive(c)", 0), "retire")
    assert renamed == PIPELINE.replace("builder archive(", "builder retire(").replace(
        "archive(c)", "retire(c)"
    )


@pytest.mark.parametrize(
    ("where", "new_name", "reason"),
    [
        ("param board", "2board", "is not a name"),
        ("param board", "board-id", "is not a name"),
        ("param board", "task", "keyword"),
        ("param board", "url", "already declared (the param on line 5)"),
        ("param board", "cards", "already declared (the let on line"),
        ("builder archive", "fetched", "already declared (the condition on line 10)"),
        ("let cards", "stuff", "only a param, a condition or a builder can be renamed"),
    ],
)
async def test_rename_refuses_with_a_reason(
    client: RecordingClient, tmp_path: Path, where: str, new_name: str, reason: str
) -> None:
    uri = await opened(client, tmp_path)
    position = position_of(PIPELINE, where, len(where) - 2)
    with pytest.raises(JsonRpcException) as refused:
        await client.text_document_rename_async(
            types.RenameParams(text_document=document(uri), position=position, new_name=new_name)
        )
    assert reason in str(refused.value)


async def test_a_refused_request_is_one_line_without_a_traceback(
    client: RecordingClient, tmp_path: Path
) -> None:
    uri = await opened(client, tmp_path)
    with pytest.raises(JsonRpcException) as refused:
        await client.text_document_rename_async(
            types.RenameParams(
                text_document=document(uri), position=position_of(PIPELINE, "param board", 7), new_name="a b"
            )
        )
    assert "\n" not in str(refused.value)
    with pytest.raises(JsonRpcException) as closed:
        await client.text_document_definition_async(
            types.DefinitionParams(
                text_document=document((tmp_path / "never-opened.oi").as_uri()),
                position=types.Position(line=0, character=0),
            )
        )
    assert "is not open" in str(closed.value)
    # a position past the end of the file is no error
    assert await definition_lines(client, uri, types.Position(line=999, character=999)) == []
    assert not [line for line in client.stderr_lines if "Traceback" in line]


async def test_prepare_rename_says_what_would_be_renamed(client: RecordingClient, tmp_path: Path) -> None:
    uri = await opened(client, tmp_path)
    result = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(
            text_document=document(uri), position=position_of(PIPELINE, "Token: token", 9)
        )
    )
    assert isinstance(result, types.Range)
    assert text_at(PIPELINE, result) == "token"
    with pytest.raises(JsonRpcException) as refused:
        await client.text_document_prepare_rename_async(
            types.PrepareRenameParams(
                text_document=document(uri), position=position_of(PIPELINE, "sh.command", 0)
            )
        )
    assert "only a param, a condition or a builder" in str(refused.value)
