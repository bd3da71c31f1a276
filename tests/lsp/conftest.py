"""LSP tests share one server per test module (starting one costs about a second); each test opens
documents of its own URIs. Every module marks itself ``xdist_group("lsp")`` and runs its tests in
the module's event loop (``LSP_MARKS``), so one worker starts one server per module."""

from __future__ import annotations

from tests.lsp.client import fixture

client = fixture(scope="module")
