"""Runs that do not mix: each run's files in a directory of its own, a ``latest`` link, retention.

In the flat layout (the default, the original's) every run writes to ``DIR/logs``: ``state.yaml``
and ``history.yaml`` are replaced by the next run, while ``log``, ``tasks/`` and ``services/`` gather
the lines and files of every run. With separate runs, a run writes the same files to
``DIR/runs/<UTC start time>-<run id>/`` instead (``20260105T091402.118250Z-4b1f0c9a2e7d4c11``: the
names sort by start time), and ``DIR/runs/latest`` is a relative symbolic link to the newest run's
directory, replaced atomically as a run starts (a reader never finds it missing).

Retention (``keep``): as a run starts, the oldest run directories beyond the ``keep`` newest (the
new one included) are removed; only names of this module's shape are touched. A run that is still
going on is never removed: each run holds a shared ``flock`` on its ``log`` while it goes on (the
kernel drops it when the process ends, however it ends), and a directory whose ``log`` cannot be
locked exclusively is left alone.
"""

from __future__ import annotations

import fcntl
import os
import re
import time

from runtime.file_modes import open_private, private_directory

RUNS = "runs"
LATEST = "latest"
LOG = "log"  # the engine's log: the file a run holds its lock on
_NAME = re.compile(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{16}\Z")


def run_directory(base: str, run_id: str, started: float) -> str:
    """Where the run ``run_id`` started at ``started`` (seconds since the epoch) writes its files."""
    # To the microsecond: runs started one after the other sort in the order they started.
    second = int(started)
    micro = min(999_999, int((started - second) * 1_000_000))
    stamp = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime(second))}.{micro:06d}Z"
    return os.path.join(os.path.abspath(base), RUNS, f"{stamp}-{run_id}")


def begin_run(directory: str, keep: int | None) -> int:
    """Make the run's ``directory`` (0700), hold its lock, point ``latest`` at it, and remove the
    runs beyond the ``keep`` newest (None: keep all). Returns the descriptor that holds the lock:
    close it when the run is over."""
    runs = os.path.dirname(directory)
    private_directory(runs)
    private_directory(directory)
    lock = open_private(os.path.join(directory, LOG), os.O_WRONLY | os.O_APPEND)
    fcntl.flock(lock, fcntl.LOCK_SH)
    _point_latest(runs, os.path.basename(directory))
    if keep is not None:
        prune(runs, keep, os.path.basename(directory))
    return lock


def _point_latest(runs: str, name: str) -> None:
    temporary = os.path.join(runs, f".{LATEST}-{name}")
    try:
        os.unlink(temporary)
    except FileNotFoundError:
        pass
    os.symlink(name, temporary)
    os.replace(temporary, os.path.join(runs, LATEST))


def prune(runs: str, keep: int, current: str) -> list[str]:
    """Remove the oldest finished run directories beyond the ``keep`` newest (``current`` counts,
    and stays); returns the names removed."""
    import shutil  # only retention needs it, and it costs the engine's start-up a few ms

    older = sorted((name for name in os.listdir(runs) if _NAME.match(name) and name != current), reverse=True)
    removed = []
    for name in older[max(0, keep - 1) :]:
        path = os.path.join(runs, name)
        if _in_use(path):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(name)
    return removed


def _in_use(directory: str) -> bool:
    """Whether a run still holds the lock on the directory's ``log``."""
    try:
        descriptor = os.open(os.path.join(directory, LOG), os.O_RDONLY)
    except OSError:
        return False  # no log: nothing ever ran there, or it is half removed
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(descriptor)  # closing drops the lock just taken
    return False
