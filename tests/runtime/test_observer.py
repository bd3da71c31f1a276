"""The engine reports a run to its observer and prints nothing itself; an observer that raises is
switched off and the run goes on."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from runtime import program
from runtime.conditions import engine_started, task_finished
from runtime.observer import (
    ENDED_FAILED,
    ENDED_SUCCEEDED,
    ENDED_TIMED_OUT,
    RunEnded,
    RunEvent,
    RunStarted,
    TaskFinished,
    TaskRetried,
    TaskStarted,
)
from tests.binary.sample_pipeline import PROGRAM
from tests.runtime.helpers import on, pipeline, run, runner, task


class Recorder:
    def __init__(self) -> None:
        self.events: list[RunEvent] = []
        self._lock = threading.Lock()

    def event(self, event: RunEvent) -> None:
        with self._lock:
            self.events.append(event)

    def of(self, kind: type) -> list:  # type: ignore[type-arg]
        return [event for event in self.events if isinstance(event, kind)]


class Raising:
    """Raises at the first event of a kind."""

    def __init__(self, kind: type = TaskStarted) -> None:
        self.kind = kind
        self.seen: list[RunEvent] = []

    def event(self, event: RunEvent) -> None:
        self.seen.append(event)
        if isinstance(event, self.kind):
            raise RuntimeError("the display broke")


def test_an_observer_that_raises_is_switched_off_and_the_run_goes_on(tmp_path: Path) -> None:
    observer = Raising()
    pipe = pipeline(
        on(engine_started, task("first")),
        on(task_finished("first"), task("second")),
    )
    result = run(pipe, runner(), tmp_path, observer=observer)
    assert result.succeeded, result.message
    assert result.observer_error == "RuntimeError: the display broke"
    assert [type(event) for event in observer.seen] == [RunStarted, TaskStarted]  # nothing after
    log = (tmp_path / "logs" / "log").read_text()
    assert log.count("the run's observer raised RuntimeError: the display broke") == 1
    assert "task 'second'" in log and "finished: Success" in log


def test_an_observer_that_raises_at_the_end_leaves_the_result_whole(tmp_path: Path) -> None:
    observer = Raising(RunEnded)
    result = run(pipeline(on(engine_started, task("bad", "fail"))), runner(), tmp_path, observer=observer)
    assert (result.status, result.exit_code, result.failed_tasks) == ("failed", 3, ("bad",))
    assert result.observer_error == "RuntimeError: the display broke"
    assert isinstance(observer.seen[-1], RunEnded)


def test_the_engine_itself_writes_nothing_to_stdout_or_stderr(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    pipe = pipeline(on(engine_started, task("bad", "fail"), task("good")))
    result = run(pipe, runner(), tmp_path, secrets=("pw",))  # a short secret: a warning too
    assert result.exit_code == 3
    assert capfd.readouterr() == ("", "")


def test_the_events_tell_each_run_its_number_and_what_built_it(tmp_path: Path) -> None:
    recorder = Recorder()
    again = task("again", reusable=True)
    pipe = pipeline(
        on(engine_started, task("first")),
        on(task_finished("first"), again),
        on(task_finished("again"), task("last"), again),
    )
    result = run(pipe, runner(), tmp_path, observer=recorder, max_task_runs=3)
    assert result.exit_code == 3  # the fourth run of "again" is past the bound
    started = recorder.of(TaskStarted)
    assert [(event.name, event.run) for event in started][:2] == [("first", 1), ("again", 1)]
    assert sorted((event.name, event.run) for event in started) == [
        ("again", 1), ("again", 2), ("again", 3), ("first", 1), ("last", 1),
    ]  # fmt: skip
    assert all((event.service, event.endpoint) == ("svc", "ok") for event in started)
    ended = recorder.events[-1]
    assert isinstance(ended, RunEnded) and ended.result is not None
    assert ended.reason.startswith("reusable task 'again' was built for a run beyond the bound")
    by_id = {record.id: record for record in ended.tasks}
    first = next(record for record in ended.tasks if record.name == "first")
    assert first.built_by == ""  # built on engine.started
    runs = sorted((record for record in ended.tasks if record.name == "again"), key=lambda r: r.run)
    assert by_id[runs[0].built_by] is first
    assert by_id[runs[1].built_by] is runs[0] and by_id[runs[2].built_by] is runs[1]
    assert recorder.of(RunStarted)[0] is recorder.events[0]


def test_a_task_timeout_says_its_limit_and_where_and_counts_as_timed_out(tmp_path: Path) -> None:
    recorder = Recorder()
    pipe = pipeline(on(engine_started, task("slow", "hang", timeout=0.2), task("fine")))
    result = run(pipe, runner(), tmp_path, observer=recorder)
    assert result.exit_code == 3
    finished = {event.name: event for event in recorder.of(TaskFinished)}
    assert finished["fine"].ended == ENDED_SUCCEEDED and finished["fine"].error == ""
    assert finished["slow"].ended == ENDED_TIMED_OUT
    assert (
        finished["slow"].error
        == "svc.hang: no answer before the deadline (the task's timeout of 0.2s passed)"
    )
    assert finished["slow"].duration >= 0.2
    ended = recorder.events[-1]
    assert isinstance(ended, RunEnded)
    assert {record.name: record.ended for record in ended.tasks} == {
        "slow": ENDED_TIMED_OUT,
        "fine": ENDED_SUCCEEDED,
    }
    assert ended.reason == ""  # the failures are the tasks listed, not a reason of their own


def test_a_retry_is_reported_before_the_last_attempt(tmp_path: Path) -> None:
    recorder = Recorder()
    pipe = pipeline(on(engine_started, task("flaky", "fail", attempts=2, backoff=0.01)))
    result = run(pipe, runner(), tmp_path, observer=recorder)
    assert result.exit_code == 3
    retried = recorder.of(TaskRetried)
    assert [(event.name, event.attempt, event.attempts) for event in retried] == [("flaky", 1, 2)]
    assert retried[0].error == "boom: asked to fail" and retried[0].backoff == 0.01
    (finished,) = recorder.of(TaskFinished)
    assert finished.ended == ENDED_FAILED
    assert finished.error == "boom: asked to fail (after 2 attempt(s))"
    assert recorder.events.index(retried[0]) < recorder.events.index(finished)


def test_the_binary_says_in_one_line_that_its_display_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import runtime.console

    monkeypatch.setattr(runtime.console, "console_observer", lambda *arguments: Raising(RunEnded))
    assert program.run(PROGRAM, ["--logs-dir", str(tmp_path)], environ={}) == 0
    assert capsys.readouterr().err.splitlines() == [
        "sample: warning: the run's display failed (RuntimeError: the display broke); "
        f"the run went on (logs: {tmp_path / 'logs'})"
    ]
