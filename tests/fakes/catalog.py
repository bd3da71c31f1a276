"""A fake service catalog served over HTTP: ``GET /NAME-VERSION-OS-ARCH`` and its ``.sha256``.

``truncate`` makes the server announce a file's full length, send only half of it and drop the
connection, as an interrupted download does.
"""

from __future__ import annotations

import re
from http.server import BaseHTTPRequestHandler

from tests.fakes.base import Answer, FakeServer, RecordedRequest


class FakeCatalog(FakeServer):
    """``files`` maps a file name to its bytes; names in ``truncate`` are cut short."""

    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, bytes] = {}
        self.truncate: set[str] = set()
        self.route("GET", r"/(?P<name>[^/]+)", self._file)

    def _file(self, request: RecordedRequest, match: re.Match[str]) -> Answer:
        content = self.files.get(match["name"])
        if content is None:
            return Answer(404, "Not Found", content_type="text/plain")
        return Answer(200, content, content_type="application/octet-stream")

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        name = handler.path.lstrip("/")
        if name in self.truncate and name in self.files:
            content = self.files[name]
            handler.send_response(200)
            handler.send_header("Content-Type", "application/octet-stream")
            handler.send_header("Content-Length", str(len(content)))
            handler.end_headers()
            handler.wfile.write(content[: len(content) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            return
        super()._handle(handler)
