"""`--summary-json` and `--junit` through `oic run ... -- ARGS`, as a user runs them: a real process,
the built-in exec service, a secret param echoed by a failing task; bad paths refused up front."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import jsonschema
import pytest

from runtime.results import SUMMARY_SCHEMA

ROOT = Path(__file__).resolve().parents[2]
SECRET = "hunter2-Secret-Value"

PIPELINE = """\
pipeline "results" {}

param token: secret

service sh = catalog "exec"

on engine.started {
  task "ok" = sh.command(Args: ["echo", "fine"])
  task "leak" = sh.command(Args: ["sh", "-c", "echo \\"$0\\"; echo \\"derived-$0-end\\"; exit 3", token])
  task "flaky" = sh.command(Args: ["sh", "-c", "exit 1"]) retry 1 backoff 10ms
}
"""


def oic_run(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    source = tmp_path / "results.oi"
    source.write_text(PIPELINE, encoding="utf-8")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "oic",
            "run",
            str(source),
            "--",
            "--logs-dir",
            str(tmp_path / "out"),
            *arguments,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "OI_PARAM_TOKEN": SECRET},
    )


def test_summary_and_junit_of_a_failed_run_without_its_secret(tmp_path: Path) -> None:
    result = oic_run(tmp_path, "--summary-json", "summary.json", "--junit", str(tmp_path / "junit.xml"))
    assert result.returncode == 3, result.stderr
    summary_bytes = (tmp_path / "summary.json").read_bytes()
    junit_bytes = (tmp_path / "junit.xml").read_bytes()
    for data in (summary_bytes, junit_bytes):
        assert SECRET.encode() not in data
    for written in ("summary.json", "junit.xml"):
        assert (tmp_path / written).stat().st_mode & 0o777 == 0o600
    summary = json.loads(summary_bytes)
    jsonschema.Draft202012Validator(SUMMARY_SCHEMA, format_checker=jsonschema.FormatChecker()).validate(
        summary
    )
    assert (summary["pipeline"], summary["outcome"], summary["exit-status"]) == ("results", "failed", 3)
    tasks = {entry["name"]: entry for entry in summary["tasks"]}
    assert (tasks["ok"]["status"], tasks["ok"]["attempts"]) == ("succeeded", 1)
    assert (tasks["flaky"]["status"], tasks["flaky"]["attempts"]) == ("failed", 2)
    assert tasks["leak"]["status"] == "failed"
    # What the task echoed is in its error, with the secret masked there and in the derived line.
    assert "| ***" in tasks["leak"]["error"] and "derived-***-end" in tasks["leak"]["error"]
    # The summary agrees with state.yaml on the run's id.
    state = (tmp_path / "out" / "logs" / "state.yaml").read_text(encoding="utf-8")
    assert f'run-id: "{summary["run-id"]}"' in state

    suite = ElementTree.fromstring(junit_bytes).find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "2", "0")
    failed = {case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None}
    assert failed == {"leak", "flaky"}


@pytest.mark.parametrize(
    ("flag", "path", "said"),
    [
        ("--summary-json", "no/such/dir/s.json", "does not exist"),
        ("--junit", ".", "is a directory"),
        ("--summary-json", "", "needs a file name"),
    ],
)
def test_a_bad_path_is_a_one_line_usage_error_before_the_run(
    tmp_path: Path, flag: str, path: str, said: str
) -> None:
    result = oic_run(tmp_path, flag, path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert said in result.stderr and flag in result.stderr
    assert not (tmp_path / "out").exists()  # refused before the run began
