"""Finding the processes of one test's run, and waiting for them to be gone (Linux: ``/proc``).

A test marks its run with a unique string in the environment of the process it starts (a directory
on ``PATH``, which the engine passes on to every service and the exec service to every command) or
in command lines; ``marked_processes`` finds every live process that carries it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

POLL_INTERVAL = 0.1


def _alive(entry: Path) -> bool:
    try:
        state = (entry / "stat").read_text().rsplit(")", 1)[-1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def marked_processes(marker: str) -> dict[int, str]:
    """Live processes (not zombies) whose environment or command line holds ``marker``: pid ->
    command line."""
    wanted = marker.encode()
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command_line = (entry / "cmdline").read_bytes()
            environment = (entry / "environ").read_bytes()
        except OSError:
            continue
        if (wanted in command_line or wanted in environment) and _alive(entry):
            found[int(entry.name)] = command_line.replace(b"\0", b" ").decode("utf-8", "replace").strip()
    return found


def wait_for_marked(marker: str, predicate: str, deadline: float) -> dict[int, str]:
    """Poll until a marked process's command line contains ``predicate``; the marked processes then
    (empty when none came within ``deadline`` seconds)."""
    ends = time.monotonic() + deadline
    while time.monotonic() < ends:
        found = marked_processes(marker)
        if any(predicate in command_line for command_line in found.values()):
            return found
        time.sleep(POLL_INTERVAL)
    return {}


def survivors(marker: str, deadline: float) -> dict[int, str]:
    """Poll until no marked process is left; those still alive after ``deadline`` seconds."""
    ends = time.monotonic() + deadline
    while True:
        found = marked_processes(marker)
        if not found or time.monotonic() >= ends:
            return found
        time.sleep(POLL_INTERVAL)


def kill_marked(marker: str) -> None:
    """Clean up after a failed test: SIGKILL every marked process."""
    for pid in marked_processes(marker):
        try:
            os.kill(pid, 9)
        except OSError:
            pass
