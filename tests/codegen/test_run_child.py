"""`oic run` starts the pipeline's interpreter before it checks the pipeline: when the check fails, that
interpreter must not outlive `oic` (real processes, looked up in /proc)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def children_of_this_test(marker: Path) -> list[str]:
    """Pids of `oic run` children whose command line carries ``marker`` (passed as their argument)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command_line = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"oic_run_child" in command_line and str(marker).encode() in command_line:
            found.append(entry.name)
    return found


@pytest.mark.parametrize("source", ["broken.oi", "missing.oi"])
def test_a_failed_check_leaves_no_child(tmp_path: Path, source: str) -> None:
    (tmp_path / "broken.oi").write_text(
        'pipeline "b" {}\non engine.started {\n  task "t" = nothing.call()\n}\n', encoding="utf-8"
    )
    marker = tmp_path / "logs-of-this-test"
    result = subprocess.run(
        [sys.executable, "-m", "oic", "run", source, "--", "--logs-dir", str(marker)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == (1 if source == "broken.oi" else 2), result.stderr
    assert "Traceback" not in result.stderr
    assert children_of_this_test(marker) == []
    assert not marker.exists(), "the pipeline ran although its check failed"


def test_the_child_runs_the_pipeline_with_its_arguments(tmp_path: Path) -> None:
    source = tmp_path / "hello.oi"
    source.write_text(
        'pipeline "hello" {}\nparam who: string\nservice shell = catalog "exec"\n'
        'on engine.started {\n  task "greet" = shell.command(Command: "echo hello, ${who}")\n}\n',
        encoding="utf-8",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "oic",
            "run",
            str(source),
            "--",
            "--logs-dir",
            str(tmp_path),
            "--param",
            "who=you",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    logs = list((tmp_path / "logs" / "tasks").glob("greet-*.log"))
    assert logs and "hello, you" in logs[0].read_text(encoding="utf-8")
    services = list((tmp_path / "logs" / "services").glob("shell-*.log"))
    assert services and services[0].read_text(encoding="utf-8").startswith("exec 0.1.0 listening on")
    assert children_of_this_test(tmp_path) == []
