"""The plain renderer: one line per task run's start and end, for logs, pipes and CI.

Each line starts with the time since the run began, ``[   1.234s]``: a CI system adds its own clock
to each line, and elapsed time reads the same on every machine and in every time zone (the absolute
times are in ``state.yaml`` and ``logs/log``). Then a word (``start``, ``ok``, ``failed``,
``timed out``, ``retry``, ``warning``), the task run (``name``, ``name #2`` from a reusable task's
second run on), and on its end its duration and the first line of its error; the summary at the
end has the errors whole.

Lines are written as the events come, under a lock (retries come from the workers' threads). A
stream that cannot be written to any more (a closed pipe) ends the output, not the run.
"""

from __future__ import annotations

import datetime
import threading
from typing import TextIO

from runtime.console.style import (
    CYAN,
    DIM,
    WORD_WIDTH,
    YELLOW,
    Palette,
    duration_text,
    headline,
    task_label,
    word,
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


class PlainRenderer:
    """Writes each event as a line to ``stream`` and the summary at the end. ``quiet``: only
    warnings, and the summary of a run that did not succeed."""

    def __init__(self, stream: TextIO, palette: Palette, *, quiet: bool = False) -> None:
        self._stream = stream
        self._palette = palette
        self._quiet = quiet
        self._lock = threading.Lock()
        self._began: datetime.datetime | None = None
        self._broken = False

    def event(self, event: RunEvent) -> None:
        if isinstance(event, RunStarted):
            self._began = event.at
        elif isinstance(event, RunEnded):
            if not self._quiet or not event.result.succeeded:
                self._write(summary_lines(event, self._palette))
        elif isinstance(event, RunWarning):
            self._write([self._line(None, "warning", YELLOW, visible(event.message))])
        elif self._quiet:
            return
        elif isinstance(event, TaskStarted):
            label = task_label(event.name, event.run)
            where = visible(f"{event.service}.{event.endpoint}")
            self._write([self._line(event.at, "start", CYAN, f"{label} ({where})")])
        elif isinstance(event, TaskFinished):
            self._write([self._stamp(event.at) + " " + finished_text(event, self._palette)])
        elif isinstance(event, TaskRetried):
            self._write([self._line(None, "retry", YELLOW, retried_text(event))])

    def _line(self, at: datetime.datetime | None, what: str, colour: str, text: str) -> str:
        return f"{self._stamp(at)} {self._palette.paint(what.ljust(WORD_WIDTH), colour)} {text}"

    def _stamp(self, at: datetime.datetime | None) -> str:
        moment = at or datetime.datetime.now(datetime.timezone.utc)
        elapsed = (moment - self._began).total_seconds() if self._began is not None else 0.0
        return self._palette.paint(f"[{max(0.0, elapsed):8.3f}s]", DIM)

    def _write(self, lines: list[str]) -> None:
        with self._lock:
            if self._broken:
                return
            try:
                self._stream.write("\n".join(lines) + "\n")
                self._stream.flush()
            except (OSError, ValueError):
                self._broken = True  # a closed or broken terminal or pipe: the run goes on


def finished_text(event: TaskFinished, palette: Palette) -> str:
    """``ok        greet 0.02s``, ``failed    build 1.20s: command exited with code 2; ...``."""
    text = f"{word(event.ended, palette)} {task_label(event.name, event.run)} {duration_text(event.duration)}"
    if event.error:
        text += f": {headline(event.error)}"
    return text


def retried_text(event: TaskRetried) -> str:
    return (
        f"{task_label(event.name, event.run)}: attempt {event.attempt} of {event.attempts} failed: "
        f"{headline(event.error)}; next attempt in {event.backoff:g}s"
    )
