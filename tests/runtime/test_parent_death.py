"""The parent-death signal and the group guard, on their own: real processes, SIGKILLed parents, and
their children looked up in /proc by a marker in their command lines."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.leftovers import POLL_INTERVAL, kill_marked, marked_processes, survivors, wait_for_marked

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="parent-death signals are Linux's"
)

REPOSITORY = Path(__file__).resolve().parents[2]
ENVIRONMENT = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
DEADLINE = 30.0


def test_a_child_whose_parent_is_already_another_leaves_at_once() -> None:
    code = (
        "import os, signal\n"
        "from runtime import parent_death\n"
        "parent_death.follow_parent(os.getppid() + 1_000_000, int(signal.SIGTERM))\n"
        "print('still here')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=ENVIRONMENT, capture_output=True, text=True, timeout=60, check=False
    )
    assert (result.returncode, result.stdout) == (1, "")


def test_a_child_that_follows_its_parent_ends_with_it(tmp_path: Path) -> None:
    marker = f"oi-follower-{tmp_path.name}"
    follower = (
        "import os, signal, sys, time\n"
        "from runtime import parent_death\n"
        "assert parent_death.follow_parent(os.getppid(), int(signal.SIGTERM))\n"
        "sys.stdin.read()\n"
    )
    parent = (
        "import subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', {follower!r}, {marker!r}], stdin=subprocess.PIPE)\n"
        "sys.stdin.read()\n"
    )
    process = subprocess.Popen([sys.executable, "-c", parent], env=ENVIRONMENT, stdin=subprocess.PIPE)
    try:
        assert wait_for_marked(marker, marker, DEADLINE), "the follower never started"
        process.kill()
        process.wait()
        assert survivors(marker, DEADLINE) == {}
    finally:
        kill_marked(marker)
        process.kill()
        process.wait()


GUARDED = """
import subprocess, sys
from runtime.group_guard import GroupGuard
guard = GroupGuard()
for seconds in sys.argv[1:]:
    # A shell that does not exec: its `sleep` is its child, in its group.
    group = subprocess.Popen(["/bin/sh", "-c", f"sleep {seconds}; true"], start_new_session=True)
    guard.add(group.pid)
print(guard.pid(), flush=True)
sys.stdin.read()
"""


def unique_seconds(number: int) -> str:
    """A sleep no other test runs: the shell's and the sleep's command lines carry it."""
    return f"4{os.getpid():07d}{number}"


def test_the_guard_kills_every_group_once_its_process_is_killed() -> None:
    markers = [unique_seconds(number) for number in range(2)]
    process = subprocess.Popen(
        [sys.executable, "-c", GUARDED, *markers],
        env=ENVIRONMENT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        guard = int(process.stdout.readline())
        for marker in markers:
            assert _both_run(marker), "the shell and its sleep never ran"
        process.kill()
        process.wait()
        for marker in markers:
            assert survivors(marker, DEADLINE) == {}
        assert _ends(guard), "the guard outlived its work"
    finally:
        for marker in markers:
            kill_marked(marker)
        process.kill()
        process.wait()


def test_a_group_removed_from_the_guard_is_left_alone() -> None:
    from runtime.group_guard import GroupGuard

    group = subprocess.Popen(["/bin/sh", "-c", f"sleep {unique_seconds(9)}; true"], start_new_session=True)
    guard = GroupGuard()
    try:
        guard.add(group.pid)
        guard.remove(group.pid)
        guard.close()  # as when its process exits: it kills what is still listed, here nothing
        assert group.poll() is None
    finally:
        os.killpg(group.pid, 9)
        group.wait()
        guard.close()


def test_a_group_still_listed_is_killed_when_the_guard_is_closed() -> None:
    from runtime.group_guard import GroupGuard

    marker = unique_seconds(8)
    group = subprocess.Popen(["/bin/sh", "-c", f"sleep {marker}; true"], start_new_session=True)
    guard = GroupGuard()
    try:
        guard.add(group.pid)
        guard.close()
        assert group.wait(DEADLINE) == -9
        assert survivors(marker, DEADLINE) == {}
    finally:
        kill_marked(marker)
        group.wait()


def _both_run(marker: str) -> bool:
    """Whether the shell and its sleep, both marked, run within DEADLINE, polled."""
    ends = time.monotonic() + DEADLINE
    while time.monotonic() < ends:
        programs = {command.split()[0] for command in marked_processes(marker).values()}
        if {"/bin/sh", "sleep"} <= programs:  # (the process that started them carries it too)
            return True
        time.sleep(POLL_INTERVAL)
    return False


def _ends(pid: int) -> bool:
    """Whether process ``pid`` ends (or is a zombie) within DEADLINE, polled."""
    ends = time.monotonic() + DEADLINE
    while time.monotonic() < ends:
        if _zombie(pid):
            return True
        time.sleep(POLL_INTERVAL)
    return False


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True
