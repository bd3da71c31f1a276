"""LSP tests share one server for the whole session (starting one costs one to three seconds, most
of it importing lsprotocol's types); each test opens documents of its own URIs. Every module marks
itself with ``lsp_marks()``: the session's event loop, where the client lives, and one xdist worker
for them all (group "lsp"), so that a run starts one server."""

from __future__ import annotations

from tests.lsp.client import fixture

client = fixture(scope="session")
# A second server, for the client that asks for UTF-8 positions (started only by the tests using it).
utf8_client = fixture(encodings=["utf-8"], scope="session")
# A server that waits ten minutes for typing to pause: what it publishes sooner, it checked at once.
patient_client = fixture(debounce_ms=600_000, scope="session")
