"""A real gRPC service whose calls finish in the order a test chooses, and a runner that serves it.

``Gate`` is an SDK service (``runtime.sdk``) served in this process on loopback, over real gRPC: the
engine's own client (``GrpcConnection``) calls it, validates against its schemas, and gets its
reports through the engine's report server. Its endpoint ``work(key, fail, report)`` first reports
the events listed in ``report`` (``{event, data}``), then blocks until the test lets the call with
that key finish (``finish_in_order``), then returns ``{"key": key}`` or fails with an error naming
the key. ``ok`` answers at once.

``Gate.probe`` is a plain condition for the pipeline under test: it never fires, and counts the
``task.finished`` events the engine handled for gated tasks, so that the test can wait until the
engine has handled one call's end before it lets the next one finish. A plain function handles no
failure (``runtime.outcome``), so the probe does not change the outcome it helps to observe.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from runtime.model import EVENT_TASK_FINISHED, Event, Service
from runtime.sdk import CallContext, EndpointError, RunningService
from runtime.sdk import Service as SdkService
from runtime.services.base import RunContext, ServiceConnection
from runtime.services.client import LOOPBACK_CHANNEL_OPTIONS, GrpcConnection
from runtime.state import State

# A safety net for the waits of a test that went wrong (the engine never calls, never finishes):
# never reached by a passing test, whose waits end as soon as the awaited thing happened.
PATIENCE = 60.0

WORK_ARGUMENTS = {
    "type": "object",
    "required": ["key"],
    "additionalProperties": False,
    "properties": {
        "key": {"type": "string"},
        "fail": {"type": "boolean"},
        "report": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["event"],
                "properties": {"event": {"type": "string"}, "data": {}},
            },
        },
    },
}
WORK_RETURNS = {"type": "object", "required": ["key"], "properties": {"key": {"type": "string"}}}


class Gate:
    """The service's state: which calls arrived, which the test released, which ends the engine
    handled. Thread-safe: the gRPC server's threads, the engine's and the test's use it."""

    def __init__(self, gated_names: Sequence[str] = (), *, blocking: bool = True) -> None:
        self.gated_names = frozenset(gated_names)
        self.arrived: list[str] = []
        self._released: set[str] = set()
        self._open = not blocking  # every call may finish at once
        self._handled = 0
        self._condition = threading.Condition()
        self.service = SdkService("gate", version="1.0.0")
        self.service.endpoint("work", arguments=WORK_ARGUMENTS, returns=WORK_RETURNS)(self._work)
        self.service.endpoint("ok", arguments={"type": "object"}, returns={"type": "object"})(self._ok)

    def _work(self, arguments: dict[str, Any], context: CallContext) -> dict[str, Any]:
        key = arguments["key"]
        for report in arguments.get("report", ()):
            context.report(report["event"], report.get("data"))
        with self._condition:
            self.arrived.append(key)
            self._condition.notify_all()
            if not self._condition.wait_for(lambda: self._open or key in self._released, PATIENCE):
                raise EndpointError(f"{key} was never released")
        if arguments.get("fail"):
            raise EndpointError(f"{key} failed as the test asked")
        return {"key": key}

    def _ok(self, arguments: dict[str, Any], context: CallContext) -> dict[str, Any]:
        return {}

    def write_schemas(self, directory: Path) -> None:
        """The endpoints' schemas as a ``schemas`` directory, for a `.oi` file that uses the service."""
        for key, text in self.service.json_schemas().items():
            path = directory / key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    def probe(self, event: Event, state: State) -> bool:
        if event.metadata.name == EVENT_TASK_FINISHED and event.payload.get("task") in self.gated_names:
            with self._condition:
                self._handled += 1
                self._condition.notify_all()
        return False

    def finish_in_order(self, keys: Sequence[str]) -> None:
        """Let the gated calls finish one by one in the order of ``keys``: each once it has arrived,
        and only after the engine handled the end of the one before."""
        for position, key in enumerate(keys, start=1):
            with self._condition:
                arrived = self._condition.wait_for(lambda key=key: key in self.arrived, PATIENCE)
                assert arrived, f"the call {key!r} never came (arrived: {self.arrived})"
                self._released.add(key)
                self._condition.notify_all()
                handled = self._condition.wait_for(lambda n=position: self._handled >= n, PATIENCE)
                assert handled, f"the engine never handled the end of {key!r}"

    def release_all(self) -> None:
        """Let every call finish (a test that failed must not leave the engine waiting)."""
        with self._condition:
            self._open = True
            self._condition.notify_all()


class InProcessRunner:
    """A ``ServiceRunner`` that serves SDK services in this process, each on a loopback port of its
    own, for the length of one run; the engine connects with its real gRPC client."""

    def __init__(self, services: Mapping[str, SdkService]) -> None:
        self.services = services
        self.engine_address = ""  # the engine fills it in: where services send their reports
        self._running: list[RunningService] = []
        self._connections: list[GrpcConnection] = []

    def start(self, services: Sequence[Service], context: RunContext) -> dict[str, ServiceConnection]:
        connections: dict[str, ServiceConnection] = {}
        for declared in services:
            running = self.services[declared.alias].start(
                token=context.service_token, engine_address=self.engine_address
            )
            self._running.append(running)
            connection = GrpcConnection(
                declared,
                running.address,
                token=context.service_token,
                channel_options=LOOPBACK_CHANNEL_OPTIONS,
            )
            self._connections.append(connection)
            connections[declared.alias] = connection
        return connections

    def stop(self) -> None:
        for connection in self._connections:
            connection.close()
        for running in self._running:
            running.stop(grace=0)
        self._connections.clear()
        self._running.clear()
