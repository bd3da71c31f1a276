"""Signals that reach the code waiting for them, whichever thread the kernel interrupts.

The kernel delivers a process-wide signal such as SIGTERM to any thread that does not block it. In a
process with other threads (gRPC's, the engine's workers) that is often not the main thread: CPython's
C-level handler then only flags the signal, and the Python handler runs the next time the main thread
executes Python code. A main thread blocked in a lock, an ``Event.wait()`` or a queue's ``get()``
never does, so the signal is lost until something else wakes it.

A wakeup descriptor (``signal.set_wakeup_fd``) gets one byte per signal from the C-level handler on
whatever thread it runs. ``SignalWatch`` reads that descriptor on a thread of its own and calls
``on_signal(number)`` there at once. Only the main thread may install it (as for any handler).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Collection
from types import FrameType
from typing import Any

PythonHandler = Callable[[int, "FrameType | None"], Any]


class SignalWatch:
    """Calls ``on_signal(number)`` on a watcher thread for every signal in ``numbers``.

    ``main_thread_handler`` (optional) still runs on the main thread as a usual Python handler, for
    the rare code that must interrupt the main thread itself (raise there); it must not repeat what
    ``on_signal`` does. Without one, the signals' Python handler does nothing: they are only watched.
    """

    def __init__(
        self,
        numbers: Collection[int],
        on_signal: Callable[[int], None],
        main_thread_handler: PythonHandler | None = None,
    ) -> None:
        self._numbers = frozenset(numbers)
        self._on_signal = on_signal
        self._main_thread_handler = main_thread_handler
        self._previous_handlers: dict[int, Any] = {}
        self._previous_wakeup = -1
        self._write_end = -1
        self.installed = False

    def install(self) -> bool:
        """Start watching; False (and nothing done) when not on the main thread."""
        if threading.current_thread() is not threading.main_thread():
            return False
        read_end, write_end = os.pipe()
        os.set_blocking(write_end, False)  # required by set_wakeup_fd: a handler must never block
        self._write_end = write_end
        self._previous_wakeup = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
        handler = self._main_thread_handler or _ignore
        for number in self._numbers:
            self._previous_handlers[number] = signal.signal(number, handler)
        threading.Thread(target=self._watch, args=(read_end,), name="oi-signals", daemon=True).start()
        self.installed = True
        return True

    def close(self) -> None:
        """Stop watching and put back the handlers and wakeup descriptor found at ``install``."""
        if not self.installed:
            return
        self.installed = False
        for number, handler in self._previous_handlers.items():
            signal.signal(number, handler)
        self._previous_handlers.clear()
        signal.set_wakeup_fd(self._previous_wakeup)
        os.close(self._write_end)  # the watcher reads the end of file and leaves
        self._write_end = -1

    def _watch(self, read_end: int) -> None:
        try:
            while True:
                try:
                    received = os.read(read_end, 64)
                except InterruptedError:
                    continue
                if not received:
                    return
                for number in received:
                    if number in self._numbers:
                        self._on_signal(number)
        finally:
            os.close(read_end)


def _ignore(_number: int, _frame: FrameType | None) -> None:
    """The Python-level handler of a watched signal: the watcher thread does the work."""
