"""The open documents: for each, the newest version the client sent and the checks made of it.

Features answer from ``Document.current`` (the check of the newest text) when it parsed, else from
the newest check that parsed (``last_parsed``): while a line is half typed the file does not parse,
and completion still needs the services, params and task names the file had a moment ago.
"""

from __future__ import annotations

import asyncio
from urllib.parse import unquote, urlparse

from oic.lsp.checking import Checked
from oic.syntax.incremental import ParseCache


def path_of(uri: str) -> str:
    """The file system path of a ``file:`` URI; "" for any other (an unsaved buffer)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return ""
    return unquote(parsed.path)


class Document:
    def __init__(self, uri: str, version: int) -> None:
        self.uri = uri
        self.path = path_of(uri)
        self.version = version
        self.current: Checked | None = None
        self.last_parsed: Checked | None = None
        # The debounced check waiting to run (cancelled by a newer version), and the check under way
        # (its version and its result to come).
        self.pending: asyncio.Task[None] | None = None
        # When the client last changed the document (time.monotonic()), to tell typing from an edit.
        self.last_change: float | None = None
        self.running: tuple[int, asyncio.Future[Checked]] | None = None
        # The parsed declarations of the last version checked, which the next check reuses where
        # the edit did not touch them (used by one check at a time: checks run one at a time).
        self.parse_cache = ParseCache()

    def record(self, checked: Checked) -> None:
        """Keep ``checked`` unless a check of a newer version is already kept."""
        if self.current is None or checked.version >= self.current.version:
            self.current = checked
        if checked.parsed and (self.last_parsed is None or checked.version >= self.last_parsed.version):
            self.last_parsed = checked

    def for_positions(self) -> Checked | None:
        """The check to answer a question about positions with: the current one when it parsed."""
        if self.current is not None and self.current.parsed:
            return self.current
        return self.last_parsed


class DocumentStore:
    def __init__(self) -> None:
        self.documents: dict[str, Document] = {}

    def open(self, uri: str, version: int) -> Document:
        document = self.documents.get(uri)
        if document is None:
            document = self.documents[uri] = Document(uri, version)
        document.version = version
        return document

    def get(self, uri: str) -> Document | None:
        return self.documents.get(uri)

    def close(self, uri: str) -> None:
        document = self.documents.pop(uri, None)
        if document is not None and document.pending is not None:
            document.pending.cancel()
