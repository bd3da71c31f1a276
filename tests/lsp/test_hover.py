"""Hover over a real stdio connection: types of names and expressions, argument fields from the
endpoint's JSON Schema, params with their defaults, and explanations of diagnostic codes."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from tests.lsp.client import RecordingClient, lsp_marks, open_document, position_of
from tests.lsp.pipeline import PIPELINE

pytestmark = lsp_marks()


async def hover_text(client: RecordingClient, uri: str, position: types.Position) -> str:
    result = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )
    assert result is not None, "no hover"
    assert isinstance(result.contents, types.MarkupContent)
    return result.contents.value


async def opened(client: RecordingClient, tmp_path: Path, text: str = PIPELINE) -> str:
    uri = (tmp_path / "hover.oi").as_uri()
    await open_document(client, uri, text)
    return uri


async def test_a_param_shows_its_type_and_default(client: RecordingClient, tmp_path: Path) -> None:
    uri = await opened(client, tmp_path)
    shown = await hover_text(client, uri, position_of(PIPELINE, "param token", offset=7))
    assert 'param token: secret = env("TRELLO_TOKEN")' in shown
    # at a use of the param, the same
    used = await hover_text(client, uri, position_of(PIPELINE, "Token: token", offset=8))
    assert 'param token: secret = env("TRELLO_TOKEN")' in used


async def test_a_let_name_and_an_expression_show_their_types(client: RecordingClient, tmp_path: Path) -> None:
    uri = await opened(client, tmp_path)
    code = await hover_text(client, uri, position_of(PIPELINE, '"${code}"', offset=4))
    assert "(let) code: integer" in code
    # `.ExitCode` of the exec service's output, typed from its returns schema
    field = await hover_text(client, uri, position_of(PIPELINE, "ExitCode", offset=2))
    assert "(field) ExitCode: integer" in field
    # the loop variable over a trello card
    card = await hover_text(client, uri, position_of(PIPELINE, "archive(c)", offset=8))
    assert "(loop) c: object" in card and "List" in card


async def test_an_argument_field_shows_its_schema_type_and_description(
    client: RecordingClient, tmp_path: Path
) -> None:
    uri = await opened(client, tmp_path)
    board = await hover_text(client, uri, position_of(PIPELINE, "Board: board", offset=1))
    assert "(argument) Board: string" in board
    assert "required field of `trello.getcards`" in board
    assert "board id" in board  # its description in trello's getcards/arguments.json
    base = await hover_text(client, uri, position_of(PIPELINE, "Base_URL: url)", offset=1))
    assert "optional field" in base and "API base URL" in base


async def test_a_nested_field_of_an_argument_is_found_through_the_object(
    client: RecordingClient, tmp_path: Path
) -> None:
    uri = await opened(client, tmp_path)
    app = await hover_text(client, uri, position_of(PIPELINE, "App:", occurrence=1))
    assert "(argument) Auth.App: string" in app
    assert "Trello application (API) key" in app


async def test_an_endpoint_and_a_service_describe_themselves(client: RecordingClient, tmp_path: Path) -> None:
    uri = await opened(client, tmp_path)
    endpoint = await hover_text(client, uri, position_of(PIPELINE, "getcards", offset=2))
    assert "trello.getcards" in endpoint
    assert "Fetch the open cards of a board" in endpoint
    assert "Board: string" in endpoint and "Base_URL?: string" in endpoint
    service = await hover_text(client, uri, position_of(PIPELINE, "sh.command", offset=0))
    assert 'service sh = catalog "exec"' in service and "`command`" in service


async def test_a_builder_shows_its_signature(client: RecordingClient, tmp_path: Path) -> None:
    uri = await opened(client, tmp_path)
    shown = await hover_text(client, uri, position_of(PIPELINE, "archive(c)", offset=2))
    assert "builder archive(card: object)" in shown


async def test_a_diagnostic_shows_the_explanation_of_its_code(
    client: RecordingClient, tmp_path: Path
) -> None:
    text = PIPELINE.replace("Board: board", "Bord: board")
    uri = await opened(client, tmp_path, text)
    shown = await hover_text(client, uri, position_of(text, "Bord", offset=1))
    explanation = (Path(__file__).resolve().parents[2] / "oic" / "explanations" / "E0302.md").read_text()
    assert explanation.strip() in shown


async def test_hover_on_nothing_is_empty(client: RecordingClient, tmp_path: Path) -> None:
    uri = await opened(client, tmp_path)
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=1, character=0)
        )
    )
    assert result is None


async def test_a_function_shows_its_signature_and_description(
    client: RecordingClient, tmp_path: Path
) -> None:
    uri = await opened(client, tmp_path)
    shown = await hover_text(client, uri, position_of(PIPELINE, 'env("TRELLO_TOKEN")', 1))
    assert "env(name: string[, default: string]) -> string" in shown
    assert "environment variable" in shown


async def test_a_task_name_shows_its_endpoint_and_output(client: RecordingClient, tmp_path: Path) -> None:
    uri = await opened(client, tmp_path)
    shown = await hover_text(client, uri, position_of(PIPELINE, 'tasks["hello"]', 8))
    assert 'task "hello" = sh.command(...)' in shown
    assert "ExitCode: integer" in shown
