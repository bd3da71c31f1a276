"""Small builders so each engine test reads as the pipeline it runs."""

from __future__ import annotations

import datetime
import itertools
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from runtime.engine import Engine, EngineOptions, RunResult
from runtime.model import (
    Argument,
    Event,
    EventMetadata,
    EventReaction,
    Pipeline,
    PipelineMetadata,
    PipelineSpec,
    RetryPolicy,
    Service,
    Task,
    TaskMetadata,
    TaskSpec,
)
from runtime.services.base import CallFailed
from runtime.state import State
from tests.runtime.fakes import Call, FakeRunner, Handler


def task(
    name: str,
    endpoint: str = "ok",
    *,
    service: str = "svc",
    reusable: bool = False,
    timeout: float | None = None,
    attempts: int = 1,
    backoff: float = 0.0,
    funcs: dict[str, Callable[[], Any]] | None = None,
    **arguments: Any,
) -> Task:
    """A task calling ``service.endpoint``: keyword arguments are static, ``funcs`` computed."""
    built = [Argument(key, value) for key, value in arguments.items()]
    built += [Argument(key, func=func) for key, func in (funcs or {}).items()]
    return Task(
        TaskMetadata(name, reusable=reusable, timeout=timeout, retry=RetryPolicy(attempts, backoff)),
        TaskSpec(service, endpoint, tuple(built)),
    )


def on(condition: Callable[[Event, State], bool], *tasks: Task) -> EventReaction:
    """A reaction building ``tasks`` (the same objects every time) when ``condition`` holds."""
    return EventReaction(condition, lambda event, state: list(tasks))


def pipeline(*reactions: EventReaction, services: Sequence[str] = ("svc",)) -> Pipeline:
    return Pipeline(
        PipelineMetadata("test-pipeline"),
        PipelineSpec(
            services=tuple(Service(alias, path="unused") for alias in services), reactions=reactions
        ),
    )


def ok(call: Call) -> Any:
    return {"echo": dict(call.arguments)}


def fail(call: Call) -> Any:
    raise CallFailed(f"boom: {call.arguments.get('why', 'asked to fail')}")


def hang(call: Call) -> Any:
    """Blocks until the runner stops (like a service that never answers)."""
    call.stopped.wait(60)
    raise CallFailed("service stopped")


def runner(**extra: Handler) -> FakeRunner:
    return FakeRunner({"svc": {"ok": ok, "fail": fail, "hang": hang, **extra}})


def run(pipe: Pipeline, fake: FakeRunner | None, tmp_path: Path, **options: Any) -> RunResult:
    options.setdefault("handle_signals", False)
    return Engine(EngineOptions(pipe, logs_directory=str(tmp_path), runner=fake, **options)).run()


def load_state(tmp_path: Path) -> dict[str, Any]:
    return yaml.safe_load((tmp_path / "logs" / "state.yaml").read_text())


def load_history(tmp_path: Path) -> list[dict[str, Any]]:
    return yaml.safe_load((tmp_path / "logs" / "history.yaml").read_text()) or []


def tasks_by_name(tmp_path: Path) -> dict[str, list[dict[str, Any]]]:
    result: dict[str, list[dict[str, Any]]] = {}
    for entry in (load_state(tmp_path)["tasks"] or {}).values():
        result.setdefault(entry["task"], []).append(entry)
    return result


class Rendezvous:
    """Handlers wait, with a deadline, until ``size`` calls have come in; ``most`` is the largest number
    of calls seen inside at once."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entered = 0
        self.inside = 0
        self.most = 0
        self._condition = threading.Condition()

    def __call__(self, call: Call) -> Any:
        with self._condition:
            self.entered += 1
            self.inside += 1
            self.most = max(self.most, self.inside)
            self._condition.notify_all()
            met = self._condition.wait_for(lambda: self.entered >= self.size, timeout=10)
            self.inside -= 1
        if not met:
            raise CallFailed("the others never came")
        return {}


NOW = datetime.datetime(2024, 5, 1, tzinfo=datetime.timezone.utc)


class Timeline:
    """Events applied to a State one by one, as the engine applies them before it asks conditions."""

    def __init__(self) -> None:
        self.state = State()
        self._ids = itertools.count(1)

    def _apply(self, name: str, arguments: dict[str, Any] | None = None, **payload: Any) -> Event:
        event = Event(EventMetadata(name, f"event-{next(self._ids)}", NOW), payload)
        self.state.apply(event, arguments)
        return event

    def engine_started(self) -> Event:
        return self._apply("engine.started")

    def build(self, name: str) -> str:
        run_id = f"{name}#{next(self._ids)}"
        self.state.add_pending(run_id, name, "event-0", "")
        return run_id

    def start(self, run_id: str, arguments: dict[str, Any] | None = None) -> Event:
        return self._apply("task.started", arguments or {}, task=self.state.tasks[run_id].task, id=run_id)

    def finish(self, run_id: str, status: str = "Success", error: str = "", output: Any = None) -> Event:
        name = self.state.tasks[run_id].task
        return self._apply("task.finished", task=name, id=run_id, status=status, error=error, output=output)

    def run(self, name: str, status: str = "Success") -> Event:
        """A whole run of ``name``: built, started, finished; returns its ``task.finished`` event."""
        run_id = self.build(name)
        self.start(run_id)
        return self.finish(run_id, status)

    def report(self, run_id: str, event_name: str, data: Any = None) -> Event:
        name = self.state.tasks[run_id].task
        return self._apply("task.reported", task=name, id=run_id, event=event_name, data=data)
