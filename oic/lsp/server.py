"""The language server: pygls wiring of the features, and the debounced checking of documents.

Every document is checked when it opens and after each change. A change after a quiet moment (no
change for ``debounce`` seconds, 50 ms unless the client's ``initializationOptions`` say
``{"debounceMs": N}``, and no check under way) is checked at once, so that a single edit gets its
diagnostics as soon as the check allows; a change that follows another closely (typing) waits until
the client has been quiet for ``debounce`` seconds: a newer version cancels the check still waiting
for an older one, and a check that finishes after a newer version arrived is not published. Checks
run one at a time on a worker thread (the checker keeps per-check state in module globals), so the
server keeps reading messages meanwhile.
Questions about positions (hover, definition, ...) first bring the check up to the newest text.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import inspect
import logging
import sys
import time
from collections.abc import Callable
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer

from oic import __version__
from oic.lsp import code_actions, completion, formatting, hover, navigation, rename, symbols
from oic.lsp.checking import Checked, check_text
from oic.lsp.diagnostics import publishable
from oic.lsp.documents import Document, DocumentStore
from oic.lsp.positions import UTF16, Lines

DEFAULT_DEBOUNCE_SECONDS = 0.05
# LSP's RequestFailed: the request was valid, but cannot be carried out (a refused rename).
REQUEST_FAILED = -32803
INTERNAL_ERROR = -32603


class OiLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("oic", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.store = DocumentStore()
        self.debounce = DEFAULT_DEBOUNCE_SECONDS
        self.checker = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="oic-check")

    @property
    def encoding(self) -> str:
        encoding: Any = self.workspace.position_encoding if self.workspace is not None else None
        if encoding is None:
            return UTF16
        return str(getattr(encoding, "value", encoding))

    def text_of(self, uri: str) -> str:
        return self.workspace.get_text_document(uri).source

    async def check_now(self, document: Document) -> Checked:
        """A check of the document's newest text: the one kept, the one under way (a request that
        comes while the debounced check runs waits for it rather than checking again), or a new one.
        The result is kept even when the task that waited for it was cancelled by a newer change."""
        version = document.version
        if document.current is not None and document.current.version == version:
            return document.current
        running = document.running
        if running is None or running[0] != version:
            text = self.text_of(document.uri)
            future = asyncio.get_running_loop().run_in_executor(
                self.checker, check_text, document.path, text, version, self.encoding, document.parse_cache
            )
            future.add_done_callback(lambda done: _keep(document, done))
            running = document.running = (version, future)
        return await asyncio.shield(running[1])

    def changed(self, document: Document) -> None:
        """Check a changed document: at once after a quiet moment, else once the typing pauses."""
        now = time.monotonic()
        quiet = document.last_change is None or now - document.last_change >= self.debounce
        document.last_change = now
        busy = document.running is not None and not document.running[1].done()
        self.schedule(document, 0 if quiet and not busy else self.debounce)

    def schedule(self, document: Document, delay: float) -> None:
        if document.pending is not None:
            document.pending.cancel()
        document.pending = asyncio.get_running_loop().create_task(self._check_later(document, delay))

    async def _check_later(self, document: Document, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        try:
            checked = await self.check_now(document)
            if checked.version != document.version or self.store.get(document.uri) is not document:
                return  # a newer version is on its way: its own check publishes
            diagnostics = publishable(checked.diagnostics, checked.lines)
        except Exception as error:  # a bug in oic: said in the client's log, never a crash
            self.window_log_message(
                types.LogMessageParams(type=types.MessageType.Error, message=_internal(error))
            )
            return
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=document.uri, version=checked.version, diagnostics=diagnostics)
        )

    async def for_positions(self, uri: str) -> tuple[Document, Checked | None]:
        document = self.store.get(uri)
        if document is None:
            raise JsonRpcException(f"{uri} is not open", code=REQUEST_FAILED)
        await self.check_now(document)
        return document, document.for_positions()


def _keep(document: Document, done: asyncio.Future[Checked]) -> None:
    if not done.cancelled() and done.exception() is None:
        document.record(done.result())


server = OiLanguageServer()


def answering(handler: Callable[..., Any]) -> Callable[..., Any]:
    """A request handler whose unexpected failure (a bug in oic) is answered as an error of one
    line, never with a traceback."""

    @functools.wraps(handler)
    async def guarded(ls: OiLanguageServer, params: Any) -> Any:
        try:
            result = handler(ls, params)
            return await result if inspect.isawaitable(result) else result
        except JsonRpcException:
            raise
        except Exception as error:
            raise JsonRpcException(_internal(error), code=INTERNAL_ERROR) from None

    return guarded


def noticing(handler: Callable[..., None]) -> Callable[..., None]:
    """A notification handler whose unexpected failure is said in the client's log, in one line."""

    @functools.wraps(handler)
    def guarded(ls: OiLanguageServer, params: Any) -> None:
        try:
            handler(ls, params)
        except Exception as error:
            ls.window_log_message(
                types.LogMessageParams(type=types.MessageType.Error, message=_internal(error))
            )

    return guarded


def _internal(error: Exception) -> str:
    return f"oic: internal error: {type(error).__name__}: {error} (please report this)"


@server.feature(types.INITIALIZE)
def initialize(ls: OiLanguageServer, params: types.InitializeParams) -> None:
    options = params.initialization_options
    if isinstance(options, dict) and isinstance(options.get("debounceMs"), (int, float)):
        ls.debounce = max(0.0, float(options["debounceMs"]) / 1000)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
@noticing
def did_open(ls: OiLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.schedule(ls.store.open(params.text_document.uri, params.text_document.version), 0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
@noticing
def did_change(ls: OiLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.changed(ls.store.open(params.text_document.uri, params.text_document.version))


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
@noticing
def did_close(ls: OiLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.store.close(params.text_document.uri)
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
    )


@server.feature(types.TEXT_DOCUMENT_HOVER)
@answering
async def on_hover(ls: OiLanguageServer, params: types.HoverParams) -> types.Hover | None:
    document, checked = await ls.for_positions(params.text_document.uri)
    current = document.current
    if current is None:
        return None
    line, column = current.lines.point(params.position)
    return hover.hover(checked if checked is current else None, current.diagnostics, line, column)


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[".", "(", '"', ",", "{"])
)
@answering
async def on_completion(ls: OiLanguageServer, params: types.CompletionParams) -> types.CompletionList:
    document = ls.store.get(params.text_document.uri)
    text = ls.text_of(params.text_document.uri)
    checked = None
    if document is not None:
        await ls.check_now(document)
        checked = document.for_positions()
    line, column = Lines(text, ls.encoding).point(params.position)
    items = completion.complete(text, line - 1, column - 1, checked)
    return types.CompletionList(is_incomplete=False, items=items)


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
@answering
async def on_definition(ls: OiLanguageServer, params: types.DefinitionParams) -> list[types.Location]:
    document, checked = await ls.for_positions(params.text_document.uri)
    if checked is None or checked is not document.current:
        return []
    return navigation.definition(checked, document.uri, *checked.lines.point(params.position))


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
@answering
async def on_references(ls: OiLanguageServer, params: types.ReferenceParams) -> list[types.Location]:
    document, checked = await ls.for_positions(params.text_document.uri)
    if checked is None or checked is not document.current:
        return []
    line, column = checked.lines.point(params.position)
    return navigation.references(checked, document.uri, line, column, params.context.include_declaration)


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
@answering
async def on_symbols(ls: OiLanguageServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
    _document, checked = await ls.for_positions(params.text_document.uri)
    return symbols.document_symbols(checked) if checked is not None else []


def _current_for_edit(document: Document, checked: Checked | None) -> Checked:
    if checked is None or checked is not document.current:
        raise JsonRpcException("the file does not parse: fix its syntax errors first", code=REQUEST_FAILED)
    return checked


@server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
@answering
async def on_prepare_rename(ls: OiLanguageServer, params: types.PrepareRenameParams) -> types.Range:
    document, checked = await ls.for_positions(params.text_document.uri)
    checked = _current_for_edit(document, checked)
    try:
        found = rename.target(checked, *checked.lines.point(params.position))
    except rename.RenameRefused as refused:
        raise JsonRpcException(str(refused), code=REQUEST_FAILED) from refused
    return checked.lines.range(found.span)


@server.feature(types.TEXT_DOCUMENT_RENAME)
@answering
async def on_rename(ls: OiLanguageServer, params: types.RenameParams) -> types.WorkspaceEdit:
    document, checked = await ls.for_positions(params.text_document.uri)
    checked = _current_for_edit(document, checked)
    line, column = checked.lines.point(params.position)
    try:
        return rename.rename(checked, document.uri, line, column, params.new_name)
    except rename.RenameRefused as refused:
        raise JsonRpcException(str(refused), code=REQUEST_FAILED) from refused


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
)
@answering
async def on_code_action(ls: OiLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    document = ls.store.get(params.text_document.uri)
    if document is None:
        return []
    checked = await ls.check_now(document)
    return code_actions.quick_fixes(checked, document.uri, params.range)


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
@answering
async def on_formatting(ls: OiLanguageServer, params: types.DocumentFormattingParams) -> list[types.TextEdit]:
    document = ls.store.get(params.text_document.uri)
    if document is None:
        return []
    text = ls.text_of(document.uri)
    try:
        return formatting.format_document(text, document.path, Lines(text, ls.encoding))
    except formatting.FormattingUnavailable as unavailable:
        ls.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Warning, message=str(unavailable))
        )
        return []


class _OneLine(logging.Formatter):
    """Log records as one line each: what failed, never a traceback (a refused rename is logged by
    pygls as an exception, and is no bug)."""

    def format(self, record: logging.LogRecord) -> str:
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return super().format(record).replace("\n", " ")


def serve() -> None:
    """Serve one client over standard input and output until it exits."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine("oic lsp: %(levelname)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    server.start_io()
