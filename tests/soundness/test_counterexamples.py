"""Each class of counterexample the generator found, as a minimal program with what should happen.

A file in ``counterexamples/`` says what the checker must report, as the diagnostics corpus does
(``# error: CODE`` or ``# warning: CODE`` at the end of a line; ``E????`` is any error code), and
``# expect: runs clean`` when the program must check without errors and run to its end with no
violation (against the same typed services as the generated programs).

``STILL_BROKEN`` lists the files today's checker or runtime does not satisfy yet, with what is
missing. The test asserts that each of them still breaks: when a fix lands, its file starts
to pass, this test fails, and the entry comes out of the list (it can only shrink).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.soundness.harness import Harness
from tests.soundness.services import ServiceFarm

pytestmark = pytest.mark.soundness

CASES = sorted((Path(__file__).parent / "counterexamples").glob("*.oi"))
EXPECTATION = re.compile(r"#\s*(error|warning):\s*([EW](?:\d{4}|\?{4}))\s*$")

STILL_BROKEN: dict[str, str] = {}


def expectations(text: str) -> tuple[set[tuple[int, str]], set[tuple[int, str]], bool]:
    errors, warnings = set(), set()
    for number, line in enumerate(text.split("\n"), start=1):
        match = EXPECTATION.search(line)
        if match:
            (errors if match.group(1) == "error" else warnings).add((number, match.group(2)))
    return errors, warnings, "# expect: runs clean" in text


def problems_with(case: Path, harness: Harness) -> list[str]:
    text = case.read_text(encoding="utf-8")
    errors, warnings, runs_clean = expectations(text)
    outcome = harness.evaluate(text, {}, base_directory=str(case.parent))
    produced = {(line, code) for code, line, _ in outcome.errors}
    problems = []
    for line, code in sorted(errors):
        if not any(at == line and (code == "E????" or code == got) for at, got in produced):
            problems.append(f"line {line}: expected error {code}")
    for line, code in sorted(produced):
        if not any(at == line and (want == "E????" or want == code) for at, want in errors):
            message = next(m for c, at, m in outcome.errors if (at, c) == (line, code))
            problems.append(f"line {line}: unexpected error {code}: {message}")
    for line, code in sorted(warnings - set(((at, c) for c, at in outcome.warnings))):
        problems.append(f"line {line}: expected warning {code}")
    if runs_clean and outcome.accepted:
        problems += [f"{category}: {detail}" for category, detail in outcome.violations]
        if not outcome.ran:
            problems.append("it did not run")
    return problems


def test_every_file_says_what_it_expects() -> None:
    for case in CASES:
        errors, warnings, runs_clean = expectations(case.read_text(encoding="utf-8"))
        assert errors or warnings or runs_clean, f"{case.name} expects nothing"
        assert not (errors and runs_clean), f"{case.name} expects errors and a clean run"
    assert set(STILL_BROKEN) <= {case.stem for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=lambda path: path.stem)
def test_counterexample(case: Path, farm: ServiceFarm, tmp_path: Path) -> None:
    problems = problems_with(case, Harness(farm, str(tmp_path)))
    if case.stem in STILL_BROKEN:
        assert problems, f"{case.name} passes now: remove it from STILL_BROKEN ({STILL_BROKEN[case.stem]})"
    else:
        assert not problems, "\n".join(problems)
