"""examples/hello, run as a user runs it: the greeting is printed as given, whatever it holds."""

from __future__ import annotations

import json
from pathlib import Path

from tests.examples.harness import run_example


def test_hello_greets_with_a_hostile_name_and_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    who = f"$(touch {marker}); `touch {marker}` \"'"
    run = run_example("hello", tmp_path, {"who": who})
    assert run.code == 0, run.explain()
    tasks = run.tasks()
    assert json.loads(tasks["greet"]["output"])["Stdout"] == f"hello, {who}\n"
    assert tasks["done"]["status"] == "Success"
    assert not marker.exists()
