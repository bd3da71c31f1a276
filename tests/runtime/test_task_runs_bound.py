"""A reusable task that triggers its own reaction stops at a bound of runs, with one clear line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from runtime import program
from runtime.conditions import engine_started, task_finished
from runtime.engine import EngineOptions
from runtime.limits import DEFAULT_MAX_TASK_RUNS
from runtime.model import Pipeline
from runtime.program import UsageError, parse_command_line
from tests.binary.sample_pipeline import PROGRAM
from tests.runtime.helpers import on, pipeline, run, runner, task, tasks_by_name

ROOT = Path(__file__).resolve().parents[2]

LOOP = """pipeline "loop" {}

service sh = catalog "exec"

on engine.started {
  task "tick" reusable = sh.command(Command: "true")
}

on task("tick").finished(success) {
  task "tick" reusable = sh.command(Command: "true")
}
"""


def looping(name: str = "tick") -> Pipeline:
    """A reusable task built again each time it finishes: without a bound it never ends."""
    tick = task(name, reusable=True)
    return pipeline(on(engine_started, tick), on(task_finished(name), tick))


def test_a_self_triggering_reusable_task_stops_at_the_bound(tmp_path: Path) -> None:
    result = run(looping(), runner(), tmp_path, max_task_runs=25)
    assert (result.status, result.exit_code) == ("failed", 3)
    assert len(tasks_by_name(tmp_path)["tick"]) == 25
    assert "\n" not in result.message
    assert "'tick'" in result.message and "bound of 25 runs" in result.message
    assert "--max-task-runs" in result.message
    assert result.message in (tmp_path / "logs" / "log").read_text()


def test_the_default_bound_is_a_thousand_runs(tmp_path: Path) -> None:
    assert DEFAULT_MAX_TASK_RUNS == 1000
    assert EngineOptions(PROGRAM.build({})).max_task_runs == DEFAULT_MAX_TASK_RUNS
    result = run(looping(), runner(), tmp_path)
    assert result.exit_code == 3 and "bound of 1000 runs" in result.message
    assert len(tasks_by_name(tmp_path)["tick"]) == 1000


def test_runs_up_to_the_bound_are_fine(tmp_path: Path) -> None:
    ticks = [task("tick", reusable=True, n=number) for number in range(3)]
    result = run(pipeline(on(engine_started, *ticks)), runner(), tmp_path, max_task_runs=3)
    assert result.succeeded
    assert len(tasks_by_name(tmp_path)["tick"]) == 3


def test_the_bound_counts_runs_per_name(tmp_path: Path) -> None:
    ticks = [task(f"tick-{number}", reusable=True) for number in range(5)]
    once = [task("once") for _ in range(5)]  # non-reusable: built again is ignored, not counted
    result = run(pipeline(on(engine_started, *ticks, *once)), runner(), tmp_path, max_task_runs=1)
    assert result.succeeded
    assert len(tasks_by_name(tmp_path)["once"]) == 1


def test_the_flag_is_parsed() -> None:
    assert parse_command_line(PROGRAM, ["--max-task-runs", "50"]).max_task_runs == 50
    assert parse_command_line(PROGRAM, []).max_task_runs is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("0", "must be from 1 to 1000000, got 0"),
        ("-3", "must be from 1 to 1000000, got -3"),
        ("1000001", "must be from 1 to 1000000, got 1000001"),
        ("many", "expects a whole number of runs, got 'many'"),
        ("2.5", "expects a whole number of runs, got '2.5'"),
        ("", "expects a whole number of runs, got ''"),
    ],
)
def test_absurd_bounds_are_usage_errors(text: str, fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(UsageError, match=f"--max-task-runs {fragment}"):
        parse_command_line(PROGRAM, ["--max-task-runs", text])
    assert program.run(PROGRAM, [], environ={"OI_MAX_TASK_RUNS": text}) == program.EXIT_USAGE
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [f"sample: error: OI_MAX_TASK_RUNS {fragment} (see sample --help)"]


def test_help_names_the_flag_and_the_variable() -> None:
    shown = program.render_help(PROGRAM, {})
    assert "--max-task-runs N" in shown and "OI_MAX_TASK_RUNS" in shown and "default 1000" in shown


def oic_run(
    source: Path, *arguments: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    import os

    environment = dict(os.environ, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "oic", "run", str(source), *arguments],
        cwd=source.parent,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
    )


def test_oic_run_passes_the_bound_to_the_pipeline(tmp_path: Path) -> None:
    source = tmp_path / "loop.oi"
    source.write_text(LOOP, encoding="utf-8")
    flagged = oic_run(source, "--max-task-runs", "4", "--", "--logs-dir", str(tmp_path / "flag"))
    assert flagged.returncode == 3, flagged.stderr
    assert "reusable task 'tick'" in flagged.stderr and "bound of 4 runs" in flagged.stderr
    assert "Traceback" not in flagged.stderr
    assert len(tasks_by_name(tmp_path / "flag")["tick"]) == 4
    from_env = oic_run(source, "--", "--logs-dir", str(tmp_path / "env"), env={"OI_MAX_TASK_RUNS": "3"})
    assert from_env.returncode == 3, from_env.stderr
    assert len(tasks_by_name(tmp_path / "env")["tick"]) == 3
