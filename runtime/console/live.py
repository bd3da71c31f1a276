"""The live renderer: on a terminal, the task runs going on in a region at the bottom, redrawn in
place, with each finished run scrolling above it (as cargo and docker buildx show a build).

::

    ok        fetch 1.02s
    failed    lint 0.31s: command exited with code 1; last lines of its output:
      ⠹ build  (shell.command)  4.2s
      ⠹ test   (shell.command)  2.9s
      [  5.3s] 2 running, 2 done

The engine's thread only queues the event (it must never wait on the terminal); a drawing thread
takes the queue as soon as something is in it, and at least every ``INTERVAL`` seconds to move the
clocks on. Every line of the region is cut to the terminal's width (a wrapped line would break the
cursor arithmetic that erases the region), the region holds at most the terminal's height less two
lines, and the cursor is hidden while it is drawn and shown again at the end of the run, on
Ctrl-C (the engine turns it into the end of the run) and, should the program die another way, by an
exit handler.

Only ANSI sequences every terminal emulator knows: ``CSI n A`` (cursor up), ``CSI J`` (erase
below), ``CSI ?25l``/``CSI ?25h`` (hide/show the cursor), ``\\r``.
"""

from __future__ import annotations

import atexit
import datetime
import threading
import time
from collections import deque
from typing import NamedTuple, TextIO

from runtime.console.plain import finished_text, retried_text
from runtime.console.style import (
    CYAN,
    DIM,
    RED,
    WORD_WIDTH,
    WORDS,
    YELLOW,
    Palette,
    duration_text,
    fit,
    task_label,
    terminal_height,
    terminal_width,
)
from runtime.console.summary import summary_lines
from runtime.observer import (
    RunEnded,
    RunEvent,
    RunStarted,
    RunWarning,
    TaskFinished,
    TaskRetried,
    TaskStarted,
)
from runtime.shown_text import visible

INTERVAL = 0.1  # seconds between redraws while tasks run (the clocks show tenths)
HIDE_CURSOR = "\x1b[?25l"
SHOW_CURSOR = "\x1b[?25h"
ERASE_BELOW = "\x1b[J"
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
ASCII_SPINNER = "|/-\\"


class _Running(NamedTuple):
    label: str
    where: str
    began: float  # monotonic


class LiveRenderer:
    """Draws the run on a terminal ``stream`` (see the module's docstring)."""

    def __init__(self, stream: TextIO, palette: Palette) -> None:
        self._stream = stream
        self._palette = palette
        self._queue: deque[RunEvent] = deque()
        self._wake = threading.Event()
        self._done = threading.Event()
        self._running: dict[str, _Running] = {}
        self._finished = 0
        self._region = 0  # lines of the region on the screen now (the cursor ends its last one)
        self._began = time.monotonic()
        self._cursor_hidden = False
        self._broken = False
        self._frame = 0
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "")
        self._spinner = SPINNER if encoding == "utf8" else ASCII_SPINNER
        self._thread: threading.Thread | None = None
        self._drawing = threading.Lock()  # one writer at a time: the drawing thread, the end, exit

    # -- the engine's side: queue and return ------------------------------------------------------

    def event(self, event: RunEvent) -> None:
        if isinstance(event, RunEnded):
            self._end(event)
            return
        if isinstance(event, RunStarted):
            self._start(event.at)
        self._queue.append(event)
        self._wake.set()

    def _start(self, at: datetime.datetime) -> None:
        elapsed = (datetime.datetime.now(datetime.timezone.utc) - at).total_seconds()
        self._began = time.monotonic() - max(0.0, elapsed)
        if self._thread is None:
            self._cursor_hidden = True
            atexit.register(self._restore_cursor)
            self._thread = threading.Thread(target=self._draw_loop, name="oi-console", daemon=True)
            self._thread.start()

    def _end(self, ended: RunEnded) -> None:
        """Stop the drawing thread, draw what is left, erase the region, print the summary."""
        self._done.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._drawing:
            self._running.clear()
            self._drain()
            lines = summary_lines(ended, self._palette)
            self._write(self._erase() + "\n".join(lines) + "\n" + self._show_cursor())
        atexit.unregister(self._restore_cursor)

    # -- the drawing thread -----------------------------------------------------------------------

    def _draw_loop(self) -> None:
        self._write(HIDE_CURSOR)
        while not self._done.is_set():
            self._wake.wait(INTERVAL)
            self._wake.clear()
            with self._drawing:
                if self._done.is_set():
                    return
                self._frame += 1
                self._drain()

    def _drain(self) -> None:
        """Print the lines of the queued events above the region and draw the region again."""
        above: list[str] = []
        width = terminal_width(self._stream) - 1
        while self._queue:
            event = self._queue.popleft()
            if isinstance(event, TaskStarted):
                where = visible(f"{event.service}.{event.endpoint}")
                began = time.monotonic() - _age(event.at)
                self._running[event.id] = _Running(task_label(event.name, event.run), where, began)
            elif isinstance(event, TaskFinished):
                self._running.pop(event.id, None)
                self._finished += 1
                text = fit(finished_text(event, Palette(False)), width)
                colour = WORDS.get(event.ended, ("", RED))[1]
                above.append(self._palette.paint(text[:WORD_WIDTH], colour) + text[WORD_WIDTH:])
            elif isinstance(event, TaskRetried):
                text = fit(" " * (WORD_WIDTH + 1) + retried_text(event), width)
                above.append(self._palette.paint("retry", YELLOW) + text[5:])
            elif isinstance(event, RunWarning):
                # A warning is shown whole: it is rare, and says what to change.
                above.append(self._palette.paint("warning", YELLOW) + "   " + visible(event.message))
        text = self._erase() + "".join(line + "\n" for line in above)
        region = self._region_lines()
        self._region = len(region)
        self._write(text + "\n".join(region))

    def _region_lines(self) -> list[str]:
        if self._done.is_set():
            return []
        width = terminal_width(self._stream) - 1  # never the last column: no wrap, ever
        slots = max(3, terminal_height(self._stream) - 2) - 1  # the status line takes one
        now = time.monotonic()
        spin = self._spinner[self._frame % len(self._spinner)]
        runs = sorted(self._running.values(), key=lambda run: run.began)
        shown = runs if len(runs) <= slots else runs[: slots - 1]
        lines = []
        name_width = max((len(run.label) for run in shown), default=0)
        for run in shown:
            text = f"{run.label.ljust(name_width)}  ({run.where})  {duration_text(now - run.began)}"
            lines.append(self._palette.paint(f"  {spin} ", CYAN) + fit(text, width - 4))
        if len(shown) < len(runs):
            lines.append(fit(f"    and {len(runs) - len(shown)} more running", width))
        if runs or self._finished:
            status = f"  [{duration_text(now - self._began)}] {len(runs)} running, {self._finished} done"
        else:
            status = f"  [{duration_text(now - self._began)}] starting the services"
        lines.append(self._palette.paint(fit(status, width), DIM))
        return lines

    def _erase(self) -> str:
        """Go back to the first line of the region and erase from there down."""
        if self._region == 0:
            return ""
        up = f"\x1b[{self._region - 1}A" if self._region > 1 else ""
        self._region = 0
        return "\r" + up + ERASE_BELOW

    def _show_cursor(self) -> str:
        if not self._cursor_hidden:
            return ""
        self._cursor_hidden = False
        return SHOW_CURSOR

    def _restore_cursor(self) -> None:
        """At exit, if the run's end was never drawn: leave the terminal with its cursor shown."""
        self._done.set()
        if self._drawing.acquire(timeout=1):
            try:
                self._write(self._erase() + self._show_cursor())
            finally:
                self._drawing.release()

    def _write(self, text: str) -> None:
        if self._broken or not text:
            return
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):
            self._broken = True  # the terminal went away: the run goes on


def _age(at: datetime.datetime) -> float:
    return max(0.0, (datetime.datetime.now(datetime.timezone.utc) - at).total_seconds())
