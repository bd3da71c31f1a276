"""`oic check` loads only what checking needs, and the front end leaves the process as it found it.

A check is dominated by interpreter start and imports for small files, so the command keeps the
modules it imports to the front end's own: no other command, no process or network machinery (only
path services need it), no ``dataclasses``/``inspect``, no hashing. These tests look at which modules
a real `oic check` run has loaded; they measure no time (speed is measured in ``bench/``).
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest

from oic import cli
from oic.frontend import check_file
from oic.source import SourceFile
from oic.syntax import ast
from oic.syntax.parser import parse, parse_text

ROOT = Path(__file__).resolve().parents[2]

CLEAN = """pipeline "p" {}
param greeting: string = "hello"
service sh = catalog "exec"
on engine.started {
  let words = [for n in range(3) if n != 1: "w${n}"]
  task "a" = sh.command(Command: "echo ${greeting} ${join(words, " ")}")
}
"""

PROBE = """
import json, sys
from oic.cli import main
code = main(["check", sys.argv[1]])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""

# Modules a clean check must not load: other commands, what only path services, syntax errors or
# other outputs need, and what ``@dataclass`` would bring.
NOT_LOADED = [
    "oic.commands.build",
    "oic.commands.run",
    "oic.commands.emit",
    "oic.commands.catalog",
    "oic.commands.new",
    "oic.commands.explain",
    "oic.codegen",
    "oic.sema.service_init",
    "oic.syntax.messages",
    "dataclasses",
    "inspect",
    "threading",
    "subprocess",
    "socket",
    "hashlib",
    "tempfile",
    "shutil",
    "difflib",
    "lark",
    "grpc",
    "jsonschema",
    "runtime.services.schemas",
]


def test_a_clean_check_loads_only_the_front_end(tmp_path: Path) -> None:
    path = tmp_path / "clean.oi"
    path.write_text(CLEAN, encoding="utf-8")
    # The first check of a schema or a grammar asks the validator or Lark and caches the answer (see
    # oic/sema/schema_verdicts.py, oic/syntax/tables.py): what every later check loads is measured.
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-c", PROBE, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["code"] == 0
    loaded = set(answer["modules"])
    assert {"oic.commands.check", "oic.frontend", "oic.sema", "oic.syntax.parser"} <= loaded
    assert sorted(loaded & set(NOT_LOADED)) == []


def test_help_still_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    shown = capsys.readouterr().out
    for name in cli.COMMANDS:
        assert f"    {name} " in shown


def test_an_unknown_command_is_a_usage_error_naming_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["chekc", "x.oi"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "invalid choice: 'chekc'" in error and "'check'" in error and "'build'" in error


def test_a_named_command_registers_alone() -> None:
    parser = cli.build_parser(["check", "x.oi"])
    args = parser.parse_args(["check", "x.oi"])
    assert args.files == ["x.oi"]
    with pytest.raises(SystemExit):
        parser.parse_args(["build", "x.oi"])  # not registered: this command line named `check`
    everything = cli.build_parser(["--version"])
    assert everything.parse_args(["build", "x.oi"]).command == "build"


@pytest.mark.parametrize("collecting", [True, False])
def test_the_front_end_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path, collecting: bool) -> None:
    path = tmp_path / "clean.oi"
    path.write_text(CLEAN, encoding="utf-8")
    was = gc.isenabled()
    try:
        gc.enable() if collecting else gc.disable()
        assert check_file(str(path)).program is not None
        assert gc.isenabled() is collecting
        parse(SourceFile("broken.oi", "pipeline {"))
        assert gc.isenabled() is collecting
    finally:
        gc.enable() if was else gc.disable()


def test_long_runs_of_declarations_and_statements_keep_their_order() -> None:
    # ``x*`` is a left-recursive helper rule: its items are gathered unflattened and spliced once.
    count = 600
    lines = ['pipeline "p" {}']
    for number in range(count):
        lines.append(f"param p{number}: number = {number}")
    lines.append("on engine.started {")
    lines.extend(f"  let v{number} = {number}" for number in range(count))
    lines.append("}")
    module, found = parse_text("\n".join(lines) + "\n")
    assert found == [] and module is not None
    params = [d for d in module.declarations if isinstance(d, ast.ParamDecl)]
    assert [param.name.name for param in params] == [f"p{number}" for number in range(count)]
    (reaction,) = [d for d in module.declarations if isinstance(d, ast.ReactionDecl)]
    assert [statement.name.name for statement in reaction.body] == [f"v{n}" for n in range(count)]  # type: ignore[union-attr]
    assert [type(d).__name__ for d in module.declarations[:2]] == ["PipelineDecl", "ParamDecl"]
