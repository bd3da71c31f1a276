"""Start a built-in service for real (``python -m runtime.catalog NAME`` through the local runner)
and call it over gRPC, as a pipeline would."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime.model import Service
from runtime.services.base import RunContext, ServiceConnection
from runtime.services.local import LocalRunner

SERVICE_TOKEN = "run-token-for-tests"


@dataclass
class RunningBuiltin:
    """A started built-in service: ``call`` sends one call and writes the task log under ``logs``."""

    name: str
    connection: ServiceConnection
    logs: Path
    _calls: int = 0

    def call(self, endpoint: str, arguments: Mapping[str, Any], timeout: float = 60.0) -> Any:
        self._calls += 1
        task_log = self.logs / "tasks" / f"{endpoint}-{self._calls}.log"
        task_log.parent.mkdir(parents=True, exist_ok=True)
        return self.connection.call(endpoint, arguments, str(task_log), timeout)

    def all_logs(self) -> str:
        """Every log written so far (service and tasks), to check that no secret leaked."""
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.logs.rglob("*.log")))


@contextlib.contextmanager
def running_builtin(name: str, logs: Path) -> Iterator[RunningBuiltin]:
    runner = LocalRunner(ready_timeout=60.0, stop_grace=5.0)
    try:
        service = Service(alias=name.replace("-", "_"), name=name, builtin=True)
        connections = runner.start([service], RunContext("test", str(logs), SERVICE_TOKEN))
        yield RunningBuiltin(name, connections[service.alias], logs)
    finally:
        runner.stop()
