"""`oi-service TARGET` (``python -m runtime.serve``): what it does with targets that cannot serve. Each
failure is one line naming the place, never a traceback. (Serving for real is tested with the SDK's
own distribution, tests/services/test_sdk_distribution.py, and by every built binary.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.services.support import SERVICE_ENV


def _serve(target: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runtime.serve", target],
        cwd=cwd,
        env={**SERVICE_ENV, "PATH": "/usr/bin:/bin", "PORT": "0"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("files", "target", "expected"),
    [
        ({}, "missing.py", "oi-service: error: missing.py: no such file"),
        ({}, "no_such_module", "oi-service: error: no_such_module: no module of that name"),
        (
            {"svc.py": "import json\nimport not_installed_anywhere\n"},
            "svc.py",
            "svc.py:2: ModuleNotFoundError: No module named 'not_installed_anywhere'",
        ),
        (
            {"svc.py": "def f():\n    raise RuntimeError('broken at load')\nf()\n"},
            "svc.py",
            "svc.py:2: RuntimeError: broken at load",
        ),
        (
            {"svc.py": "value = 1\n"},
            "svc.py",
            "oi-service: error: svc.py did not serve and defines no `service` (an oi SDK Service)",
        ),
    ],
)
def test_a_target_that_cannot_serve_is_one_line_and_status_1(
    tmp_path: Path, files: dict[str, str], target: str, expected: str
):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = _serve(target, tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr


def test_a_file_that_exits_passes_its_status_on(tmp_path: Path):
    (tmp_path / "svc.py").write_text("import sys\nsys.exit(4)\n", encoding="utf-8")
    assert _serve("svc.py", tmp_path).returncode == 4


def test_usage(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "runtime.serve"], env=SERVICE_ENV, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and result.stderr.startswith("usage: oi-service FILE.py | MODULE")
