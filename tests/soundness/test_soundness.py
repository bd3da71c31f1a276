"""Soundness as a tested property, and no false rejections.

A few hundred programs, generated type-directed by Hypothesis under a fixed profile, each with one
near-miss: every valid-by-construction program must check without errors (property 2), and every
program the checker accepts must run to its end failing only for reasons no checker can know
(property 1). Any counterexample fails the test; the programs that broke a property are kept, with
their seeds, under the test's temporary directory for triage.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.soundness.batch import choose_near_miss, evaluate_program
from tests.soundness.choices import BufferChoices
from tests.soundness.harness import Harness
from tests.soundness.library import usable_functions
from tests.soundness.programs import generate
from tests.soundness.services import ServiceFarm
from tests.soundness.triage import Tally

pytestmark = pytest.mark.soundness

PROGRAMS = 250
# Decisions a program may take from its buffer (then all are 0: the first option).
DECISIONS = 2000


@pytest.mark.timeout(1200)  # a few hundred runs on a machine other suites share
def test_generated_programs_keep_both_properties(farm: ServiceFarm, tmp_path: Path) -> None:
    functions = usable_functions()
    harness = Harness(farm, str(tmp_path), timeout=60)
    tally = Tally(tmp_path / "triage")

    @settings(settings.get_profile("oi-soundness"), max_examples=PROGRAMS)
    @given(st.binary(min_size=DECISIONS * 2, max_size=DECISIONS * 2))
    def evaluate(buffer: bytes) -> None:
        choices = BufferChoices(buffer)
        program = generate(choices, functions, choices.key())
        evaluate_program(harness, tally, program, choose_near_miss(program))

    evaluate()
    summary = "\n".join(tally.summary())
    print(summary)
    assert not any(tally.classes.values()), (
        "counterexamples (programs in " + str(tmp_path / "triage") + "):\n" + summary
    )
    assert tally.generated == PROGRAMS
    assert tally.ran >= PROGRAMS // 4, summary
