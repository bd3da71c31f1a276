"""Start-up: process start to `engine.started`, and to the end of the run, for the smallest pipeline.

Workload: one service (the built-in `exec`) and one task (`echo ready`) on `engine.started`
(`pipelines.minimal_pipeline`), run from source with `oic run minimal.oi` and as the binary built by
`oic build` (with the base cached by earlier builds on this machine; the first build of a runtime
freezes one, about 40 s, not counted here: see benchmark 5). The clock starts just before the process is
spawned; `engine.started` is the `createdAt` of the first event in `logs/history.yaml` (that event is
made once the services are up, so it includes starting the `exec` service), and the run ends when the
process exits (services stopped, files written). Best of 5 runs after one warm-up run.

Reference: `python -c pass` for the run from source; `BINARY --version` for the binary (a one-file
binary unpacks itself before it runs anything: its floor).
Targets: the whole run in at most 0.5 s from source and 1 s as a binary.
"""

from __future__ import annotations

import datetime
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from common import BIN, CaseFailed, Row, failed_row, ms, run_command, table, timed_command, verdict
from pipelines import minimal_pipeline

REPEAT = 5
TARGETS = {"source": 0.5, "binary": 1.0}
BUILD_TIMEOUT = 900.0
RUN_TIMEOUT = 120.0


def created_at(history: Path) -> float:
    """The wall-clock time (seconds since the epoch) of the first event in ``history``."""
    try:
        first = history.read_text(encoding="utf-8").splitlines()[0]
    except (OSError, IndexError):
        raise CaseFailed(f"{history} is missing or empty") from None
    stamp = json.loads(first.removeprefix("- "))["metadata"]["createdAt"]
    return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def timed_run(command: Sequence[str], logs: Path) -> tuple[float, float]:
    """(seconds to ``engine.started``, seconds to the process's exit) of one run."""
    began = time.time()
    try:
        result = run_command([*command, "--logs-dir", str(logs)], timeout=RUN_TIMEOUT)
    except Exception as error:
        raise CaseFailed(f"{command[0]}: {error}") from None
    ended = time.time()
    if result.returncode != 0:
        tail = result.stderr.strip().splitlines()[-1:] or ["no output"]
        raise CaseFailed(f"the run failed (exit status {result.returncode}): {tail[0]}")
    return created_at(logs / "logs" / "history.yaml") - began, ended - began


def measure(command: Sequence[str], work: Path, label: str) -> tuple[float, float]:
    samples = [timed_run(command, work / f"{label}-{index}") for index in range(REPEAT + 1)][1:]
    # The best run of each (noise only ever adds time; see ``common.timed``).
    return min(s[0] for s in samples), min(s[1] for s in samples)


def rows_for(kind: str, label: str, started: float, finished: float, reference: str) -> list[Row]:
    target = TARGETS[kind]
    return [
        Row(f"{label}: to engine.started", ms(started), reference),
        Row(
            f"{label}: whole run",
            ms(finished),
            reference,
            "",
            f"<= {ms(target)}",
            verdict(finished <= target),
        ),
    ]


def build(pipeline: Path, output: Path) -> Path:
    command = [str(BIN / "oic"), "build", str(pipeline), "-o", str(output)]
    try:
        result = run_command(command, timeout=BUILD_TIMEOUT)
    except Exception as error:
        raise CaseFailed(f"oic build: {error}") from None
    if result.returncode != 0:
        tail = result.stderr.strip().splitlines()[-1:] or ["no output"]
        raise CaseFailed(f"oic build failed (exit status {result.returncode}): {tail[0]}")
    binary = output / "minimal"
    if not binary.is_file():
        raise CaseFailed(f"oic build wrote no {binary}")
    return binary


def run() -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="oi-bench-startup-") as directory:
        work = Path(directory)
        pipeline = work / "minimal.oi"
        pipeline.write_text(minimal_pipeline(), encoding="utf-8")
        try:
            floor = timed_command([sys.executable, "-c", "pass"], repeat=REPEAT)
            started, finished = measure([str(BIN / "oic"), "run", str(pipeline), "--"], work, "source")
            rows += rows_for(
                "source", "from source (oic run)", started, finished, f"python -c pass: {ms(floor)}"
            )
        except CaseFailed as error:
            rows.append(failed_row("from source (oic run)", error))
        try:
            binary = build(pipeline, work / "dist")
            floor = timed_command([str(binary), "--version"], repeat=REPEAT)
            started, finished = measure([str(binary)], work, "binary")
            rows += rows_for("binary", "binary", started, finished, f"--version: {ms(floor)}")
        except (CaseFailed, RuntimeError) as error:
            rows.append(failed_row("binary", error))
    return rows


if __name__ == "__main__":
    print(table("Start-up", run()))
