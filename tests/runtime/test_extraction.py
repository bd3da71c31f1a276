"""Extraction directories of killed one-file binaries: set aside and removed by a later start, only
when every process that used them is gone, and never a directory oi did not claim."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from runtime import extraction

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="start times come from /proc")


def unpacked(parent: Path, name: str, owners: str | None) -> Path:
    directory = parent / name
    (directory / "lib").mkdir(parents=True)
    (directory / "lib" / "payload.so").write_bytes(b"x" * 1024)
    if owners is not None:
        (directory / extraction.OWNER_FILE).write_text(owners, encoding="ascii")
    return directory


def a_dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@linux_only
def test_directories_whose_users_are_gone_are_removed_and_no_other(tmp_path: Path) -> None:
    own = unpacked(tmp_path, "_MEIown", None)
    extraction.claim(str(own), [os.getpid()])
    dead = a_dead_pid()
    live_owner = extraction._start_time(os.getpid())
    unpacked(tmp_path, "_MEIdead", f"{dead} 123\n")
    unpacked(tmp_path, "_MEIalive", f"{dead} 123\n{os.getpid()} {live_owner}\n")
    unpacked(tmp_path, "_MEIreused", f"{os.getpid()} 1\n")  # this pid, but another process's start time
    unpacked(tmp_path, "_MEIforeign", None)  # another program's, or still being unpacked
    unpacked(tmp_path, "_MEIgarbled", "not an owner\n")
    unpacked(tmp_path, extraction.STALE_PREFIX + "_MEIcut", None)  # a removal an earlier start left
    unpacked(tmp_path, "unrelated", f"{dead} 123\n")

    stale = extraction.set_aside(str(tmp_path), str(own))
    assert sorted(Path(path).name for path in stale) == [
        extraction.STALE_PREFIX + "_MEIcut",
        extraction.STALE_PREFIX + "_MEIdead",
        extraction.STALE_PREFIX + "_MEIreused",
    ]
    extraction.remove(stale)
    assert sorted(entry.name for entry in tmp_path.iterdir()) == [
        "_MEIalive",
        "_MEIforeign",
        "_MEIgarbled",
        "_MEIown",
        "unrelated",
    ]


@linux_only
def test_a_claim_names_the_processes_with_their_start_times(tmp_path: Path) -> None:
    extraction.claim(str(tmp_path), [os.getpid(), os.getppid()])
    lines = (tmp_path / extraction.OWNER_FILE).read_text(encoding="ascii").splitlines()
    assert lines == [
        f"{os.getpid()} {extraction._start_time(os.getpid())}",
        f"{os.getppid()} {extraction._start_time(os.getppid())}",
    ]
    assert all(line.split()[1].isdigit() for line in lines)


@linux_only
def test_a_zombie_owner_is_gone(tmp_path: Path) -> None:
    # Killed but not yet reaped (as under an init that reaps late): it uses nothing any more.
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        while extraction._stat_fields(zombie.pid)[0] != "Z":  # type: ignore[index]
            os.sched_yield()
        unpacked(tmp_path, "_MEIzombie", f"{zombie.pid} {extraction._start_time(zombie.pid)}\n")
        stale = extraction.set_aside(str(tmp_path), "")
        assert [Path(path).name for path in stale] == [extraction.STALE_PREFIX + "_MEIzombie"]
    finally:
        zombie.wait()


@linux_only
def test_a_directory_of_another_user_is_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unpacked(tmp_path, "oic-run-abc", f"{a_dead_pid()} 123\n")
    unpacked(tmp_path, extraction.STALE_PREFIX + "oic-run-def", None)
    monkeypatch.setattr(os, "getuid", lambda: os.stat(tmp_path).st_uid + 1)
    assert extraction.set_aside(str(tmp_path), "", extraction.RUN_PREFIX) == []


@linux_only
def test_only_directories_of_the_prefix_asked_for_are_set_aside(tmp_path: Path) -> None:
    dead = a_dead_pid()
    unpacked(tmp_path, "oic-run-abc", f"{dead} 123\n")
    unpacked(tmp_path, "_MEIabc", f"{dead} 123\n")
    unpacked(tmp_path, extraction.STALE_PREFIX + "_MEIcut", None)  # a binary's, for a binary to remove
    stale = extraction.set_aside(str(tmp_path), "", extraction.RUN_PREFIX)
    assert [Path(path).name for path in stale] == [extraction.STALE_PREFIX + "oic-run-abc"]
