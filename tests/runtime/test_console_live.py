"""What a run shows on a terminal: `oic run` with its stderr on a pseudo-terminal, the bytes it
wrote replayed through a terminal emulator (pyte) to read the screen they leave.

The live region must be gone at the end (the screen holds the finished lines and the summary only),
no line of the region may be wider than the terminal (a wrapped line breaks the erasing), the cursor
is shown again at the end, also after Ctrl-C, and colour follows the terminal and ``NO_COLOR``.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
import unicodedata
from pathlib import Path

import pyte

from runtime.console.live import SPINNER

COLUMNS, ROWS = 160, 40  # wide enough for the logs' path in one line
DURATION = re.compile(r"\b\d+\.\d\ds\b")
SGR = re.compile(r"\x1b\[[0-9;]*m")
LONG = "fetch-" + "-".join(["with-a-name-too-long-for-the-terminal"] * 5)

SHAPES = f"""pipeline "shapes" {{}}
service shell = catalog "exec"
on engine.started {{
  task "{LONG}" = shell.command(Command: "sleep 0.5")
  task "lint" = shell.command(Command: "exit 4")
}}
on task("{LONG}").finished(success) {{
  task "build" = shell.command(Command: "echo built")
}}
"""

CALM = """pipeline "calm" {}
service shell = catalog "exec"
on engine.started {
  task "only" = shell.command(Command: "sleep 0.3")
}
"""

SLEEPY = """pipeline "sleepy" {}
service shell = catalog "exec"
on engine.started {
  task "sleeper" = shell.command(Command: "sleep 30")
}
"""


def run_on_terminal(
    tmp_path: Path, source: str, *arguments: str, no_color: str = "", interrupt_on: bytes = b""
) -> tuple[int, bytes]:
    """Run ``oic run`` with stderr on a pseudo-terminal of COLUMNS x ROWS; what it wrote there.
    With ``interrupt_on``, `oic` gets SIGINT (as from Ctrl-C) once those bytes were written."""
    (tmp_path / "pipeline.oi").write_text(source, encoding="utf-8")
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    environment = {**os.environ, "TERM": "xterm-256color", "NO_COLOR": no_color}
    child = subprocess.Popen(
        [sys.executable, "-m", "oic", "run", "pipeline.oi", "--", "--logs-dir", str(tmp_path), *arguments],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=slave,
        env=environment,
    )
    os.close(slave)
    written = b""
    deadline = time.monotonic() + 120
    interrupted = not interrupt_on
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                if child.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: every writer of the terminal is gone
                break
            if not chunk:
                break
            written += chunk
            if not interrupted and interrupt_on in written:
                child.send_signal(signal.SIGINT)
                interrupted = True
        return child.wait(timeout=60), written
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(master)


def screen_of(written: bytes) -> pyte.Screen:
    screen = pyte.Screen(COLUMNS, ROWS)
    pyte.ByteStream(screen).feed(written)
    return screen


def shown(screen: pyte.Screen) -> list[str]:
    """The screen's lines, trailing blanks dropped and durations written as ``D``."""
    lines = [DURATION.sub("D", line.rstrip()) for line in screen.display]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def region_lines(written: bytes) -> list[str]:
    """The lines of the live region as drawn (each one between cursor moves), colour taken out."""
    text = SGR.sub("", written.decode("utf-8"))
    pieces = re.split(r"\r\n|\r|\n|\x1b\[\d*A|\x1b\[J|\x1b\[\?25[lh]", text)
    return [piece for piece in pieces if piece[2:3] in SPINNER and piece.startswith("  ")]


def test_the_live_region_leaves_the_finished_lines_and_the_summary(tmp_path: Path) -> None:
    status, written = run_on_terminal(tmp_path, SHAPES)
    assert status == 3, written
    screen = screen_of(written)
    cut = LONG[: COLUMNS - 1 - len("ok        ") - 1] + "…"  # the line fits the width, cut name and all
    lines = shown(screen)
    # The summary is ordinary output: its long line wraps.
    at = next(index for index, line in enumerate(lines) if line.startswith("  slowest chain"))
    wrapped = DURATION.sub("D", screen.display[at] + screen.display[at + 1].rstrip())
    assert wrapped == f"  slowest chain D: {LONG} D > build D"
    assert lines[:at] + lines[at + 2 :] == [
        "failed    lint D: command exited with code 4 (it wrote nothing)",
        f"ok        {cut}",
        "ok        build D",
        "shapes: failed: 1 task(s) failed",
        "  failed    lint D: command exited with code 4 (it wrote nothing)",
        "      (no output)",
        "  3 task runs: 2 succeeded, 1 failed; the run took D",
        f"  logs: {tmp_path / 'logs'}",
        f"  report: {tmp_path / 'logs' / 'report.html'}",
    ]
    # The region was drawn with the long task (it runs for half a second: several redraws; the
    # quick ones may start and end between two), cut to the terminal's width like every line of it.
    drawn = region_lines(written)
    assert any(line.startswith(f"  {line[2]} fetch-with-a-name") and line.endswith("…") for line in drawn)
    assert all(width(line) <= COLUMNS - 1 for line in drawn), drawn
    # Hidden while drawn, shown at the end.
    assert b"\x1b[?25l" in written and written.rindex(b"\x1b[?25h") > written.rindex(b"\x1b[?25l")
    assert not screen.cursor.hidden
    # Colours: the status words, on the screen.
    row = next(index for index, line in enumerate(screen.display) if line.startswith("ok        build"))
    assert screen.buffer[row][0].fg == "green"
    assert screen.buffer[0][0].fg == "red"


def test_no_color_keeps_the_live_region_without_colour(tmp_path: Path) -> None:
    status, written = run_on_terminal(tmp_path, CALM, no_color="1")
    assert status == 0, written
    assert not SGR.search(written.decode("utf-8"))
    assert b"\x1b[J" in written  # live all the same
    assert shown(screen_of(written)) == [
        "ok        only D",
        "calm: succeeded",
        "  1 task run: 1 succeeded; the run took D",
        "  slowest chain D: only D",
        f"  logs: {tmp_path / 'logs'}",
        f"  report: {tmp_path / 'logs' / 'report.html'}",
    ]


def test_quiet_on_a_terminal_draws_nothing_for_a_run_that_goes_well(tmp_path: Path) -> None:
    status, written = run_on_terminal(tmp_path, CALM, "--quiet")
    assert status == 0, written
    assert written == b""


def test_ctrl_c_leaves_a_clean_terminal_and_lists_the_cancelled_task(tmp_path: Path) -> None:
    status, written = run_on_terminal(tmp_path, SLEEPY, interrupt_on=b"sleeper")
    assert status == 130, written
    screen = screen_of(written)
    assert shown(screen) == [
        "sleepy: cancelled: interrupted by SIGINT",
        "  cancelled sleeper D: the run was cancelled before this task finished",
        "      (no output)",
        "  1 task run: 1 cancelled; the run took D",
        "  slowest chain D: sleeper D",
        f"  logs: {tmp_path / 'logs'}",
        f"  report: {tmp_path / 'logs' / 'report.html'}",
    ]
    assert not screen.cursor.hidden


def test_progress_plain_on_a_terminal_writes_lines_in_colour(tmp_path: Path) -> None:
    status, written = run_on_terminal(tmp_path, CALM, "--progress", "plain")
    assert status == 0, written
    assert b"\x1b[?25l" not in written and b"\x1b[J" not in written  # no region
    lines = [DURATION.sub("D", line) for line in SGR.sub("", written.decode("utf-8")).splitlines()]
    assert re.fullmatch(r"\[ *\d+\.\d{3}s\] start     only \(shell\.command\)", lines[0]), lines
    assert re.fullmatch(r"\[ *\d+\.\d{3}s\] ok        only D", lines[1]), lines
    assert lines[2] == "calm: succeeded"
    assert b"\x1b[32m" in written  # the status words are painted
