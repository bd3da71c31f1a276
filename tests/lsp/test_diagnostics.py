"""Diagnostics over a real stdio connection: on open and after changes (debounced, the newest
version wins), with UTF-16 positions, codes linked to their explanations, and the document's own
directory for relative paths, whether or not the text is saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from tests.lsp.client import (
    RecordingClient,
    change_document,
    diagnostics_of,
    lsp_marks,
    open_document,
    text_at,
)
from tests.lsp.pipeline import PIPELINE

pytestmark = lsp_marks()


async def test_a_clean_file_publishes_no_diagnostics(client: RecordingClient, tmp_path: Path) -> None:
    found = await open_document(client, (tmp_path / "clean.oi").as_uri(), PIPELINE)
    assert found == []


async def test_an_error_has_its_range_code_severity_and_explanation(
    client: RecordingClient, tmp_path: Path
) -> None:
    text = PIPELINE.replace("Board: board", "Bord: board")
    found = await open_document(client, (tmp_path / "bad.oi").as_uri(), text)
    [error] = [d for d in found if d.code == "E0302"]
    assert text_at(text, error.range) == "Bord"
    assert error.severity == types.DiagnosticSeverity.Error
    assert error.source == "oic"
    assert error.message.startswith("trello.getcards has no argument 'Bord'")
    assert "hint: did you mean `Board`?" in error.message
    assert error.code_description is not None
    assert error.code_description.href.endswith("/oic/explanations/E0302.md")
    assert Path(error.code_description.href.removeprefix("file://")).is_file()


async def test_a_warning_is_a_warning_and_unused_names_are_marked_unnecessary(
    client: RecordingClient, tmp_path: Path
) -> None:
    text = PIPELINE.replace(
        'param board: string = "b1"', 'param board: string = "b1"\nparam spare: string = ""'
    )
    found = await open_document(client, (tmp_path / "warned.oi").as_uri(), text)
    [warning] = [d for d in found if d.code == "W0103"]
    assert warning.severity == types.DiagnosticSeverity.Warning
    assert text_at(text, warning.range) == "spare"
    assert list(warning.tags or []) == [types.DiagnosticTag.Unnecessary]


async def test_positions_count_utf16_code_units_after_accents_and_emoji(
    client: RecordingClient, tmp_path: Path
) -> None:
    # `é` is one UTF-16 unit (two UTF-8 bytes), the emoji two units (one code point): the misspelt
    # argument starts at code point 43 of its line but at UTF-16 character 44.
    line = '  task "héllo 🎉" = sh.command(Args: ["é"], Comand: "x")'
    text = PIPELINE.replace('  task "hello" = sh.command(Args: ["echo", board])', line)
    found = await open_document(client, (tmp_path / "unicode.oi").as_uri(), text)
    [error] = [d for d in found if d.code == "E0302"]
    code_points = line.index("Comand")
    assert code_points == 43
    assert error.range.start.character == code_points + 1  # the emoji's second unit
    assert error.range.end.character == code_points + 1 + len("Comand")
    assert text_at(text, error.range) == "Comand"


async def test_an_astral_character_inside_the_range_widens_it_by_one_unit(
    client: RecordingClient, tmp_path: Path
) -> None:
    text = PIPELINE.replace(
        'param board: string = "b1"', 'param board: string = "b1"\nparam 😀x: string = ""'
    )
    found = await open_document(client, (tmp_path / "astral.oi").as_uri(), text)
    assert found, "a name with an emoji is a syntax error"
    first = found[0]
    assert first.range.start.line == 3
    # Whatever the parser's span, its ends are on UTF-16 boundaries of the line's text.
    assert text_at(text, first.range) in text.split("\n")[3]


async def test_each_change_is_checked_and_published_with_its_version(
    client: RecordingClient, tmp_path: Path
) -> None:
    uri = (tmp_path / "changing.oi").as_uri()
    assert await open_document(client, uri, PIPELINE) == []
    change_document(client, uri, PIPELINE.replace("Base_URL: url)", "Base_URL: ur1)"), 2)
    found = await diagnostics_of(client, uri, 2)
    assert [d.code for d in found] == ["E0201"]
    change_document(client, uri, PIPELINE, 3)
    assert await diagnostics_of(client, uri, 3) == []


async def test_a_burst_of_changes_is_checked_once_for_its_last_version(
    client: RecordingClient, tmp_path: Path
) -> None:
    uri = (tmp_path / "burst.oi").as_uri()
    await open_document(client, uri, PIPELINE)
    for version in range(2, 12):
        change_document(client, uri, PIPELINE.replace('"b1"', f'"b{version}"', 1) + "#" * version, version)
    change_document(client, uri, PIPELINE.replace("board: string", "board: strin"), 12)
    found = await diagnostics_of(client, uri, 12)
    assert [d.code for d in found] == ["E0213"]
    # The versions sent within the debounce delay of the next were never published.
    published = [p.version for p in client.published if p.uri == uri]
    assert published[0] == 1 and published[-1] == 12
    assert len(published) < 12


async def test_a_syntax_error_is_reported_where_it_is(client: RecordingClient, tmp_path: Path) -> None:
    text = PIPELINE.replace("let cards = tasks", "let cards = = tasks")
    found = await open_document(client, (tmp_path / "syntax.oi").as_uri(), text)
    assert found and found[0].code.startswith("E0")
    assert found[0].range.start.line == text.split("\n").index('  let cards = = tasks["fetch"].output')


async def test_relative_paths_resolve_against_the_documents_directory_unsaved(
    client: RecordingClient, tmp_path: Path
) -> None:
    # A schema directory next to the (never saved) document types the path service's endpoint.
    schemas = tmp_path / "schemas" / "greet"
    schemas.mkdir(parents=True)
    (schemas / "arguments.json").write_text(
        '{"type": "object", "properties": {"Name": {"type": "string"}}, "required": ["Name"],'
        ' "additionalProperties": false}'
    )
    (schemas / "returns.json").write_text('{"type": "object"}')
    service = tmp_path / "greeter"
    service.write_text("#!/bin/sh\nexit 1\n")
    service.chmod(0o755)
    text = (
        'pipeline "p" {}\n'
        'service g = path "./greeter" schemas "./schemas"\n'
        "on engine.started {\n"
        '  task "a" = g.greet(Nme: "x")\n'
        "}\n"
    )
    uri = (tmp_path / "never-saved.oi").as_uri()
    assert not (tmp_path / "never-saved.oi").exists()
    found = await open_document(client, uri, text)
    codes = {d.code for d in found}
    assert "E0302" in codes, found  # `Nme` is checked against ./schemas/greet/arguments.json


async def test_closing_a_document_clears_its_diagnostics(client: RecordingClient, tmp_path: Path) -> None:
    uri = (tmp_path / "closed.oi").as_uri()
    assert await open_document(client, uri, PIPELINE.replace("board: string", "board: strin"))
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    while client.published[-1].uri != uri or client.published[-1].diagnostics:
        client.arrived().clear()
        await client.arrived().wait()
    assert list(client.published[-1].diagnostics) == []


@pytest.mark.parametrize("text", ["\0", 'pipeline "p" {}\n' + "x" * 3, "\ud800"])
async def test_any_text_gets_diagnostics_not_a_crash(
    client: RecordingClient, tmp_path: Path, text: str
) -> None:
    uri = (tmp_path / f"odd-{len(text)}.oi").as_uri()
    found = await open_document(client, uri, text)
    assert found, "odd text gets a diagnostic"
    assert all(d.source == "oic" for d in found)


async def test_incremental_changes_are_applied_at_utf16_positions(
    client: RecordingClient, tmp_path: Path
) -> None:
    uri = (tmp_path / "incremental.oi").as_uri()
    text = PIPELINE.replace('param board: string = "b1"', 'param board: string = "🎉é"')
    assert await open_document(client, uri, text) == []
    line = text.split("\n").index('param board: string = "🎉é"')
    # `string` starts at character 13 in any encoding. Changes apply one after the other: once it is
    # `strng`, the closing quote of `"🎉é"` is at UTF-16 unit 25 (the emoji counts two; in code
    # points it would be 24), and `!` goes just before it.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=line, character=13),
                        end=types.Position(line=line, character=19),
                    ),
                    text="strng",
                ),
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=line, character=25),
                        end=types.Position(line=line, character=25),
                    ),
                    text="!",
                ),
            ],
        )
    )
    [error] = await diagnostics_of(client, uri, 2)
    assert error.code == "E0213", error
    assert error.range.start == types.Position(line=line, character=13)
    assert error.range.end == types.Position(line=line, character=18)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=7),
        )
    )
    assert hover is not None and 'param board: strng = "🎉é!"' in str(hover.contents)


async def test_an_untitled_document_is_checked_too(client: RecordingClient) -> None:
    text = PIPELINE.replace("Board: board", "Bord: board")
    found = await open_document(client, "untitled:Untitled-1", text)
    assert [d.code for d in found] == ["E0302"]


async def test_a_client_that_asks_for_utf8_gets_byte_offsets(
    utf8_client: RecordingClient, tmp_path: Path
) -> None:
    line = '  task "héllo 🎉" = sh.command(Args: ["é"], Comand: "x")'
    text = PIPELINE.replace('  task "hello" = sh.command(Args: ["echo", board])', line)
    found = await open_document(utf8_client, (tmp_path / "utf8.oi").as_uri(), text)
    [error] = [d for d in found if d.code == "E0302"]
    # each é is 2 bytes, the emoji 4: the 43 code points before `Comand` are 48 bytes
    assert error.range.start.character == len(line[: line.index("Comand")].encode("utf-8")) == 48
    assert error.range.end.character == 48 + len("Comand")


async def test_after_many_edits_the_diagnostics_are_those_of_a_fresh_check(
    client: RecordingClient, tmp_path: Path
) -> None:
    # The server reparses only the declarations an edit touched: its answer after a series of edits
    # must still be what `oic check` says of the final text.
    from oic.frontend import check_file
    from oic.source import SourceFile

    uri = (tmp_path / "edited.oi").as_uri()
    await open_document(client, uri, PIPELINE)
    edits = [
        ("Board: board", "Bord: board"),
        ('param url: string = "https://api.trello.com"', 'param url: strin = "u"\nparam extra: string = ""'),
        ("let code = tasks", "let code = taks"),
        ("Bord: board", "Board: board"),
        ("archive(c)", "archive(c, c)"),
    ]
    text = PIPELINE
    for version, (old, new) in enumerate(edits, start=2):
        text = text.replace(old, new)
        change_document(client, uri, text, version)
        found = await diagnostics_of(client, uri, version)
    fresh = check_file(SourceFile(str(tmp_path / "edited.oi"), text)).diagnostics
    assert [(d.code, d.range.start.line + 1, d.range.start.character + 1) for d in found] == [
        (d.code, d.span.line, d.span.column) for d in fresh
    ]
    assert {d.code for d in found} >= {"E0213", "E0201", "E0205"}


async def test_an_edit_after_a_quiet_moment_is_checked_at_once(
    patient_client: RecordingClient, tmp_path: Path
) -> None:
    # The server waits ten minutes for typing to pause; a lone edit is not typing, and its
    # diagnostics come without that wait (the test's one-minute limit would end it otherwise).
    uri = (tmp_path / "lone.oi").as_uri()
    assert await open_document(patient_client, uri, PIPELINE) == []
    change_document(patient_client, uri, PIPELINE.replace("board: string", "board: strin"), 2)
    assert [d.code for d in await diagnostics_of(patient_client, uri, 2)] == ["E0213"]
