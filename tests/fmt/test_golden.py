"""Golden cases: ``tests/fmt/cases/<case>/input.oi`` formats to ``expected.oi`` next to it.

The cases are data: adding one is adding a directory. ``OI_UPDATE_GOLDEN=1`` rewrites every
``expected.oi`` from the formatter's output (then read the diff before committing it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from oic.fmt import format_text
from tests.fmt.support import assert_formats_faithfully

CASES = Path(__file__).resolve().parent / "cases"
CASE_NAMES = sorted(path.name for path in CASES.iterdir() if (path / "input.oi").is_file())


def test_there_are_cases() -> None:
    assert len(CASE_NAMES) >= 7


@pytest.mark.parametrize("case", CASE_NAMES)
def test_input_formats_to_expected(case: str) -> None:
    source = (CASES / case / "input.oi").read_text(encoding="utf-8")
    expected_path = CASES / case / "expected.oi"
    formatted = assert_formats_faithfully(source)
    if os.environ.get("OI_UPDATE_GOLDEN") == "1":
        expected_path.write_text(formatted, encoding="utf-8")
    assert formatted == expected_path.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASE_NAMES)
def test_expected_is_already_formatted(case: str) -> None:
    expected = (CASES / case / "expected.oi").read_text(encoding="utf-8")
    assert format_text(expected) == expected
