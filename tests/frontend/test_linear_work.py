"""Work that grows with the input, counted: the front end does a bounded amount per thing in the file,
never per pair of things (the timings are in bench/frontend_scaling.py)."""

from __future__ import annotations

import pytest

from oic.frontend import check_file
from oic.source import SourceFile


def test_thousands_of_misspellings_get_a_bounded_number_of_hints(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each hint compares a name with every name in scope: one per misspelling would make a file of
    # thousands of mistakes among thousands of names quadratic to check.
    import difflib

    from oic.sema import hints

    compared: list[int] = []
    original = difflib.get_close_matches

    def counting(word: str, possibilities: object, *args: object, **kwargs: object) -> list[str]:
        pool = list(possibilities)  # type: ignore[call-overload]
        compared.append(len(pool))
        return original(word, pool, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(difflib, "get_close_matches", counting)
    count = 3_000
    text = (
        'pipeline "p" {}\nservice sh = catalog "exec"\n'
        + "".join(f'param count{n}: string = "v"\n' for n in range(count))
        + "on engine.started {\n"
        + "".join(f'  task "t{n}" = sh.command(Command: cuont{n})\n' for n in range(count))
        + "}\n"
    )
    result = check_file(SourceFile("typos.oi", text), start_services=False)
    undefined = [d for d in result.diagnostics if d.code == "E0201"]
    assert len(undefined) == count
    assert undefined[0].hint == "did you mean `count0`?"
    assert sum(compared) <= hints.MAX_COMPARISONS


def test_patterned_task_names_are_matched_only_against_names_they_may_build(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A reaction per task, each reading the task before it and building the next with an
    # interpolated name: every read and condition looks its name up among all the patterns.
    from oic.sema.task_index import TaskSite

    matched: list[str] = []
    original = TaskSite.may_build

    def counting(site: TaskSite, name: str) -> bool:
        matched.append(name)
        return original(site, name)

    monkeypatch.setattr(TaskSite, "may_build", counting)
    count = 2_000
    text = 'pipeline "p" {}\nservice sh = catalog "exec"\nparam x: string = "a"\n'
    text += 'on engine.started { task "t0-a" = sh.command(Command: "x") }\n'
    for n in range(count):
        text += f'on task("t{n}-a").finished {{\n  task "t{n + 1}-${{x}}" = '
        text += f'sh.command(Command: tasks["t{n}-a"].error)\n}}\n'
    result = check_file(SourceFile("patterns.oi", text), start_services=False)
    assert not result.has_errors, result.diagnostics[:3]
    assert len(matched) <= 2 * count


@pytest.mark.parametrize("op", ["and", "or"])
def test_an_and_or_chain_is_proven_once_per_link(op: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Each link of `a and b and ...` is typed knowing what the links before it prove: proving the
    # whole left part again at every link made a chain quadratic to check.
    from oic.sema import narrowing

    proven: list[int] = []
    original = narrowing.path_of

    def counting(*args: object) -> object:
        proven.append(1)
        return original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(narrowing, "path_of", counting)
    count = 3_000
    chain = f" {op} ".join(f"x{n % 7} != null" for n in range(count))
    text = (
        'pipeline "p" {}\nservice sh = catalog "exec"\n'
        + "".join(f"param x{n}: any = null\n" for n in range(7))
        + f'on engine.started {{\n  let ok = {chain}\n  task "t" = sh.command(Command: "${{ok}}")\n}}\n'
    )
    result = check_file(SourceFile("chain.oi", text), start_services=False)
    assert not result.has_errors, result.diagnostics[:3]
    assert len(proven) <= 4 * count
