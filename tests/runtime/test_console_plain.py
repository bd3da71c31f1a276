"""What a run prints when stderr is not a terminal (CI, a pipe): `oic run` of real pipelines with
the `exec` service, read back line by line.

Durations and timestamps vary from run to run: the lines are compared with each duration written
as ``D`` and each timestamp as ``[T]``, after checking that they have the documented shape.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

STAMP = re.compile(r"^\[ *(\d+\.\d{3})s\] ")
DURATION = re.compile(r"\b\d+\.\d\ds\b")

SHAPES = """pipeline "shapes" {}
service shell = catalog "exec"
on engine.started {
  task "fetch" = shell.command(Command: "sleep 0.5")
  task "lint" = shell.command(Command: "exit 4")
}
on task("fetch").finished(success) {
  task "build" = shell.command(Command: "echo built")
}
"""

QUIET = """pipeline "calm" {}
service shell = catalog "exec"
on engine.started {
  task "only" = shell.command(Command: "echo fine")
}
"""


def oic_run(tmp_path: Path, source: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "pipeline.oi").write_text(source, encoding="utf-8")
    environment = {**os.environ, "TERM": "xterm"}  # not a terminal all the same: stderr is a pipe
    environment.pop("NO_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "oic", "run", "pipeline.oi", "--", "--logs-dir", str(tmp_path), *arguments],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def masked(line: str) -> str:
    return DURATION.sub("D", STAMP.sub("[T] ", line))


def test_each_task_run_has_a_start_and_an_end_line_then_the_summary(tmp_path: Path) -> None:
    result = oic_run(tmp_path, SHAPES)
    assert result.returncode == 3, result.stderr
    lines = result.stderr.splitlines()
    assert "\x1b" not in result.stderr  # no colour off a terminal
    task_lines = [line for line in lines if STAMP.match(line)]
    assert sorted(masked(line) for line in task_lines) == sorted(
        [
            "[T] start     fetch (shell.command)",
            "[T] start     lint (shell.command)",
            "[T] failed    lint D: command exited with code 4 (it wrote nothing)",
            "[T] ok        fetch D",
            "[T] start     build (shell.command)",
            "[T] ok        build D",
        ]
    )
    # The times are the run's own clock: build starts once fetch has finished.
    stamp = {masked(line): float(STAMP.match(line).group(1)) for line in task_lines}  # type: ignore[union-attr]
    assert stamp["[T] start     build (shell.command)"] >= stamp["[T] ok        fetch D"]
    assert stamp["[T] ok        fetch D"] >= 0.5  # it slept half a second after the run began
    assert [masked(line) for line in lines[len(task_lines) :]] == [
        "shapes: failed: 1 task(s) failed",
        "  failed    lint D: command exited with code 4 (it wrote nothing)",
        "      (no output)",
        "  3 task runs: 2 succeeded, 1 failed; the run took D",
        "  slowest chain D: fetch D > build D",
        f"  logs: {tmp_path / 'logs'}",
        f"  report: {tmp_path / 'logs' / 'report.html'}",
    ]
    assert lines[: len(task_lines)] == task_lines  # the task lines come first, the summary last


def test_quiet_prints_nothing_when_the_run_goes_well(tmp_path: Path) -> None:
    result = oic_run(tmp_path, QUIET, "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert (tmp_path / "logs" / "state.yaml").is_file()


def test_an_unknown_progress_mode_is_a_usage_error(tmp_path: Path) -> None:
    result = oic_run(tmp_path, QUIET, "--progress", "fancy")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "calm: error: --progress expects one of auto, tty, plain, got 'fancy' "
        "(see oic run pipeline.oi -- --help)"
    ]
    assert not (tmp_path / "logs").exists()


def test_progress_tty_draws_the_live_region_even_into_a_pipe(tmp_path: Path) -> None:
    result = oic_run(tmp_path, QUIET, "--progress", "tty")
    assert result.returncode == 0, result.stderr
    assert "\x1b[?25l" in result.stderr and "\x1b[J" in result.stderr
    # The summary, the cursor shown again as the region closes, then where the report is.
    assert result.stderr.endswith(
        f"  logs: {tmp_path / 'logs'}\n\x1b[?25h  report: {tmp_path / 'logs' / 'report.html'}\n"
    )
    assert "\x1b[32m" not in result.stderr  # colour only on a terminal
