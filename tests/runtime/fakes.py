"""An in-process ``ServiceRunner`` for the engine's semantics tests: endpoints are Python functions.

It implements the same protocols as the real runners (``runtime.services.base``), honours per-call
timeouts the way a gRPC deadline does (the call fails, retryable, while the handler may go on), and
makes pending calls fail as "unavailable" when stopped, like a killed service.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from runtime.model import Service
from runtime.services.base import CallFailed, RunContext, ServiceConnection, ServiceStartError


@dataclass
class Call:
    """What a handler receives: the call's ``arguments``, the task's log file ``fd``, the ``timeout``,
    and ``stopped``, set when the runner stops (a handler that blocks should wait on it)."""

    arguments: Mapping[str, Any]
    fd: str
    timeout: float | None
    stopped: threading.Event


Handler = Callable[[Call], Any]


class FakeConnection:
    def __init__(self, alias: str, endpoints: Mapping[str, Handler], runner: FakeRunner) -> None:
        self.alias = alias
        self._endpoints = endpoints
        self._runner = runner

    def has_schemas(self) -> bool:
        return False

    def arguments_schema(self, endpoint: str) -> Any:
        return self._runner.schemas.get((self.alias, endpoint))

    def call(self, endpoint: str, arguments: Mapping[str, Any], fd: str, timeout: float | None) -> Any:
        handler = self._endpoints.get(endpoint)
        if handler is None:
            raise CallFailed(f"service {self.alias!r} has no endpoint {endpoint!r}")
        self._runner.record(self.alias, endpoint, arguments)
        done = threading.Event()
        result: dict[str, Any] = {}

        def invoke() -> None:
            try:
                result["value"] = handler(Call(dict(arguments), fd, timeout, self._runner.stopped))
            except CallFailed as error:
                result["error"] = error
            except Exception as error:  # a handler's bug is the service answering Status=Error
                result["error"] = CallFailed(f"{type(error).__name__}: {error}")
            finally:
                done.set()

        threading.Thread(target=invoke, daemon=True).start()
        if not done.wait(timeout):
            raise CallFailed(f"{self.alias}.{endpoint}: no answer before the deadline", retryable=True)
        if "error" in result:
            raise result["error"]
        return result.get("value")


@dataclass
class FakeRunner:
    """Serves ``services``: alias -> endpoint -> handler. ``calls`` records (alias, endpoint, arguments)
    in call order; ``schemas`` (alias, endpoint) -> arguments schema; ``fail_start`` makes start fail."""

    services: Mapping[str, Mapping[str, Handler]]
    schemas: dict[tuple[str, str], Any] = field(default_factory=dict)
    fail_start: str = ""
    engine_address: str = ""
    calls: list[tuple[str, str, Mapping[str, Any]]] = field(default_factory=list)
    started: bool = False
    stop_count: int = 0
    stopped: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, services: Sequence[Service], context: RunContext) -> dict[str, ServiceConnection]:
        if self.fail_start:
            raise ServiceStartError(self.fail_start)
        self.started = True
        self.context = context
        return {s.alias: FakeConnection(s.alias, self.services.get(s.alias, {}), self) for s in services}

    def stop(self) -> None:
        self.stop_count += 1
        self.stopped.set()

    def record(self, alias: str, endpoint: str, arguments: Mapping[str, Any]) -> None:
        with self._lock:
            self.calls.append((alias, endpoint, dict(arguments)))

    def count(self, endpoint: str) -> int:
        with self._lock:
            return sum(1 for _, name, _ in self.calls if name == endpoint)
