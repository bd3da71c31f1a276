"""Pipelines for the `oic check` tests: one clean, one with an error, one with a warning."""

from __future__ import annotations

from pathlib import Path

CLEAN = """pipeline "p" {}
service sh = catalog "exec"
on engine.started {
  task "a" = sh.command(Command: "ls")
}
"""
BROKEN = CLEAN.replace("Command:", "Comand:")  # E0302 on line 4, with a hint
WARNED = CLEAN.replace("service sh", 'param unused: string = "x"\nservice sh')  # W0103 on line 2


def write(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)
