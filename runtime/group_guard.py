"""Process groups that die with the process that started them, however it dies.

A process started in a session of its own can start children of its own: a shell wrapper that does
not ``exec`` its service, a ``sh -c`` command that runs ``sleep``. Its parent-death signal
(``runtime.parent_death``) kills only that first process; the children it left stay alive,
re-parented to init. On a clean stop the starter kills the whole group; after a SIGKILL it can do
nothing.

A ``GroupGuard`` is a tiny shell, started once per starter in a session of its own, that reads
lines on a pipe: ``+PGID`` when a group starts, ``-PGID`` when it has ended and was reaped (its
number may then be reused). The starter alone holds the pipe's write end (it is not inherited), so the
pipe reaches end of file when the starter exits, whatever the cause: the guard then SIGKILLs every
group still listed, and exits. It ignores SIGINT, SIGTERM and SIGHUP, which reach the starter's
terminal or group, and is never signalled by anyone: it always ends at that end of file.

POSIX only (``/bin/sh``, process groups); elsewhere ``start`` does nothing and the starter's own
stop is all there is.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading

_SHELL = "/bin/sh"
# Groups are kept as " 12 34 " so that one is removed by a pattern match, without another process.
_GUARD_SCRIPT = """
trap '' INT TERM HUP
groups=' '
while read -r line; do
  case $line in
    +*) groups="$groups${line#+} " ;;
    -*) kept=' '
        for group in $groups; do
          [ "$group" = "${line#-}" ] || kept="$kept$group "
        done
        groups=$kept ;;
  esac
done
for group in $groups; do
  kill -9 "-$group" 2>/dev/null
done
"""


class GroupGuard:
    """Kills the registered process groups when this process dies (see the module docstring).

    Thread-safe. ``add`` starts the guard on first use; ``close`` ends it after a clean stop (the
    groups still listed are killed then too, which a clean stop has already done)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._write_end = -1
        self._failed = False

    def add(self, group: int) -> None:
        """Kill the process group ``group`` if this process dies before ``remove(group)``."""
        self._send(f"+{group}\n", start=True)

    def remove(self, group: int) -> None:
        """``group`` has ended and was reaped: its number may be reused, so forget it."""
        self._send(f"-{group}\n", start=False)

    def close(self) -> None:
        """End the guard (it kills what is still listed, then exits) and wait for it."""
        with self._lock:
            process, self._process = self._process, None
            if self._write_end >= 0:
                os.close(self._write_end)
                self._write_end = -1
        if process is not None:
            process.wait()

    def pid(self) -> int | None:
        """The guard's process id, once started (for tests)."""
        with self._lock:
            return None if self._process is None else self._process.pid

    def _send(self, line: str, *, start: bool) -> None:
        with self._lock:
            if self._write_end < 0 and (not start or not self._start()):
                return
            try:
                os.write(self._write_end, line.encode("ascii"))
            except OSError:  # the guard died: nothing more it can do for us
                os.close(self._write_end)
                self._write_end = -1

    def _start(self) -> bool:
        """Start the guard, with the lock held; False where it cannot run."""
        if self._failed or sys.platform == "win32" or not os.path.exists(_SHELL):
            return False
        read_end, write_end = os.pipe()  # neither end is inherited by anything else this process starts
        try:
            self._process = subprocess.Popen(
                [_SHELL, "-c", _GUARD_SCRIPT],
                stdin=read_end,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={"PATH": os.defpath},
                start_new_session=True,  # out of the groups it guards, and of the terminal's
                close_fds=True,
            )
        except OSError:
            os.close(write_end)
            self._failed = True
            return False
        finally:
            os.close(read_end)
        self._write_end = write_end
        return True
