"""Bad values given to a pipeline binary, through its real command line (argv as bytes, a process of
its own): each is one line on stderr and exit status 2, never an internal error or a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.limits import MAX_PARALLELISM, MAX_PARAM_NESTING

SAMPLE = Path(__file__).with_name("sample_pipeline.py")
REPOSITORY = Path(__file__).resolve().parents[2]


def run_sample(
    arguments: list[bytes], tmp_path: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY), **(env or {})}
    return subprocess.run(
        [sys.executable, str(SAMPLE), b"--logs-dir", os.fsencode(tmp_path), *arguments],
        env=environment,
        capture_output=True,
        timeout=120,
        check=False,
    )


def assert_one_line_usage_error(result: subprocess.CompletedProcess[bytes], fragment: str) -> None:
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2, stderr
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], stderr


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        ([b"--parallelism", b"100000"], f"--parallelism is at most {MAX_PARALLELISM}, got 100000"),
        ([b"--parallelism", b"99999999999999999999999"], f"--parallelism is at most {MAX_PARALLELISM}"),
        ([b"--parallelism", b"9" * 5000], "--parallelism expects a whole number"),
        ([b"--timeout", b"2600000h"], "--timeout is at most 365 days (8760h), got '2600000h'"),
        ([b"--timeout", b"1" + b"0" * 400 + b"h"], "--timeout is at most 365 days"),
        (
            [b"--param", b"labels=" + b"[" * 990 + b"]" * 990],
            f"param 'labels' (--param) nests more than {MAX_PARAM_NESTING} lists and objects deep",
        ),
        ([b"--param", b"extra=" + b'{"a":' * 990 + b"1" + b"}" * 990], "nests more than"),
        ([b"--param", b"who=\xff\xfe"], "param 'who' (--param) is not valid UTF-8"),
    ],
)
def test_bad_values_are_one_line_usage_errors(tmp_path: Path, arguments: list[bytes], fragment: str) -> None:
    assert_one_line_usage_error(run_sample(arguments, tmp_path), fragment)


def test_invalid_utf8_shows_the_bytes(tmp_path: Path) -> None:
    result = run_sample([b"--param", b"who=a\xff\xfe"], tmp_path)
    assert_one_line_usage_error(result, r"param 'who' (--param) is not valid UTF-8: 'a\xff\xfe'")


def test_invalid_utf8_in_the_environment_is_refused(tmp_path: Path) -> None:
    environment = {**os.environb, b"OI_PARAM_WHO": b"\xff", b"PYTHONPATH": os.fsencode(REPOSITORY)}
    result = subprocess.run(
        [sys.executable, str(SAMPLE), "--logs-dir", str(tmp_path)],
        env=environment,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert_one_line_usage_error(result, r"param 'who' (OI_PARAM_WHO) is not valid UTF-8: '\xff'")


def test_values_at_the_limits_run(tmp_path: Path) -> None:
    nested = b"[" * MAX_PARAM_NESTING + b"]" * MAX_PARAM_NESTING
    result = run_sample(
        [
            b"--parallelism",
            str(MAX_PARALLELISM).encode(),
            b"--timeout",
            b"8760h",
            b"--param",
            b"labels=" + nested,
        ],
        tmp_path,
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")


OI_PIPELINE = """pipeline "bad-values" {}
param who: string = "world"
param items: list = []
service shell = catalog "exec"
on engine.started {
  task "greet" = shell.command(Args: ["echo", who, "${len(items)}"])
}
"""


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        ([b"--parallelism", b"99999999999999999999999"], f"--parallelism is at most {MAX_PARALLELISM}"),
        ([b"--timeout", b"2600000h"], "--timeout is at most 365 days (8760h), got '2600000h'"),
        ([b"--param", b"items=" + b"[" * 990 + b"]" * 990], "param 'items' (--param) nests more than"),
        ([b"--param", b"who=\xff\xfe"], r"param 'who' (--param) is not valid UTF-8: '\xff\xfe'"),
    ],
)
def test_oic_run_passes_them_on_and_refuses_them_alike(
    tmp_path: Path, arguments: list[bytes], fragment: str
) -> None:
    (tmp_path / "bad.oi").write_text(OI_PIPELINE, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "oic",
            "run",
            "bad.oi",
            "--",
            b"--logs-dir",
            os.fsencode(tmp_path),
            *arguments,
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert_one_line_usage_error(result, fragment)
    assert not (tmp_path / "logs").exists(), "the run started although a value was refused"
