"""Make a kept counterexample small: ``python -m tests.soundness.reduce FILE [-o OUT]``.

Removes lines, and whole ``{ ... }`` blocks, for as long as the program still breaks the same
property with the same class (delta debugging by lines, to a fixed point). What is left is a
reproducer to finish by hand: one that ``oic check`` and a run show in a few lines.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from tests.soundness.harness import Harness, Outcome, class_of
from tests.soundness.services import ServiceFarm
from tests.soundness.triage import PROPERTY_1, read_kept


def classes(outcome: Outcome) -> set[tuple[str, str]]:
    found = {(PROPERTY_1, class_of(category, detail)) for category, detail in outcome.violations}
    found |= {("no-false-rejection", class_of(code, message)) for code, _, message in outcome.errors}
    return found


def reduce_lines(text: str, keeps_failing: Callable[[str], bool]) -> str:
    lines = text.splitlines()
    changed = True
    while changed:
        changed = False
        index = len(lines) - 1
        while index >= 0:
            end = _block_end(lines, index)
            candidate = lines[:index] + lines[end + 1 :]
            if candidate and keeps_failing("\n".join(candidate) + "\n"):
                lines = candidate
                changed = True
            index = min(index, len(lines)) - 1
    return "\n".join(lines) + "\n"


def _block_end(lines: list[str], start: int) -> int:
    """The last line of the statement or block that begins at ``start``."""
    depth = 0
    for index in range(start, len(lines)):
        depth += lines[index].count("{") - lines[index].count("}")
        if depth <= 0:
            return index
    return start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reduce", description=__doc__.split("\n")[0])
    parser.add_argument("file", type=Path, help="a program kept by make soak or the in-suite test")
    parser.add_argument(
        "-o", "--output", type=Path, help="where to write the reduced program (default: print)"
    )
    options = parser.parse_args(argv)
    text, params, prop, name = read_kept(options.file)
    farm = ServiceFarm().start()
    try:
        with tempfile.TemporaryDirectory() as workdir:
            harness = Harness(farm, workdir)

            def keeps_failing(candidate: str) -> bool:
                return (prop, name) in classes(harness.evaluate(candidate, params))

            if not keeps_failing(text):
                print(f"the program no longer breaks {prop}: {name}", file=sys.stderr)
                return 1
            reduced = reduce_lines(text, keeps_failing)
    finally:
        farm.stop()
    if options.output is not None:
        options.output.write_text(reduced, encoding="utf-8")
    else:
        print(reduced, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
