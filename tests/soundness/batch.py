"""A batch: generate programs, evaluate each (and one near-miss of it), tally the outcomes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from tests.soundness.harness import Harness
from tests.soundness.programs import Program
from tests.soundness.services import SCHEMAS
from tests.soundness.triage import Tally


def evaluate_program(harness: Harness, tally: Tally, program: Program, near_miss: int | None) -> list[str]:
    """Evaluate ``program`` and, when ``near_miss`` is given, that near-miss of it; returns the
    classes they broke."""
    broken = tally.add(
        program.seed, program.text, program.params, harness.evaluate(program.text, program.params)
    )
    tally.features.update(program.features)
    if near_miss is not None:
        kind = program.near_misses[near_miss]
        text = program.near_miss(near_miss)
        outcome = harness.evaluate(text, program.params)
        broken += tally.add(program.seed, text, program.params, outcome, near_miss=kind)
    return broken


def choose_near_miss(program: Program) -> int | None:
    """One of the program's near-misses, chosen by a digest of its text (None: it has none): the
    same program always gets the same one, and the kinds spread evenly."""
    kinds = program.near_misses
    if not kinds:
        return None
    # Without the schema directories' absolute paths, which differ from one checkout to another:
    # the choice must not depend on where the repository is.
    digest = hashlib.sha256(program.text.replace(str(SCHEMAS), "SCHEMAS").encode()).digest()
    return int.from_bytes(digest[:8], "big") % len(kinds)


def run_batch(
    harness: Harness,
    tally: Tally,
    programs: Iterable[Program | tuple[str, Exception]],
    progress: Callable[[int, Tally], None] | None = None,
) -> Tally:
    """Evaluate ``programs``; an item that is a (seed, exception) is a program the generator could
    not make, counted apart (a bug of the generator, not of oi)."""
    for number, program in enumerate(programs, start=1):
        if isinstance(program, tuple):
            tally.generator_errors.append(program)
        else:
            evaluate_program(harness, tally, program, choose_near_miss(program))
        if progress is not None:
            progress(number, tally)
    return tally
