"""`oic check -`: standard input is read as a file is, with the same limits and checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from oic import exit_codes
from oic.syntax.limits import MAX_SOURCE_BYTES

ROOT = Path(__file__).resolve().parents[2]


def check_stdin(data: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "oic", "check", "-"],
        input=data,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"# padding\n" * (MAX_SOURCE_BYTES // 10 + 1), "E0002"),
        (b"pipeline \xff {}\n", "E0001"),
        (b'pipeline "p" {}\x00\n', "E0003"),
    ],
    ids=["too-large", "not-utf8", "nul"],
)
def test_standard_input_gets_the_checks_of_a_file(data: bytes, code: str) -> None:
    completed = check_stdin(data)
    out, err = completed.stdout.decode(), completed.stderr.decode()
    assert completed.returncode == exit_codes.DIAGNOSTICS, err
    assert "<stdin>:1:" in out and f"error[{code}]" in out
    assert "Traceback" not in err


def test_standard_input_at_the_size_limit_is_read_whole() -> None:
    text = b'pipeline "p" {}\n'
    padding = b"#" * (MAX_SOURCE_BYTES - len(text) - 1) + b"\n"
    completed = check_stdin(text + padding)
    assert len(text + padding) == MAX_SOURCE_BYTES
    assert completed.returncode == exit_codes.OK, completed.stdout.decode() + completed.stderr.decode()


def test_closed_standard_input_is_one_line() -> None:
    completed = subprocess.run(
        ["/bin/sh", "-c", 'exec "$0" -m oic check - <&-', sys.executable],
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    err = completed.stderr.decode()
    assert completed.returncode == exit_codes.USAGE, err
    assert err.startswith("oic: error: standard input is closed") and len(err.strip().splitlines()) == 1
