"""Run an example end to end as a user does: ``oic run examples/X/pipeline.oi -- --param ...`` in a
subprocess, with its logs in a temporary directory, then read the state it wrote."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPOSITORY = Path(__file__).resolve().parents[2]
EXAMPLES = REPOSITORY / "examples"
RUN_DEADLINE = 180.0


@dataclass
class ExampleRun:
    """The finished run: exit ``code``, ``stdout``/``stderr``, and ``logs`` (the directory holding
    ``state.yaml``, ``tasks/``, ``services/``)."""

    code: int
    stdout: str
    stderr: str
    logs: Path

    def tasks(self) -> dict[str, dict[str, Any]]:
        """The state's task table keyed by task name."""
        state = yaml.safe_load((self.logs / "state.yaml").read_text())
        return {entry["task"]: entry for entry in (state.get("tasks") or {}).values()}

    def all_text(self) -> str:
        """Everything the run wrote (output and every log file), to check that no secret leaked."""
        files = [p.read_text(errors="replace") for p in sorted(self.logs.rglob("*")) if p.is_file()]
        return "\n".join([self.stdout, self.stderr, *files])

    def explain(self) -> str:
        return f"exit {self.code}\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}"


def run_example(
    name: str, work: Path, params: dict[str, str], env: dict[str, str] | None = None
) -> ExampleRun:
    arguments = [sys.executable, "-m", "oic", "run", str(EXAMPLES / name / "pipeline.oi"), "--"]
    arguments += ["--logs-dir", str(work)]
    for key, value in params.items():
        arguments += ["--param", f"{key}={value}"]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OI_PARAM_")}
    environment.update(env or {})
    finished = subprocess.run(
        arguments, cwd=work, env=environment, capture_output=True, text=True, timeout=RUN_DEADLINE
    )
    return ExampleRun(finished.returncode, finished.stdout, finished.stderr, work / "logs")
