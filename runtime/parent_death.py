"""Dying with the parent process: Linux's parent-death signal (``prctl(PR_SET_PDEATHSIG)``).

A process the user never sees must not outlive the one they do. The one-file binary's bootloader
starts the engine as its child; `oic run` starts the pipeline's interpreter; the engine starts the
services; the exec service starts commands. A SIGKILL of the parent leaves the child running unless
the child asked the kernel, beforehand, for a signal when its parent dies.

The signal fires when the *thread* that forked the child ends, not the whole process: callers fork
from long-lived threads (the main thread, or the engine's). Asking is racy by nature: the parent may
have died just before the call, and the kernel then sends nothing. So each caller passes the parent
it expects, and the child leaves at once when its parent is already another process.

Elsewhere than Linux nothing is done (``supported()`` is False); the clean stops remain.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def _load_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    # The process's own symbols include the C library's: no need for ``ctypes.util.find_library``,
    # which runs ``ldconfig -p`` in a child process to find it.
    for library in (None, "libc.so.6"):
        try:
            return ctypes.CDLL(library, use_errno=True).prctl  # type: ignore[no-any-return]
        except (OSError, AttributeError):
            continue
    try:
        return ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True).prctl  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


# Loaded once, in the parent: loading a library in a child between fork and exec is not safe.
_prctl = _load_prctl()


def supported() -> bool:
    """Whether this platform has a parent-death signal."""
    return _prctl is not None


def die_with_parent(parent_pid: int, signal_number: int) -> Callable[[], None] | None:
    """The code to run in a child between fork and exec (``preexec_fn``) so that it gets
    ``signal_number`` when the forking thread of ``parent_pid`` dies (None where the platform cannot)."""
    if _prctl is None:
        return None
    prctl = _prctl

    def in_child() -> None:
        prctl(_PR_SET_PDEATHSIG, signal_number, 0, 0, 0)
        if os.getppid() != parent_pid:  # the parent died before the call above: nobody would signal
            os._exit(1)

    return in_child


def follow_parent(parent_pid: int, signal_number: int) -> bool:
    """Ask for ``signal_number`` when this process's parent dies, where the platform can (True when
    asked). The parent is expected to be ``parent_pid``: when it is already gone, this process exits
    at once with status 1, as the signal would have ended it."""
    if _prctl is None:
        return False
    if _prctl(_PR_SET_PDEATHSIG, signal_number, 0, 0, 0) != 0:
        return False
    if os.getppid() != parent_pid:
        os._exit(1)
    return True


def parent_is_gone(parent_pid: int) -> bool:
    """Whether the parent this process started with (``parent_pid``) has died since."""
    return os.getppid() != parent_pid
