"""``make soak``: thousands of generated programs, and how many broke each property.

    python -m tests.soundness.soak [-n 10000] [--seed 0] [--out build/soundness]

Program ``i`` of a soak is made from the seed ``SEED + i`` alone (``--only SEED`` makes one again).
Each program is checked, and when accepted generated and run against the typed service farm; one
near-miss of it is checked (and run when accepted) too. The counterexamples are kept under ``--out``
by property and class. Exit status: 0 when no property broke, 1 otherwise.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.soundness.batch import run_batch
from tests.soundness.choices import SeededChoices
from tests.soundness.harness import Harness
from tests.soundness.library import usable_functions
from tests.soundness.programs import Program, generate
from tests.soundness.services import ServiceFarm
from tests.soundness.triage import Tally


def seeded_programs(first: int, count: int) -> Iterator[Program | tuple[str, Exception]]:
    functions = usable_functions()
    for seed in range(first, first + count):
        try:
            yield generate(SeededChoices(seed), functions, str(seed))
        except Exception as error:  # a generator bug: reported with its seed, the soak goes on
            yield str(seed), error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="soak", description=__doc__.split("\n")[0])
    parser.add_argument(
        "-n", "--count", type=int, default=10_000, help="programs to generate (default 10000)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the first program (default 0)")
    parser.add_argument("--only", type=int, help="generate and evaluate the program of this seed alone")
    parser.add_argument("--out", default="build/soundness", help="where counterexamples are kept")
    parser.add_argument("--print", action="store_true", help="print each program's text (with --only)")
    options = parser.parse_args(argv)
    first, count = (options.only, 1) if options.only is not None else (options.seed, options.count)
    out = Path(options.out)
    if options.only is None and out.exists():
        shutil.rmtree(out)
    farm = ServiceFarm().start()
    workdir = tempfile.mkdtemp(prefix="oi-soak-")
    started = time.monotonic()
    tally = Tally(out)

    def progress(number: int, tally: Tally) -> None:
        if number % 500 == 0:
            elapsed = time.monotonic() - started
            print(
                f"  {number} programs: {tally.unsound} ran unsoundly, {tally.rejected} were falsely "
                f"rejected ({elapsed:.0f}s)",
                flush=True,
            )

    try:
        programs = list(seeded_programs(first, count)) if options.print else seeded_programs(first, count)
        if options.print:
            for program in programs:
                if isinstance(program, Program):
                    print(program.text)
                    print(f"# params: {program.params}")
        run_batch(Harness(farm, workdir), tally, programs, progress)
    finally:
        farm.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"soak: seeds {first}..{first + count - 1}, {time.monotonic() - started:.0f}s")
    for line in tally.summary():
        print(line)
    return 1 if tally.unsound or tally.rejected or tally.generator_errors else 0


if __name__ == "__main__":
    sys.exit(main())
