"""A real LSP client (pytest-lsp's) talking to `python -m oic lsp` over its standard input and
output, and the helpers the tests share: open and change documents, wait for the diagnostics of one
version, and point at text by what it says rather than by counting columns."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

ROOT = Path(__file__).resolve().parents[2]
PUBLISH = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS


class RecordingClient(LanguageClient):
    """pytest-lsp's client, keeping every publishDiagnostics with its version (its own keeps only
    the newest diagnostics of each URI, without the version)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.published: list[types.PublishDiagnosticsParams] = []
        self.shown: list[types.ShowMessageParams] = []
        self._arrived: asyncio.Event | None = None
        # What the server wrote to its standard error, line by line (also passed on, as pytest-lsp does).
        self.stderr_lines: list[str] = []

    async def start_io(self, cmd: str, *args: Any, **kwargs: Any) -> None:
        await super().start_io(cmd, *args, **kwargs)
        if self._stderr_forwarder is not None:
            self._stderr_forwarder.cancel()
            self._stderr_forwarder = asyncio.create_task(self._keep_stderr())

    async def _keep_stderr(self) -> None:
        server = self._server
        if server is None or server.stderr is None:
            return
        while line := await server.stderr.readline():
            self.stderr_lines.append(line.decode("utf-8", "replace"))
            sys.stderr.write(self.stderr_lines[-1])

    def arrived(self) -> asyncio.Event:
        if self._arrived is None:
            self._arrived = asyncio.Event()
        return self._arrived


def _record_publish(client: RecordingClient, params: types.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)
    client.arrived().set()


def _record_message(client: RecordingClient, params: types.ShowMessageParams) -> None:
    client.shown.append(params)


def make_client() -> RecordingClient:
    client = RecordingClient(converter_factory=default_converter)
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[PUBLISH] = _record_publish
    features[types.WINDOW_SHOW_MESSAGE] = _record_message
    register_lsp_features(client, features)
    return client


CONFIG = ClientServerConfig(server_command=[sys.executable, "-m", "oic", "lsp"], client_factory=make_client)


def fixture(encodings: list[str] | None = None, debounce_ms: int = 50, **kwargs: Any) -> Any:
    """A client connected to a fresh server, initialised as VS Code would (UTF-16 positions), or
    offering the position ``encodings`` given, with the server's debounce delay ``debounce_ms``."""
    capabilities = client_capabilities("visual-studio-code")
    if encodings is not None:
        capabilities.general = types.GeneralClientCapabilities(position_encodings=encodings)

    @pytest_lsp.fixture(config=CONFIG, **kwargs)
    async def client(lsp_client: RecordingClient) -> Any:
        await lsp_client.initialize_session(
            types.InitializeParams(
                capabilities=capabilities,
                root_uri=ROOT.as_uri(),
                initialization_options={"debounceMs": debounce_ms},
            )
        )
        yield
        await lsp_client.shutdown_session()

    return client


async def diagnostics_of(client: RecordingClient, uri: str, version: int) -> list[types.Diagnostic]:
    """The diagnostics published for ``version`` of ``uri`` (waiting for them)."""
    while True:
        for params in reversed(client.published):
            if params.uri == uri and params.version == version:
                return list(params.diagnostics)
        client.arrived().clear()
        await client.arrived().wait()


async def open_document(
    client: RecordingClient, uri: str, text: str, version: int = 1
) -> list[types.Diagnostic]:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="oi", version=version, text=text)
        )
    )
    return await diagnostics_of(client, uri, version)


def change_document(client: RecordingClient, uri: str, text: str, version: int) -> None:
    """Replace the whole text (the server applies incremental changes; a full one is one of them)."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def position_of(text: str, needle: str, offset: int = 0, occurrence: int = 0) -> types.Position:
    """The UTF-16 position of the ``occurrence``-th ``needle`` in ``text``, plus ``offset`` characters."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    index = start + offset
    line = text.count("\n", 0, index)
    line_start = text.rfind("\n", 0, index) + 1
    return types.Position(line=line, character=len(text[line_start:index].encode("utf-16-le")) // 2)


def text_at(text: str, range_: types.Range) -> str:
    """The text a (UTF-16) range covers."""
    lines = text.split("\n")

    def offset(position: types.Position) -> int:
        line = lines[position.line].encode("utf-16-le")[: position.character * 2].decode("utf-16-le")
        return sum(len(item) + 1 for item in lines[: position.line]) + len(line)

    return text[offset(range_.start) : offset(range_.end)]


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """``text`` with the (non-overlapping) edits made, last first."""
    lines = text.split("\n")

    def offset(position: types.Position) -> int:
        line = lines[position.line].encode("utf-16-le")[: position.character * 2].decode("utf-16-le")
        return sum(len(item) + 1 for item in lines[: position.line]) + len(line)

    ordered = sorted(
        edits, key=lambda edit: (edit.range.start.line, edit.range.start.character), reverse=True
    )
    for edit in ordered:
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


# The marks of every LSP test module: the session's event loop (the client fixture lives in it), one
# xdist worker for them all, and a minute at most (a lost message fails a test instead of hanging it).
def lsp_marks() -> list[Any]:
    import pytest

    return [
        pytest.mark.asyncio(loop_scope="session"),
        pytest.mark.xdist_group("lsp"),
        pytest.mark.timeout(60),
    ]
