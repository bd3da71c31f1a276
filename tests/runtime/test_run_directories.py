"""Runs that do not mix: with separate runs, each run writes to a directory of its own under
``runs/``, ``runs/latest`` points at the newest, and ``keep_runs`` removes the oldest finished ones."""

from __future__ import annotations

import fcntl
import os
import stat
from pathlib import Path

import yaml

from runtime.conditions import engine_started
from runtime.engine import RunResult
from tests.runtime.helpers import on, pipeline, run, runner, task


def one_run(tmp_path: Path, **options: object) -> RunResult:
    result = run(pipeline(on(engine_started, task("a"))), runner(), tmp_path, **options)
    assert result.succeeded, result.message
    return result


def run_names(tmp_path: Path) -> list[str]:
    return sorted(name for name in os.listdir(tmp_path / "runs") if name != "latest")


def test_each_run_has_its_own_directory_and_latest_points_at_the_newest(tmp_path: Path) -> None:
    first = one_run(tmp_path, separate_runs=True)
    second = one_run(tmp_path, separate_runs=True)
    assert not (tmp_path / "logs").exists()
    names = run_names(tmp_path)
    assert [Path(first.logs_dir).name, Path(second.logs_dir).name] == names  # names sort by start
    assert names[0].endswith("-" + first.run_id) and names[1].endswith("-" + second.run_id)
    assert os.readlink(tmp_path / "runs" / "latest") == names[1]  # relative: the tree can move
    assert {stat.S_IMODE((tmp_path / "runs" / name).stat().st_mode) for name in ["", *names]} == {0o700}
    for result in (first, second):
        directory = Path(result.logs_dir)
        state = yaml.safe_load((directory / "state.yaml").read_text())
        assert state["metadata"]["run-id"] == result.run_id
        assert [entry["task"] for entry in state["tasks"].values()] == ["a"]
        log = (directory / "log").read_text()
        other = second if result is first else first
        assert result.run_id in log and other.run_id not in log  # nothing of the other run
        assert (directory / "tasks").is_dir() and (directory / "services").is_dir()
    latest_state = yaml.safe_load((tmp_path / "runs" / "latest" / "state.yaml").read_text())
    assert latest_state["metadata"]["run-id"] == second.run_id


def test_keep_runs_removes_the_oldest_beyond_the_bound(tmp_path: Path) -> None:
    results = [one_run(tmp_path, keep_runs=2) for _ in range(4)]
    assert run_names(tmp_path) == [Path(result.logs_dir).name for result in results[-2:]]
    assert os.readlink(tmp_path / "runs" / "latest") == Path(results[-1].logs_dir).name


def test_a_run_still_going_on_is_not_removed(tmp_path: Path) -> None:
    # Another run of the same directory, going on: it holds the lock on its log.
    going_on = tmp_path / "runs" / "20000101T000000.000000Z-00000000000000aa"
    going_on.mkdir(parents=True)
    descriptor = os.open(going_on / "log", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH)
        one_run(tmp_path, keep_runs=1)
        assert going_on.is_dir()
    finally:
        os.close(descriptor)
    newest = one_run(tmp_path, keep_runs=1)  # it has ended now (its lock is gone): it goes
    assert run_names(tmp_path) == [Path(newest.logs_dir).name]


def test_the_flat_layout_stays_the_default(tmp_path: Path) -> None:
    result = one_run(tmp_path)
    assert result.logs_dir == str(tmp_path / "logs")
    assert (tmp_path / "logs" / "state.yaml").is_file() and not (tmp_path / "runs").exists()
