"""Shared helpers of the benchmarks: timing, machine facts, and Markdown tables.

Each benchmark is a script runnable alone (``python bench/<name>.py``); it prints a table and returns
its rows to ``run_all.py``, which writes ``docs/performance.md``. Every figure is reported next to a
reference measured in the same run, so a slower or faster machine shifts both.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# Benchmarks fork service processes while gRPC calls are in flight, as the engine does; the runtime
# turns gRPC's fork handlers off for that, but only when it is imported before gRPC. Every benchmark
# imports this module first, so the switch is set here whatever the import order below it.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "0")


@dataclass
class Row:
    """One line of a report: what was measured, the figure, its reference, and the target verdict."""

    name: str
    value: str
    reference: str = ""
    ratio: str = ""
    target: str = ""
    verdict: str = ""


def timed(function: Callable[[], object], repeat: int = 5) -> float:
    """The best wall time of ``repeat`` runs of ``function``, in seconds: on a shared machine, noise
    (other processes, the host) only ever adds time, so the fastest run is the one closest to the
    cost of the work itself."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return min(samples)


def run_command(argv: Sequence[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]


def timed_command(argv: Sequence[str], repeat: int = 5, cwd: Path | None = None) -> float:
    """The best wall time of running a command, process start included."""

    def once() -> None:
        result = run_command(argv, cwd=cwd)
        if result.returncode not in (0, 1):
            raise RuntimeError(f"{' '.join(argv)} failed: {result.stderr.strip()[-500:]}")

    once()  # warm the file cache and any on-disk caches first
    return timed(once, repeat)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as info:
            kib = int(info.readline().split()[1])
            memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    system = f"{platform.system()} {platform.machine()}"
    return f"{system}, {os.cpu_count()} cores ({cpu}){memory}, Python {platform.python_version()}"


def table(title: str, rows: Sequence[Row]) -> str:
    header = "| measure | value | reference | ratio | target | verdict |"
    lines = [f"### {title}", "", header, "|---" * 6 + "|"]
    for row in rows:
        cells = (row.name, row.value, row.reference, row.ratio, row.target, row.verdict)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


class CaseFailed(Exception):
    """A measured case did not complete; the message says why, for the report's row."""


def run_case(script: Path, arguments: Sequence[str], timeout: float = 900.0) -> dict[str, object]:
    """Run ``python SCRIPT --case ARGUMENTS...`` in a fresh process and return the JSON object it
    prints as its last line of output. Each case gets a process of its own, so that its peak memory
    (``ru_maxrss``) and its caches are its own."""
    command = [sys.executable, str(script), "--case", *arguments]
    try:
        result = run_command(command, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        raise CaseFailed(f"did not finish within {timeout:g} s") from None
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        tail = (result.stderr.strip() or result.stdout.strip()).splitlines()[-3:]
        raise CaseFailed(f"exit status {result.returncode}: {' / '.join(tail) or 'no output'}")
    try:
        answer = json.loads(lines[-1])
    except ValueError:
        raise CaseFailed(f"unexpected output: {lines[-1][:200]}") from None
    if not isinstance(answer, dict):
        raise CaseFailed(f"unexpected output: {lines[-1][:200]}")
    return answer


def peak_memory_mib() -> float:
    """This process's peak resident set size so far (``ru_maxrss``, KiB on Linux), in MiB."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def mib(value: float) -> str:
    return f"{value:.0f} MiB"


def failed_row(name: str, error: Exception) -> Row:
    """The row of a case that could not be measured: the reason instead of a figure."""
    return Row(name, "not measured", verdict=f"failed: {error}".replace("|", "/"))
