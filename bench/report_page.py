"""Time to make and write `report.html` for runs of 1,000 and 10,000 task runs.

Workload: the report of a finished run (`runtime.report.write_report`), made from a record built in
the process: N task runs of 50 task names (so reusable runs are numbered), each with small arguments
and output (a command's: `Args`, `ExitCode`, `Stdout`), one in ten failed with a two-line error; the
history of the run's 2 x N events (the report lists the first 5,000); the reaction graph of a
pipeline of 50 tasks. Reference: `--summary-json` of the same record (`runtime.results`), which also
goes over every task run once, and writes far less. Each size is measured in rounds (1,000, 10,000,
1,000, ...), and the fastest of five counts.
Target: linear, the 10,000-run report at most 12x the 1,000-run one; and under a second for 1,000
task runs (the report is made once the run is over, on the binary's way out).
"""

from __future__ import annotations

import datetime
import tempfile
import time
from pathlib import Path

from common import Row, table, verdict

from runtime.model import Event, EventMetadata
from runtime.redact import Redactor, write_atomically
from runtime.report import write_report
from runtime.results import RunRecord, summary_json
from runtime.state import RunFacts, TaskState

SIZES = (1_000, 10_000)
ROUNDS = 5
NAMES = 50
LINEARITY_TARGET = 12.0
SECONDS_TARGET = 1.0
START = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)


def at(seconds: float) -> datetime.datetime:
    return START + datetime.timedelta(seconds=seconds)


def record(size: int, logs_dir: str) -> tuple[RunRecord, list[Event], dict[str, object]]:
    runs = []
    events = []
    for number in range(size):
        name = f"task-{number % NAMES}"
        failed = number % 10 == 9
        runs.append(
            TaskState(
                id=f"{number:016x}",
                task=name,
                state="finished",
                status="failed" if failed else "Success",
                output=None if failed else {"ExitCode": 0, "Stdout": f"done {number}\n"},
                arguments={"Args": ["sh", "-c", f"work {number}"]},
                error="command exited with code 1; last lines of its output:\n  | no" if failed else "",
                logger=f"{logs_dir}/tasks/{name}-{number:016x}.log",
                started_at=at(number * 0.01),
                finished_at=at(number * 0.01 + 0.5),
                attempts=1,
            )
        )
        for kind, seconds in (("task.started", 0.0), ("task.finished", 0.5)):
            payload = {"task": name, "id": f"{number:016x}"}
            events.append(
                Event(EventMetadata(kind, f"{number}-{kind}", at(number * 0.01 + seconds)), payload)
            )
    nodes = [
        {"id": f"n{index}", "kind": "task", "lines": [f"task-{index}"], "loop": False}
        for index in range(NAMES)
    ]
    nodes.append({"id": "r", "kind": "reaction", "lines": ["reaction (line 3)"], "loop": False})
    edges = [
        {"source": "r", "target": f"n{index}", "kind": "builds", "label": "", "loop": False}
        for index in range(NAMES)
    ]
    facts = RunFacts("finished", "run", START, at(size * 0.01 + 1), "failed", 3)
    return (
        RunRecord("bench", facts, runs, logs_dir, Redactor(["a-secret-value"])),
        events,
        {"nodes": nodes, "edges": edges},
    )


def run() -> list[Row]:
    best: dict[int, float] = {size: float("inf") for size in SIZES}
    reference: dict[int, float] = {size: float("inf") for size in SIZES}
    sizes: dict[int, int] = {}
    with tempfile.TemporaryDirectory() as directory:
        cases = {size: record(size, directory) for size in SIZES}
        for _ in range(ROUNDS):
            for size in SIZES:
                made, events, graph = cases[size]
                started = time.perf_counter()
                problem = write_report(made, events, graph)
                best[size] = min(best[size], time.perf_counter() - started)
                if problem:
                    raise RuntimeError(problem)
                sizes[size] = (Path(directory) / "report.html").stat().st_size
                started = time.perf_counter()
                write_atomically(str(Path(directory) / "summary.json"), summary_json(made))
                reference[size] = min(reference[size], time.perf_counter() - started)
    rows = [
        Row(
            f"report of {size:,} task runs ({sizes[size] / 1e6:.1f} MB)",
            f"{best[size] * 1000:.0f} ms",
            f"summary JSON {reference[size] * 1000:.0f} ms",
            f"{best[size] / reference[size]:.0f}x",
            f"<= {SECONDS_TARGET:.0f} s" if size == SIZES[0] else "",
            verdict(best[size] <= SECONDS_TARGET) if size == SIZES[0] else "",
        )
        for size in SIZES
    ]
    growth = best[SIZES[1]] / best[SIZES[0]]
    rows.append(
        Row(
            f"growth {SIZES[1]:,} / {SIZES[0]:,}",
            f"{growth:.1f}x",
            f"summary JSON {reference[SIZES[1]] / reference[SIZES[0]]:.1f}x",
            "",
            f"<= {LINEARITY_TARGET:.0f}x",
            verdict(growth <= LINEARITY_TARGET),
        )
    )
    return rows


if __name__ == "__main__":
    print(table("8. The run report", run()))
