"""``state.yaml`` says when each task run started and finished, how long it took, and how the run
ended (outcome and exit status): real engine runs with the in-process runner."""

from __future__ import annotations

import datetime
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from runtime.conditions import engine_started, task_finished_with_status
from runtime.model import Service
from runtime.services.base import RunContext, ServiceConnection, ServiceStartError
from tests.runtime.fakes import FakeRunner
from tests.runtime.helpers import load_state, on, pipeline, run, runner, task, tasks_by_name


def moment(text: str) -> datetime.datetime:
    assert text.endswith("Z"), text
    return datetime.datetime.fromisoformat(text[:-1] + "+00:00")


def assert_timed(entry: dict[str, Any]) -> None:
    started, finished = moment(entry["started-at"]), moment(entry["finished-at"])
    assert started <= finished
    assert entry["duration-seconds"] == round((finished - started).total_seconds(), 3)


def test_every_task_run_and_the_run_are_timed(tmp_path: Path) -> None:
    pipe = pipeline(
        on(engine_started, task("a")),
        on(task_finished_with_status("a", "success"), task("b", "fail")),
    )
    result = run(pipe, runner(), tmp_path)
    assert (result.status, result.exit_code) == ("failed", 3)
    state = load_state(tmp_path)
    metadata = state["metadata"]
    assert (metadata["state"], metadata["outcome"], metadata["exit-status"]) == ("finished", "failed", 3)
    assert metadata["run-id"] == result.run_id
    assert_timed(metadata)
    tasks = tasks_by_name(tmp_path)
    a, b = tasks["a"][0], tasks["b"][0]
    for entry in (a, b):
        assert_timed(entry)
        assert moment(metadata["started-at"]) <= moment(entry["started-at"])
        assert moment(entry["finished-at"]) <= moment(metadata["finished-at"])
    # b was built by a's end: it cannot have started before a finished.
    assert moment(a["finished-at"]) <= moment(b["started-at"])
    # The original's fields are all still there.
    assert {"state", "status", "task", "output", "arguments", "error", "event-id", "logger"} <= set(a)


def test_a_timed_out_run_says_so_and_times_the_task_it_cut_short(tmp_path: Path) -> None:
    pipe = pipeline(on(engine_started, task("forever", "hang")))
    result = run(pipe, runner(), tmp_path, timeout=0.3)
    assert result.exit_code == 4
    metadata = load_state(tmp_path)["metadata"]
    assert (metadata["outcome"], metadata["exit-status"]) == ("timed-out", 4)
    forever = tasks_by_name(tmp_path)["forever"][0]
    assert forever["status"] == "failed"
    assert_timed(forever)


def test_a_successful_run_has_exit_status_zero(tmp_path: Path) -> None:
    assert run(pipeline(on(engine_started, task("a"))), runner(), tmp_path).succeeded
    metadata = load_state(tmp_path)["metadata"]
    assert (metadata["outcome"], metadata["exit-status"]) == ("succeeded", 0)


class _SlowToStart(FakeRunner):
    """A runner whose services never become ready: its start waits for the deadline the engine
    gives it (``RunContext.deadline``), as the real runners do, then fails."""

    def __init__(self) -> None:
        super().__init__({})
        self.deadline: float | None = None

    def start(self, services: Sequence[Service], context: RunContext) -> dict[str, ServiceConnection]:
        self.deadline = context.deadline
        assert context.deadline is not None
        time.sleep(max(0.0, context.deadline - time.monotonic()))
        raise ServiceStartError("service 'svc' was not ready in time")


def test_the_run_timeout_covers_the_start_of_the_services(tmp_path: Path) -> None:
    slow = _SlowToStart()
    began = time.monotonic()
    result = run(pipeline(on(engine_started, task("a"))), slow, tmp_path, timeout=0.5)
    assert slow.deadline is not None and began + 0.5 <= slow.deadline < began + 30
    assert (result.status, result.exit_code) == ("timed-out", 4)
    assert result.message == (
        "the run did not finish within its timeout of 0.5s "
        "(while starting the services: service 'svc' was not ready in time)"
    )
    metadata = load_state(tmp_path)["metadata"]
    assert (metadata["outcome"], metadata["exit-status"]) == ("timed-out", 4)


def test_a_start_failure_before_the_timeout_is_a_failure(tmp_path: Path) -> None:
    fake = runner()
    fake.fail_start = "service 'svc' could not be started"
    result = run(pipeline(on(engine_started, task("a"))), fake, tmp_path, timeout=60)
    assert (result.status, result.exit_code) == ("failed", 3)
    assert result.message == "service 'svc' could not be started"
