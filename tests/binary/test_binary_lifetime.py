"""A SIGKILL of a one-file binary's visible process (PyInstaller's bootloader) mid-run: the engine,
its services and their commands end with it, and the directory the bootloader unpacked into is
removed (real processes, looked up in /proc by a marker on their PATH)."""

from __future__ import annotations

import os
import shutil
import signal
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


def start_binary(
    frozen_base: FrozenBase, tmp_path: Path
) -> tuple[subprocess.Popen[bytes], str, Path, dict[str, str]]:
    """The built PIPELINE, run in a session of its own until both sleeps run; the process, the marker,
    its TMPDIR and its environment."""
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
        start_new_session=True,
    )
    for command in ("sleep 3001", "sleep 3002"):
        if not wait_for_marked(marker, command, DEADLINE):
            binary.kill()
            kill_marked(marker)
            pytest.fail(f"{command!r} never ran: {binary.communicate()[1].decode(errors='replace')}")
    assert [entry.name for entry in temporary.iterdir() if entry.name.startswith("_MEI")]
    return binary, marker, temporary, environment


def test_a_sigkill_of_the_binary_leaves_no_process_and_no_directory(frozen_base: FrozenBase, tmp_path: Path):
    binary, marker, temporary, _ = start_binary(frozen_base, tmp_path)
    try:
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


def test_a_directory_left_by_a_killed_group_is_removed_by_the_next_start(
    frozen_base: FrozenBase, tmp_path: Path
):
    # Bootloader and engine killed at once: neither can remove the directory; the next start does.
    binary, marker, temporary, environment = start_binary(frozen_base, tmp_path)
    try:
        left_behind = [entry.name for entry in temporary.iterdir() if entry.name.startswith("_MEI")]
        os.killpg(binary.pid, signal.SIGKILL)
        binary.wait()
        assert survivors(marker, DEADLINE) == {}
        assert [entry.name for entry in temporary.iterdir()] == left_behind
        again = subprocess.run(
            [str(tmp_path / "dist" / "lifetime"), "--version"],
            env=environment,
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert again.returncode == 0, again.stderr.decode(errors="replace")
        # Set aside at once (its removal may be cut short by this quick start: the next one ends it).
        remaining = [entry for entry in temporary.iterdir() if entry.name.startswith("_MEI")]
        owners = {entry.name: _owners(entry) for entry in remaining}
        assert remaining == [], f"left: {owners}"
    finally:
        kill_marked(marker)
        binary.kill()
        binary.wait()
        shutil.rmtree(temporary, ignore_errors=True)


def _owners(directory: Path) -> str:
    """The owner file of an extraction directory, with the state of each process it names."""
    try:
        lines = (directory / "oi-owner").read_text(encoding="ascii").splitlines()
    except OSError as error:
        return f"no owner file ({error.strerror})"
    described = []
    for line in lines:
        pid = line.split()[0]
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            state = "gone"
        described.append(f"{line} ({state})")
    return "; ".join(described)
