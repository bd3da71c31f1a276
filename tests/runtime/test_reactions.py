"""Pipelines written in `.oi`, compiled, and run by the engine against a real gRPC service: guards
are asked only on the events that trigger their conditions, and ``tasks[...]`` never fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runtime.engine import RunResult
from runtime.services.base import CallFailed
from tests.codegen.support import compile_text, load
from tests.runtime.fakes import Call, FakeRunner
from tests.runtime.gated import Gate, InProcessRunner
from tests.runtime.helpers import run, tasks_by_name


def run_oi(text: str, tmp_path: Path, runner: Any, **params: Any) -> RunResult:
    source = tmp_path / "pipeline.oi"
    source.write_text(text, encoding="utf-8")
    module = load(compile_text(text, str(source), base_directory=str(tmp_path)))
    return run(module.build(params), runner, tmp_path)


GUARDED = """pipeline "guarded" {}

service gate = path "./gate" schemas "./schemas"

on engine.started {
  task "x" = gate.work(key: "x", report: [{event: "progress", data: {percent: 80}}])
}

on task("x").reported("progress") if event.payload.data.percent > 50 {
  task "half" reusable = gate.ok()
}
"""


def test_the_docs_guard_is_not_asked_on_later_events(tmp_path: Path) -> None:
    """After the report, "x" finishes: a ``task.finished`` payload has no ``data``, and asking the
    guard there failed the run ("no field 'data'")."""
    gate = Gate(blocking=False)
    gate.write_schemas(tmp_path / "schemas")
    result = run_oi(GUARDED, tmp_path, InProcessRunner({"gate": gate.service}))
    assert (result.status, result.message) == ("succeeded", "")
    assert len(tasks_by_name(tmp_path)["half"]) == 1


GUARDED_OPERAND = """pipeline "guarded-operand" {}

service gate = path "./gate" schemas "./schemas"

condition half_done(name: string) = task(name).reported("progress") if event.payload.data.percent > 50

on engine.started {
  task "x" = gate.work(key: "x", report: [{event: "progress", data: {percent: PERCENT}}])
  task "y" = gate.ok()
}

on half_done("x") and task("y").finished {
  task "joined" reusable = gate.ok()
}
"""


def test_a_guarded_operand_of_and_remembers_its_guard(tmp_path: Path) -> None:
    gate = Gate(blocking=False)
    for percent, runs in ((80, 1), (20, 0)):
        directory = tmp_path / str(percent)
        (directory / "schemas").mkdir(parents=True)
        gate.write_schemas(directory / "schemas")
        text = GUARDED_OPERAND.replace("PERCENT", str(percent))
        result = run_oi(text, directory, InProcessRunner({"gate": gate.service}))
        assert result.succeeded, result.message
        assert len(tasks_by_name(directory).get("joined", [])) == runs


NOTIFY = """pipeline "notify" {}

service sh = catalog "exec"

on engine.started {
  task "a" = sh.command(Command: "exit 1")
}

on task("a").finished(success) {
  task "b" = sh.command(Command: "echo b")
}

on task("a").finished(failed) or task("b").finished(failed) {
  task "notify" reusable = sh.command(
    Command: "a=${tasks["a"].status} (${tasks["a"].error}) b=${tasks["b"].status} [${tasks["b"].error}] "
      + "${tasks["b"].output} ${tasks["b"].arguments}",
  )
}

on task("a").finished {
  if tasks["a"].status == "failed" {
    task "lowercase" = sh.command(Command: "echo the status is spelled failed")
  }
  if tasks["b"].status != "none" {
    task "never" = sh.command(Command: "echo no")
  }
}
"""


def test_the_failure_notify_idiom_reads_a_task_that_never_ran(tmp_path: Path) -> None:
    def command(call: Call) -> Any:
        if call.arguments["Command"] == "exit 1":
            raise CallFailed("exit 1 failed")
        return {"ExitCode": 0, "Stdout": ""}

    result = run_oi(NOTIFY, tmp_path, FakeRunner({"sh": {"command": command}}))
    assert (result.status, result.exit_code) == ("succeeded", 0), result.message
    runs = tasks_by_name(tmp_path)
    (notify,) = runs["notify"]
    assert json.loads(notify["arguments"]) == {"Command": "a=failed (exit 1 failed) b=none []  "}
    assert "lowercase" in runs and "never" not in runs and "b" not in runs
