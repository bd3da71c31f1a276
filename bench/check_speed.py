"""`oic check` wall time, process start included, on generated pipelines of 100 / 1,000 / 10,000 lines.

Reference: the start-up of a bare interpreter (`python -c pass`), the floor for any Python CLI.
Targets: 1,000 lines in at most 150 ms; 10,000 lines in at most 1 s.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from common import BIN, Row, ms, table, timed_command, verdict
from pipelines import chain_pipeline

TARGETS = {1_000: 0.150, 10_000: 1.0}


def run() -> list[Row]:
    rows = []
    floor = timed_command([sys.executable, "-c", "pass"], repeat=10)
    rows.append(Row("python -c pass", ms(floor)))
    with tempfile.TemporaryDirectory() as work:
        for size in (100, 1_000, 10_000):
            path = Path(work) / f"p{size}.oi"
            path.write_text(chain_pipeline(size))
            seconds = timed_command([str(BIN / "oic"), "check", str(path)], repeat=5)
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
