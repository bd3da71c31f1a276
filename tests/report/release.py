"""The pipeline the report's browser test runs (and ``screenshot.py`` shows): successes, a failure
whose error holds a secret, markup in an output, a retried call, a reusable task run twice and a
task built in a loop; run for real by `oic run` with the built-in exec service."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET = "hunter2-Secret-Value"

PIPELINE = """\
pipeline "release" {}

param token: secret
param regions: list[string] = ["eu", "us"]

service sh = catalog "exec"

on engine.started {
  task "build" = sh.command(Args: ["sh", "-c", "sleep 0.2; echo built"])
  task "lint" = sh.command(Args: ["sh", "-c", "echo '</script><script>alert(1)</script>'; printf '\\u{7}'"])
  task "flaky" = sh.command(Args: ["sh", "-c", "echo \\"token $0\\"; exit 1", token]) retry 1 backoff 10ms
}

on task("build").finished(success) {
  task "test" = sh.command(Args: ["sh", "-c", "sleep 0.1; echo tested"])
  for r in regions {
    task "deploy-${r}" = sh.command(Args: ["sh", "-c", "sleep 0.05; echo deployed"])
  }
}

on task("build").finished or task("test").finished {
  task "notify" reusable = sh.command(Args: ["echo", "notify"])
}
"""


def run_release(directory: Path) -> subprocess.CompletedProcess[str]:
    """Run the pipeline with its logs under ``directory``/logs (the source beside them)."""
    source = directory / "release.oi"
    source.write_text(PIPELINE, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "oic", "run", str(source), "--", "--logs-dir", str(directory), "--quiet"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=180,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "OI_PARAM_TOKEN": SECRET},
    )
