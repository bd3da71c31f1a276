"""The diagnostics corpus: every ``cases/**/*.oi`` file is a pipeline whose offending lines end with
``# error: CODE`` (several: ``# error: E0301, E0302``) or ``# warning: CODE``; a case that must check
clean (every warning of it suppressed, say) says so with a ``# expect: no diagnostics`` line.

For each file the set of (line, code) the compiler reports must equal the set the comments expect,
and the rendered text output must equal the golden ``.out`` file beside it (``pytest --update-golden``
or ``OI_UPDATE_GOLDEN=1`` rewrites the golden files). Every ``examples/**/*.oi`` must check clean.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from oic import diagnostics
from oic.frontend import check_file

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).resolve().parent / "cases"
EXAMPLES = ROOT / "examples"
CLEAN = re.compile(r"^# expect: no diagnostics$", re.MULTILINE)
EXPECTATION = re.compile(r"#\s*(error|warning)s?:\s*([EW]\d{4}(?:\s*,\s*[EW]\d{4})*)\s*$")

CASE_FILES = sorted(CASES.rglob("*.oi"))
EXAMPLE_FILES = sorted(EXAMPLES.rglob("*.oi"))


def expected_codes(text: str) -> set[tuple[int, str]]:
    expected = set()
    for number, line in enumerate(text.split("\n"), start=1):
        match = EXPECTATION.search(line)
        if match:
            for code in match.group(2).split(","):
                expected.add((number, code.strip()))
    return expected


def case_id(path: Path) -> str:
    return str(path.relative_to(CASES))


def test_the_corpus_is_not_empty() -> None:
    assert len(list(CASES.glob("sema/*.oi"))) >= 45


@pytest.mark.parametrize("case", CASE_FILES, ids=case_id)
def test_case(case: Path, update_golden: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    text = case.read_text(encoding="utf-8", errors="replace")
    expected = expected_codes(text)
    # Paths in messages are shown relative to the working directory: make it the same everywhere.
    monkeypatch.chdir(CASES)
    result = check_file(case, schema_cache=False, start_services=False)
    relative = case_id(case)
    found = [dataclasses.replace(d, path=relative) for d in result.diagnostics]
    produced = {(d.span.line, d.code) for d in found}
    clean = CLEAN.search(text) is not None
    assert bool(expected) != clean, f"{relative}: `# error:` comments or `# expect: no diagnostics`"
    rendered = "\n".join(diagnostics.render_text(d, result.source) for d in found)
    missing, unexpected = sorted(expected - produced), sorted(produced - expected)
    assert produced == expected, f"{relative}: missing {missing}, unexpected {unexpected}\n{rendered}"
    golden = case.with_suffix(".out")
    if update_golden or not golden.exists():
        golden.write_text(rendered + "\n", encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == rendered + "\n", (
        f"{relative}: output differs from {golden.name}"
    )


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda path: str(path.relative_to(EXAMPLES)))
def test_examples_check_clean(example: Path) -> None:
    result = check_file(example, start_services=False)
    shown = "\n".join(diagnostics.render_text(d, result.source) for d in result.diagnostics)
    assert not result.has_errors, shown
    assert result.program is not None
