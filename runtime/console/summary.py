"""The lines a run ends with: how it ended, each task run that failed, timed out or was cancelled
(with its error, and the last lines of its task log when the error does not already end with the
output), the counts by status, the slowest chain, and where the logs are.

A run without any task run (its services did not start, say) ends in one line, as it always did:
``NAME: STATUS: REASON (logs: DIR)``.

Everything a task or a service wrote is shown with its control characters visible.
"""

from __future__ import annotations

import os

from runtime.console.chain import slowest_chain
from runtime.console.style import (
    BOLD,
    DIM,
    STATUS_COLOURS,
    Palette,
    duration_text,
    task_label,
    word,
)
from runtime.observer import (
    ENDED_CANCELLED,
    ENDED_FAILED,
    ENDED_TIMED_OUT,
    ENDINGS,
    RunEnded,
    TaskRunRecord,
)
from runtime.shown_text import NO_OUTPUT, OUTPUT_TAIL, indented, shown_lines, visible

# The task runs listed with their errors (state.yaml has them all), the lines of a task log shown
# under one, the bytes of the log read for them, and the runs the chain line names before it elides.
LISTED_TASKS = 10
LOG_LINES = 5
LOG_TAIL_BYTES = 8192
CHAIN_SHOWN = 8
LISTED_ENDINGS = (ENDED_FAILED, ENDED_TIMED_OUT, ENDED_CANCELLED)


def summary_lines(ended: RunEnded, palette: Palette) -> list[str]:
    result = ended.result
    name = visible(ended.pipeline)
    status = palette.paint(result.status, STATUS_COLOURS.get(result.status, BOLD), BOLD)
    listed = [task for task in ended.tasks if task.ended in LISTED_ENDINGS]
    if not ended.tasks:
        reason = ended.reason or ("no task ran" if result.succeeded else "")
        lines = indented(reason, f"{name}: {status}: ", "  ") if reason else [f"{name}: {status}"]
        lines[-1] += f" (logs: {result.logs_dir})"
        return lines
    if ended.reason:
        lines = indented(ended.reason, f"{name}: {status}: ", "  ")
    elif result.failed_tasks:
        lines = [f"{name}: {status}: {len(result.failed_tasks)} task(s) failed"]
    else:
        lines = [f"{name}: {status}"]
    for task in listed[:LISTED_TASKS]:
        lines += _task_block(task, ended, palette)
    if len(listed) > LISTED_TASKS:
        lines.append(f"  and {len(listed) - LISTED_TASKS} more (state.yaml lists every task run)")
    lines.append("  " + _counts(ended))
    chain = _chain(ended.tasks)
    if chain:
        lines.append("  " + chain)
    lines.append(palette.paint(f"  logs: {result.logs_dir}", DIM))
    return lines


def _counts(ended: RunEnded) -> str:
    """``3 task runs: 1 succeeded, 1 failed, 1 timed out; the run took 3.20s``."""
    counts = {ending: 0 for ending in ENDINGS}
    for task in ended.tasks:
        counts[task.ended] = counts.get(task.ended, 0) + 1
    parts = ", ".join(f"{count} {ending}" for ending, count in counts.items() if count)
    runs = len(ended.tasks)
    noun = "task run" if runs == 1 else "task runs"
    return f"{runs} {noun}: {parts}; the run took {duration_text(ended.duration)}"


def _chain(tasks: tuple[TaskRunRecord, ...]) -> str:
    """``slowest chain 3.01s: fetch 1.00s > build 2.01s`` (a long chain: its ends, the middle counted)."""
    total, chain = slowest_chain(tasks)
    if not chain:
        return ""
    shown = [f"{task_label(task.name, task.run)} {duration_text(task.duration)}" for task in chain]
    if len(shown) > CHAIN_SHOWN:
        head, tail = shown[:3], shown[-(CHAIN_SHOWN - 4) :]
        shown = [*head, f"… {len(chain) - len(head) - len(tail)} more …", *tail]
    return f"slowest chain {duration_text(total)}: " + " > ".join(shown)


def _task_block(task: TaskRunRecord, ended: RunEnded, palette: Palette) -> list[str]:
    """A listed task run: its word, label and duration, its error's lines under it, then its log's
    tail when the error does not already end with the output."""
    label = task_label(task.name, task.run) + (" (handled)" if task.handled else "")
    head = f"  {word(task.ended, palette)} {label} {duration_text(task.duration)}: "
    lines = indented(task.error or "no message", head, " " * 6)
    if OUTPUT_TAIL in task.error:
        return lines
    tail = _log_tail(task.log, ended)
    if tail:
        lines.append("      last lines of its log:")
        lines += [f"        | {line}" for line in tail]
    else:
        lines.append(f"      {NO_OUTPUT}")
    return lines


def _log_tail(path: str, ended: RunEnded) -> list[str]:
    """The last ``LOG_LINES`` lines of a task log, redacted and made visible ([] when it holds
    nothing or is missing: most tasks write no log)."""
    if not path:
        return []
    try:
        with open(path, "rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - LOG_TAIL_BYTES))
            data = handle.read()
    except OSError:
        return []
    text = data.decode("utf-8", errors="replace")
    if size > LOG_TAIL_BYTES and "\n" in text:
        text = text.split("\n", 1)[1]  # the first line read may be the end of a longer one
    return shown_lines(ended.redact(text))[-LOG_LINES:]
