"""A run's record made by hand for the report's in-process tests: every way a task run can end, a
reusable task run three times, a retried call, a secret in arguments, output and error, and output
that tries to break out of the page."""

from __future__ import annotations

import datetime
from dataclasses import replace
from pathlib import Path

from runtime.model import Event, EventMetadata
from runtime.redact import Redactor
from runtime.results import RunRecord
from runtime.state import RunFacts, TaskState

SECRET = "hunter2-Secret-Value"
HOSTILE = "</script><script>alert(1)</script>\x1b[2J\x07\u202eevil\x00"
START = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)


def at(seconds: float) -> datetime.datetime:
    return START + datetime.timedelta(seconds=seconds)


def finished(
    run_id: str, task: str, begin: float, end: float, status: str = "Success", **fields: object
) -> TaskState:
    values: dict[str, object] = {"attempts": 1, "logger": f"/logs/tasks/{task}-{run_id}.log", **fields}
    return TaskState(
        id=run_id,
        task=task,
        state="finished",
        status=status,
        started_at=at(begin),
        finished_at=at(end),
        **values,  # type: ignore[arg-type]
    )


RUNS = [
    finished("r1", "build", 0.0, 2.0, output={"Stdout": HOSTILE}, arguments={"Args": ["make", SECRET]}),
    finished(
        "r2",
        "flaky",
        0.5,
        1.5,
        status="failed",
        attempts=3,
        error=f"exit 1; output:\n| {SECRET}\n| {HOSTILE}",
    ),
    finished("r3", "notify", 2.0, 2.2),
    finished("r4", "notify", 2.5, 2.7),
    finished("r5", "notify", 3.0, 3.1),
    finished("r6", "deploy-eu", 2.0, 4.0, status="failed", abandoned=True, error="the run timed out"),
    TaskState(id="r7", task="deploy-us", state="in-progress", started_at=at(2.1), arguments={"Region": "us"}),
]

GRAPH = {
    "nodes": [
        {"id": "n0", "kind": "task", "lines": ["build"], "loop": False},
        {"id": "n1", "kind": "task", "lines": ["flaky"], "loop": False},
        {"id": "n2", "kind": "task", "lines": ["notify"], "loop": False},
        {"id": "n3", "kind": "task-pattern", "lines": ["deploy-${r}"], "loop": True},
        {"id": "n4", "kind": "task", "lines": ["never"], "loop": False},
        {"id": "n5", "kind": "reaction", "lines": ["reaction (line 7)", "if ok"], "loop": False},
        {"id": "n6", "kind": "event", "lines": ["engine.started"], "loop": False},
        {"id": "n7", "kind": "reaction", "lines": ["reaction (line 12)"], "loop": False},
    ],
    "edges": [
        {"source": "n6", "target": "n5", "kind": "triggers", "label": "", "loop": False},
        {"source": "n5", "target": "n0", "kind": "builds", "label": "", "loop": False},
        {"source": "n5", "target": "n1", "kind": "builds", "label": "", "loop": False},
        {"source": "n5", "target": "n3", "kind": "builds", "label": "for r in regions", "loop": True},
        {"source": "n1", "target": "n7", "kind": "failed", "label": "finished(failed)", "loop": False},
        {"source": "n7", "target": "n2", "kind": "builds", "label": "", "loop": False},
        {"source": "n2", "target": "n7", "kind": "finished", "label": "finished", "loop": False},
        {"source": "n7", "target": "n4", "kind": "builds", "label": "", "loop": False},
    ],
}


def event(name: str, seconds: float, **payload: object) -> Event:
    return Event(EventMetadata(name, f"e-{seconds}", at(seconds)), payload)


EVENTS = [
    event("engine.started", 0.0),
    event("task.started", 0.0, task="build", id="r1"),
    event(
        "task.finished", 2.0, task="build", id="r1", status="Success", error="", output={"Stdout": HOSTILE}
    ),
    event("task.finished", 1.5, task="flaky", id="r2", status="failed", error=f"exit 1 {SECRET}"),
    event("engine.finished", 4.0, status="timed-out"),
]


def logged(logs_dir: Path, quiet: set[str]) -> list[TaskState]:
    """``RUNS`` with their logs under ``logs_dir``/tasks, written but for the tasks in ``quiet``."""
    (logs_dir / "tasks").mkdir(exist_ok=True)
    runs = []
    for run in RUNS:
        path = logs_dir / "tasks" / f"{run.task}-{run.id}.log"
        if run.task not in quiet:
            path.write_text("a line\n", encoding="utf-8")
        runs.append(replace(run, logger=str(path)))
    return runs


def record(runs: list[TaskState] | None = None, logs_dir: str = "/logs") -> RunRecord:
    facts = RunFacts("finished", "run-1", START, at(4.0), "timed-out", 4)
    return RunRecord("demo", facts, RUNS if runs is None else runs, logs_dir, Redactor([SECRET]))
