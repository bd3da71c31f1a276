"""The one real PyInstaller freeze of the test session.

Freezing takes most of a minute, so the base is frozen once, into a bases directory of the session's
own (never the user's cache), and every test that needs a binary embeds into it. Those tests carry
``pytest.mark.xdist_group("freeze")`` so that under xdist they share one worker and one freeze.

A base is keyed by a digest of the runtime's files, so an edit to the runtime while the session runs
would (rightly) make ``oic build`` freeze a new one. The session therefore builds from a snapshot of
the ``runtime`` package taken when it starts: the freeze and every ``oic`` subprocess import it first.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class FrozenBase:
    """The session's base: ``root`` is its bases directory (``OI_BASE_DIR``), ``path`` the base binary,
    ``freeze_log`` PyInstaller's log of the one freeze, ``runtime_snapshot`` the runtime it froze."""

    root: Path
    path: Path
    freeze_log: Path
    runtime_snapshot: Path

    def oic(self, args: list[str], *, cwd: Path) -> subprocess.CompletedProcess[str]:
        """``oic`` with this session's bases and runtime snapshot."""
        return oic(args, cwd=cwd, base_root=self.root, runtime_snapshot=self.runtime_snapshot)


# The first test that needs the frozen base waits for the freeze (most of a minute, several on a
# loaded machine): those tests get a longer per-test timeout than the suite's default.
FREEZE_TIMEOUT = 1200


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "frozen_base" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.timeout(FREEZE_TIMEOUT))


@pytest.fixture(scope="session")
def runtime_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding a copy of the ``runtime`` package as it was when the session started."""
    snapshot = tmp_path_factory.mktemp("runtime-snapshot")
    shutil.copytree(
        REPOSITORY / "runtime", snapshot / "runtime", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    return snapshot


@pytest.fixture(scope="session")
def frozen_base(tmp_path_factory: pytest.TempPathFactory, runtime_snapshot: Path) -> FrozenBase:
    root = tmp_path_factory.mktemp("bases")
    script = (
        "import json\n"
        "from oic.binary import base, targets\n"
        "choice = base.ensure_base(targets.host())\n"
        "print(json.dumps([str(choice.path), choice.origin]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        env=_environment(root, runtime_snapshot),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if result.returncode != 0:  # PyInstaller's output is the only clue
        pytest.fail(f"freezing the base failed:\n{result.stdout}\n{result.stderr}", pytrace=False)
    path, origin = json.loads(result.stdout.strip().splitlines()[-1])
    assert origin == "frozen"
    assert Path(path).is_relative_to(root)
    return FrozenBase(root, Path(path), Path(path).parent / "freeze.log", runtime_snapshot)


def _environment(base_root: Path, runtime_snapshot: Path | None) -> dict[str, str]:
    paths = [str(runtime_snapshot)] if runtime_snapshot is not None else []
    paths.append(str(REPOSITORY))
    return dict(os.environ, OI_BASE_DIR=str(base_root), PYTHONPATH=os.pathsep.join(paths))


def oic(
    args: list[str],
    *,
    cwd: Path,
    base_root: Path,
    runtime_snapshot: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``oic`` as a user would (a subprocess) with bases kept under ``base_root`` (and the
    session's runtime snapshot first on the path, when given)."""
    environment = _environment(base_root, runtime_snapshot)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "oic", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def run_binary(
    binary: Path, args: list[str], *, cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ)
    environment.pop("PYTHONPATH", None)  # the binary must not need the source tree
    environment.update(env or {})
    return subprocess.run(
        [str(binary), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
