"""Progress of a build on the terminal (stderr): each phase with its elapsed time.

On a terminal a phase shows a spinner line that counts the seconds and is replaced by a check mark
when the phase ends; elsewhere (CI logs, pipes) each phase is one plain line when it ends, and a long
phase also announces itself when it starts. With ``verbose``, output of tools (PyInstaller) is passed
through line by line, so the spinner is turned off.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Iterator
from typing import TextIO

_SPINNER = "|/-\\"


class Progress:
    """Reports build phases to ``stream``; ``interactive`` defaults to whether it is a terminal."""

    def __init__(
        self, stream: TextIO | None = None, *, verbose: bool = False, interactive: bool | None = None
    ):
        self.stream = stream if stream is not None else sys.stderr
        self.verbose = verbose
        if interactive is None:
            interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interactive = interactive and not verbose
        self.started = time.monotonic()
        self._lock = threading.Lock()

    def note(self, text: str) -> None:
        """A line of information between phases."""
        with self._lock:
            self.stream.write(text + "\n")
            self.stream.flush()

    def echo(self, line: str) -> None:
        """A line of a tool's output (shown only with ``verbose``)."""
        if self.verbose:
            self.note("    " + line)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @contextlib.contextmanager
    def phase(self, title: str, *, long: bool = False) -> Iterator[None]:
        """Time the enclosed work as one phase called ``title``."""
        start = time.monotonic()
        stop = threading.Event()
        spinner = None
        if self.interactive:
            spinner = threading.Thread(target=self._spin, args=(title, start, stop), daemon=True)
            spinner.start()
        elif long:
            self.note(f"{title} ...")
        ok = False
        try:
            yield
            ok = True
        finally:
            stop.set()
            if spinner is not None:
                spinner.join()
            seconds = time.monotonic() - start
            mark = "ok" if ok else "failed"
            prefix = "\r\033[K" if self.interactive else ""
            with self._lock:
                self.stream.write(f"{prefix}{title}: {mark} ({seconds:.2f}s)\n")
                self.stream.flush()

    def _spin(self, title: str, start: float, stop: threading.Event) -> None:
        frame = 0
        # Redraw a few times a second until the phase ends: a display refresh, not a synchronisation.
        while not stop.wait(0.1):
            with self._lock:
                seconds = time.monotonic() - start
                self.stream.write(f"\r\033[K{_SPINNER[frame % len(_SPINNER)]} {title} ({seconds:.1f}s)")
                self.stream.flush()
            frame += 1
