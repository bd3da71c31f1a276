"""A failed run's summary: each failure on its own line with the lines of its error under it, an
empty output tail said to be empty, and what a service wrote shown with its control characters
visible (an escape sequence never reaches the terminal raw)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from runtime.conditions import engine_started
from runtime.console.plain import PlainRenderer
from runtime.console.style import Palette
from runtime.services.base import CallFailed
from runtime.shown_text import failure_listing, shown_lines, visible
from tests.runtime.fakes import Call, FakeRunner
from tests.runtime.helpers import on, pipeline, run, runner, task

HOSTILE = "\x1b]0;pwned\x07\x1b[2Jcleared\u202eevil"


def test_control_characters_are_made_visible_but_newline_and_tab() -> None:
    assert visible(HOSTILE) == "\\x1b]0;pwned\\x07\\x1b[2Jcleared\\u202eevil"
    assert visible("a\tb\nc\x00d\x7fe\x9bf") == "a\tb\nc\\x00d\\x7fe\\x9bf"
    assert visible("plain, é, 日本") == "plain, é, 日本"


def test_an_empty_output_tail_says_no_output() -> None:
    assert shown_lines("command exited with code 1; last lines of its output:\n\n") == [
        "command exited with code 1; last lines of its output:",
        "  (no output)",
    ]
    assert shown_lines("exited; last lines of its output:\n  | one\r\n  | two\r\n") == [
        "exited; last lines of its output:",
        "  | one",
        "  | two",
    ]


def test_failures_are_listed_one_per_line_with_a_limit() -> None:
    listing = failure_listing([("a", "boom"), ("b", "first\n  | second"), ("c", "x"), ("d", "y")], 3)
    assert listing.splitlines() == [
        "  task 'a': boom",
        "  task 'b': first",
        "      | second",
        "  task 'c': x",
        "  and 1 more (state.yaml lists every task run)",
    ]


def shown(result_stream: io.StringIO) -> list[str]:
    """The lines written, each duration written as ``D`` and each timestamp as ``[T]``."""
    text = re.sub(r"\[ *\d+\.\d{3}s\]", "[T]", result_stream.getvalue())
    return re.sub(r"\b\d+\.\d\ds\b", "D", text).splitlines()


def test_a_failed_run_prints_every_error_line_and_no_raw_escape(tmp_path: Path) -> None:
    def wrote(call: Call) -> None:
        raise CallFailed(f"command exited with code 3; last lines of its output:\n  | {HOSTILE}\n  | done")

    def silent(call: Call) -> None:
        raise CallFailed("command exited with code 1; last lines of its output:")

    stream = io.StringIO()
    pipe = pipeline(on(engine_started, task("noisy", "wrote"), task("quiet", "silent"), task("fine")))
    observer = PlainRenderer(stream, Palette(False))
    result = run(pipe, runner(wrote=wrote, silent=silent), tmp_path, observer=observer)
    assert result.exit_code == 3
    text = stream.getvalue()
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    lines = shown(stream)
    # A task's line has its error in one line: for a command, what it said before its output's tail
    # and the tail's last line. (The order of the three tasks' ends is not fixed.)
    assert any(
        line.endswith("failed    noisy D: command exited with code 3; last line: done") for line in lines
    )
    assert any(line.endswith("failed    quiet D: command exited with code 1 (no output)") for line in lines)
    assert any(line.endswith("ok        fine D") for line in lines)
    summary = lines[lines.index("test-pipeline: failed: 2 task(s) failed") :]
    noisy = summary.index("  failed    noisy D: command exited with code 3; last lines of its output:")
    assert summary[noisy + 1 : noisy + 3] == [
        "        | \\x1b]0;pwned\\x07\\x1b[2Jcleared\\u202eevil",
        "        | done",
    ]
    quiet = summary.index("  failed    quiet D: command exited with code 1; last lines of its output:")
    assert summary[quiet + 1] == "        (no output)"
    assert summary[-3] == "  3 task runs: 1 succeeded, 2 failed; the run took D"
    assert summary[-2].startswith("  slowest chain D: ")  # three chains of one task each
    assert summary[-1] == f"  logs: {tmp_path / 'logs'}"


def test_a_run_without_task_runs_keeps_its_one_line_summary(tmp_path: Path) -> None:
    stream = io.StringIO()
    pipe = pipeline(on(engine_started, task("never")))
    result = run(
        pipe,
        FakeRunner({}, fail_start="no such service"),
        tmp_path,
        observer=PlainRenderer(stream, Palette(False)),
    )
    assert result.exit_code == 3
    assert shown(stream) == [f"test-pipeline: failed: {result.message} (logs: {tmp_path / 'logs'})"]


def test_a_run_timeout_lists_the_task_it_cut_short(tmp_path: Path) -> None:
    stream = io.StringIO()
    pipe = pipeline(on(engine_started, task("forever", "hang")))
    result = run(pipe, runner(), tmp_path, timeout=0.2, observer=PlainRenderer(stream, Palette(False)))
    assert result.exit_code == 4
    lines = shown(stream)
    summary = lines[
        lines.index("test-pipeline: timed-out: the run did not finish within its timeout of 0.2s") :
    ]
    assert summary[1:] == [
        "  timed out forever D: the run timed out before this task finished",
        "      (no output)",
        "  1 task run: 1 timed out; the run took D",
        "  slowest chain D: forever D",
        f"  logs: {tmp_path / 'logs'}",
    ]
