"""Payload embedding without freezing: a copy of a small real executable gets a pipeline appended,
still runs, and gives the payload back byte for byte."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from oic.binary import embed
from runtime import launcher
from runtime.launcher import Payload, PayloadError, read_payload

HOSTILE_TEXT = "PROGRAM = 'quotes \" \\' \\\\ ${x} \\n NUL \\x00 U+2028 \u2028 snow \u2603'\n" * 50


@pytest.fixture
def small_executable(tmp_path: Path) -> Path:
    source = shutil.which("true")
    assert source is not None
    copy = tmp_path / "base"
    shutil.copyfile(source, copy)
    os.chmod(copy, 0o755)
    return copy


def test_a_file_without_payload_has_none(small_executable: Path):
    assert read_payload(small_executable) is None
    assert launcher.base_size(small_executable) == small_executable.stat().st_size


def test_payload_round_trips_and_the_executable_still_runs(small_executable: Path):
    original_size = small_executable.stat().st_size
    payload = Payload(HOSTILE_TEXT, {"pipeline": "hello", "source": "pipe line.oi", "built_at": "now"})
    launcher.append_payload(small_executable, payload)
    assert read_payload(small_executable) == payload
    assert launcher.base_size(small_executable) == original_size
    assert subprocess.run([str(small_executable)], check=False).returncode == 0


def test_write_binary_is_executable_and_replaces_the_previous_one(small_executable: Path, tmp_path: Path):
    destination = tmp_path / "dist" / "hello"
    first = embed.write_binary(small_executable, Payload("first = 1\n", {"n": 1}), destination)
    inode_before = first.stat().st_ino
    second = embed.write_binary(small_executable, Payload("second = 2\n", {"n": 2}), destination)
    assert second == destination
    assert read_payload(destination) == Payload("second = 2\n", {"n": 2})
    assert stat.S_IMODE(destination.stat().st_mode) == 0o755
    # Replaced by a rename, not rewritten in place (a running binary keeps its old file).
    assert destination.stat().st_ino != inode_before
    assert sorted(p.name for p in destination.parent.iterdir()) == ["hello"]  # no temporary left


def test_a_pipeline_binary_used_as_base_contributes_only_its_base(small_executable: Path, tmp_path: Path):
    built = embed.write_binary(small_executable, Payload("old = 1\n", {"n": 1}), tmp_path / "old")
    rebuilt = embed.write_binary(built, Payload("new = 2\n", {"n": 2}), tmp_path / "new")
    assert read_payload(rebuilt) == Payload("new = 2\n", {"n": 2})
    assert launcher.base_size(rebuilt) == small_executable.stat().st_size


def test_a_truncated_payload_is_reported(small_executable: Path, tmp_path: Path):
    launcher.append_payload(small_executable, Payload("x = 1\n" * 100, {"n": 1}))
    data = small_executable.read_bytes()
    trailer = data[-launcher.TRAILER_SIZE :]
    damaged = tmp_path / "damaged"
    damaged.write_bytes(b"tiny" + trailer)
    with pytest.raises(PayloadError, match="truncated"):
        read_payload(damaged)


def test_a_corrupt_payload_is_reported(small_executable: Path, tmp_path: Path):
    launcher.append_payload(small_executable, Payload("x = 1\n", {"n": 1}))
    data = bytearray(small_executable.read_bytes())
    data[-launcher.TRAILER_SIZE - 2] = ord("!")  # inside the provenance JSON
    damaged = tmp_path / "damaged"
    damaged.write_bytes(bytes(data))
    with pytest.raises(PayloadError, match="damaged"):
        read_payload(damaged)


@pytest.mark.parametrize(
    ("name", "target_os", "expected"),
    [
        ("trello-sync", "linux", "trello-sync"),
        ("../../etc/passwd", "linux", "-..-etc-passwd"),
        ("..", "linux", "pipeline"),
        ("my pipeline", "windows", "my-pipeline.exe"),
    ],
)
def test_binary_file_names_are_safe(name: str, target_os: str, expected: str):
    assert embed.binary_file_name(name, target_os) == expected
