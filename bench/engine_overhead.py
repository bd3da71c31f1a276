"""Engine overhead per task, against raw gRPC calls to the same service (1,000 / 10,000 / 20,000 tasks).

Workload: every task calls the `echo` endpoint of `bench/echo_service.py`, an SDK service whose
endpoint does next to nothing, with typed `arguments.json`/`returns.json` schemas, so validation is on
in the engine's client (arguments before the call, payload after it) and in the service. Two shapes:

- chain: one reusable task `step`, rebuilt by the reaction on `task("step").finished(success)` until N
  have run: every task waits for the previous one, so the engine's latency is on the critical path;
- fan-out: one reaction on `engine.started` builds N tasks `t-0` ... `t-N-1`, run by the engine's
  pool of 8 workers (its default parallelism).

Each case runs three times (six for 1,000 tasks, the shortest), and the best time of each counts:
on a shared machine noise only ever adds time. The runs go in rounds that run every size, raw and
engine taking turns (raw 1,000, engine 1,000, raw 10,000, ...), so that a machine that slows down or
speeds up for a few minutes moves every figure of the table alike. The engine runs in a fresh
process per case (so `ru_maxrss` is that case's peak memory), with the local runner starting the
service and its files (log, history.yaml, state.yaml; a task's log only if the service writes one)
written to a temporary directory. Its time runs from the handling of `engine.started` (services are
up) to the handling of the N-th `task.finished`, read by a probe condition that never fires.

The engine also sends its run's service token with every call (the service checks it), as it always does.

Reference: the same N calls with raw gRPC stubs from a fresh process to the same service, sequential
for the chain and from 8 threads for the fan-out (the engine's parallelism): the physical limit. The
ratio is engine time / raw time; the overhead per task is (engine time - raw time) / N.
Targets: ratio <= 2x; linear growth, the 20,000-task time at most 2.2x the 10,000-task time. The raw
loop's growth over the same sizes is shown beside it: it is linear by construction, so its distance
from 2x is how much the machine's noise moves such a figure in the same run.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from common import CaseFailed, Row, failed_row, mib, peak_memory_mib, run_case, table, verdict

SIZES = (1_000, 10_000, 20_000)
PARALLELISM = 8
MODES = ("chain", "fan-out")
RATIO_TARGET = 2.0
LINEARITY_TARGET = 2.2
SCRIPT = Path(__file__).resolve()


# Rounds per shape: more would steady the figures, at about 40 s (fan-out) and 60 s (chain) each,
# and `make bench` must stay under 10 minutes on a 2-core machine in a slow minute.
ROUNDS = {"chain": 3, "fan-out": 3}
# Cases of this many tasks or fewer last a second or less, so a moment's noise weighs most on them:
# they run twice per round, which costs little.
SHORT = 1_000


# -- the cases, each run in a process of its own ---------------------------------------------------


class Probe:
    """A reaction condition that records when the run's first and last events were handled; it never
    fires, so it costs the engine what any condition costs and builds nothing."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.began = 0.0
        self.ended = 0.0
        self.finished = 0

    def __call__(self, event: Any, state: Any) -> bool:
        name = event.metadata.name
        if name == "engine.started":
            self.began = time.perf_counter()
        elif name == "task.finished":
            self.finished += 1
            if self.finished == self.expected:
                self.ended = time.perf_counter()
        return False


def build_pipeline(mode: str, size: int, probe: Probe) -> Any:
    from echo_client import echo_task

    from runtime.conditions import engine_started, task_finished_with_status
    from runtime.model import EventReaction, Pipeline, PipelineMetadata, PipelineSpec, Service

    echo_service = Service(alias="echo", path=str(SCRIPT.parent / "echo_service.py"))
    reactions = [EventReaction(probe, lambda event, state: [])]
    if mode == "chain":
        numbers = itertools.count(1)

        def next_step(event: Any, state: Any) -> list[Any]:
            n = next(numbers)
            return [echo_task("step", n, reusable=True)] if n < size else []

        reactions += [
            EventReaction(engine_started, lambda event, state: [echo_task("step", 0, reusable=True)]),
            EventReaction(task_finished_with_status("step", "Success"), next_step),
        ]
    else:
        reactions.append(
            EventReaction(engine_started, lambda event, state: [echo_task(f"t-{n}", n) for n in range(size)])
        )
    return Pipeline(PipelineMetadata(name=f"bench-{mode}"), PipelineSpec([echo_service], reactions))


def engine_case(mode: str, size: int) -> dict[str, Any]:
    from runtime.engine import Engine, EngineOptions

    probe = Probe(size)
    with tempfile.TemporaryDirectory(prefix="oi-bench-engine-") as logs:
        options = EngineOptions(
            pipeline=build_pipeline(mode, size, probe),
            logs_directory=logs,
            parallelism=PARALLELISM,
            handle_signals=False,
            max_task_runs=size,  # the chain is one reusable task run `size` times, on purpose
        )
        result = Engine(options).run()
        if not result.succeeded:
            raise SystemExit(f"the run {result.status}: {result.message}")
        if probe.finished != size:
            raise SystemExit(f"{probe.finished} tasks finished instead of {size}")
        return {"seconds": probe.ended - probe.began, "peak_mib": peak_memory_mib()}


def raw_case(mode: str, size: int) -> dict[str, Any]:
    from echo_client import EchoServer, raw_calls

    with tempfile.TemporaryDirectory(prefix="oi-bench-raw-") as logs:
        with EchoServer(Path(logs) / "echo.log") as server:
            seconds = raw_calls(server.address, size, callers=1 if mode == "chain" else PARALLELISM)
    return {"seconds": seconds, "peak_mib": peak_memory_mib()}


# -- the report --------------------------------------------------------------------------------------


# (mode, size) -> kind -> the best figures: kept for the rest of the process, so that the Prefect
# comparison reuses the 1,000-task figures of the table.
_best: dict[tuple[str, int], dict[str, dict[str, float]]] = {}


def measure_sizes(mode: str, sizes: Sequence[int]) -> None:
    """Per size, for "raw" and "engine": the best time (and the largest peak memory) of
    ``ROUNDS[mode]`` runs, kept in ``_best``. Each round runs every size, the two kinds taking turns
    (raw, engine, raw, engine, ...), so that a machine that speeds up or slows down during the
    measurement moves all the figures alike: the growth from one size to the next compares runs made
    a minute or two apart. A case that fails raises ``CaseFailed`` for the whole shape."""
    answers: dict[int, dict[str, list[dict[str, Any]]]] = {size: {"raw": [], "engine": []} for size in sizes}
    for _ in range(ROUNDS[mode]):
        for size in sizes:
            for _ in range(2 if size <= SHORT else 1):
                for kind, runs in answers[size].items():
                    runs.append(run_case(SCRIPT, [kind, mode, str(size)]))
    for size, by_kind in answers.items():
        _best[mode, size] = {
            kind: {
                "seconds": min(float(answer["seconds"]) for answer in runs),
                "peak_mib": max(float(answer["peak_mib"]) for answer in runs),
            }
            for kind, runs in by_kind.items()
        }


def measure(kind: str, mode: str, size: int) -> dict[str, float]:
    """The best figures of ``kind`` for ``mode`` and ``size`` (measured now if not yet)."""
    if (mode, size) not in _best:
        measure_sizes(mode, [size])
    return _best[mode, size][kind]


def per_task(seconds: float, size: int) -> str:
    return f"{seconds / size * 1000:.3f} ms"


def mode_rows(mode: str, sizes: Sequence[int]) -> list[Row]:
    rows: list[Row] = []
    engine_seconds: dict[int, float] = {}
    raw_seconds: dict[int, float] = {}
    try:
        measure_sizes(mode, sizes)
    except CaseFailed as error:
        return [failed_row(f"{mode}, {', '.join(f'{size:,}' for size in sizes)} tasks", error)]
    for size in sizes:
        label = f"{mode}, {size:,} tasks"
        raw = measure("raw", mode, size)
        engine = measure("engine", mode, size)
        engine_seconds[size] = engine["seconds"]
        raw_seconds[size] = raw["seconds"]
        ratio = engine["seconds"] / raw["seconds"]
        rows += [
            Row(
                f"{label}: time per task",
                per_task(engine["seconds"], size),
                f"{per_task(raw['seconds'], size)} raw gRPC",
                f"{ratio:.2f}x",
                f"<= {RATIO_TARGET:g}x",
                verdict(ratio <= RATIO_TARGET),
            ),
            Row(
                f"{label}: overhead per task",
                per_task(engine["seconds"] - raw["seconds"], size),
                f"total {engine['seconds']:.2f} s vs {raw['seconds']:.2f} s raw",
            ),
            Row(
                f"{label}: peak memory",
                mib(engine["peak_mib"]),
                f"{mib(raw['peak_mib'])} raw gRPC caller",
                f"{(engine['peak_mib'] - raw['peak_mib']) * 1024 / size:.1f} KiB/task over raw",
            ),
        ]
    if len(engine_seconds) >= 2:
        small, large = sorted(engine_seconds)[-2:]
        growth = engine_seconds[large] / engine_seconds[small]
        # The raw loop grows exactly linearly by construction: how far its figure is from that
        # shows how much the machine's noise moves a growth figure in this run.
        raw_growth = raw_seconds[large] / raw_seconds[small]
        linear = large / small
        limit = LINEARITY_TARGET * linear / 2
        rows.append(
            Row(
                f"{mode}: time for {large:,} / time for {small:,} tasks",
                f"{growth:.2f}x",
                f"raw gRPC: {raw_growth:.2f}x for {linear:g}x the calls",
                target=f"<= {limit:.1f}x",
                verdict=verdict(growth <= limit),
            )
        )
    return rows


def run(sizes: Sequence[int] = SIZES) -> list[Row]:
    rows: list[Row] = []
    for mode in MODES:
        rows += mode_rows(mode, sizes)
    return rows


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="task counts, comma-separated")
    parser.add_argument("--case", nargs=3, metavar=("KIND", "MODE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:
        kind, mode, size = args.case
        case = engine_case if kind == "engine" else raw_case
        print(json.dumps(case(mode, int(size))))
        return 0
    print(table("Engine overhead", run([int(size) for size in args.sizes.split(",")])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
