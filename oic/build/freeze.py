"""Freezing the runtime into a base binary with PyInstaller.

The base is a one-file PyInstaller build of ``runtime/launcher.py`` with every ``runtime`` module and
data file (the built-in catalog services and their schemas), the runtime's dependencies, and
``kubernetes`` (imported lazily at run time, so PyInstaller would not find it by itself). Modules only
the compiler or the tests use are excluded to keep the binary small. PyInstaller runs as a subprocess
of the current interpreter; its output is kept in a log file and shown when it fails (or with ``-v``).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import runtime

# Modules the base must contain although nothing imports them at the top level (``runtime`` itself is
# collected whole).
HIDDEN_IMPORTS = ("kubernetes",)
# Build-time and test-time packages that must never end up in a pipeline binary.
EXCLUDED_MODULES = (
    "oic",
    "PyInstaller",
    "grpc_tools",
    "setuptools",
    "pkg_resources",
    "pip",
    "lark",
    "jinja2",
    "mypy",
    "mypyc",
    "pytest",
    "_pytest",
    "xdist",
    "hypothesis",
    "ruff",
    "tkinter",
    "_tkinter",
    "IPython",
    "runtime.proto.regenerate",
)
BASE_NAME = "oi-base"


class FreezeError(Exception):
    """PyInstaller failed; ``log`` holds its whole output."""

    def __init__(self, message: str, log: str) -> None:
        super().__init__(message)
        self.log = log


def runtime_root() -> Path:
    """The directory holding the ``runtime`` package (PyInstaller's search path)."""
    return Path(runtime.__file__).resolve().parent.parent


def pyinstaller_command(work_dir: Path, target_os: str) -> list[str]:
    """The PyInstaller command line that freezes the base into ``work_dir/dist/oi-base``."""
    root = runtime_root()
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--onefile",
        "--noconfirm",
        "--name",
        BASE_NAME,
        "--log-level",
        "WARN",
        "--distpath",
        str(work_dir / "dist"),
        "--workpath",
        str(work_dir / "work"),
        "--specpath",
        str(work_dir),
        "--paths",
        str(root),
        "--collect-submodules",
        "runtime",
        "--collect-data",
        "runtime",
    ]
    for module in HIDDEN_IMPORTS:
        if importlib.util.find_spec(module) is None:
            continue  # an optional dependency that is not installed: the base runs without it
        command += ["--hidden-import", module]
    for module in EXCLUDED_MODULES:
        command += ["--exclude-module", module]
    if target_os != "windows" and shutil.which("strip"):
        command.append("--strip")
    command.append(str(root / "runtime" / "launcher.py"))
    return command


def freeze(work_dir: Path, target_os: str, log_path: Path, echo: Callable[[str], None] | None) -> Path:
    """Run PyInstaller in ``work_dir``; return the frozen binary. Every output line goes to
    ``log_path`` and, when ``echo`` is given, to it. Raises ``FreezeError``."""
    command = pyinstaller_command(work_dir, target_os)
    environment = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    lines: list[str] = []
    with open(log_path, "w", encoding="utf-8") as log:
        log.write("$ " + " ".join(command) + "\n")
        try:
            process = subprocess.Popen(
                command,
                cwd=work_dir,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
            )
        except OSError as error:
            raise FreezeError(f"could not start PyInstaller: {error}", "") from None
        assert process.stdout is not None
        try:
            for line in process.stdout:
                lines.append(line)
                log.write(line)
                if echo is not None:
                    echo(line.rstrip("\n"))
        finally:
            status = process.wait()
    output = "".join(lines)
    binary = work_dir / "dist" / (BASE_NAME + (".exe" if target_os == "windows" else ""))
    if status != 0 or not binary.is_file():
        hint = (
            "is PyInstaller installed? (pip install 'oi[build]')"
            if "No module named PyInstaller" in output
            else ""
        )
        raise FreezeError(
            f"PyInstaller failed with exit status {status}{'; ' + hint if hint else ''}", output
        )
    return binary
