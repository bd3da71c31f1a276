"""Bytes written and time spent on the state files for 1,000 / 10,000 / 20,000 tasks.

Workload: a full engine run (`runtime.engine.Engine`) of a fan-out of N tasks (one reaction on
`engine.started` builds them all; 8 workers), in a fresh process per size, against an in-process
service runner whose calls answer at once: with no service time to hide behind, events arrive as fast
as the engine can take them, the worst case for the state files. Each task makes 2 events
(`task.started`, `task.finished`), each appended to `history.yaml` as one line, and `state.yaml` is
rewritten (coalesced, see `runtime/logs.py`) with every task run in it.

Measured by wrapping the writers' methods (`StateFile.write`, `HistoryFile.append` and `.flush`) with
the CPU clock of the thread that runs them (`time.thread_time`: the engine writes the files on its
own thread while workers run, and a wall clock would count the moments it waits for the interpreter
lock), less the garbage collections that start inside them (reported apart: a collection walks the
whole heap, whichever allocation triggers it), and a byte count (state.yaml: its size after each
rewrite; history.yaml: its final size); the run's wall time is `Engine.run()`. Reference: what
rewriting state.yaml after every event (the original engine's way) would have written: the final
size x events / 2, quadratic in N.
Target: linear growth, the 20,000-task bytes and time at most 2.2x the 10,000-task ones. Each size
runs nine times, in rounds that run every size in turn (1,000, 10,000, 20,000, 1,000, ...), so that a
machine that slows down for a minute slows every size alike; per size, the run that spent the least
time writing counts.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from common import CaseFailed, Row, failed_row, run_case, table, verdict

SIZES = (1_000, 10_000, 20_000)
PARALLELISM = 8
LINEARITY_TARGET = 2.2
ROUNDS = 9
SCRIPT = Path(__file__).resolve()


# -- the case, run in a process of its own -----------------------------------------------------------


class InstantConnection:
    """A ``ServiceConnection`` that answers every call at once, without a process or a socket."""

    alias = "echo"

    def call(self, endpoint: str, arguments: Mapping[str, Any], fd: str, timeout: float | None) -> Any:
        return {"n": arguments["n"], "length": len(arguments["text"])}

    def has_schemas(self) -> bool:
        return False


class InstantRunner:
    """A ``ServiceRunner`` whose only service is an ``InstantConnection``."""

    def start(self, services: Sequence[Any], context: Any) -> dict[str, Any]:
        return {service.alias: InstantConnection() for service in services}

    def stop(self) -> None:
        pass


class Meter:
    """CPU seconds spent in, and bytes written by, the wrapped writer methods, without the garbage
    collections that start inside them (counted apart, in ``seconds["gc"]``: a collection walks the
    whole heap, whichever allocation happened to trigger it)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {"state": 0.0, "history": 0.0, "gc": 0.0}
        self.state_writes = 0
        self.state_bytes = 0
        self._gc_began = 0.0
        self._gc_on_thread: dict[int, float] = {}
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        # A collection runs on the thread whose allocation triggered it, holding the interpreter lock.
        if phase == "start":
            self._gc_began = time.thread_time()
            return
        took = time.thread_time() - self._gc_began
        self.seconds["gc"] += took
        thread = threading.get_ident()
        self._gc_on_thread[thread] = self._gc_on_thread.get(thread, 0.0) + took

    def _timed(self, key: str, call: Callable[[], None]) -> None:
        thread = threading.get_ident()
        began, collecting = time.thread_time(), self._gc_on_thread.get(thread, 0.0)
        call()
        collected = self._gc_on_thread.get(thread, 0.0) - collecting
        self.seconds[key] += time.thread_time() - began - collected

    def wrap_state(self, write: Callable[..., None]) -> Callable[..., None]:
        def timed_write(state_file: Any, state: Any) -> None:
            self._timed("state", lambda: write(state_file, state))
            self.state_writes += 1
            self.state_bytes += os.path.getsize(state_file.path)

        return timed_write

    def wrap_history(self, method: Callable[..., None]) -> Callable[..., None]:
        def timed(history_file: Any, *arguments: Any) -> None:
            self._timed("history", lambda: method(history_file, *arguments))

        return timed


def state_case(size: int) -> dict[str, Any]:
    from echo_client import echo_task

    from runtime import logs
    from runtime.conditions import engine_started
    from runtime.engine import Engine, EngineOptions
    from runtime.model import EventReaction, Pipeline, PipelineMetadata, PipelineSpec, Service

    meter = Meter()
    logs.StateFile.write = meter.wrap_state(logs.StateFile.write)  # type: ignore[method-assign]
    # ``append`` queues an event, ``flush`` encodes the queued ones and writes them.
    logs.HistoryFile.append = meter.wrap_history(logs.HistoryFile.append)  # type: ignore[method-assign]
    logs.HistoryFile.flush = meter.wrap_history(logs.HistoryFile.flush)  # type: ignore[method-assign]
    fan_out = EventReaction(
        engine_started, lambda event, state: [echo_task(f"t-{n}", n) for n in range(size)]
    )
    pipeline = Pipeline(PipelineMetadata("bench-state"), PipelineSpec([Service(alias="echo")], [fan_out]))
    with tempfile.TemporaryDirectory(prefix="oi-bench-state-") as directory:
        options = EngineOptions(
            pipeline=pipeline,
            logs_directory=directory,
            parallelism=PARALLELISM,
            runner=InstantRunner(),
            handle_signals=False,
        )
        began = time.perf_counter()
        result = Engine(options).run()
        run_seconds = time.perf_counter() - began
        if not result.succeeded:
            raise SystemExit(f"the run {result.status}: {result.message}")
        logs_dir = Path(result.logs_dir)
        history_lines = (logs_dir / "history.yaml").read_bytes().count(b"\n")
        return {
            "run_seconds": run_seconds,
            "state_seconds": meter.seconds["state"],
            "history_seconds": meter.seconds["history"],
            "gc_seconds": meter.seconds["gc"],
            "state_writes": meter.state_writes,
            "state_bytes": meter.state_bytes,
            "state_final_bytes": (logs_dir / "state.yaml").stat().st_size,
            "history_bytes": (logs_dir / "history.yaml").stat().st_size,
            "events": history_lines,
        }


# -- the report --------------------------------------------------------------------------------------


def megabytes(count: float) -> str:
    if count >= 1e9:
        return f"{count / 1e9:.1f} GB"
    return f"{count / 1e6:.1f} MB"


def size_rows(size: int, answer: Mapping[str, Any]) -> list[Row]:
    label = f"{size:,} tasks"
    written = answer["state_bytes"] + answer["history_bytes"]
    seconds = answer["state_seconds"] + answer["history_seconds"]
    every_event = answer["state_final_bytes"] * answer["events"] / 2
    share = seconds / answer["run_seconds"] * 100
    return [
        Row(
            f"{label}: bytes written (state + history)",
            megabytes(written),
            f"{megabytes(every_event)} if rewritten per event",
            f"{every_event / written:.0f}x less",
        ),
        Row(
            f"{label}: state.yaml",
            megabytes(answer["state_bytes"]),
            f"{answer['state_writes']} rewrites of up to {megabytes(answer['state_final_bytes'])}",
        ),
        Row(
            f"{label}: history.yaml",
            megabytes(answer["history_bytes"]),
            f"{answer['events']:,} events appended",
        ),
        Row(
            f"{label}: time writing state files",
            f"{seconds:.2f} s",
            f"state.yaml {answer['state_seconds']:.2f} s + history {answer['history_seconds']:.2f} s",
            f"{share:.0f}% of the {answer['run_seconds']:.2f} s run",
        ),
        Row(
            f"{label}: garbage collection during the run",
            f"{float(answer.get('gc_seconds', 0.0)):.2f} s",
            "all threads; not counted in the writers' time",
        ),
    ]


def run(sizes: Sequence[int] = SIZES) -> list[Row]:
    rows: list[Row] = []
    runs: dict[int, list[Mapping[str, Any]]] = {size: [] for size in sizes}
    for _ in range(ROUNDS):
        for size in list(runs):
            try:
                runs[size].append(run_case(SCRIPT, [str(size)]))
            except CaseFailed as error:
                rows.append(failed_row(f"{size:,} tasks", error))
                del runs[size]
    answers: dict[int, Mapping[str, Any]] = {}
    for size, size_runs in runs.items():
        # The run that spent the least time writing (noise, such as a garbage collection that happens
        # to fall inside a write, only ever adds time).
        answers[size] = min(size_runs, key=lambda answer: answer["state_seconds"] + answer["history_seconds"])
        rows += size_rows(size, answers[size])
    if len(answers) >= 2:
        small, large = sorted(answers)[-2:]
        limit = LINEARITY_TARGET * large / small / 2
        for what, keys in (
            ("bytes", ("state_bytes", "history_bytes")),
            ("time", ("state_seconds", "history_seconds")),
        ):
            growth = sum(answers[large][key] for key in keys) / sum(answers[small][key] for key in keys)
            rows.append(
                Row(
                    f"{what} for {large:,} / {what} for {small:,} tasks",
                    f"{growth:.2f}x",
                    f"{large / small:g}x the tasks",
                    target=f"<= {limit:.1f}x",
                    verdict=verdict(growth <= limit),
                )
            )
    return rows


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="task counts, comma-separated")
    parser.add_argument("--case", nargs=1, metavar="SIZE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:
        print(json.dumps(state_case(int(args.case[0]))))
        return 0
    print(table("State files", run([int(size) for size in args.sizes.split(",")])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
