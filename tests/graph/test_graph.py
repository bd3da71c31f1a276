"""`oic graph`: the reaction graph of every example and of pipelines written to exercise each kind of
node and edge, read back from the DOT and Mermaid text; hostile task names; the command itself."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from oic.frontend import check_file
from oic.graph.labels import visible
from oic.sema.task_index import static_text
from oic.syntax import ast
from tests.graph.drawn import dot_of, mermaid_of, parse_dot, parse_mermaid

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(ROOT.glob("examples/**/*.oi"))
FAILURE_STYLE = 'color="#dc2626"'

SHAPES = """\
pipeline "shapes" {}

param regions: list[string] = ["eu", "us"]

service sh = catalog "exec"

condition deployed(region: string) = task("deploy-${region}").finished(success)

on engine.started {
  task "build" = sh.command(Args: ["make"])
  for r in regions {
    task "deploy-${r}" = sh.command(Args: ["deploy", r])
  }
}

on deployed("eu") and not task("build").finished(failed) {
  task "announce" = sh.command(Args: ["echo", "eu"])
}

on task("build").started or task("build").reported("progress") {
  task "watch" reusable = sh.command(Args: ["echo", "watching"])
}
"""

# Quotes, backslashes, a newline and a tab, angle brackets, Mermaid's entity syntax, DOT's label
# escapes, an escape sequence and a bidirectional override.
HOSTILE_NAME = 'q"uote \\back\\slash\nnew\tline <b>#quot;&amp; \\l\\N {x} \u001b[2J \u202eevil'
HOSTILE_SOURCE_NAME = (
    'q\\"uote \\\\back\\\\slash\\nnew\\tline <b>#quot;&amp; \\\\l\\\\N {x} \\u{1b}[2J \\u{202e}evil'
)

HOSTILE = f"""\
pipeline "p\\"i<pe>\\\\" {{}}

service sh = catalog "exec"

on engine.started {{
  task "{HOSTILE_SOURCE_NAME}" = sh.command(Args: ["true"])
}}

on task("{HOSTILE_SOURCE_NAME}").finished(failed) {{
  task "after" = sh.command(Args: ["true"])
}}
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def oic(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "oic", *arguments], cwd=ROOT, capture_output=True, timeout=120, env=env
    )


def _task_names(path: Path) -> set[str]:
    """The literal names of every task statement of a file, read from its AST."""
    result = check_file(str(path))
    assert result.program is not None
    names = set()
    for declaration in result.program.module.declarations:
        if isinstance(declaration, (ast.ReactionDecl, ast.BuilderDecl)):
            pending = list(declaration.body)
            while pending:
                statement = pending.pop()
                if isinstance(statement, ast.TaskStmt):
                    name = static_text(statement.name)
                    if name is not None:
                        names.add(name)
                elif isinstance(statement, ast.ForStmt):
                    pending.extend(statement.body)
                elif isinstance(statement, ast.IfStmt):
                    pending.extend((*statement.body, *statement.otherwise))
    return names


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_example_draws_a_connected_graph(path: Path) -> None:
    drawn = parse_dot(dot_of(path))
    labels = {label for label, _ in drawn.nodes.values()}
    # Every literal task of the file is a node, built by some reaction or builder.
    for name in _task_names(path):
        assert name in labels, name
        assert any(edge[3].startswith("color") or "bold" in edge[3] for edge in drawn.into(name)), name
    # Every reaction is reached by its condition and builds or calls something.
    reactions = [label for label, attributes in drawn.nodes.values() if "hexagon" in attributes]
    assert reactions
    for reaction in reactions:
        assert drawn.into(reaction), reaction
        assert drawn.out_of(reaction), reaction
    assert drawn.out_of("engine.started")
    # Mermaid draws the same edges.
    sketched = parse_mermaid(mermaid_of(path))
    assert len(sketched.edges) == len(drawn.edges)
    assert len(sketched.nodes) == len(drawn.nodes)


def test_ci_failure_edges_and_the_and_join() -> None:
    drawn = parse_dot(dot_of(ROOT / "examples" / "ci" / "pipeline.oi"))
    for task in ("checkout", "lint", "unit-tests", "build", "package"):
        (failure,) = drawn.edges_between(task, f'broke("{task}")')
        assert failure[2] == "finished(failed)"
        assert FAILURE_STYLE in failure[3] and "dashed" in failure[3]
        assert drawn.edges_between(f'broke("{task}")', "or")
    for task in ("lint", "unit-tests", "build"):
        (success,) = drawn.edges_between(task, f'passed("{task}")')
        assert success[2] == "finished(success)" and FAILURE_STYLE not in success[3]
        assert drawn.edges_between(f'passed("{task}")', "and")
    (join,) = drawn.out_of("and")
    assert [edge[1] for edge in drawn.out_of(join[1])] == ["package"]
    (branch,) = drawn.out_of("or")
    assert [edge[1] for edge in drawn.out_of(branch[1])] == ["report-failure"]
    failures = [edge for edge in drawn.edges if FAILURE_STYLE in edge[3]]
    assert len(failures) == 5
    sketched = parse_mermaid(mermaid_of(ROOT / "examples" / "ci" / "pipeline.oi"))
    dotted = [number for number, edge in enumerate(sketched.edges) if edge[2] == "-.->"]
    assert dotted == sketched.failure_links and len(dotted) == 5


def test_trello_sync_builder_called_in_a_loop() -> None:
    drawn = parse_dot(dot_of(ROOT / "examples" / "trello-sync" / "pipeline.oi"))
    (call,) = drawn.into("builder archive(card)")
    assert call[2].startswith('for c in tasks["fetch-cards"].output if ')
    assert "bold" in call[3] and "arrowhead=vee" in call[3]
    assert drawn.edges_between("upsert-rows", call[0])[0][2] == "finished(success)"
    (build,) = drawn.out_of("builder archive(card)")
    assert build[1] == "archive-${card.id}"
    assert "peripheries=2" in drawn.nodes[next(k for k, v in drawn.nodes.items() if v[0] == build[1])][1]
    # The guard of a reaction is in its label.
    assert any('\nif len(tasks["fetch-cards"].output) > 0' in label for label, _ in drawn.nodes.values())


def test_loops_named_conditions_not_started_and_reported(tmp_path: Path) -> None:
    drawn = parse_dot(dot_of(_write(tmp_path, "shapes.oi", SHAPES)))
    # A `for` building tasks: the pattern, reached through a bold edge labelled with the loop.
    (loop,) = drawn.into("deploy-${r}")
    assert loop[2] == "for r in regions" and "bold" in loop[3]
    # deployed("eu") means deploy-eu, which the pattern builds: the index links them.
    (use,) = drawn.into('deployed("eu")')
    assert use[0] == "deploy-${r}" and use[2] == "finished(success)"
    # not: the failure edge goes into the `not` junction, which feeds the `and`.
    (negated,) = drawn.edges_between("build", "not")
    assert negated[2] == "finished(failed)" and FAILURE_STYLE in negated[3]
    assert drawn.edges_between("not", "and") and drawn.edges_between('deployed("eu")', "and")
    assert [edge[2] for edge in drawn.edges_between("build", "or")] == ["started", 'reported("progress")']
    assert [edge[1] for edge in drawn.out_of("engine.started")] == ["reaction (line 9)"]
    assert {edge[1] for edge in drawn.out_of("reaction (line 9)")} == {"build", "deploy-${r}"}
    parse_mermaid(mermaid_of(tmp_path / "shapes.oi"))


def test_hostile_names_are_escaped_in_dot(tmp_path: Path) -> None:
    text = dot_of(_write(tmp_path, "hostile.oi", HOSTILE))
    assert text.splitlines()[0] == 'digraph "p\\"i<pe>\\\\" {'
    drawn = parse_dot(text)
    shown = visible(HOSTILE_NAME)
    assert "\n" not in shown and "\u001b" not in shown and "\u202e" not in shown
    (failure,) = drawn.edges_between(shown, "reaction (line 9)")
    assert failure[2] == "finished(failed)"
    # No raw control character reaches the file.
    assert not any(character in text for character in "\u001b\u202e\t")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not on PATH")
def test_hostile_names_survive_graphviz(tmp_path: Path) -> None:
    text = dot_of(_write(tmp_path, "hostile.oi", HOSTILE))
    svg = subprocess.run(
        ["dot", "-Tsvg"], input=text.encode(), capture_output=True, check=True, timeout=60
    ).stdout
    shown = [
        element.text or "" for element in ElementTree.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")
    ]
    # Graphviz shows the name as the label says, on one line.
    assert visible(HOSTILE_NAME) in shown


def test_hostile_names_are_escaped_in_mermaid(tmp_path: Path) -> None:
    text = mermaid_of(_write(tmp_path, "hostile.oi", HOSTILE))
    sketched = parse_mermaid(text)
    labels = [label for label, _ in sketched.nodes.values()]
    assert visible(HOSTILE_NAME) in labels
    assert not any(character in text for character in "\u001b\u202e\t")


def test_the_command_prints_dot_mermaid_and_writes_a_file(tmp_path: Path) -> None:
    hello = str(ROOT / "examples" / "hello" / "pipeline.oi")
    printed = oic("graph", hello)
    assert printed.returncode == 0, printed.stderr
    assert parse_dot(printed.stdout.decode()).edges_between("greet", "reaction (line 13)")
    sketched = oic("graph", hello, "--format", "mermaid")
    assert sketched.returncode == 0 and parse_mermaid(sketched.stdout.decode()).edges
    target = tmp_path / "hello.dot"
    written = oic("graph", hello, "-o", str(target))
    assert written.returncode == 0 and written.stdout == b""
    assert target.read_text(encoding="utf-8") == printed.stdout.decode()


def test_a_file_with_errors_prints_its_diagnostics(tmp_path: Path) -> None:
    broken = _write(
        tmp_path, "broken.oi", 'pipeline "b" {}\non engine.started {\n  task "t" = nothing.call()\n}\n'
    )
    result = oic("graph", str(broken))
    assert result.returncode == 1
    assert result.stdout == b""
    assert b"broken.oi:3:" in result.stderr and b"error[" in result.stderr


@pytest.mark.parametrize(
    "arguments", [("missing.oi",), ("examples/hello/pipeline.oi", "-o", "/no/such/dir/g.dot")]
)
def test_usage_errors_are_one_line(arguments: tuple[str, ...]) -> None:
    result = oic("graph", *arguments)
    assert result.returncode == 2
    assert result.stderr.decode().count("\n") == 1 and b"Traceback" not in result.stderr
    assert result.stderr.startswith(b"oic graph: error: ")


def test_svg_without_graphviz_says_so(tmp_path: Path) -> None:
    environment = {**os.environ, "PATH": str(tmp_path)}  # a PATH with no `dot` on it
    target = tmp_path / "hello.svg"
    result = oic("graph", "examples/hello/pipeline.oi", "--format", "svg", "-o", str(target), env=environment)
    assert result.returncode == 2
    assert result.stderr.decode().count("\n") == 1
    assert b"needs Graphviz's `dot` program on PATH" in result.stderr
    assert not target.exists()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not on PATH")
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: str(path.relative_to(ROOT)))
def test_svg_of_every_example(path: Path, tmp_path: Path) -> None:
    target = tmp_path / "graph.svg"
    result = oic("graph", str(path), "--format", "svg", "-o", str(target))
    assert result.returncode == 0, result.stderr
    root = ElementTree.parse(target).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {element.text for element in root.iter("{http://www.w3.org/2000/svg}text")}
    assert "engine.started" in texts
    assert _task_names(path) <= texts


def test_the_docs_sample_is_what_the_command_draws() -> None:
    page = (ROOT / "docs" / "graph.md").read_text(encoding="utf-8")
    sample = page.split("```mermaid\n", 1)[1].split("```", 1)[0].splitlines()
    drawn = mermaid_of(ROOT / "examples" / "ci" / "pipeline.oi").splitlines()
    assert sample and [line for line in sample if line not in drawn] == []


NESTED = """\
pipeline "nest" {}

service sh = catalog "exec"

condition done(name: string) = task(name).finished(success)
condition both(a: string, b: string) = done(a) and done(b)

builder inner(n: string) {
  task "inner-${n}" = sh.command(Args: ["echo", n])
}

builder outer(n: string) {
  inner(n)
  task "outer-${n}" = sh.command(Args: ["echo", n])
}

on engine.started {
  task "x" = sh.command(Args: ["true"])
  task "y" = sh.command(Args: ["true"])
  outer("one")
}

on both("x", "y") or task("inner-one").finished {
  task "z" = sh.command(Args: ["true"])
}
"""


def test_builders_calling_builders_and_named_conditions_inside_named_conditions(tmp_path: Path) -> None:
    drawn = parse_dot(dot_of(_write(tmp_path, "nested.oi", NESTED)))
    assert [edge[1] for edge in drawn.out_of("builder outer(n)")] == ["builder inner(n)", "outer-${n}"]
    assert [edge[1] for edge in drawn.out_of("builder inner(n)")] == ["inner-${n}"]
    # both("x", "y") is drawn with its arguments passed down to done(...).
    assert drawn.edges_between("x", 'done("x")')[0][2] == "finished(success)"
    assert drawn.edges_between("y", 'done("y")')[0][2] == "finished(success)"
    assert drawn.edges_between('done("x")', "and") and drawn.edges_between("and", 'both("x", "y")')
    # task("inner-one") is a task the builder's pattern builds.
    assert drawn.edges_between("inner-${n}", "or")[0][2] == "finished"
    assert [edge[1] for edge in drawn.out_of("or")] == ["reaction (line 23)"]
