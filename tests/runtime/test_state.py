"""State lookups, glob counters, and the state/history files."""

from __future__ import annotations

import datetime
import json
import re
import threading
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.conditions import (
    all_of,
    any_of,
    engine_started,
    not_,
    task_event_reported,
    task_finished,
    task_finished_with_status,
    task_started,
)
from runtime.logs import EngineLog, HistoryFile, StateFile, redacted_json, redacted_plain, task_log_name
from runtime.model import Event, EventMetadata
from runtime.redact import Redactor
from runtime.state import State

NOW = datetime.datetime(2024, 5, 1, tzinfo=datetime.timezone.utc)


def event(name: str, **payload: object) -> Event:
    return Event(EventMetadata(name, f"id-{name}-{payload.get('id', '')}", NOW), payload)


def start(state: State, run_id: str, name: str) -> Event:
    state.add_pending(run_id, name, "e0", f"/logs/{run_id}")
    started = event("task.started", task=name, id=run_id)
    state.apply(started, {"x": 1})
    return started


def finish(state: State, run_id: str, name: str, status: str = "Success") -> Event:
    finished = event("task.finished", task=name, id=run_id, status=status, error="", output={"n": run_id})
    state.apply(finished)
    return finished


def test_latest_run_and_outcome_of_a_reusable_task() -> None:
    state = State()
    start(state, "1", "notify")
    finish(state, "1", "notify", "failed")
    start(state, "2", "notify")
    latest = state.task("notify")
    assert latest is not None and (latest.id, latest.state) == ("2", "in-progress")
    assert state.failed("notify") and state.has_active_run("notify")
    finish(state, "2", "notify")
    assert state.succeeded("notify") and state.output("notify") == {"n": "2"}
    assert [run.id for run in state.runs("notify")] == ["1", "2"]
    assert state.by_name["notify"].arguments == {"x": 1}


def test_glob_counters_follow_changes() -> None:
    state = State()
    condition = task_finished_with_status("archive-*", "success")
    assert not condition.satisfied(state)
    start(state, "1", "archive-1")
    start(state, "2", "archive-2")
    assert not condition.satisfied(state)
    last = finish(state, "1", "archive-1")
    assert not condition.satisfied(state)
    last = finish(state, "2", "archive-2")
    assert condition(last, state)
    assert task_started("archive-*").satisfied(state)
    start(state, "3", "archive-3")  # a later fan-out: not all finished any more
    assert not condition.satisfied(state)
    failed = finish(state, "3", "archive-3", "failed")
    assert not condition(failed, state)
    assert task_finished("archive-*")(failed, state)
    assert state.names_matching("archive-*") == ["archive-1", "archive-2", "archive-3"]


def test_firing_rule_of_combinators() -> None:
    state = State()
    started = event("engine.started")
    state.apply(started)
    assert engine_started(started, state)
    start(state, "a", "a")
    on_a = finish(state, "a", "a")
    both = all_of(task_finished("a"), task_finished("b"))
    assert not both(on_a, state)
    start(state, "b", "b")
    on_b = finish(state, "b", "b")
    assert both(on_b, state)
    assert not engine_started(on_b, state)
    either = any_of(task_finished_with_status("a", "failed"), task_finished("b"))
    assert either(on_b, state) and not either(on_a, state)
    assert not not_(task_finished("zzz"))(on_b, state)
    assert all_of(task_finished("b"), not_(task_finished("zzz")))(on_b, state)
    plain = all_of(task_finished("b"), lambda ev, st: ev.payload.get("task") == "b")
    assert plain(on_b, state)
    combined = task_finished("a") & task_finished("b")
    assert combined(on_b, state) and repr(combined) == "all_of(task_finished('a'), task_finished('b'))"


def test_reported_condition() -> None:
    state = State()
    start(state, "1", "build-1")
    report = event("task.reported", task="build-1", id="1", event="progress", data={"percent": 60})
    state.apply(report)
    assert task_event_reported("build-1", "progress")(report, state)
    assert task_event_reported("build-*", "progress")(report, state)
    assert not task_event_reported("build-1", "done")(report, state)


def test_history_lines_always_parse(tmp_path: Path) -> None:
    history = HistoryFile(str(tmp_path / "history.yaml"), Redactor(["pw42"]))
    hostile = "line\nbreak \u2028 ' \" : - # {} [] \x00 \\ pw42 é 😀"
    history.append(event("task.finished", task="x", id="1", output={hostile: [hostile, 1.5, None, True]}))
    history.append(event("engine.finished"))
    history.close()
    text = (tmp_path / "history.yaml").read_text(encoding="utf-8")
    assert text.count("\n") == 2 and all(line.startswith("- {") for line in text.splitlines())
    loaded = yaml.safe_load(text)
    redacted = hostile.replace("pw42", "***")
    assert loaded[0]["payload"]["output"] == {redacted: [redacted, 1.5, None, True]}
    assert loaded[0]["metadata"] == {
        "name": "task.finished",
        "id": "id-task.finished-1",
        "createdAt": "2024-05-01T00:00:00.000Z",
    }


def test_state_file_format_and_coalescing(tmp_path: Path) -> None:
    state = State()
    path = tmp_path / "state.yaml"
    writer = StateFile(str(path), Redactor(), interval=3600)
    start(state, "1", "a")
    writer.write_if_due(state)
    first = yaml.safe_load(path.read_text())
    assert first["tasks"]["1"] == {
        "state": "in-progress",
        "status": "",
        "task": "a",
        "output": "",
        "arguments": '{"x": 1}',
        "error": "",
        "event-id": "e0",
        "logger": "/logs/1",
        "started-at": "2024-05-01T00:00:00.000Z",
        "finished-at": "",
        "duration-seconds": None,
    }
    assert first["metadata"] == {
        "state": "in-progress",
        "run-id": "",
        "started-at": "",
        "finished-at": "",
        "duration-seconds": None,
        "outcome": "",
        "exit-status": None,
    }
    start(state, "2", "b")
    start(state, "3", "c")  # the first write was at once; the next waits for the interval
    writer.mark_changed()
    writer.write_if_due(state)
    assert yaml.safe_load(path.read_text()) == first
    due = writer.seconds_until_due()
    assert due is not None and due > 0
    writer.write(state)
    assert set(yaml.safe_load(path.read_text())["tasks"]) == {"1", "2", "3"}
    assert writer.seconds_until_due() is None


def test_state_file_times_each_run_and_says_how_the_run_ended(tmp_path: Path) -> None:
    state = State()
    began = datetime.datetime(2024, 5, 1, 12, 0, 0, 250000, tzinfo=datetime.timezone.utc)
    state.begin("run-7", began)
    state.add_pending("1", "a", "e0", "/logs/1")
    started_at = began + datetime.timedelta(seconds=1)
    state.apply(Event(EventMetadata("task.started", "s1", started_at), {"id": "1"}))
    finished_at = began + datetime.timedelta(seconds=3, microseconds=456789)
    finished = {"task": "a", "id": "1", "status": "failed", "error": "boom", "output": None}
    state.apply(Event(EventMetadata("task.finished", "f1", finished_at), finished))
    state.add_pending("2", "b", "f1", "/logs/2")  # never started: abandoned when the run ends
    state.abandon("2", "the run stopped before this task finished")
    ended = began + datetime.timedelta(minutes=2)
    state.end("failed", 3, ended)
    state.apply(Event(EventMetadata("engine.finished", "x", ended), {"status": "failed"}))
    path = tmp_path / "state.yaml"
    StateFile(str(path), Redactor(), interval=0).write(state)
    written = yaml.safe_load(path.read_text())
    assert written["metadata"] == {
        "state": "finished",
        "run-id": "run-7",
        "started-at": "2024-05-01T12:00:00.250Z",
        "finished-at": "2024-05-01T12:02:00.250Z",
        "duration-seconds": 120.0,
        "outcome": "failed",
        "exit-status": 3,
    }
    ran = written["tasks"]["1"]
    assert (ran["state"], ran["status"], ran["error"]) == ("finished", "failed", "boom")  # kept as they were
    assert ran["started-at"] == "2024-05-01T12:00:01.250Z"
    assert ran["finished-at"] == "2024-05-01T12:00:03.706Z"
    assert ran["duration-seconds"] == 2.456
    abandoned = written["tasks"]["2"]
    assert abandoned["started-at"] == "" and abandoned["duration-seconds"] is None
    assert abandoned["finished-at"].endswith("Z") and abandoned["status"] == "failed"


def test_task_log_names_are_safe() -> None:
    assert task_log_name("archive-${id}/../x y", "ab12") == "archive-_id_.._x_y-ab12.log"
    assert task_log_name("..", "1") == "task-1.log"
    assert len(task_log_name("x" * 500, "1")) < 120


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.sampled_from('ab"\\\n\u2028é*s€')),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(alphabet='abs"é', max_size=4), children, max_size=4)
    ),
    max_leaves=12,
)


@given(
    value=_JSON_VALUES,
    secret=st.sampled_from(["", "s", "sé", 'a"b', "ab\\", "€€", "s\u2028<é", 'key"é\\', "long-secret"]),
)
@settings(max_examples=300, deadline=None)
def test_redacted_json_is_the_text_of_the_redacted_value(value: object, secret: str) -> None:
    redactor = Redactor([secret])
    for sort_keys in (False, True):
        fast = redacted_json(value, redactor, sort_keys=sort_keys)
        walked = json.dumps(redacted_plain(value, redactor), ensure_ascii=False, sort_keys=sort_keys)
        assert fast == walked


def test_engine_log_defers_the_lines_of_the_thread_handling_events(tmp_path: Path) -> None:
    path = tmp_path / "log"
    log = EngineLog(str(path), Redactor(["hunter2"]))
    log.batching_thread = threading.get_ident()
    log.info("handled an event with hunter2")
    assert path.read_text() == ""  # waits for the flush of its burst
    other = threading.Thread(target=log.warning, args=("from a worker\nsecond line",))
    other.start()
    other.join()
    # Another thread's line is written at once, and the waiting one with it, in order.
    lines = path.read_text().splitlines()
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
    assert re.fullmatch(f"{stamp} info  handled an event with \\*\\*\\*", lines[0])
    assert re.fullmatch(f"{stamp} warn  from a worker", lines[1])
    assert lines[2:] == ["    second line"]
    log.info("last")
    log.close()
    assert path.read_text().endswith(" info  last\n")  # closing writes what waits
