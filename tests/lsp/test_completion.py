"""Completion over a real stdio connection, on text being typed (which does not parse): endpoints,
argument fields from schemas (required first), task output fields, task names, params, functions
and keywords."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from tests.lsp.client import (
    RecordingClient,
    change_document,
    diagnostics_of,
    lsp_marks,
    open_document,
    position_of,
)
from tests.lsp.pipeline import PIPELINE

pytestmark = lsp_marks()
# Where the half-typed line goes: the last reaction, after its let.
ANCHOR = '  let code = tasks["hello"].output.ExitCode\n'


async def complete(client: RecordingClient, tmp_path: Path, typed: str) -> list[types.CompletionItem]:
    """The completions at the end of ``typed``, written as a new line of the last reaction (after
    the file was opened whole, as an editor would have it before the user starts typing)."""
    uri = (tmp_path / "completion.oi").as_uri()
    await open_document(client, uri, PIPELINE)
    text = PIPELINE.replace(ANCHOR, ANCHOR + typed + "\n")
    change_document(client, uri, text, 2)
    await diagnostics_of(client, uri, 2)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(text, typed, len(typed))
        )
    )
    assert result is not None
    items = result.items if isinstance(result, types.CompletionList) else result
    return sorted(items, key=lambda item: item.sort_text or item.label)


def labels(items: list[types.CompletionItem]) -> list[str]:
    return [item.label for item in items]


async def test_after_a_service_its_endpoints(client: RecordingClient, tmp_path: Path) -> None:
    items = await complete(client, tmp_path, '  task "x" = trello.')
    assert labels(items) == ["addcard", "archivecards", "getcards"]
    getcards = items[2]
    assert getcards.kind == types.CompletionItemKind.Method
    assert "Fetch the open cards" in str(getcards.documentation)


async def test_inside_a_call_the_argument_fields_required_first(
    client: RecordingClient, tmp_path: Path
) -> None:
    items = await complete(client, tmp_path, '  task "x" = trello.getcards(')
    assert labels(items) == ["Auth", "Board", "Base_URL"]
    assert items[1].detail == "string (required)"
    assert items[1].documentation == "board id"
    assert items[1].insert_text == "Board: "
    assert items[2].detail == "string"


async def test_fields_already_given_are_not_offered_again(client: RecordingClient, tmp_path: Path) -> None:
    items = await complete(client, tmp_path, '  task "x" = trello.getcards(Board: "b", Ba')
    assert labels(items) == ["Auth", "Base_URL"]


async def test_inside_an_object_argument_its_fields(client: RecordingClient, tmp_path: Path) -> None:
    items = await complete(client, tmp_path, '  task "x" = trello.getcards(Board: "b", Auth: {')
    assert labels(items) == ["App", "Token"]
    assert items[0].documentation == "Trello application (API) key"


async def test_the_output_fields_of_a_task_from_its_returns_schema(
    client: RecordingClient, tmp_path: Path
) -> None:
    items = await complete(client, tmp_path, '  let out = tasks["hello"].output.')
    assert labels(items) == ["ExitCode", "Stdout"]
    assert items[0].detail == "integer (required)"


async def test_the_fields_of_a_task_record(client: RecordingClient, tmp_path: Path) -> None:
    items = await complete(client, tmp_path, '  let out = tasks["fetch"].')
    assert set(labels(items)) == {"output", "status", "error", "arguments"}


async def test_task_names_inside_task_and_tasks(client: RecordingClient, tmp_path: Path) -> None:
    assert labels(await complete(client, tmp_path, '  let s = tasks["')) == ["fetch", "hello", "report"]
    assert labels(await complete(client, tmp_path, '}\non task("')) == ["fetch", "hello", "report"]


async def test_elsewhere_params_lets_functions_and_keywords(client: RecordingClient, tmp_path: Path) -> None:
    items = await complete(client, tmp_path, "  let copy = ")
    by_label = {item.label: item for item in items}
    for param in ("board", "token", "url"):
        assert by_label[param].kind == types.CompletionItemKind.Variable
    assert by_label["token"].detail == "param: secret"
    assert by_label["env"].kind == types.CompletionItemKind.Function
    assert by_label["env"].detail == "env(name: string[, default: string]) -> string"
    assert "environment variable" in str(by_label["env"].documentation)
    assert by_label["code"].detail == "let"
    for keyword in ("task", "let", "for", "if", "retry"):
        assert by_label[keyword].kind == types.CompletionItemKind.Keyword


async def test_inside_a_string_nothing_is_offered(client: RecordingClient, tmp_path: Path) -> None:
    assert await complete(client, tmp_path, '  let s = "some text trello.') == []


async def test_the_fields_of_a_typed_value(client: RecordingClient, tmp_path: Path) -> None:
    # The half-typed line does not parse: `c` is read as the last `c` bound before it in the file
    # that parsed, the loop over trello's cards, typed by the checker from getcards' returns schema.
    items = await complete(client, tmp_path, "  let first = [for c in cards: c.")
    names = labels(items)
    assert {"id", "name", "List", "due", "labels"} <= set(names)
    by_label = {item.label: item for item in items}
    assert by_label["due"].detail == "string | null"
    assert set(labels(await complete(client, tmp_path, "  let e = event."))) == {"name", "payload"}
