"""How the console shows things: colours (only on a terminal, never with ``NO_COLOR``), durations,
task labels, status words, and lines cut to the terminal's width.

Colour is plain ANSI SGR codes: eight colours and dim are all the console needs, and writing them
costs no import (see ``runtime/console/__init__.py`` for why there is no terminal library).
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping
from typing import NamedTuple, TextIO

from runtime.observer import ENDED_CANCELLED, ENDED_FAILED, ENDED_SKIPPED, ENDED_SUCCEEDED, ENDED_TIMED_OUT
from runtime.shown_text import NO_OUTPUT, OUTPUT_TAIL, visible

GREEN = "32"
RED = "31"
YELLOW = "33"
CYAN = "36"
BOLD = "1"
DIM = "2"

# The word a line starts with for each way a task run ends, and its colour. Words are padded to
# WORD_WIDTH so that names line up.
WORDS = {
    ENDED_SUCCEEDED: ("ok", GREEN),
    ENDED_FAILED: ("failed", RED),
    ENDED_TIMED_OUT: ("timed out", RED),
    ENDED_CANCELLED: ("cancelled", YELLOW),
    ENDED_SKIPPED: ("skipped", DIM),
}
WORD_WIDTH = 9
# The colour of a run's status word in the summary's first line.
STATUS_COLOURS = {"succeeded": GREEN, "failed": RED, "timed-out": RED, "cancelled": YELLOW}


class Palette(NamedTuple):
    """Paints text with ANSI colours, or leaves it alone when colour is off."""

    enabled: bool

    def paint(self, text: str, *codes: str) -> str:
        if not self.enabled or not codes or not text:
            return text
        return f"\x1b[{';'.join(codes)}m{text}\x1b[0m"


def wants_colour(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set to anything but "" (no-color.org)
    or the terminal says it is dumb."""
    if environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    return is_terminal(stream)


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):  # a closed or unusual stream is no terminal
        return False


def terminal_width(stream: TextIO, default: int = 80) -> int:
    try:
        return max(20, os.get_terminal_size(stream.fileno()).columns)
    except (AttributeError, ValueError, OSError):
        return default


def terminal_height(stream: TextIO, default: int = 24) -> int:
    try:
        return max(5, os.get_terminal_size(stream.fileno()).lines)
    except (AttributeError, ValueError, OSError):
        return default


def duration_text(seconds: float | None) -> str:
    """``0.02s``, ``3.21s``, ``42.1s``, ``3m07s``, ``2h05m`` (``-`` when not known)."""
    if seconds is None:
        return "-"
    if seconds < 10:
        return f"{seconds:.2f}s"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def task_label(name: str, run: int) -> str:
    """A task run as lines name it: its name made visible, ``#N`` after it from its second run on."""
    shown = visible(name).replace("\n", "\\n").replace("\t", " ")
    return f"{shown} #{run}" if run > 1 else shown


def word(ended: str, palette: Palette) -> str:
    text, colour = WORDS.get(ended, (ended, RED))
    return palette.paint(text.ljust(WORD_WIDTH), colour)


def headline(error: str) -> str:
    """An error in one line, made visible: its first line, but for an error that ends with the tail
    of a command's output (``...; last lines of its output:`` then ``  | ...`` lines), the line
    before the tail and the tail's last line, which usually says what went wrong."""
    first, _, rest = error.partition("\n")
    first = first.rstrip("\r")
    if not first.rstrip().endswith(OUTPUT_TAIL):
        return visible(first)
    head = first.rstrip()[: -len(OUTPUT_TAIL)].rstrip().rstrip(";,").rstrip()
    tail = [line.strip().removeprefix("|").strip() for line in rest.split("\n") if line.strip()]
    return visible(f"{head}; last line: {tail[-1]}" if tail else f"{head} {NO_OUTPUT}")


def cells(character: str) -> int:
    """Columns a character takes on a terminal (wide East Asian characters take two)."""
    if unicodedata.combining(character):
        return 0
    return 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1


def fit(text: str, width: int) -> str:
    """``text`` (no escape sequences in it) cut to ``width`` columns, ending in ``…`` when cut."""
    if width <= 0:
        return ""
    if len(text) <= width and all(ord(character) < 0x1100 for character in text):
        return text
    used = 0
    for index, character in enumerate(text):
        size = cells(character)
        if used + size > width - 1:
            rest = sum(cells(c) for c in text[index:])
            if used + rest <= width:
                return text
            return text[:index] + "…"
        used += size
    return text
