"""`oic explain CODE` and `oic explain --list`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from oic import codes, exit_codes
from oic.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_explain_prints_the_long_explanation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "E0104"]) == exit_codes.OK
    output = capsys.readouterr().out
    assert output.startswith("# E0104: unterminated string\n")
    assert "\\n" in output


def test_codes_are_case_insensitive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "e0101"]) == exit_codes.OK
    assert capsys.readouterr().out.startswith("# E0101: unexpected token")


@pytest.mark.parametrize("code", ["E9999", "X", "E01011", "../../etc/passwd", "E0101.md"])
def test_unknown_codes_are_a_one_line_usage_error(code: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", code]) == exit_codes.USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "unknown diagnostic code" in captured.err


def test_no_code_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain"]) == exit_codes.USAGE
    assert "--list" in capsys.readouterr().err


def test_list_shows_every_registered_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--list"]) == exit_codes.OK
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [entry.code for entry in codes.all_codes()]
    assert "E0107  error    nesting too deep" in lines


def test_explain_runs_as_a_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "oic", "explain", "E0108"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# E0108: keyword used as a name")
