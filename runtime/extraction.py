"""Temporary directories of killed runs, removed by a later start: a one-file binary's extraction
directory, and the directory `oic run` writes the pipeline's module to.

A one-file binary unpacks itself into ``$TMPDIR/_MEIxxxxxx`` (about 55 MB) and its bootloader removes
that directory when the run ends. When the bootloader is killed, the engine removes it as it exits
(``runtime.launcher``); when both are killed at once (a SIGKILL of the whole process group), nobody
does. So each run writes, into its own directory, who uses it (``OWNER_FILE``: the process ids of
the bootloader and the engine, with their start times, so that a reused process id is not taken
for its former owner), and each start removes the directories of other runs whose users are all
gone. A directory without that file (another program's, or one being unpacked) is never touched.

`oic run` does the same for its ``oic-run-*`` directories (``RUN_PREFIX``), which it claims for
itself and the child that runs the pipeline: both killed at once, neither removes it.

Only directories of the user who runs are touched (a shared ``/tmp`` holds other users' too).

A directory is first renamed (``STALE_PREFIX``, at once), then removed (on a thread of its own, while
the run goes on): a removal cut short by the end of the run leaves a name no run uses, which the
next start removes.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

OWNER_FILE = "oi-owner"
STALE_PREFIX = "oi-stale-extraction-"
EXTRACTION_PREFIX = "_MEI"
RUN_PREFIX = "oic-run-"


def claim(directory: str, pids: list[int]) -> None:
    """Record in ``directory`` that the processes ``pids`` use it (best effort)."""
    lines = "".join(f"{pid} {_start_time(pid)}\n" for pid in pids)
    try:
        with open(os.path.join(directory, OWNER_FILE), "w", encoding="ascii") as owner:
            owner.write(lines)
    except OSError:
        pass


def set_aside(parent: str, own: str, prefix: str = EXTRACTION_PREFIX) -> list[str]:
    """Rename the directories named ``prefix...`` under ``parent`` (other than ``own``) whose users
    are all gone; the paths of every such directory set aside, these and those earlier starts left,
    to ``remove``. Quick (a directory listing and a few small files): done before the run starts."""
    stale: list[str] = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return stale
    for entry in entries:
        # Only this kind's: a start of `oic run` must not spend its time removing a binary's 55 MB.
        if not entry.name.startswith((STALE_PREFIX + prefix, prefix)) or entry.path == own:
            continue  # most of a temporary directory: not even looked at
        if not entry.is_dir(follow_symlinks=False) or not _ours(entry):
            continue
        if entry.name.startswith(STALE_PREFIX):
            stale.append(entry.path)
        elif _abandoned(entry.path):
            aside = os.path.join(parent, STALE_PREFIX + entry.name)
            try:
                os.rename(entry.path, aside)
            except OSError:  # another start took it first
                continue
            stale.append(aside)
    return stale


def remove(paths: list[str]) -> None:
    """Remove the directories ``set_aside`` returned (slow: tens of megabytes each)."""
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def _ours(entry: os.DirEntry[str]) -> bool:
    """Whether the directory belongs to the user who runs (always, where there are no user ids)."""
    if not hasattr(os, "getuid"):
        return True
    try:
        return entry.stat(follow_symlinks=False).st_uid == os.getuid()
    except OSError:
        return False


def _abandoned(directory: str) -> bool:
    try:
        text = Path(directory, OWNER_FILE).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return False  # not a run's directory, or one still being unpacked
    owners = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) != 2 or not fields[0].isdigit():
            return False
        owners.append((int(fields[0]), fields[1]))
    return bool(owners) and not any(_alive(pid, started) for pid, started in owners)


def _alive(pid: int, started: str) -> bool:
    """Whether process ``pid``, started at ``started``, still runs (a zombie does not: it only waits
    to be reaped, which an init process may take its time to do)."""
    fields = _stat_fields(pid)
    if fields is None:
        if os.path.exists("/proc/self/stat"):
            return False  # /proc tells, and there is no such process
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # someone else's process: it exists
        return True
    if fields[0] in ("Z", "X"):
        return False
    # A process with that number runs: the same one only if it started at the recorded time.
    return started == "-" or _start_time(pid) == started


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` after the command name (the state first); None without one."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _start_time(pid: int) -> str:
    """When process ``pid`` started (clock ticks since boot, Linux), "-" where unknown."""
    fields = _stat_fields(pid)
    # The fields after the command name start at the state (field 3): the start time is field 22.
    return fields[19] if fields is not None and len(fields) > 19 else "-"
