"""The exit status does not depend on the order in which tasks finish.

Each pipeline below runs once per order of its gated calls, against a real gRPC service whose calls
finish exactly in the order the test chooses (``tests/runtime/gated.py``); every order must give the
same exit status. Before failures were counted as handled by the reactions that fire at or after
them (``runtime.outcome``), an AND-join over a failure and a success exited 0 or 3 depending on which
of the two finished last.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from runtime.conditions import (
    all_of,
    any_of,
    engine_started,
    task_finished,
    task_finished_with_status,
)
from runtime.engine import Engine, EngineOptions, RunResult
from runtime.model import EventReaction, Pipeline, PipelineMetadata, PipelineSpec, Service, Task
from runtime.state import State
from tests.runtime.gated import Gate, InProcessRunner
from tests.runtime.helpers import on, task

Condition = Callable[[Any, State], bool]


def work(name: str, key: str, *, fail: bool = False, reusable: bool = False) -> Task:
    return task(name, "work", service="gate", reusable=reusable, key=key, fail=fail)


def after(name: str) -> Task:
    """An ungated task a reaction builds (it succeeds at once). Not reusable: a condition in the
    original's style holds on every event once it held, and would build it again on each."""
    return task(name, "ok", service="gate")


@dataclass(frozen=True)
class Case:
    """A pipeline: the gated calls started on ``engine.started`` (name, key, fails?), the reactions
    that follow (condition -> an ungated task), and the exit status every order must give."""

    calls: Sequence[tuple[str, str, bool]]
    reactions: Sequence[tuple[Condition, str]]
    exit_code: int
    reusable: bool = False


def original_style(event: Any, state: State) -> bool:
    """A condition as the original engine wrote them: a function of the state, true at every event
    once both tasks finished (it cannot say which failure it reacts to, so it handles none)."""
    return state.finished("a") and state.finished("b")


def failed(name: str) -> Condition:
    return task_finished_with_status(name, "failed")


ARCHIVES = [
    ("archive-1", "archive-1", True),
    ("archive-2", "archive-2", False),
    ("archive-3", "archive-3", False),
]

CASES = {
    # The failure of "a" is handled by the join, whichever of the two finishes last.
    "and-join of a failure and a success": Case(
        [("a", "a", True), ("b", "b", False)], [(all_of(task_finished("a"), task_finished("b")), "join")], 0
    ),
    # A join that waits for a success of "a" never fires: the failure stays unhandled.
    "and-join waiting for a success that failed": Case(
        [("a", "a", True), ("b", "b", False)],
        [(all_of(task_finished_with_status("a", "success"), task_finished("b")), "join")],
        3,
    ),
    "or of failures": Case(
        [("a", "a", True), ("b", "b", True), ("c", "c", False)],
        [
            (
                any_of(task_finished_with_status("a", "failed"), task_finished_with_status("b", "failed")),
                "notify",
            )
        ],
        0,
    ),
    "or of failures that misses one": Case(
        [("a", "a", True), ("b", "b", True), ("c", "c", False)],
        [
            (
                any_of(task_finished_with_status("a", "failed"), task_finished_with_status("c", "failed")),
                "notify",
            )
        ],
        3,
    ),
    "glob join over a failure and successes": Case(
        [
            ("archive-1", "archive-1", True),
            ("archive-2", "archive-2", False),
            ("archive-3", "archive-3", False),
        ],
        [(task_finished("archive-*"), "after-all")],
        0,
    ),
    "glob join that waits for every success": Case(
        [
            ("archive-1", "archive-1", True),
            ("archive-2", "archive-2", False),
            ("archive-3", "archive-3", False),
        ],
        [(task_finished_with_status("archive-*", "success"), "after-all")],
        3,
    ),
    "a condition in the original's style": Case(
        [("a", "a", True), ("b", "b", False)], [(original_style, "join")], 3
    ),
    "the original's style narrowed by a failure atom": Case(
        [("a", "a", True), ("b", "b", False)],
        [(all_of(failed("a"), original_style), "join")],
        0,
    ),
    # Two runs of one reusable task: the latest to finish decides what "r" finished with.
    "a reusable rerun watched for failures": Case(
        [("r", "r#1", True), ("r", "r#2", False)], [(task_finished("r"), "watch")], 0, reusable=True
    ),
    "a reusable rerun joined by a glob": Case(
        [("r", "r#1", True), ("r", "r#2", False), ("s", "s", False)],
        [(task_finished("r*"), "joined")],
        0,
        reusable=True,
    ),
}


def run_in_order(case: Case, order: Sequence[str], tmp_path: Path) -> RunResult:
    gate = Gate([name for name, _, _ in case.calls])
    built = [work(name, key, fail=fails, reusable=case.reusable) for name, key, fails in case.calls]
    reactions = [
        on(engine_started, *built),
        *(on(condition, after(name)) for condition, name in case.reactions),
        EventReaction(gate.probe, lambda event, state: []),
    ]
    pipeline = Pipeline(
        PipelineMetadata("finish-order"),
        PipelineSpec(services=(Service("gate", path="in-process"),), reactions=reactions),
    )
    options = EngineOptions(
        pipeline,
        logs_directory=str(tmp_path),
        runner=InProcessRunner({"gate": gate.service}),
        handle_signals=False,
        timeout=120,
    )
    results: list[RunResult] = []
    engine = threading.Thread(target=lambda: results.append(Engine(options).run()))
    engine.start()
    try:
        gate.finish_in_order(order)
    finally:
        gate.release_all()
        engine.join()
    return results[0]


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_finish_order_gives_the_same_exit_status(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    keys = [key for _, key, _ in case.calls]
    outcomes: dict[tuple[str, ...], tuple[int, tuple[str, ...]]] = {}
    for number, order in enumerate(itertools.permutations(keys)):
        result = run_in_order(case, order, tmp_path / f"order-{number}")
        outcomes[order] = (result.exit_code, result.failed_tasks)
    assert {code for code, _ in outcomes.values()} == {case.exit_code}, outcomes
    assert len(set(outcomes.values())) == 1, outcomes  # the same unhandled tasks, too
