"""The README's samples are what the tools print: its pipeline is checked for real, with the mistake
its sample diagnostic shows, and the output must match the README line for line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from oic.cli import main as oic

README = Path(__file__).resolve().parents[2] / "README.md"
FENCE = re.compile(r"^```\n(.*?)^```\n", re.MULTILINE | re.DOTALL)


def _block_after(text: str, heading: str) -> str:
    """The first fenced block after the line ``heading`` starts."""
    start = text.index(heading)
    found = FENCE.search(text, start)
    assert found is not None, f"no fenced block after {heading!r}"
    return found.group(1)


def test_the_sample_diagnostic_is_what_oic_check_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = README.read_text(encoding="utf-8")
    pipeline = _block_after(text, "## A pipeline")
    assert pipeline.count("shell.command(Args:") == 1
    (tmp_path / "pipeline.oi").write_text(pipeline.replace("shell.command(Args:", "shell.command(Arg:"))
    command, *expected = _block_after(text, "Mistakes are caught before anything runs").splitlines()
    assert command == "$ .venv/bin/oic check pipeline.oi"
    monkeypatch.chdir(tmp_path)  # the README shows the path as given, relative to the directory
    status = oic(["check", "pipeline.oi"])
    captured = capsys.readouterr()
    assert status == 1
    assert (captured.out + captured.err).splitlines() == expected


def _codes_in_table(text: str, heading: str) -> set[int]:
    """The codes of the table that follows the line starting with ``heading``."""
    start = text.index(heading)
    codes: set[int] = set()
    for line in text[start:].splitlines()[1:]:
        if not line.startswith("|"):
            if codes:
                break
            continue
        first = line.split("|")[1]
        codes.update(int(number) for number in re.findall(r"\d+", first))
    return codes


def test_oic_exit_codes_are_the_pipelines_and_the_readme_lists_them_all() -> None:
    from oic import exit_codes
    from runtime import engine, program

    # `oic run` exits with the pipeline's status: one meaning per number in both tables.
    assert exit_codes.RUN_FAILED == engine.EXIT_FAILED == program.EXIT_FAILED
    assert exit_codes.TIMED_OUT == engine.EXIT_TIMED_OUT == program.EXIT_TIMED_OUT
    assert exit_codes.INTERRUPTED == engine.EXIT_INTERRUPTED
    assert exit_codes.TERMINATED == engine.EXIT_TERMINATED
    assert exit_codes.USAGE == program.EXIT_USAGE and exit_codes.INTERNAL == program.EXIT_INTERNAL
    declared = {value for name, value in vars(exit_codes).items() if name.isupper()}
    text = README.read_text(encoding="utf-8")
    assert _codes_in_table(text, "Exit codes of `oic`") == declared
    assert _codes_in_table(text, "Exit codes of a pipeline binary") == {
        0, 2, 3, 4, 70, 130, 143,
    }  # fmt: skip
