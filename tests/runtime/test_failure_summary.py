"""A failed run's summary: each failure on its own line with the lines of its error under it, an
empty output tail said to be empty, and what a service wrote shown with its control characters
visible (an escape sequence never reaches the terminal raw)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from runtime.conditions import engine_started
from runtime.services.base import CallFailed
from runtime.shown_text import failure_listing, shown_lines, visible
from tests.runtime.fakes import Call
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


def test_a_failed_run_prints_every_error_line_and_no_raw_escape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def wrote(call: Call) -> None:
        raise CallFailed(f"command exited with code 3; last lines of its output:\n  | {HOSTILE}\n  | done")

    def silent(call: Call) -> None:
        raise CallFailed("command exited with code 1; last lines of its output:")

    progress = io.StringIO()
    pipe = pipeline(on(engine_started, task("noisy", "wrote"), task("quiet", "silent"), task("fine")))
    result = run(pipe, runner(wrote=wrote, silent=silent), tmp_path, progress=progress, print_summary=True)
    assert result.exit_code == 3
    shown = progress.getvalue() + capsys.readouterr().err
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
    lines = progress.getvalue().splitlines()
    # The order of the three tasks' ends is not fixed: each one's block is.
    noisy = lines.index("  failed  noisy: command exited with code 3; last lines of its output:")
    assert lines[noisy + 1 : noisy + 3] == [
        "            | \\x1b]0;pwned\\x07\\x1b[2Jcleared\\u202eevil",
        "            | done",
    ]
    quiet = lines.index("  failed  quiet: command exited with code 1; last lines of its output:")
    assert lines[quiet + 1] == "            (no output)"
    assert "  ok      fine" in lines
    summary = [line for line in shown.splitlines() if line not in lines]
    assert summary[0] == "test-pipeline: failed: 2 task(s) failed:"
    assert summary[-1] == f"(logs: {tmp_path / 'logs'})"
    failed_block = summary[1:-1]
    assert sorted(line for line in failed_block if line.startswith("  task ")) == [
        "  task 'noisy': command exited with code 3; last lines of its output:",
        "  task 'quiet': command exited with code 1; last lines of its output:",
    ]
    assert "      | \\x1b]0;pwned\\x07\\x1b[2Jcleared\\u202eevil" in failed_block
    assert "      (no output)" in failed_block


def test_a_one_line_failure_keeps_its_one_line_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipe = pipeline(on(engine_started, task("forever", "hang")))
    result = run(pipe, runner(), tmp_path, timeout=0.2, print_summary=True)
    assert result.exit_code == 4
    assert capsys.readouterr().err.splitlines() == [
        "test-pipeline: timed-out: the run did not finish within its timeout of 0.2s"
        f" (logs: {tmp_path / 'logs'})"
    ]
