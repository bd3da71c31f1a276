"""Which failed runs are handled (the exit status): the ledger alone, then in engine runs."""

from __future__ import annotations

from pathlib import Path

from runtime.conditions import (
    ConditionLike,
    all_of,
    any_of,
    engine_started,
    not_,
    task_finished,
    task_finished_with_status,
    task_started,
)
from runtime.expressions import guarded
from runtime.outcome import FailureLedger
from tests.runtime.helpers import Timeline, on, pipeline, run, runner, task, tasks_by_name


class Ledger:
    """A ``FailureLedger`` fed from a ``Timeline``, as the engine feeds it."""

    def __init__(self) -> None:
        self.timeline = Timeline()
        self.ledger = FailureLedger()
        self.handled: list[str] = []

    def run(self, name: str, status: str = "Success") -> None:
        event = self.timeline.run(name, status)
        if status == "failed":
            self.ledger.failed(event.payload["id"], name)

    def fire(self, condition: ConditionLike) -> None:
        """A reaction on ``condition`` fired (whether it would have is not the ledger's business)."""
        self.ledger.reaction_fired(condition, self.timeline.state, self.handled.append)

    @property
    def unhandled(self) -> tuple[str, ...]:
        return self.ledger.unhandled_names()


def test_a_satisfied_atom_handles_the_failures_of_its_task() -> None:
    ledger = Ledger()
    ledger.run("a", "failed")
    ledger.run("b", "failed")
    assert ledger.unhandled == ("a", "b")
    ledger.fire(task_finished_with_status("a", "failed"))
    assert ledger.unhandled == ("b",) and ledger.handled == ["a"]
    ledger.fire(task_finished("b"))
    assert ledger.unhandled == () and ledger.handled == ["a", "b"]


def test_atoms_that_do_not_handle() -> None:
    ledger = Ledger()
    ledger.run("a", "failed")
    ledger.run("b")
    for condition in (
        task_finished_with_status("a", "success"),  # not a failure atom
        task_finished_with_status("b", "failed"),  # another task
        task_finished("ab"),  # a name that only starts like it
        task_started("a"),
        not_(task_finished("zzz")),  # atoms under a `not` do not count
        not_(task_finished_with_status("a", "failed")),
        lambda event, state: True,  # a plain function cannot say what it reacts to
    ):
        ledger.fire(condition)
    assert ledger.unhandled == ("a",)


def test_an_atom_must_be_satisfied_when_its_reaction_fires() -> None:
    ledger = Ledger()
    ledger.run("r", "failed")
    ledger.run("r")  # the reusable task ran again and succeeded: "r" finished(failed) is not satisfied
    ledger.fire(task_finished_with_status("r", "failed"))
    assert ledger.unhandled == ("r",)
    ledger.fire(task_finished("r"))  # "r" finished: satisfied, whatever the status
    assert ledger.unhandled == ()


def test_atoms_inside_combinators_and_guards_handle() -> None:
    ledger = Ledger()
    ledger.run("a", "failed")
    ledger.run("b", "failed")
    ledger.run("c", "failed")
    ledger.fire(any_of(task_started("x"), all_of(task_finished("a"), task_started("y"))))
    ledger.fire(guarded(task_finished_with_status("b", "failed"), lambda event, state: True))
    assert ledger.unhandled == ("c",)


def test_a_glob_atom_handles_every_failure_it_matches() -> None:
    ledger = Ledger()
    ledger.run("archive-1", "failed")
    ledger.run("archive-2")
    ledger.run("archive-3", "failed")
    ledger.run("other", "failed")
    ledger.fire(task_finished("archive-*"))
    assert ledger.unhandled == ("other",)
    assert ledger.handled == ["archive-1", "archive-3"]


def test_a_glob_atom_handles_only_once_satisfied() -> None:
    ledger = Ledger()
    ledger.run("archive-1", "failed")
    ledger.timeline.build("archive-2")  # still waiting: the glob is not satisfied
    ledger.fire(task_finished("archive-*"))
    assert ledger.unhandled == ("archive-1",)


def test_a_firing_does_not_handle_failures_that_come_after_it() -> None:
    ledger = Ledger()
    ledger.run("a")
    ledger.fire(task_finished("a"))
    ledger.run("a", "failed")
    assert ledger.unhandled == ("a",)
    ledger.fire(task_finished("a"))
    assert ledger.unhandled == ()


# -- in engine runs --------------------------------------------------------------------------------------


def test_a_join_that_fires_after_a_failure_handles_it(tmp_path: Path) -> None:
    fake = runner()
    pipe = pipeline(
        on(engine_started, task("a", "fail"), task("b")),
        on(task_finished("b"), task("c")),
        on(all_of(task_finished("a"), task_finished("c")), task("report")),
    )
    result = run(pipe, fake, tmp_path, parallelism=1)  # a fails long before the join fires
    assert (result.status, result.exit_code, result.failed_tasks) == ("succeeded", 0, ())
    assert "report" in tasks_by_name(tmp_path)
    assert "the failure of task 'a' was handled by a reaction" in (tmp_path / "logs" / "log").read_text()


def test_a_reaction_that_fires_on_the_failure_but_names_another_task_does_not_handle_it(
    tmp_path: Path,
) -> None:
    fake = runner()
    pipe = pipeline(
        on(engine_started, task("a", "fail")),
        on(all_of(task_finished("a"), not_(task_finished_with_status("a", "success"))), task("noted")),
        on(task_started("a"), task("watch")),
    )
    result = run(pipe, fake, tmp_path)
    assert "noted" in tasks_by_name(tmp_path)
    assert (result.exit_code, result.failed_tasks) == (0, ())
    only_started = pipeline(on(engine_started, task("a", "fail")), on(task_started("a"), task("watch")))
    result = run(only_started, runner(), tmp_path / "second")
    assert (result.exit_code, result.failed_tasks) == (3, ("a",))
