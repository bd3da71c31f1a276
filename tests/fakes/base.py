"""The common part of the fake remote APIs: a real HTTP server on 127.0.0.1 in a thread.

A fake answers the parts of one remote API the catalog services use, with the real request and
response shapes, and records every request so a test can assert exactly what was sent. A test can
make a route fail (``fail(...)``) with the status and body the real API sends in that case.
Fakes are context managers: leaving the block stops the server.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar


@dataclass
class RecordedRequest:
    """One request the fake received. ``query`` keeps the last value of each parameter."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))


@dataclass
class Answer:
    """What a route handler returns: status, body (JSON-encoded unless bytes/str) and headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


_Fake = TypeVar("_Fake", bound="FakeServer")

Route = Callable[[RecordedRequest, "re.Match[str]"], Answer]


@dataclass
class _Failure:
    method: str
    pattern: re.Pattern[str]
    answer: Answer
    times: int | None


class FakeServer:
    """Base class: subclasses call ``route(method, regex, handler)`` in ``__init__``."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._routes: list[tuple[str, re.Pattern[str], Route]] = []
        self._failures: list[_Failure] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- configuration -------------------------------------------------------------------------------

    def route(self, method: str, pattern: str, handler: Route) -> None:
        self._routes.append((method, re.compile(pattern + r"\Z"), handler))

    def fail(
        self,
        method: str,
        pattern: str,
        status: int,
        body: Any,
        *,
        content_type: str = "application/json",
        times: int | None = None,
    ) -> None:
        """Answer requests matching ``method`` + path regex with ``status``/``body`` (``times`` = how
        many times; None = always)."""
        answer = Answer(status, body, content_type=content_type)
        with self._lock:
            self._failures.append(_Failure(method, re.compile(pattern + r"\Z"), answer, times))

    # -- lifecycle ----------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "the fake is not started"
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self: _Fake) -> _Fake:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                fake._handle(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

            def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=type(self).__name__, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self: _Fake) -> _Fake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- queries for tests ----------------------------------------------------------------------------

    def requests_to(self, method: str, pattern: str) -> list[RecordedRequest]:
        compiled = re.compile(pattern + r"\Z")
        with self._lock:
            return [r for r in self.requests if r.method == method and compiled.match(r.path)]

    def all_request_text(self) -> str:
        """Everything received, for asserting that a value was (or was not) sent."""
        with self._lock:
            return "\n".join(
                f"{r.method} {r.path} {r.query} {r.headers} {r.body.decode('utf-8', 'replace')}"
                for r in self.requests
            )

    # -- dispatch -----------------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urllib.parse.urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        recorded = RecordedRequest(
            method=handler.command,
            path=urllib.parse.unquote(parts.path),
            query=dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True)),
            headers={name: value for name, value in handler.headers.items()},
            body=body,
        )
        with self._lock:
            self.requests.append(recorded)
            answer = self._failure_for(recorded)
        if answer is None:
            answer = self._dispatch(recorded)
        self._send(handler, answer)

    def _failure_for(self, request: RecordedRequest) -> Answer | None:
        for failure in self._failures:
            if failure.method == request.method and failure.pattern.match(request.path):
                if failure.times is not None:
                    failure.times -= 1
                    if failure.times <= 0:
                        self._failures.remove(failure)
                return failure.answer
        return None

    def _dispatch(self, request: RecordedRequest) -> Answer:
        for method, pattern, route in self._routes:
            match = pattern.match(request.path)
            if match and method == request.method:
                try:
                    return route(request, match)
                except Exception as error:  # a bug in a fake must show up as an answer, not a hang
                    return Answer(500, {"message": f"fake error: {type(error).__name__}: {error}"})
        return Answer(404, "not found", content_type="text/plain")

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, answer: Answer) -> None:
        if isinstance(answer.body, bytes):
            payload = answer.body
        elif isinstance(answer.body, str):
            payload = answer.body.encode("utf-8")
        elif answer.body is None:
            payload = b""
        else:
            payload = json.dumps(answer.body).encode("utf-8")
        handler.send_response(answer.status)
        handler.send_header("Content-Type", answer.content_type)
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in answer.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)
