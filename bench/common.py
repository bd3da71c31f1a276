"""Shared helpers of the benchmarks: timing, machine facts, and Markdown tables.

Each benchmark is a script runnable alone (``python bench/<name>.py``); it prints a table and returns
its rows to ``run_all.py``, which writes ``docs/performance.md``. Every figure is reported next to a
reference measured in the same run, so a slower or faster machine shifts both.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


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
    """The median wall time of ``repeat`` runs of ``function``, in seconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def run_command(argv: Sequence[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]


def timed_command(argv: Sequence[str], repeat: int = 5, cwd: Path | None = None) -> float:
    """The median wall time of running a command, process start included."""

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
