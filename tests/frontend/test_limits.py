"""Programs exactly at each limit of ``oic.syntax.limits`` check clean, generate a module that compiles
and imports (and, where the program recurses at run time, runs); one past each limit is the diagnostic
that names the limit, never a traceback."""

from __future__ import annotations

import importlib.util
import itertools
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from oic import diagnostics, exit_codes
from oic.codegen import generate
from oic.frontend import FrontendResult, check_file
from oic.source import SourceFile
from oic.syntax.limits import (
    MAX_BLOCK_DEPTH,
    MAX_BRACKETS,
    MAX_BUILDER_CHAIN,
    MAX_CONDITION_DEPTH,
    MAX_ELSE_IF,
    MAX_NESTING,
    MAX_SOURCE_BYTES,
)

ROOT = Path(__file__).resolve().parents[2]
HEAD = 'pipeline "limits" {}\nservice sh = catalog "exec"\nparam a: any = 1\n'
_modules = itertools.count()


def check(text: str) -> FrontendResult:
    return check_file(SourceFile("limits.oi", text), start_services=False)


def errors_of(result: FrontendResult) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in result.diagnostics if d.is_error]


def assert_builds(text: str, tmp_path: Path) -> None:
    """``text`` checks clean, and its generated module compiles and imports."""
    result = check(text)
    shown = "\n".join(diagnostics.render_text(d, result.source) for d in result.diagnostics)
    assert result.program is not None and not result.has_errors, shown
    module = generate(result.program)
    compile(module.text, "limits.py", "exec", dont_inherit=True)
    name = f"generated_limits_{next(_modules)}"
    path = tmp_path / f"{name}.py"
    path.write_text(module.text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    imported = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(imported)
    assert imported.PROGRAM.name == "limits"


def assert_refused(text: str, code: str, limit: int) -> None:
    found = errors_of(check(text))
    assert [c for c, _ in found] == [code], found
    assert str(limit) in found[0][1], found


def run_pipeline(text: str, tmp_path: Path) -> str:
    """Run ``text`` with `oic run` (a real engine and a real exec service) and return the log of the
    task named ``reached``."""
    source = tmp_path / "limits.oi"
    source.write_text(text, encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "oic", "run", str(source), "--", "--logs-dir", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert completed.returncode == exit_codes.OK, completed.stdout + completed.stderr
    logs = list((tmp_path / "logs" / "tasks").glob("reached-*.log"))
    assert logs, completed.stdout + completed.stderr
    return logs[0].read_text(encoding="utf-8")


# -- expressions ---------------------------------------------------------------------------------

# One level of nesting each (or two: a parenthesised operand is a group in an operator), around
# ``e``; the leaf is the param ``a`` (type any), so that every combination type-checks.
NESTINGS: dict[str, tuple[Callable[[str], str], int]] = {
    "list": (lambda e: f"[{e}]", 1),
    "object": (lambda e: f"{{k: {e}}}", 1),
    "parentheses": (lambda e: f"({e})", 1),
    "interpolation": (lambda e: f'"x${{{e}}}"', 1),
    "negation": (lambda e: f"-{e}", 1),
    "not": (lambda e: f"not {e}", 1),
    "conditional-chain": (lambda e: f"a if a else {e}", 1),
    "conditional-test": (lambda e: f"1 if ({e}) else 2", 2),
    "call": (lambda e: f"string({e})", 1),
    "index": (lambda e: f"a[{e}]", 1),
    "operand": (lambda e: f"a - ({e})", 2),
    "member-of-call": (lambda e: f"parse_json({e}).x", 2),
    "comparison": (lambda e: f"a == ({e})", 2),
    "and": (lambda e: f"a and ({e})", 2),
}


# Comprehensions nest at most MAX_BLOCK_DEPTH deep, counted with the blocks around them: each is a
# loop of its function since CPython 3.12.
COMPREHENSIONS: dict[str, tuple[Callable[[str], str], int]] = {
    "comprehension": (lambda e: f"[for x in a if a: {e}]", 1),
    "comprehension-iterable": (lambda e: f"[for x in {e} if x: x]", 1),
    "object-comprehension": (lambda e: f'{{for x in a: "k" => {e}}}', 1),
}


def nested(kind: str, level: int) -> str:
    """An expression of exactly ``level`` levels: ``kind`` as often as it fits, then parentheses."""
    wrap, cost = {**NESTINGS, **COMPREHENSIONS}[kind]
    text = "a"
    for _ in range(level // cost):
        text = wrap(text)
    padding = level - (level // cost) * cost
    return "(" * padding + text + ")" * padding


def task_program(expression: str) -> str:
    """The expression as a task argument (the deepest place the generated code puts one), inside an
    interpolation: one more level."""
    return HEAD + f'on engine.started {{\n  task "t" = sh.command(Command: "${{{expression}}}")\n}}\n'


@pytest.mark.parametrize("kind", sorted(NESTINGS))
def test_expressions_at_the_nesting_limit_build(kind: str, tmp_path: Path) -> None:
    assert_builds(task_program(nested(kind, MAX_NESTING - 1)), tmp_path)


@pytest.mark.parametrize("kind", sorted(NESTINGS))
def test_expressions_past_the_nesting_limit_are_refused(kind: str) -> None:
    assert_refused(task_program(nested(kind, MAX_NESTING)), "E0107", MAX_NESTING)


@pytest.mark.parametrize("kind", sorted(COMPREHENSIONS))
def test_comprehensions_at_and_past_their_limit(kind: str, tmp_path: Path) -> None:
    assert_builds(task_program(nested(kind, MAX_BLOCK_DEPTH)), tmp_path)
    assert_refused(task_program(nested(kind, MAX_BLOCK_DEPTH + 1)), "E0107", MAX_BLOCK_DEPTH)


def test_comprehensions_count_with_the_blocks_around_them(tmp_path: Path) -> None:
    def program(loops: int, comprehensions: int) -> str:
        inner = (
            'task "t-${a}" reusable = sh.command(Command: "${'
            + nested("comprehension", comprehensions)
            + '}")'
        )
        return HEAD + "on engine.started {\n" + blocks(loops, "for", inner) + "\n}\n"

    half = MAX_BLOCK_DEPTH // 2
    assert_builds(program(half, MAX_BLOCK_DEPTH - half), tmp_path)
    assert_refused(program(half + 1, MAX_BLOCK_DEPTH - half), "E0107", MAX_BLOCK_DEPTH)


# The constructs that take a value of any type (`-x` takes a number, parse_json a string).
ANY_OPERAND = sorted(set(NESTINGS) - {"negation", "operand", "member-of-call"})


def test_the_constructs_mixed_at_the_nesting_limit_build(tmp_path: Path) -> None:
    text = "a"
    kinds = itertools.cycle(ANY_OPERAND)
    level = 0
    while True:
        wrap, cost = NESTINGS[next(kinds)]
        if level + cost > MAX_NESTING - 1:
            break
        text, level = wrap(text), level + cost
    text = "(" * (MAX_NESTING - 1 - level) + text + ")" * (MAX_NESTING - 1 - level)
    assert_builds(task_program(text), tmp_path)
    assert_refused(task_program(f"({text})"), "E0107", MAX_NESTING)


def test_flat_chains_of_ten_thousand_links_build(tmp_path: Path) -> None:
    chains = {
        "sum": " + ".join(["1"] * 5_000) + " - 1" * 5_000,
        "product": "2" + " * 3 / 3 % 7" * 3_400,
        "members": 'parse_json("{}")' + ".a" * 10_000,
        "indexes": "a" + "[0]" * 10_000,
        "mixed": "a" + ".b[0]" * 5_000,
        "all": " and ".join(["a"] * 10_000),
        "some": " or ".join(["a"] * 10_000),
    }
    lets = "".join(f"  let {name} = {chain}\n" for name, chain in chains.items())
    uses = " ".join(f"${{{name}}}" for name in chains)
    assert_builds(
        HEAD + "on engine.started {\n" + lets + f'  task "t" = sh.command(Command: "{uses}")\n}}\n', tmp_path
    )


def test_a_fold_computes_left_to_right_with_the_site_of_each_step() -> None:
    from runtime.expressions import PipelineError, add, fold, get_index, get_member, subtract

    site_a, site_b, site_c = ("p.oi", 1, 5), ("p.oi", 2, 7), ("p.oi", 3, 9)
    assert fold(10, (subtract, 3, site_a), (subtract, 2, site_b), (add, 1, site_c)) == 6
    assert (
        fold({"a": [{"b": 7}]}, (get_member, "a", site_a), (get_index, 0, site_b), (get_member, "b", site_c))
        == 7
    )
    with pytest.raises(PipelineError) as failure:
        fold({"a": [1]}, (get_member, "a", site_a), (get_index, 0, site_b), (get_member, "b", site_c))
    assert str(failure.value).startswith("p.oi:3:9: cannot read field 'b' of a number")


# -- conditions, types, values built through bindings -----------------------------------------------


def condition_program(condition: str) -> str:
    return HEAD + f'on engine.started {{ task "t" = sh.command(Command: "x") }}\non {condition} {{ }}\n'


@pytest.mark.parametrize(
    ("kind", "wrap", "cost"),
    [
        ("not", lambda c: f"not {c}", 1),
        ("and", lambda c: f'task("t").started and ({c})', 2),
        ("or", lambda c: f'task("t").started or ({c})', 2),
    ],
)
def test_conditions_at_and_past_the_nesting_limit(
    kind: str, wrap: Callable[[str], str], cost: int, tmp_path: Path
) -> None:
    def deep(level: int) -> str:
        text = 'task("t").finished'  # level 1: its name is a string inside
        for _ in range((level - 1) // cost):
            text = wrap(text)
        padding = level - 1 - ((level - 1) // cost) * cost
        return "(" * padding + text + ")" * padding

    assert_builds(condition_program(deep(MAX_NESTING)), tmp_path)
    assert_refused(condition_program(deep(MAX_NESTING + 1)), "E0107", MAX_NESTING)


def test_written_types_at_and_past_the_nesting_limit(tmp_path: Path) -> None:
    def param(level: int) -> str:
        return "param p: " + "list[" * level + "string" + "]" * level + " = []\n"

    text = HEAD + param(MAX_NESTING) + 'on engine.started { task "t" = sh.command(Command: "${p}") }\n'
    assert_builds(text, tmp_path)
    assert_refused(text.replace(param(MAX_NESTING), param(MAX_NESTING + 1)), "E0107", MAX_NESTING)


def test_values_built_through_lets_at_and_past_the_nesting_limit(tmp_path: Path) -> None:
    def program(depth: int) -> str:
        lets = "".join(f"  let v{i + 1} = [v{i}]\n" for i in range(depth))
        return (
            HEAD
            + "on engine.started {\n  let v0 = 1\n"
            + lets
            + f'  task "t" = sh.command(Command: "${{v{depth}}}")\n}}\n'
        )

    assert_builds(program(MAX_NESTING), tmp_path)
    assert_refused(program(MAX_NESTING + 1), "E0107", MAX_NESTING)
    # A thousand of them: one diagnostic, no recursion through the types.
    assert_refused(program(1_000), "E0107", MAX_NESTING)


def test_the_lexer_backstop_for_unclosed_brackets() -> None:
    assert_refused(HEAD + "param p: any = " + "[" * (MAX_BRACKETS + 1), "E0107", MAX_BRACKETS)


# -- statements ------------------------------------------------------------------------------------


def blocks(depth: int, kind: str, inner: str) -> str:
    """``depth`` nested blocks of ``kind`` (``for`` loops with a filter, or ``if``/``else``) around
    ``inner``."""
    text = inner
    for number in reversed(range(depth)):
        if kind == "for":
            text = f"for x{number} in [a] if a {{\n{text}\n}}"
        else:
            text = f"if a {{\n{text}\n}} else {{\n  let y{number} = a\n}}"
    return text


DEEPEST_TASK = (
    'task "t-${a}" reusable = sh.command(Command: "${' + nested("conditional-test", MAX_NESTING - 1) + '}")'
)


@pytest.mark.parametrize("kind", ["for", "if"])
def test_blocks_at_and_past_the_limit(kind: str, tmp_path: Path) -> None:
    def program(depth: int) -> str:
        return HEAD + "on engine.started {\n" + blocks(depth, kind, DEEPEST_TASK) + "\n}\n"

    assert_builds(program(MAX_BLOCK_DEPTH), tmp_path)
    assert_refused(program(MAX_BLOCK_DEPTH + 1), "E0107", MAX_BLOCK_DEPTH)


def else_if_chain(branches: int, last: str) -> str:
    chain = (
        "if a == 0 { }\n" + "".join(f"else if a == {n} {{ }}\n" for n in range(1, branches)) + "else if a {\n"
    )
    return chain + last + "\n}"


def test_an_else_if_chain_at_the_limit_with_the_deepest_inside_builds(tmp_path: Path) -> None:
    # The worst case for CPython's compiler: the longest chain, then the deepest blocks, then the
    # deepest expression, in one function.
    inner = blocks(MAX_BLOCK_DEPTH - 1, "for", DEEPEST_TASK)
    text = HEAD + "on engine.started {\n" + else_if_chain(MAX_ELSE_IF, inner) + "\n}\n"
    assert_builds(text, tmp_path)
    result = check(text)
    assert result.program is not None
    module = generate(result.program)

    def compile_deeper(frames: int) -> None:
        if frames:
            compile_deeper(frames - 1)
            return
        compile(module.text, "limits.py", "exec", dont_inherit=True)

    # With a margin: the module still compiles from 300 frames down a stack (a test runner, the
    # binary's start-up).
    compile_deeper(300)


def test_else_if_chains_past_the_limit_are_refused() -> None:
    past = HEAD + "on engine.started {\n" + else_if_chain(MAX_ELSE_IF + 1, "") + "\n}\n"
    assert_refused(past, "E0110", MAX_ELSE_IF)
    # Chains inside the branches of a chain count with it.
    half = MAX_ELSE_IF // 2 + 1
    nested_chains = HEAD + "on engine.started {\n" + else_if_chain(half, else_if_chain(half, "")) + "\n}\n"
    assert_refused(nested_chains, "E0110", MAX_ELSE_IF)
    # Twenty thousand: refused, with one diagnostic.
    assert_refused(HEAD + "on engine.started {\n" + else_if_chain(20_000, "") + "\n}\n", "E0110", MAX_ELSE_IF)


# -- definitions that recurse at run time ------------------------------------------------------------


def builder_chain(length: int) -> str:
    lines = [HEAD, "on engine.started { b0() }\n"]
    for number in range(length):
        body = (
            f"b{number + 1}()"
            if number + 1 < length
            else 'task "reached" = sh.command(Command: "echo reached")'
        )
        lines.append(f"builder b{number}() {{ {body} }}\n")
    return "".join(lines)


@pytest.mark.slow
def test_a_builder_chain_at_the_limit_runs(tmp_path: Path) -> None:
    text = builder_chain(MAX_BUILDER_CHAIN)
    assert_builds(text, tmp_path)
    assert "reached" in run_pipeline(text, tmp_path)


def test_builder_chains_past_the_limit_are_refused() -> None:
    assert_refused(builder_chain(MAX_BUILDER_CHAIN + 1), "E0107", MAX_BUILDER_CHAIN)
    assert_refused(builder_chain(990), "E0107", MAX_BUILDER_CHAIN)


def condition_chain(depth: int) -> str:
    """A reaction whose condition, counting the named conditions it uses, is ``depth`` deep:
    ``task("t").finished and [not] c0()``, ``c0() = not c1()``, ..., the last ``not [not]
    task("t").started``. Each use of a named condition is one level, each `not` one more, and the
    engine evaluates that many nested ``not_`` objects; the number of `not` is even, so the reaction
    fires when ``t`` finishes."""
    for negated, last_nots in itertools.product((0, 1), (1, 2)):
        links, odd = divmod(depth - 1 - negated - last_nots, 2)
        if odd or links < 1 or (negated + links - 1 + last_nots) % 2:
            continue
        lines = [HEAD, 'on engine.started { task "t" = sh.command(Command: "true") }\n']
        lines.append('on task("t").finished and ' + "not " * negated + "c0() {\n")
        lines.append('  task "reached" = sh.command(Command: "echo reached")\n}\n')
        for number in range(links):
            last = "not " * last_nots + 'task("t").started'
            lines.append(
                f"condition c{number}() = " + (f"not c{number + 1}()" if number + 1 < links else last) + "\n"
            )
        return "".join(lines)
    raise AssertionError(f"no chain is {depth} deep")


@pytest.mark.slow
def test_a_condition_chain_at_the_limit_runs(tmp_path: Path) -> None:
    text = condition_chain(MAX_CONDITION_DEPTH)
    assert_builds(text, tmp_path)
    assert "reached" in run_pipeline(text, tmp_path)


def test_condition_chains_past_the_limit_are_refused() -> None:
    assert_refused(condition_chain(MAX_CONDITION_DEPTH + 1), "E0107", MAX_CONDITION_DEPTH)
    chain = HEAD + "on c0() { }\n" + "".join(f"condition c{n}() = c{n + 1}()\n" for n in range(989))
    assert_refused(chain + 'condition c989() = task("t").finished\n', "E0107", MAX_CONDITION_DEPTH)


# -- the file ----------------------------------------------------------------------------------------


def test_a_file_at_the_size_limit_checks_and_one_byte_more_is_refused(tmp_path: Path) -> None:
    text = HEAD + 'on engine.started { task "t" = sh.command(Command: "x") }\n'
    padding = "#" * (MAX_SOURCE_BYTES - len(text) - 1) + "\n"
    path = tmp_path / "big.oi"
    path.write_text(text + padding, encoding="utf-8")
    assert path.stat().st_size == MAX_SOURCE_BYTES
    result = check_file(path, start_services=False)
    assert not result.has_errors, result.diagnostics
    path.write_text(text + padding + "\n", encoding="utf-8")
    refused = check_file(path, start_services=False)
    assert [(d.code, d.message) for d in refused.diagnostics] == [("E0002", "file is larger than 8 MB")]
