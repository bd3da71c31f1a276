"""The pieces of the console's summary: the slowest chain, a failed task's log tail, one-line errors,
lines cut to a width."""

from __future__ import annotations

import datetime
from pathlib import Path

from runtime.console.chain import slowest_chain
from runtime.console.style import Palette, duration_text, fit, headline
from runtime.console.summary import summary_lines
from runtime.engine import RunResult
from runtime.observer import (
    ENDED_CANCELLED,
    ENDED_FAILED,
    ENDED_SKIPPED,
    ENDED_SUCCEEDED,
    RunEnded,
    TaskRunRecord,
)

BEGAN = datetime.datetime(2026, 1, 5, 9, 14, 2, tzinfo=datetime.timezone.utc)


def record(
    id: str, duration: float | None, built_by: str = "", ended: str = ENDED_SUCCEEDED, **fields: object
) -> TaskRunRecord:
    values: dict[str, object] = {"name": id, "run": 1, "error": "", "log": "", "handled": False}
    values.update(fields)
    return TaskRunRecord(id=id, duration=duration, built_by=built_by, ended=ended, **values)  # type: ignore[arg-type]


def ended(tasks: list[TaskRunRecord], status: str = "failed", failed: tuple[str, ...] = ()) -> RunEnded:
    result = RunResult(status, 3 if status == "failed" else 0, failed, "", "r1", "/runs/logs")
    later = BEGAN + datetime.timedelta(seconds=75)
    return RunEnded(result, "ci", "", BEGAN, later, tuple(tasks), lambda text: text.replace("hunter2", "***"))


def test_the_slowest_chain_follows_what_built_what_and_sums_durations() -> None:
    # a (1s) built b (2s) and c (0.5s); c built d (3s); e (4s) alone. a > c > d = 4.5s beats e = 4s.
    tasks = [
        record("a", 1.0),
        record("e", 4.0),
        record("b", 2.0, "a"),
        record("c", 0.5, "a"),
        record("d", 3.0, "c"),
    ]
    total, chain = slowest_chain(tasks)
    assert total == 4.5 and [task.id for task in chain] == ["a", "c", "d"]
    assert slowest_chain([record("x", None, ended=ENDED_SKIPPED)]) == (0.0, [])


def test_a_failure_without_output_in_its_error_shows_its_log_tail_redacted_and_visible(
    tmp_path: Path,
) -> None:
    log = tmp_path / "deploy.log"
    log.write_bytes(b"".join(b"line %d\n" % number for number in range(1, 9)) + b"pw hunter2 \x1b[2Jgone\n")
    tasks = [
        record("build", 1.5),
        record(
            "deploy", 2.25, "build", ENDED_FAILED, error="deploy.push: refused\nretry later", log=str(log)
        ),
        record(
            "notify",
            0.1,
            "deploy",
            ENDED_CANCELLED,
            error="the run was cancelled",
            log=str(tmp_path / "none"),
        ),
        record("late", None, ended=ENDED_SKIPPED),
    ]
    lines = summary_lines(ended(tasks, failed=("deploy",)), Palette(False))
    assert lines == [
        "ci: failed: 1 task(s) failed",
        "  failed    deploy 2.25s: deploy.push: refused",
        "      retry later",
        "      last lines of its log:",
        "        | line 5",
        "        | line 6",
        "        | line 7",
        "        | line 8",
        "        | pw *** \\x1b[2Jgone",
        "  cancelled notify 0.10s: the run was cancelled",
        "      (no output)",
        "  4 task runs: 1 succeeded, 1 failed, 1 cancelled, 1 skipped; the run took 1m15s",
        "  slowest chain 3.85s: build 1.50s > deploy 2.25s > notify 0.10s",
        "  logs: /runs/logs",
    ]


def test_a_handled_failure_is_listed_as_handled_and_a_long_chain_is_shortened() -> None:
    tasks = [record("t0", 1.0)] + [record(f"t{n}", 1.0, f"t{n - 1}") for n in range(1, 12)]
    tasks[5] = record("t5", 1.0, "t4", ENDED_FAILED, error="boom", handled=True, run=2)
    lines = summary_lines(ended(tasks, status="succeeded"), Palette(False))
    assert lines[0] == "ci: succeeded"
    assert lines[1] == "  failed    t5 #2 (handled) 1.00s: boom"
    assert lines[-2] == (
        "  slowest chain 12.0s: t0 1.00s > t1 1.00s > t2 1.00s > … 5 more … > t8 1.00s > t9 1.00s > "
        "t10 1.00s > t11 1.00s"
    )


def test_a_colour_palette_paints_and_an_empty_one_does_not() -> None:
    assert Palette(True).paint("ok", "32") == "\x1b[32mok\x1b[0m"
    assert Palette(False).paint("ok", "32") == "ok"


def test_a_commands_error_in_one_line_ends_with_what_it_last_wrote() -> None:
    tail = (
        "command exited with code 2; last lines of its output:\n  | compiling\n  | error: \x1b]0;x\x07bad\n"
    )
    assert headline(tail) == "command exited with code 2; last line: error: \\x1b]0;x\\x07bad"
    assert (
        headline("command exited with code 1; last lines of its output:")
        == "command exited with code 1 (no output)"
    )
    assert headline("first\nsecond") == "first"


def test_lines_are_cut_to_the_width_in_columns() -> None:
    assert fit("short", 10) == "short"
    assert fit("exactly-10", 10) == "exactly-10"
    assert fit("eleven-long", 10) == "eleven-lo…"
    assert fit("日本語のタスク", 8) == "日本語…"  # wide characters take two columns
    assert duration_text(0.5) == "0.50s" and duration_text(42.13) == "42.1s"
    assert duration_text(187) == "3m07s" and duration_text(7500) == "2h05m" and duration_text(None) == "-"
