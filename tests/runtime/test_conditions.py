"""The firing rule of conditions, combinators and guards, asked event by event against a real State."""

from __future__ import annotations

import pytest

from runtime.conditions import (
    Condition,
    all_of,
    any_of,
    engine_started,
    failure_atoms,
    name_matches,
    not_,
    task_event_reported,
    task_finished,
    task_finished_with_status,
    task_started,
)
from runtime.expressions import PipelineError, event_value, get_member, guarded
from runtime.model import Event, EventMetadata
from runtime.state import State
from tests.runtime.helpers import NOW, Timeline

SITE = ("pipeline.oi", 3, 9)


def fires(condition: Condition, event: Event, timeline: Timeline) -> bool:
    return condition(event, timeline.state)


# -- globs ---------------------------------------------------------------------------------------------


def test_a_glob_that_matches_no_task_is_not_satisfied() -> None:
    timeline = Timeline()
    a_finished = timeline.run("a")
    for nothing in (
        task_started("zzz-*"),
        task_finished("zzz-*"),
        task_finished_with_status("zzz-*", "success"),
        task_finished_with_status("zzz-*", "failed"),
    ):
        assert not nothing.satisfied(timeline.state), nothing
        assert not fires(all_of(task_finished("a"), nothing), a_finished, timeline), nothing
        assert fires(all_of(task_finished("a"), not_(nothing)), a_finished, timeline), nothing


def test_a_started_glob_is_every_task_of_that_prefix_and_only_those() -> None:
    timeline = Timeline()
    started = task_started("step-*")
    first = timeline.start(timeline.build("step-1"))
    assert fires(started, first, timeline)  # one task of the prefix, and it started
    timeline.build("stepper")  # a longer name that does not match "step-*": never started
    timeline.build("s")
    assert started.satisfied(timeline.state)
    second = timeline.build("step-2")
    assert not started.satisfied(timeline.state)
    assert fires(started, timeline.start(second), timeline)


def test_a_glob_join_waits_for_a_rerun_still_in_flight() -> None:
    timeline = Timeline()
    timeline.run("step-1")
    first_of_two = timeline.run("step-2")
    join = task_finished("step-*")
    successes = task_finished_with_status("step-*", "success")
    assert fires(join, first_of_two, timeline) and fires(successes, first_of_two, timeline)
    rerun = timeline.build("step-1")  # a reusable task built again: waiting for a worker
    assert not join.satisfied(timeline.state) and not successes.satisfied(timeline.state)
    timeline.start(rerun)
    assert not join.satisfied(timeline.state) and not successes.satisfied(timeline.state)
    other = timeline.run("other")
    assert not fires(all_of(task_finished("other"), join), other, timeline)
    rerun_finished = timeline.finish(rerun)
    assert fires(join, rerun_finished, timeline) and fires(successes, rerun_finished, timeline)


def test_a_failure_that_finishes_before_a_success_in_a_glob() -> None:
    timeline = Timeline()
    first, second = timeline.build("archive-1"), timeline.build("archive-2")
    timeline.start(first)
    timeline.start(second)
    failed = timeline.finish(first, "failed")
    every = task_finished("archive-*")
    all_succeeded = task_finished_with_status("archive-*", "success")
    all_failed = task_finished_with_status("archive-*", "failed")
    for condition in (every, all_succeeded, all_failed):
        assert not fires(condition, failed, timeline), condition  # archive-2 still runs
    succeeded = timeline.finish(second)
    assert fires(every, succeeded, timeline)
    assert not fires(all_succeeded, succeeded, timeline)
    assert not fires(all_failed, succeeded, timeline)
    assert not all_succeeded.satisfied(timeline.state) and not all_failed.satisfied(timeline.state)


def test_a_glob_of_one_task_has_the_status_of_that_task() -> None:
    timeline = Timeline()
    failed = timeline.run("x-1", "failed")
    timeline.run("xylophone")  # shares the first letter, not the prefix
    assert fires(task_finished_with_status("x-*", "failed"), failed, timeline)
    assert fires(task_finished("x-*"), failed, timeline)
    assert not task_finished_with_status("x-*", "success").satisfied(timeline.state)
    assert not task_finished_with_status("xy*", "failed").satisfied(timeline.state)


def test_finished_is_not_triggered_by_the_start_or_the_reports_of_a_rerun() -> None:
    timeline = Timeline()
    timeline.run("a")
    finished, succeeded = task_finished("a"), task_finished_with_status("a", "success")
    rerun = timeline.build("a")  # a reusable task built again: its last run still counts
    for event in (timeline.start(rerun), timeline.report(rerun, "progress")):
        assert finished.satisfied(timeline.state) and succeeded.satisfied(timeline.state)
        assert not fires(finished, event, timeline) and not fires(succeeded, event, timeline)
    last = timeline.finish(rerun)
    assert fires(finished, last, timeline) and fires(succeeded, last, timeline)


def test_a_glob_of_failures_fires_on_the_last_failure() -> None:
    timeline = Timeline()
    first, second = timeline.build("t-1"), timeline.build("t-2")
    timeline.start(first)
    timeline.start(second)
    all_failed = task_finished_with_status("t-*", "failed")
    assert not fires(all_failed, timeline.finish(second, "failed"), timeline)
    assert fires(all_failed, timeline.finish(first, "failed"), timeline)


def test_a_glob_matches_its_prefix_exactly() -> None:
    assert name_matches("ab*", "ab") and name_matches("ab*", "abc") and name_matches("*", "x")
    assert not name_matches("ab*", "ax") and not name_matches("abc*", "ab")
    assert name_matches("ab", "ab") and not name_matches("ab", "abc")


def test_an_event_without_a_task_triggers_no_task_condition() -> None:
    timeline = Timeline()
    timeline.run("a")
    for payload in (None, ["a"], {"task": 5}, {}):
        for kind in ("task.finished", "task.started"):
            event = Event(EventMetadata(kind, "odd", NOW), payload)  # type: ignore[arg-type]
            for condition in (
                task_finished("a"),
                task_finished("a*"),
                task_started("a*"),
                task_started("a"),
                task_event_reported("a", "x"),
            ):
                assert not condition.triggered(event, timeline.state), (condition, kind, payload)


# -- reports -------------------------------------------------------------------------------------------


def test_a_report_of_another_event_does_not_fire_reported() -> None:
    timeline = Timeline()
    run = timeline.build("build")
    timeline.start(run)
    assert not task_event_reported("b*", "progress").satisfied(timeline.state)
    assert not task_event_reported("zzz-*", "progress").satisfied(timeline.state)
    progress = timeline.report(run, "progress", {"percent": 10})
    done = timeline.report(run, "done")
    for name in ("build", "b*"):
        reported = task_event_reported(name, "progress")
        assert fires(reported, progress, timeline)
        assert reported.satisfied(timeline.state)  # it did report "progress" ...
        assert not fires(reported, done, timeline), name  # ... but "done" is not that event
        assert not task_event_reported(name, "done-twice").satisfied(timeline.state)
    other = timeline.build("other")
    assert not fires(task_event_reported("build", "progress"), timeline.report(other, "progress"), timeline)


def test_a_reported_glob_is_satisfied_only_by_tasks_of_its_prefix() -> None:
    timeline = Timeline()
    other = timeline.build("bx")
    timeline.start(other)
    reported = task_event_reported("b-*", "progress")
    assert not fires(reported, timeline.report(other, "progress"), timeline)
    assert not reported.satisfied(timeline.state)
    run = timeline.build("b-1")
    timeline.start(run)
    assert fires(reported, timeline.report(run, "progress"), timeline)


# -- combinators -----------------------------------------------------------------------------------------


def test_a_conjunction_nested_inside_any_of() -> None:
    timeline = Timeline()
    condition = any_of(task_finished("a"), all_of(task_finished("b"), task_finished("c")))
    a_done = timeline.run("a")
    assert fires(condition, a_done, timeline)
    # "a" is satisfied but not triggered; the conjunction is triggered by "b" but not satisfied.
    assert not fires(condition, timeline.run("b"), timeline)
    assert fires(condition, timeline.run("c"), timeline)
    assert not fires(condition, timeline.run("d"), timeline)


def test_a_disjunction_nested_inside_all_of() -> None:
    timeline = Timeline()
    condition = all_of(task_finished("a"), any_of(task_finished("b"), task_finished("c")))
    assert not fires(condition, timeline.run("b"), timeline)  # "a" not finished yet
    # The disjunction is satisfied (b) but not triggered by "a"; "a" triggers the conjunction.
    assert fires(condition, timeline.run("a"), timeline)
    assert fires(condition, timeline.run("c"), timeline)  # triggered through the disjunction
    assert not fires(condition, timeline.run("d"), timeline)


def test_not_inside_and_is_never_the_trigger() -> None:
    timeline = Timeline()
    condition = all_of(task_finished("a"), not_(task_finished_with_status("b", "failed")))
    assert fires(condition, timeline.run("a"), timeline)
    assert not fires(condition, timeline.run("b", "failed"), timeline)
    assert not fires(not_(task_finished("zzz")), timeline.run("c"), timeline)


def test_started_fires_only_on_the_start_of_its_own_task() -> None:
    timeline = Timeline()
    run = timeline.build("a")
    started = task_started("a")
    assert fires(started, timeline.start(run), timeline)
    # Satisfied from now on, but triggered only by a's own start:
    assert not fires(started, timeline.report(run, "progress"), timeline)
    assert not fires(started, timeline.finish(run), timeline)
    other = timeline.build("b")
    assert not fires(started, timeline.start(other), timeline)
    assert not fires(started, timeline.engine_started(), timeline)
    assert fires(task_started("b*"), timeline.start(timeline.build("b-2")), timeline)


def test_engine_started_fires_once() -> None:
    timeline = Timeline()
    started = timeline.engine_started()
    assert fires(engine_started, started, timeline)
    assert not fires(engine_started, timeline.run("a"), timeline)


# -- guards ----------------------------------------------------------------------------------------------


class Guard:
    """A guard that reads ``event.payload.data.percent`` as the generated code does, counting calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, event: Event, state: State) -> bool:
        self.calls += 1
        payload = get_member(event_value(event), "payload", SITE)
        return bool(get_member(get_member(payload, "data", SITE), "percent", SITE) > 50)


def test_a_guard_is_not_evaluated_on_events_that_do_not_trigger_its_condition() -> None:
    """The docs' example: ``on task("x").reported("progress") if event.payload.data.percent > 50``."""
    timeline = Timeline()
    guard = Guard()
    condition = guarded(task_event_reported("x", "progress"), guard)
    run = timeline.build("x")
    timeline.start(run)
    assert not fires(condition, timeline.report(run, "progress", {"percent": 20}), timeline)
    assert fires(condition, timeline.report(run, "progress", {"percent": 80}), timeline)
    assert guard.calls == 2
    # The condition stays satisfied ("x" did report progress), but these events do not trigger it:
    # the guard, which would find no "data" in their payloads, is not asked.
    assert not fires(condition, timeline.finish(run), timeline)
    assert not fires(condition, timeline.run("y"), timeline)
    assert guard.calls == 2
    with pytest.raises(PipelineError, match="no field 'data'"):
        guard(timeline.run("z"), timeline.state)  # what asking it there would have done


def test_a_guarded_operand_of_and_keeps_the_result_of_its_own_event() -> None:
    timeline = Timeline()
    run = timeline.build("x")
    timeline.start(run)
    guard = Guard()
    condition = all_of(guarded(task_event_reported("x", "progress"), guard), task_finished("y"))
    assert not fires(condition, timeline.report(run, "progress", {"percent": 90}), timeline)
    assert fires(condition, timeline.run("y"), timeline)  # the guard held at the report
    assert guard.calls == 1

    refused = Timeline()
    run = refused.build("x")
    refused.start(run)
    guard = Guard()
    condition = all_of(guarded(task_event_reported("x", "progress"), guard), task_finished("y"))
    assert not fires(condition, refused.report(run, "progress", {"percent": 10}), refused)
    assert not fires(condition, refused.run("y"), refused)  # the guard did not hold at the report
    assert guard.calls == 1


def test_a_guard_is_asked_again_at_each_event_that_triggers_its_condition() -> None:
    timeline = Timeline()
    run = timeline.build("x")
    timeline.start(run)
    guard = Guard()
    progress = guarded(task_event_reported("x", "progress"), guard)
    condition = all_of(progress, task_finished("y"))
    fires(condition, timeline.report(run, "progress", {"percent": 90}), timeline)
    fires(condition, timeline.report(run, "progress", {"percent": 5}), timeline)  # forgets the 90
    assert not fires(condition, timeline.run("y"), timeline)
    assert not progress.satisfied(timeline.state)
    assert guard.calls == 2


def test_a_guard_is_not_asked_while_its_condition_is_triggered_but_not_satisfied() -> None:
    timeline = Timeline()
    calls: list[str] = []

    def guard(event: Event, state: State) -> bool:
        calls.append(event.payload["task"])
        return True

    condition = guarded(all_of(task_finished("a"), task_finished("b")), guard)
    assert not fires(condition, timeline.run("a"), timeline)
    assert calls == []
    assert fires(condition, timeline.run("b"), timeline)
    assert calls == ["b"]


def test_guards_inside_any_of_and_not() -> None:
    timeline = Timeline()
    low = guarded(task_finished("a"), lambda event, state: False)
    high = guarded(task_finished("b"), lambda event, state: True)
    assert not fires(any_of(low, task_finished("c")), timeline.run("a"), timeline)
    assert fires(any_of(low, high), timeline.run("b"), timeline)
    # "a" finished, but its guard did not hold: the negation is satisfied.
    assert fires(all_of(task_finished("d"), not_(low)), timeline.run("d"), timeline)


# -- the atoms that handle failures ---------------------------------------------------------------------


def test_failure_atoms_are_the_finished_atoms_outside_not() -> None:
    condition = all_of(
        task_finished("a"),
        not_(task_finished_with_status("b", "failed")),
        any_of(task_finished_with_status("c", "failed"), task_finished_with_status("d", "success")),
        guarded(task_finished("e-*"), lambda event, state: True),
        task_started("f"),
        task_event_reported("g", "progress"),
        lambda event, state: True,
    )
    assert [atom.name for atom in failure_atoms(condition)] == ["a", "c", "e-*"]
    assert list(failure_atoms(lambda event, state: True)) == []
    assert list(failure_atoms(not_(task_finished("a")))) == []


# -- the condition protocol ------------------------------------------------------------------------------


def test_satisfied_and_triggered_agree_with_the_evaluation_at_every_event() -> None:
    """A library user asks a combinator ``satisfied(state)`` and ``triggered(event, state)`` alone
    (the engine asks ``evaluate``): the answers are the same, event after event."""
    timeline = Timeline()
    a, b, c = task_finished("a"), task_finished_with_status("b", "failed"), task_started("c")
    conditions = [
        all_of(a, b),
        any_of(a, b),
        not_(a),
        all_of(a, not_(b)),
        any_of(all_of(a, c), not_(b)),
        a & c,
        a | b,
        ~b,
    ]
    c_run = timeline.build("c")
    events = [timeline.engine_started(), timeline.run("a"), timeline.start(c_run)]
    events.append(timeline.run("b", "failed"))
    seen = set()
    for event in events:
        for condition in conditions:
            satisfied, triggered = condition.evaluate(event, timeline.state)
            assert condition.satisfied(timeline.state) == satisfied, (condition, event.metadata.name)
            assert condition.triggered(event, timeline.state) == triggered, (condition, event.metadata.name)
            assert condition(event, timeline.state) == (satisfied and triggered)
            seen.add((satisfied, triggered))
    assert seen == {(False, False), (True, False), (False, True), (True, True)}


def test_a_condition_of_ones_own_is_asked_with_the_state() -> None:
    """A library user's Condition subclass gets the state in ``triggered`` too."""

    class FinishedAfter(Condition):
        """Triggered by the end of ``name`` once ``before`` has finished."""

        def __init__(self, name: str, before: str) -> None:
            self.name, self.before = name, before

        def satisfied(self, state: State) -> bool:
            return True

        def triggered(self, event: Event, state: State) -> bool:
            finished = event.metadata.name == "task.finished" and event.payload["task"] == self.name
            return finished and state.latest_finished(self.before) is not None

    timeline = Timeline()
    condition = FinishedAfter("b", "a")
    assert not fires(condition, timeline.run("b"), timeline)
    timeline.run("a")
    assert condition.evaluate(timeline.run("b"), timeline.state) == (True, True)


def test_the_operators_build_the_combinators() -> None:
    a, b = task_finished("a"), task_started("b")
    assert repr(a & b) == "all_of(task_finished('a'), task_started('b'))"
    assert repr(a | b) == "any_of(task_finished('a'), task_started('b'))"
    assert repr(~a) == "not_(task_finished('a'))"
    assert repr(any_of(engine_started, task_event_reported("x", "progress"))) == (
        "any_of(engine_started, task_event_reported('x', 'progress'))"
    )
    assert repr(task_finished_with_status("a", "success")) == "task_finished_with_status('a', 'Success')"


def test_a_plain_function_inside_a_combinator_cannot_be_asked_without_the_event() -> None:
    def holds(event: Event, state: State) -> bool:
        return True

    timeline = Timeline()
    event = timeline.run("a")
    assert fires(all_of(task_finished("a"), holds), event, timeline)
    for combinator in (all_of(holds), any_of(holds), not_(holds)):
        with pytest.raises(TypeError) as refused:
            combinator.satisfied(timeline.state)
        assert str(refused.value) == (
            "a plain function condition needs the event: call evaluate(condition, event, state) instead"
        )


def test_a_combinator_needs_an_operand() -> None:
    for combinator in (all_of, any_of):
        with pytest.raises(ValueError) as refused:
            combinator()
        assert str(refused.value) == f"{combinator.__name__} needs at least one condition"
