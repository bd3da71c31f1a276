"""`oic check` wall time, process start included, on generated pipelines of 100 / 1,000 / 10,000 lines.

Reference: the start-up of a bare interpreter (`python -c pass`), the floor for any Python CLI.
Targets: 1,000 lines in at most 150 ms; 10,000 lines in at most 1 s. Each figure is the best of 15 runs,
made in rounds that run every command in turn (the reference, 100, 1,000, 10,000 lines, the reference,
...), so that a minute in which the machine is slow slows every figure alike.

Measured as installed: an installed `oic` runs from compiled bytecode (pip compiles it at install
time), so the runs keep bytecode in a temporary cache (`PYTHONPYCACHEPREFIX`), filled by a first
run that is not counted, even when the environment says `PYTHONDONTWRITEBYTECODE` (with it, and no
`__pycache__` next to the sources, every run would compile the compiler's modules again: about 45 ms
more on the machine of the figures above).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from common import BIN, Row, ms, run_command, table, verdict
from pipelines import chain_pipeline

TARGETS = {1_000: 0.150, 10_000: 1.0}
SIZES = (100, 1_000, 10_000)
ROUNDS = 15


def _run_once(argv: Sequence[str], environment: dict[str, str]) -> float:
    began = time.perf_counter()
    result = run_command(argv, env=environment)
    seconds = time.perf_counter() - began
    if result.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(argv)} failed: {result.stderr.strip()[-500:]}")
    return seconds


def _best_in_rounds(commands: Sequence[Sequence[str]], environment: dict[str, str]) -> list[float]:
    """The best wall time of each command over ``ROUNDS`` rounds that run every command in turn, after
    one run of each that is not counted (it fills the caches)."""
    for argv in commands:
        _run_once(argv, environment)
    best = [float("inf")] * len(commands)
    for _ in range(ROUNDS):
        for index, argv in enumerate(commands):
            best[index] = min(best[index], _run_once(argv, environment))
    return best


def run() -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory() as work:
        installed = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        installed["PYTHONPYCACHEPREFIX"] = str(Path(work) / "bytecode")
        paths = {}
        for size in SIZES:
            paths[size] = Path(work) / f"p{size}.oi"
            paths[size].write_text(chain_pipeline(size))
        commands = [[sys.executable, "-c", "pass"]]
        commands += [[str(BIN / "oic"), "check", str(paths[size])] for size in SIZES]
        floor, *checks = _best_in_rounds(commands, installed)
        rows.append(Row("python -c pass", ms(floor)))
        for size, seconds in zip(SIZES, checks, strict=True):
            target = TARGETS.get(size)
            rows.append(
                Row(
                    f"oic check, {size:,} lines",
                    ms(seconds),
                    ms(floor),
                    f"{seconds / floor:.1f}x",
                    f"<= {ms(target)}" if target else "",
                    verdict(seconds <= target) if target else "",
                )
            )
    return rows


if __name__ == "__main__":
    print(table("oic check", run()))
