"""Random nestings of every construct, around and past the limits: `oic check` never ends in an
internal error (exit 70), and a clean check always generates a module that compiles."""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oic import cli, exit_codes
from oic.syntax.limits import MAX_BLOCK_DEPTH, MAX_BUILDER_CHAIN, MAX_ELSE_IF, MAX_NESTING
from tests.frontend.test_limits import COMPREHENSIONS, HEAD, NESTINGS

# The constructs of the limits test, with parentheses where an operand of any kind needs them here
# (`-not a` and a conditional as a comprehension's iterable are syntax errors).
WRAPS = {
    **{kind: wrap for kind, (wrap, _cost) in {**NESTINGS, **COMPREHENSIONS}.items()},
    "negation": lambda e: f"-({e})",
    "comprehension-iterable": lambda e: f"[for x in ({e}) if x: x]",
}


def around(limit: int) -> st.SearchStrategy[int]:
    """Small counts mostly, and counts just under, at and over ``limit``."""
    return st.one_of(st.integers(0, 4), st.integers(max(0, limit - 3), limit + 3))


@st.composite
def expressions(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(["a", "1", '"s"', "[a]", "event.payload", 'tasks["t"].output']))
    for _ in range(draw(around(MAX_NESTING))):
        text = WRAPS[draw(st.sampled_from(sorted(WRAPS)))](text)
    chain = draw(st.sampled_from(["", " + a", " * 2", ".f", "[0]", " and a", " or a"]))
    return text + chain * draw(st.integers(0, 300))


@st.composite
def conditions(draw: st.DrawFn, named: int) -> str:
    text = draw(st.sampled_from(['task("t").finished', "engine.started", 'task("t").started']))
    if named:
        text = f"{text} and c0()"
    wraps = [
        lambda c: f"not {c}",
        lambda c: f'task("t").started and ({c})',
        lambda c: f"engine.started or ({c})",
    ]
    for _ in range(draw(around(MAX_NESTING // 2))):
        text = draw(st.sampled_from(wraps))(text)
    return text


@st.composite
def bodies(draw: st.DrawFn, expression: str) -> str:
    text = f'task "t-${{a}}" reusable = sh.command(Command: "${{{expression}}}")'
    for number in range(draw(around(MAX_BLOCK_DEPTH))):
        kind = draw(st.sampled_from(["for", "if", "else", "else-if"]))
        if kind == "for":
            text = f"for x{number} in [a] if a {{\n{text}\n}}"
        elif kind == "if":
            text = f"if a {{\n{text}\n}}"
        elif kind == "else":
            text = f"if a {{ }} else {{\n{text}\n}}"
        else:
            links = draw(st.one_of(st.integers(1, 3), st.integers(MAX_ELSE_IF - 2, MAX_ELSE_IF + 2)))
            text = "if a { }\n" + "else if a { }\n" * (links - 1) + f"else if a {{\n{text}\n}}"
    return text


@st.composite
def programs(draw: st.DrawFn) -> str:
    named = draw(around(MAX_NESTING // 2))
    builders = draw(around(MAX_BUILDER_CHAIN))
    lets = draw(around(MAX_NESTING))
    expression = draw(expressions())
    lines = [HEAD, 'on engine.started { task "t" = sh.command(Command: "x") }\n']
    body = draw(bodies(expression))
    let_lines = "let v0 = a\n" + "".join(f"let v{n + 1} = [v{n}]\n" for n in range(lets))
    call = "b0()\n" if builders else ""
    lines.append(f"on {draw(conditions(named))} {{\n{let_lines}{call}{body}\n}}\n")
    for number in range(named):
        inner = f"not c{number + 1}()" if number + 1 < named else 'task("t").finished'
        lines.append(f"condition c{number}() = {inner}\n")
    for number in range(builders):
        inner = f"b{number + 1}()" if number + 1 < builders else 'task "u" = sh.command(Command: "x")'
        lines.append(f"builder b{number}() {{ {inner} }}\n")
    return "".join(lines)


def run_oic(*arguments: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(arguments))
    return code, out.getvalue() + err.getvalue()


@settings(
    max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
@given(programs())
def test_random_nestings_never_crash_and_what_checks_clean_generates(text: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "nested.oi"
        path.write_text(text, encoding="utf-8")
        code, output = run_oic("check", str(path))
        assert code in (exit_codes.OK, exit_codes.DIAGNOSTICS), output
        assert "Traceback" not in output and "internal error" not in output, output
        if code != exit_codes.OK:
            return
        code, module = run_oic("emit", str(path))
        assert code == exit_codes.OK, module
        compile(module, "nested.py", "exec", dont_inherit=True)
