"""The engine-overhead workload of 1,000 calls in Prefect 3, against raw gRPC and against oi.

Workload: the same 1,000 echo calls as benchmark 2 (same service, same arguments), both shapes: a chain
(each Prefect task called in the flow after the previous one returned) and a fan-out (1,000 tasks
submitted at once to Prefect's `ThreadPoolTaskRunner` with 8 workers, the oi engine's parallelism).
Each Prefect task makes its call with the raw stubs of `runtime/proto` (no oi code on the call path)
to an echo service started by this script (`bench/prefect_flow.py` is the flow).

Prefect runs locally, as a user trying it first would: its own virtual environment
(`bench/.prefect-venv`, created with `pip install prefect grpcio protobuf` when missing), no
`PREFECT_API_URL` (so it starts its temporary local server on loopback), `PREFECT_HOME` in a temporary
directory, analytics off (`PREFECT_SERVER_ANALYTICS_ENABLED=false`, `DO_NOT_TRACK=1`), default
settings otherwise. Its time is taken inside the flow function, from before the first task to after
the last result: Prefect's start-up (server, database, flow run) is left out, and shown beside it.

Reference: the raw gRPC loop of benchmark 2 (overhead = (time - raw time) / 1,000), and oi's engine
overhead on the same workload, measured in the same run. Target: oi's overhead per task at least 10x
lower than Prefect's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import engine_overhead
from common import ROOT, CaseFailed, Row, failed_row, run_command, table, verdict
from echo_client import EchoServer

TASKS = 1_000
TARGET = 10.0
VENV = Path(__file__).resolve().parent / ".prefect-venv"
FLOW = Path(__file__).resolve().parent / "prefect_flow.py"
PACKAGES = ("prefect>=3,<4", "grpcio", "protobuf")
INSTALL_TIMEOUT = 900.0
FLOW_TIMEOUT = 600.0


def venv_python() -> Path:
    return VENV / "bin" / "python"


def ensure_prefect() -> str:
    """The Prefect version in the venv, creating the venv first when it is missing or broken.
    Raises ``CaseFailed`` saying why when Prefect cannot be made to run here."""
    probe = [str(venv_python()), "-c", "import grpc, google.protobuf, prefect; print(prefect.__version__)"]
    if venv_python().exists():
        found = run_command(probe)
        if found.returncode == 0:
            return found.stdout.strip()
    print(f"creating {VENV} with {' '.join(PACKAGES)} (once)", file=sys.stderr, flush=True)
    steps = [
        [sys.executable, "-m", "venv", str(VENV)],
        [str(venv_python()), "-m", "pip", "install", "--quiet", *PACKAGES],
    ]
    for step in steps:
        try:
            result = run_command(step, timeout=INSTALL_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise CaseFailed(f"{' '.join(step[:4])} took more than {INSTALL_TIMEOUT:g} s") from None
        if result.returncode != 0:
            last = (result.stderr.strip() or result.stdout.strip()).splitlines()[-1:] or ["no output"]
            raise CaseFailed(f"Prefect could not be installed: {last[0]}")
    found = run_command(probe)
    if found.returncode != 0:
        raise CaseFailed(f"Prefect does not import: {found.stderr.strip().splitlines()[-1:]}")
    return found.stdout.strip()


def prefect_environment(home: str) -> dict[str, str]:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PREFECT_")}
    environment.update(
        PREFECT_HOME=home,
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PYTHONPATH=str(ROOT),
    )
    environment.pop("VIRTUAL_ENV", None)
    return environment


def run_flow(mode: str, tasks: int, address: str, home: str) -> tuple[float, float]:
    """(seconds inside the flow, seconds of the whole Prefect process) for one shape."""
    command = [str(venv_python()), str(FLOW), mode, str(tasks), address]
    began = time.perf_counter()
    try:
        result = run_command(command, env=prefect_environment(home), timeout=FLOW_TIMEOUT, cwd=home)
    except subprocess.TimeoutExpired:
        raise CaseFailed(f"the Prefect flow did not finish within {FLOW_TIMEOUT:g} s") from None
    whole = time.perf_counter() - began
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        tail = result.stderr.strip().splitlines()[-1:] or ["no output"]
        raise CaseFailed(f"the Prefect flow failed (exit status {result.returncode}): {tail[0]}")
    return float(json.loads(lines[-1])["seconds"]), whole


def mode_rows(mode: str, tasks: int, version: str, address: str, home: str) -> list[Row]:
    label = f"Prefect {version}, {mode}, {tasks:,} tasks"

    def per_task(seconds: float) -> str:
        return f"{seconds / tasks * 1000:.3f} ms"

    try:
        prefect_seconds, whole = run_flow(mode, tasks, address, home)
        raw = engine_overhead.measure("raw", mode, tasks)["seconds"]
        oi = engine_overhead.measure("engine", mode, tasks)["seconds"]
    except CaseFailed as error:
        return [failed_row(label, error)]
    prefect_overhead = prefect_seconds - raw
    oi_overhead = oi - raw
    if oi_overhead > 0:
        ratio = prefect_overhead / oi_overhead
        ratio_text, met = f"{ratio:.1f}x", verdict(ratio >= TARGET)
    else:
        ratio_text, met = "oi's overhead is below the noise", verdict(True)
    return [
        Row(
            f"{label}: time per task",
            per_task(prefect_seconds),
            f"{per_task(raw)} raw gRPC",
            f"{prefect_seconds / raw:.1f}x",
        ),
        Row(
            f"{label}: overhead per task",
            per_task(prefect_overhead),
            f"oi: {per_task(oi_overhead)}",
            ratio_text,
            f"oi >= {TARGET:g}x lower",
            met,
        ),
        Row(f"{label}: whole Prefect process", f"{whole:.1f} s", "start-up, flow, shutdown"),
    ]


def run(tasks: int = TASKS) -> list[Row]:
    try:
        version = ensure_prefect()
    except CaseFailed as error:
        return [failed_row(f"Prefect, {tasks:,} tasks", error)]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="oi-bench-prefect-") as home:
        try:
            with EchoServer(Path(home) / "echo.log") as server:
                for mode in engine_overhead.MODES:
                    rows += mode_rows(mode, tasks, version, server.address, home)
        except RuntimeError as error:
            return [failed_row(f"Prefect {version}, {tasks:,} tasks", CaseFailed(str(error)))]
    return rows


if __name__ == "__main__":
    print(table("Prefect", run(int(sys.argv[1]) if len(sys.argv) > 1 else TASKS)))
