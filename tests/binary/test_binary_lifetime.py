"""A SIGKILL of a one-file binary's visible process (PyInstaller's bootloader) mid-run: the engine,
its services and their commands end with it, and the directory the bootloader unpacked into is
removed (real processes, looked up in /proc by a marker on their PATH)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.binary.conftest import FrozenBase
from tests.leftovers import kill_marked, survivors, wait_for_marked
from tests.runtime.test_process_lifetime import DEADLINE, PIPELINE

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("freeze"),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signals are Linux's"),
]


def test_a_sigkill_of_the_binary_leaves_no_process_and_no_directory(frozen_base: FrozenBase, tmp_path: Path):
    (tmp_path / "lifetime.oi").write_text(PIPELINE, encoding="utf-8")
    built = frozen_base.oic(["build", "lifetime.oi", "-o", "dist"], cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    marker = str(tmp_path / "marker-bin")
    os.mkdir(marker)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    environment = {
        **os.environ,
        "PATH": marker + os.pathsep + os.environ.get("PATH", os.defpath),
        "TMPDIR": str(temporary),
    }
    environment.pop("PYTHONPATH", None)  # the binary must not need the source tree
    binary = subprocess.Popen(
        [str(tmp_path / "dist" / "lifetime"), "--logs-dir", str(tmp_path), "--quiet"],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for command in ("sleep 3001", "sleep 3002"):
            if not wait_for_marked(marker, command, DEADLINE):
                binary.kill()
                pytest.fail(f"{command!r} never ran: {binary.communicate()[1].decode(errors='replace')}")
        assert any(entry.name.startswith("_MEI") for entry in temporary.iterdir())
        binary.kill()
        binary.wait()
        left = survivors(marker, DEADLINE)
        assert left == {}, f"processes of the run outlived the binary: {left}"
        assert [entry.name for entry in temporary.iterdir()] == []
    finally:
        kill_marked(marker)
        binary.kill()
        binary.wait()
        shutil.rmtree(temporary, ignore_errors=True)
