"""Engine semantics with an in-process runner: ordering, joins, reuse, failures, timeouts, retries."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from runtime.conditions import (
    all_of,
    any_of,
    engine_started,
    not_,
    task_finished,
    task_finished_with_status,
    task_started,
)
from runtime.model import EVENT_TASK_FINISHED, EventReaction
from runtime.services.base import CallFailed
from tests.runtime.fakes import Call
from tests.runtime.helpers import (
    Rendezvous,
    load_history,
    load_state,
    on,
    pipeline,
    run,
    runner,
    task,
    tasks_by_name,
)

T = TypeVar("T")


def test_chain_runs_in_order_and_succeeds(tmp_path: Path) -> None:
    fake = runner()
    pipe = pipeline(
        on(engine_started, task("a", n=1)),
        on(task_finished_with_status("a", "success"), task("b", n=2)),
        on(task_finished_with_status("b", "Success"), task("c", n=3)),
    )
    result = run(pipe, fake, tmp_path)
    assert (result.status, result.exit_code, result.failed_tasks) == ("succeeded", 0, ())
    assert [arguments["n"] for _, _, arguments in fake.calls] == [1, 2, 3]
    tasks = tasks_by_name(tmp_path)
    assert {name: runs[0]["status"] for name, runs in tasks.items()} == {
        "a": "Success",
        "b": "Success",
        "c": "Success",
    }
    assert load_state(tmp_path)["metadata"]["state"] == "finished"
    assert fake.stop_count == 1


def test_output_is_decoded_for_later_arguments(tmp_path: Path) -> None:
    fake = runner()
    seen: dict[str, Any] = {}

    def build(event: Any, state: Any) -> list[Any]:
        seen["output"] = state.output("a")
        return [task("b", funcs={"copied": lambda: state.by_name["a"].output["echo"]["value"]})]

    pipe = pipeline(
        on(engine_started, task("a", value=[1, {"x": "y"}])),
        EventReaction(task_finished_with_status("a", "success"), build),
    )
    assert run(pipe, fake, tmp_path).succeeded
    assert seen["output"] == {"echo": {"value": [1, {"x": "y"}]}}
    assert fake.calls[-1][2] == {"copied": [1, {"x": "y"}]}


def test_fan_out_then_glob_join_fires_once(tmp_path: Path) -> None:
    fake = runner()
    fired: list[str] = []

    def join(event: Any, state: Any) -> list[Any]:
        fired.append(event.payload["task"])
        return [task("join")]

    pipe = pipeline(
        on(engine_started, *[task(f"archive-{index}", index=index) for index in range(6)]),
        EventReaction(task_finished_with_status("archive-*", "success"), join),
    )
    assert run(pipe, fake, tmp_path, parallelism=3).succeeded
    assert len(fired) == 1
    assert fake.count("ok") == 7


def test_glob_join_does_not_fire_when_one_fails(tmp_path: Path) -> None:
    fake = runner()
    pipe = pipeline(
        on(engine_started, task("archive-1"), task("archive-2", "fail")),
        on(task_finished_with_status("archive-*", "success"), task("join")),
        on(task_finished("archive-*"), task("after-all")),
    )
    # One worker: archive-2 finishes last, so "after-all" fires on its failure, which handles it.
    result = run(pipe, fake, tmp_path, parallelism=1)
    assert "join" not in tasks_by_name(tmp_path)
    assert "after-all" in tasks_by_name(tmp_path)
    assert result.succeeded


def test_and_join_fires_exactly_once(tmp_path: Path) -> None:
    fake = runner()
    pipe = pipeline(
        on(engine_started, task("a"), task("b")),
        # Reusable, so every firing would show up as a run.
        on(all_of(task_finished("a"), task_finished("b")), task("c", reusable=True)),
    )
    assert run(pipe, fake, tmp_path).succeeded
    assert len(tasks_by_name(tmp_path)["c"]) == 1


def test_a_finished_condition_does_not_stay_true_for_later_events(tmp_path: Path) -> None:
    fake = runner()
    pipe = pipeline(
        on(engine_started, task("a")),
        on(task_finished("a"), task("b"), task("c")),
        on(task_finished("a"), task("counted", reusable=True)),
    )
    assert run(pipe, fake, tmp_path).succeeded
    assert len(tasks_by_name(tmp_path)["counted"]) == 1


def test_or_fires_on_either_and_handles_the_failure(tmp_path: Path) -> None:
    fake = runner()
    pipe = pipeline(
        on(engine_started, task("a", "fail"), task("b")),
        on(
            any_of(task_finished_with_status("a", "failed"), task_finished_with_status("b", "failed")),
            task("notify", reusable=True),
        ),
    )
    result = run(pipe, fake, tmp_path)
    assert (result.status, result.exit_code) == ("succeeded", 0)
    assert len(tasks_by_name(tmp_path)["notify"]) == 1
    assert tasks_by_name(tmp_path)["a"][0]["status"] == "failed"


def test_not_inside_and(tmp_path: Path) -> None:
    fake = runner()
    pipe = pipeline(
        on(engine_started, task("a")),
        on(task_started("a"), task("b", "fail")),
        on(all_of(task_finished("a"), not_(task_finished_with_status("b", "failed"))), task("guarded")),
        on(task_finished_with_status("b", "failed"), task("handled")),
    )
    result = run(pipe, fake, tmp_path, parallelism=1)
    names = tasks_by_name(tmp_path)
    assert "handled" in names
    # a finishes before b starts (one worker, a queued first): b has not failed yet, so guarded runs.
    assert "guarded" in names
    assert result.succeeded


def test_not_alone_never_fires(tmp_path: Path) -> None:
    fake = runner()
    pipe = pipeline(on(engine_started, task("a")), on(not_(task_finished("zzz")), task("never")))
    assert run(pipe, fake, tmp_path).succeeded
    assert "never" not in tasks_by_name(tmp_path)


def test_reusable_runs_every_time_and_non_reusable_once(tmp_path: Path) -> None:
    fake = runner()

    def on_t_finished(event: Any, state: Any) -> bool:
        return event.metadata.name == EVENT_TASK_FINISHED and event.payload["task"].startswith("t")

    pipe = pipeline(
        on(engine_started, task("t1"), task("t2"), task("t3")),
        on(on_t_finished, task("log", reusable=True), task("once")),
    )
    assert run(pipe, fake, tmp_path).succeeded
    names = tasks_by_name(tmp_path)
    assert len(names["log"]) == 3
    assert len(names["once"]) == 1
    assert "was built again and ignored" in (tmp_path / "logs" / "log").read_text()


def test_unhandled_failure_fails_the_run(tmp_path: Path) -> None:
    fake = runner()
    pipe = pipeline(on(engine_started, task("a", "fail", why="disk full"), task("b")))
    result = run(pipe, fake, tmp_path)
    assert (result.status, result.exit_code, result.failed_tasks) == ("failed", 3, ("a",))
    assert "disk full" in result.message
    assert tasks_by_name(tmp_path)["a"][0]["error"] == "boom: disk full"


def test_the_message_of_a_failed_run_lists_the_unhandled_failures_up_to_a_limit(tmp_path: Path) -> None:
    failing = [task(f"t{number}", "fail", why=f"reason {number}") for number in range(1, 13)]
    # One at a time: failures in the order the tasks were built.
    result = run(pipeline(on(engine_started, *failing)), runner(), tmp_path, parallelism=1)
    assert result.failed_tasks == tuple(f"t{number}" for number in range(1, 13))
    lines = result.message.split("\n")
    assert lines[0] == "12 task(s) failed:"
    assert lines[1:11] == [f"  task 't{number}': boom: reason {number}" for number in range(1, 11)]
    assert lines[11:] == ["  and 2 more (state.yaml lists every task run)"]
    ten = run(pipeline(on(engine_started, *failing[:10])), runner(), tmp_path / "ten", parallelism=1)
    assert ten.message.split("\n")[1:] == [
        f"  task 't{number}': boom: reason {number}" for number in range(1, 11)
    ]


def test_argument_that_raises_fails_only_its_task(tmp_path: Path) -> None:
    fake = runner()
    pipe = pipeline(
        on(engine_started, task("bad", funcs={"x": lambda: 1 / 0}), task("good")),
        on(task_finished_with_status("bad", "failed"), task("handled")),
    )
    result = run(pipe, fake, tmp_path)
    assert result.succeeded
    bad = tasks_by_name(tmp_path)["bad"][0]
    assert "argument 'x' could not be computed: ZeroDivisionError" in bad["error"]
    assert fake.count("ok") == 2  # good and handled: bad never called its service


def test_per_task_timeout(tmp_path: Path) -> None:
    fake = runner()
    pipe = pipeline(on(engine_started, task("slow", "hang", timeout=0.2)))
    result = run(pipe, fake, tmp_path)
    assert (result.status, result.failed_tasks) == ("failed", ("slow",))
    assert "deadline" in tasks_by_name(tmp_path)["slow"][0]["error"]


def test_retry_until_success_counts_attempts(tmp_path: Path) -> None:
    attempts: list[int] = []

    def flaky(call: Call) -> Any:
        attempts.append(1)
        if len(attempts) < 3:
            raise CallFailed("not yet", retryable=True)
        return {"after": len(attempts)}

    fake = runner(flaky=flaky)
    pipe = pipeline(on(engine_started, task("f", "flaky", attempts=4, backoff=0.01)))
    assert run(pipe, fake, tmp_path).succeeded
    assert len(attempts) == 3
    log = (tmp_path / "logs" / "log").read_text()
    assert "attempt 1 of 4 failed: not yet; next attempt in 0.01s" in log
    assert "attempt 2 of 4 failed: not yet; next attempt in 0.02s" in log


def test_retry_gives_up_after_the_last_attempt(tmp_path: Path) -> None:
    fake = runner()
    pipe = pipeline(on(engine_started, task("f", "fail", attempts=3, backoff=0.001)))
    result = run(pipe, fake, tmp_path)
    assert result.failed_tasks == ("f",)
    assert fake.count("fail") == 3
    assert tasks_by_name(tmp_path)["f"][0]["error"].endswith("(after 3 attempt(s))")


def test_whole_run_timeout_stops_everything(tmp_path: Path) -> None:
    fake = runner()
    pipe = pipeline(on(engine_started, task("forever", "hang"), task("quick")))
    result = run(pipe, fake, tmp_path, timeout=0.3)
    assert (result.status, result.exit_code, result.failed_tasks) == ("timed-out", 4, ("forever",))
    assert fake.stopped.is_set()
    forever = tasks_by_name(tmp_path)["forever"][0]
    assert (forever["state"], forever["status"]) == ("finished", "failed")
    assert "timed out" in forever["error"]
    assert tasks_by_name(tmp_path)["quick"][0]["status"] == "Success"


def test_zero_task_pipeline_ends_at_once(tmp_path: Path) -> None:
    result = run(pipeline(services=()), None, tmp_path)
    assert result.succeeded
    names = [entry["metadata"]["name"] for entry in load_history(tmp_path)]
    assert names == ["engine.started", "engine.finished"]
    state = load_state(tmp_path)
    assert state["tasks"] == {}
    assert (state["metadata"]["state"], state["metadata"]["outcome"]) == ("finished", "succeeded")


def test_reaction_that_raises_fails_the_run_cleanly(tmp_path: Path) -> None:
    fake = runner()

    def broken(event: Any, state: Any) -> list[Any]:
        raise KeyError("cards")

    pipe = pipeline(on(engine_started, task("a", "hang")), EventReaction(task_started("a"), broken))
    result = run(pipe, fake, tmp_path)
    assert (result.status, result.exit_code) == ("failed", 3)
    assert "reaction 2" in result.message and "KeyError" in result.message
    assert fake.stop_count == 1
    assert "Traceback" in (tmp_path / "logs" / "log").read_text()  # for the developer, in the log only


def test_condition_that_raises_fails_the_run(tmp_path: Path) -> None:
    def condition(event: Any, state: Any) -> bool:
        raise ValueError("bad guard")

    result = run(pipeline(on(condition, task("a"))), runner(), tmp_path)
    assert result.status == "failed" and "bad guard" in result.message


def test_services_that_cannot_start(tmp_path: Path) -> None:
    fake = runner()
    fake.fail_start = "service 'svc': ./svc does not exist"
    result = run(pipeline(on(engine_started, task("a"))), fake, tmp_path)
    assert (result.status, result.exit_code) == ("failed", 3)
    assert "does not exist" in result.message
    assert load_state(tmp_path)["metadata"]["state"] == "finished"


def test_unknown_service_fails_the_task(tmp_path: Path) -> None:
    result = run(pipeline(on(engine_started, task("a", service="nope"))), runner(), tmp_path)
    assert result.failed_tasks == ("a",)
    assert "no service is called 'nope'" in tasks_by_name(tmp_path)["a"][0]["error"]


def test_parallelism_bounds_concurrent_calls(tmp_path: Path) -> None:
    meet = Rendezvous(2)
    fake = runner(meet=meet)
    pipe = pipeline(on(engine_started, *[task(f"t{index}", "meet") for index in range(6)]))
    assert run(pipe, fake, tmp_path, parallelism=2).succeeded
    assert meet.most == 2


def test_workers_are_started_as_tasks_need_them(tmp_path: Path) -> None:
    # A parallelism of 1,000 for a chain of two tasks: one worker, not a thousand threads up front.
    seen: dict[str, int] = {}
    before = {thread.ident for thread in threading.enumerate()}  # workers of earlier runs may linger

    def count(call: Call) -> Any:
        seen["workers"] = sum(
            thread.name.startswith("oi-task-") and thread.ident not in before
            for thread in threading.enumerate()
        )
        return {}

    fake = runner(count=count)
    pipe = pipeline(on(engine_started, task("a")), on(task_finished("a"), task("b", "count")))
    assert run(pipe, fake, tmp_path, parallelism=1000).succeeded
    assert seen["workers"] == 1


def test_fan_out_starts_no_more_workers_than_the_parallelism(tmp_path: Path) -> None:
    meet = Rendezvous(3)
    fake = runner(meet=meet)
    pipe = pipeline(on(engine_started, *[task(f"t{index}", "meet") for index in range(3)]))
    assert run(pipe, fake, tmp_path, parallelism=1000).succeeded
    assert meet.most == 3  # each task got a worker of its own, started on demand


def test_state_file_shows_progress_while_running(tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    def look(call: Call) -> Any:
        seen["state"] = load_state(tmp_path)
        seen["history"] = [entry["metadata"]["name"] for entry in load_history_safe(tmp_path)]
        return {}

    fake = runner(look=look)
    pipe = pipeline(on(engine_started, task("a")), on(task_finished("a"), task("b", "look")))
    # Every change written (the default coalesces them to one write per 0.25 s).
    assert run(pipe, fake, tmp_path, state_interval=0).succeeded
    state = seen["state"]
    assert state["metadata"]["state"] == "in-progress"
    by_name = {entry["task"]: entry for entry in state["tasks"].values()}
    assert (by_name["a"]["state"], by_name["a"]["status"]) == ("finished", "Success")
    assert by_name["b"]["state"] in ("pending", "in-progress")
    assert seen["history"][:3] == ["engine.started", "task.started", "task.finished"]


def test_state_file_catches_up_while_a_long_task_runs(tmp_path: Path) -> None:
    """Coalesced writes: a change not written at once (the interval had not passed) is written when
    it is due, even when no event comes for a long time (here: "b" runs until the file shows "a")."""
    seen: list[str] = []

    def states() -> dict[str, str]:
        tasks = (load_state(tmp_path) or {}).get("tasks") or {}
        return {entry["task"]: entry["state"] for entry in tasks.values()}

    def wait_for_a(call: Call) -> Any:
        shown = poll(states, lambda shown: shown.get("a") == "finished", "state.yaml never showed a finished")
        seen.append(shown.get("b", ""))
        return {}

    fake = runner(wait=wait_for_a)
    pipe = pipeline(on(engine_started, task("a")), on(task_finished("a"), task("b", "wait")))
    assert run(pipe, fake, tmp_path, state_interval=0.2).succeeded
    assert seen == ["in-progress"]


def test_history_catches_up_while_a_long_task_runs(tmp_path: Path) -> None:
    """History lines are written in bursts, a little after their events were handled: while "b" runs
    (and no other event comes), the file gets every event up to b's ``task.started``."""
    seen: list[list[str]] = []

    def names() -> list[str]:
        return [entry["metadata"]["name"] for entry in load_history(tmp_path)]

    def wait_for_history(call: Call) -> Any:
        seen.append(poll(names, lambda shown: len(shown) >= 4, "history.yaml never showed b started"))
        return {}

    fake = runner(wait=wait_for_history)
    pipe = pipeline(on(engine_started, task("a")), on(task_finished("a"), task("b", "wait")))
    # A state interval longer than the test: no state.yaml write wakes the engine thread meanwhile.
    assert run(pipe, fake, tmp_path, state_interval=600).succeeded
    assert seen == [["engine.started", "task.started", "task.finished", "task.started"]]


def poll(read: Callable[[], T], done: Callable[[T], bool], failure: str) -> T:
    """Read a file's content until ``done`` says it is there (for at most 30 s), as a reader following
    the run would; the engine itself never polls."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        shown = read()
        if done(shown):
            return shown
        time.sleep(0.01)
    raise CallFailed(failure)


def load_history_safe(tmp_path: Path) -> list[dict[str, Any]]:
    return load_history(tmp_path)


def test_engine_runs_from_a_non_main_thread(tmp_path: Path) -> None:
    results: list[Any] = []
    pipe = pipeline(on(engine_started, task("a")))
    thread = threading.Thread(
        target=lambda: results.append(run(pipe, runner(), tmp_path, handle_signals=True))
    )
    thread.start()
    thread.join(30)
    assert results and results[0].succeeded


def test_unwritable_logs_directory_is_one_clear_message(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = run(pipeline(services=()), None, blocker)
    assert (result.status, result.exit_code) == ("failed", 3)
    assert result.message.startswith("cannot write ") and "Traceback" not in result.message
