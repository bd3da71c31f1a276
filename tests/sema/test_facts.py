"""The facts behind the task-read rule: the two lattices, and the analysis of whole files (what a
reaction, a builder and a guard know; happens-before through tasks that run once)."""

from __future__ import annotations

from oic.frontend import check_file
from oic.sema.knowledge import (
    FAILED,
    FINISHED,
    IMPOSSIBLE,
    STARTED,
    SUCCESS,
    Facts,
    at_least,
    join_levels,
    meet_all,
)
from oic.source import SourceFile

HEAD = 'pipeline "p" {}\nservice sh = catalog "exec"\n'


def codes(text: str) -> list[tuple[int, str]]:
    result = check_file(SourceFile("p.oi", HEAD + text), start_services=False)
    return [(d.span.line - 2, d.code) for d in result.diagnostics]


def test_join_keeps_the_stronger_and_meet_the_common() -> None:
    success, failed = Facts({"a": SUCCESS}), Facts({"a": FAILED})
    assert success.meet(failed) == Facts({"a": FINISHED})
    assert Facts({"a": STARTED}).join(success) == success
    assert Facts({"a": SUCCESS, "b": STARTED}).meet(Facts({"b": FINISHED})) == Facts({"b": STARTED})
    assert meet_all([]) == Facts() and join_levels(None, STARTED) == STARTED


def test_success_and_failed_together_are_impossible_and_know_everything() -> None:
    success, failed = Facts({"a": SUCCESS}), Facts({"a": FAILED})
    assert success.join(failed) == failed.join(success) == Facts({"a": IMPOSSIBLE})
    assert join_levels(SUCCESS, FAILED) == IMPOSSIBLE
    assert all(at_least(IMPOSSIBLE, wanted) for wanted in (STARTED, FINISHED, SUCCESS, FAILED))
    assert Facts({"a": IMPOSSIBLE}).meet(success) == success
    assert Facts({"a": IMPOSSIBLE}).join(Facts({"a": STARTED})) == Facts({"a": IMPOSSIBLE})


def test_or_keeps_what_both_sides_imply() -> None:
    # "many" is built only after "fetch" succeeded, so either failure means fetch finished.
    text = """on engine.started {
  task "fetch" = sh.command(Command: "x")
}
on task("fetch").finished(success) {
  task "many" = sh.command(Command: "x")
}
on task("fetch").finished(failed) or task("many").finished(failed) {
  task "tell" = sh.command(Command: "${tasks["fetch"].error}")
  task "tell-2" = sh.command(Command: "${tasks["many"].error}")
}
"""
    assert codes(text) == [(9, "W0108")]


def test_a_long_chain_is_followed_without_recursion() -> None:
    lines = ['on engine.started {\n  task "t0" = sh.command(Command: "x")\n}']
    for number in range(1, 1200):
        lines.append(
            f'on task("t{number - 1}").finished(success) {{\n'
            f'  task "t{number}" = sh.command(Command: tasks["t0"].output.Stdout)\n}}'
        )
    assert codes("\n".join(lines) + "\n") == []


def test_a_chain_of_ors_keeps_only_what_is_certain() -> None:
    lines = ['on engine.started {\n  task "t0" = sh.command(Command: "x")\n}']
    for number in range(1, 300):
        previous = f'task("t{number - 1}")'
        lines.append(
            f"on {previous}.finished(success) or {previous}.finished(failed) {{\n"
            f'  task "t{number}" = sh.command(Command: "${{tasks["t0"].error}}")\n}}'
        )
    assert codes("\n".join(lines) + "\n") == []  # t0 finished (its error is meaningful), every time


def test_builders_know_what_all_their_call_sites_know() -> None:
    text = """builder show() {
  task "show" reusable = sh.command(Command: tasks["a"].output.Stdout)
}
on engine.started {
  task "a" = sh.command(Command: "x")
}
on task("a").finished(success) {
  show()
}
on task("a").finished {
  show()
}
"""
    assert [code for _, code in codes(text)] == ["E0315"]


def test_tasks_built_only_after_each_other_end_the_analysis() -> None:
    text = """on task("b").finished(success) {
  task "a" = sh.command(Command: tasks["b"].output.Stdout)
}
on task("a").finished(success) {
  task "b" = sh.command(Command: "${tasks["a"].output}")
}
"""
    # before("a") needs before("b"), which needs before("a"): the cycle ends with what is stated.
    assert codes(text) == []


def test_a_named_condition_brings_its_guard() -> None:
    text = """condition ok(name: string) = task(name).finished if tasks[name].status == "success"
on engine.started {
  task "a" = sh.command(Command: "x")
}
on ok("a") {
  task "b" = sh.command(Command: tasks["a"].output.Stdout)
}
"""
    assert codes(text) == []


def test_a_remembered_guard_keeps_only_facts_about_tasks_that_run_once() -> None:
    text = """condition ok() = task("a").finished if tasks["x"].status == "success"
  and tasks["y"].status == "success"
on engine.started {
  task "a" = sh.command(Command: "x")
  task "b" = sh.command(Command: "x")
  task "x" reusable = sh.command(Command: "x")
  task "y" = sh.command(Command: "x")
}
on ok() and task("b").finished {
  task "c" = sh.command(Command: tasks["y"].output.Stdout)
  task "d" = sh.command(Command: tasks["x"].output.Stdout)
}
on ok() {
  task "e" = sh.command(Command: tasks["x"].output.Stdout)
}
"""
    # ok() may have been true when a finished, long before b did: x may have run again since.
    assert [(line, code) for line, code in codes(text) if code != "W0108"] == [(11, "E0315")]
