"""Text a run shows the user: untrusted output made visible, failures laid out one per line.

What a service or a command wrote reaches the run's messages (a task's error ends with the last
lines of its output). That text is untrusted: an escape sequence in it (``\\x1b]0;...\\x07``,
``\\x1b[2J``) would retitle or clear the user's terminal, and a bidirectional override would make
one text read as another. ``visible`` writes every such character as an escape (``\\x1b``,
``\\u202e``), keeping only newline and tab, before anything reaches the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# C0 controls but tab and newline, DEL, C1 controls, and the invisible marks that reorder or hide
# text on a terminal (bidirectional embeddings, overrides and isolates, left/right marks).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

# How a failed task's error introduces the tail of what it wrote (the exec service and the local
# runner both say it); when nothing follows, the summary says so.
OUTPUT_TAIL = "last lines of its output:"
NO_OUTPUT = "(no output)"


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every control character but newline and tab written as an escape."""
    return _UNSAFE.sub(_escape, text)


def shown_lines(text: str) -> list[str]:
    """``text`` as lines to show: made visible (a ``\\r`` ending a line is the line's end, not
    shown), trailing blank lines dropped, and ``(no output)`` after an output tail that is empty."""
    lines = [visible(line[:-1] if line.endswith("\r") else line) for line in text.split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    shown: list[str] = []
    for index, line in enumerate(lines):
        shown.append(line)
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if line.rstrip().endswith(OUTPUT_TAIL) and not following.strip():
            shown.append("  " + NO_OUTPUT)
    return shown


def indented(text: str, first: str, rest: str) -> list[str]:
    """``text``'s shown lines, the first after ``first``, the others after ``rest``."""
    lines = shown_lines(text) or [""]
    return [first + lines[0], *(rest + line for line in lines[1:])]


def failure_listing(failures: Sequence[tuple[str, str]], limit: int) -> str:
    """The failed tasks, one per line (``task 'NAME': ERROR``, the lines of a long error indented
    under it), at most ``limit`` of them, then how many more there are."""
    lines: list[str] = []
    for name, error in failures[:limit]:
        lines += indented(error, f"  task {visible(repr(name))}: ", "    ")
    if len(failures) > limit:
        lines.append(f"  and {len(failures) - limit} more (state.yaml lists every task run)")
    return "\n".join(lines)
