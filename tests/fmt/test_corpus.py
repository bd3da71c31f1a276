"""Every `.oi` file of the repository that parses, and programs of the soundness generator: the
formatted text means the same program, formatting it again changes nothing, and every comment comes
through, in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fmt.support import assert_formats_faithfully, parses_cleanly
from tests.soundness.choices import SeededChoices
from tests.soundness.library import usable_functions
from tests.soundness.programs import generate

ROOT = Path(__file__).resolve().parent.parent.parent
SEEDS = 200


def _repository_files() -> list[Path]:
    found = []
    for path in sorted([*ROOT.glob("examples/**/*.oi"), *ROOT.glob("tests/**/*.oi")]):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # the invalid-UTF-8 case of the diagnostics tests
        if parses_cleanly(text):
            found.append(path)
    return found


REPOSITORY_FILES = _repository_files()


def test_the_repository_has_files_to_format() -> None:
    # The glob and the parse filter must find the examples and most test data.
    assert len(REPOSITORY_FILES) >= 100
    assert sum(1 for path in REPOSITORY_FILES if path.parts[-3] == "examples") == 4


@pytest.mark.parametrize("path", REPOSITORY_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_repository_files_format_faithfully(path: Path) -> None:
    assert_formats_faithfully(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def functions() -> frozenset[str]:
    return usable_functions()


@pytest.mark.parametrize("first", range(0, SEEDS, 20))
def test_generated_programs_format_faithfully(first: int, functions: frozenset[str]) -> None:
    for seed in range(first, first + 20):
        program = generate(SeededChoices(seed), functions, str(seed))
        assert_formats_faithfully(program.text)


def test_near_misses_that_parse_format_faithfully(functions: frozenset[str]) -> None:
    """The generator's near-misses are mostly type errors: still text the formatter takes."""
    formatted = 0
    for seed in range(0, SEEDS, 20):
        program = generate(SeededChoices(seed), functions, str(seed))
        for index in range(0, len(program.near_misses), 8):
            text = program.near_miss(index)
            if parses_cleanly(text):
                assert_formats_faithfully(text)
                formatted += 1
    assert formatted >= 15
