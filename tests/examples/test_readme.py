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
