"""The service `oic new service` scaffolds works as is: a pipeline that uses it by its path alone is
checked against its schemas (it is asked; no W0105) and runs with `oic run`, all as separate `oic`
processes in a clean environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

PIPELINE = """pipeline "uses-greeter" {}
service greeter = path "./greeter/service.py"
on engine.started {
  task "greet" = greeter.greet(NAME_FIELD: "Ada")
}
"""


def oic(arguments: list[str], directory: Path) -> subprocess.CompletedProcess[str]:
    # No PYTHONPATH, no venv on PATH: the service gets the SDK from oic itself.
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(directory),
        "XDG_CACHE_HOME": str(directory / "cache"),
    }
    return subprocess.run(
        [sys.executable, "-m", "oic", *arguments],
        cwd=directory,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_a_scaffolded_service_is_checked_and_runs(tmp_path: Path) -> None:
    created = oic(["new", "service", "greeter"], tmp_path)
    assert created.returncode == 0, created.stderr
    service = tmp_path / "greeter" / "service.py"
    assert not os.access(service, os.X_OK) and not service.read_text().startswith("#!")

    (tmp_path / "pipeline.oi").write_text(PIPELINE.replace("NAME_FIELD", "Nam"), encoding="utf-8")
    misspelt = oic(["check", "--format", "json", "pipeline.oi"], tmp_path)
    assert [d["code"] for d in json.loads(misspelt.stdout)["diagnostics"]] == ["E0302"], (
        misspelt.stdout + misspelt.stderr
    )

    (tmp_path / "pipeline.oi").write_text(PIPELINE.replace("NAME_FIELD", "Name"), encoding="utf-8")
    clean = oic(["check", "--format", "json", "pipeline.oi"], tmp_path)
    assert (clean.returncode, json.loads(clean.stdout)["diagnostics"]) == (0, []), clean.stderr

    run = oic(["run", "pipeline.oi", "--", "--logs-dir", str(tmp_path / "out")], tmp_path)
    assert run.returncode == 0, run.stderr
    state = yaml.safe_load((tmp_path / "out" / "logs" / "state.yaml").read_text(encoding="utf-8"))
    (task,) = state["tasks"].values()
    assert json.loads(task["output"]) == {"Greeting": "hello, Ada"}  # state.yaml holds JSON text
    task_logs = list((tmp_path / "out" / "logs" / "tasks").glob("greet-*.log"))
    assert len(task_logs) == 1 and "greeting Ada" in task_logs[0].read_text(encoding="utf-8")
