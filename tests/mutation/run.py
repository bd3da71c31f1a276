"""`make mutation`: run mutmut over the scope of ``[tool.oi.mutation]`` and print the score.

The make target starts from an empty ``mutants/`` and puts it on PYTHONPATH (with ``child/``, see
its ``sitecustomize.py``), so that the processes tests start import the mutated modules too.
Exits 1 when the score is below the minimum or an equivalent entry is stale (``score.py``).

    python -m tests.mutation.run [--max-children N] [PATTERN...]   # patterns narrow the scope
"""

from __future__ import annotations

import argparse
import datetime
import subprocess
import sys
import time
from importlib.metadata import version

from tests.mutation import score


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutation.run", description=__doc__.splitlines()[0])
    parser.add_argument("--max-children", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("patterns", nargs="*", help="mutant names (with *) to run instead of the whole scope")
    arguments = parser.parse_args(argv)
    scope, minimum = score.load_settings()
    patterns = arguments.patterns or scope
    started = time.monotonic()
    children = str(arguments.max_children)
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", children, *patterns]
    # mutmut prints a progress line per mutant: its output goes to the terminal as it comes.
    completed = subprocess.run(command, cwd=score.ROOT, check=False)
    elapsed = time.monotonic() - started
    if completed.returncode != 0:
        print(f"mutmut run failed (exit status {completed.returncode})", file=sys.stderr)
        return 1
    mutants = score.read_results(patterns)
    equivalents = score.load_equivalents()
    if arguments.patterns:  # a narrowed run: the entries of the functions it ran
        functions = {mutant.function for mutant in mutants}
        equivalents = [entry for entry in equivalents if entry.function in functions]
    result = score.tally(mutants, equivalents)
    print()
    print(score.report(result, minimum))
    print(
        f"{datetime.date.today().isoformat()}, mutmut {version('mutmut')}, "
        f"{arguments.max_children} at once, {elapsed / 60:.0f} min"
    )
    return 0 if score.passes(result, minimum) else 1


if __name__ == "__main__":
    sys.exit(main())
