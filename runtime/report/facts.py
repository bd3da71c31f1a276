"""What the report shows, gathered once from the run's recorded state and redacted.

The report is made from the same things as ``state.yaml``, ``history.yaml`` and ``--summary-json``
(``RunRecord``: the run's facts, every task run, the run's ``Redactor``; and the events handled),
and everything taken from them goes through the run's redactor here, before any of it is laid out:
the modules that draw the page only ever see redacted text.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from runtime.logs import duration_seconds, redacted_plain, timestamp
from runtime.model import Event
from runtime.redact import Redactor
from runtime.results import RunRecord
from runtime.state import TaskState

# How a task run ended, as the report colours it.
SUCCEEDED = "succeeded"
FAILED = "failed"
CANCELLED = "cancelled"
TIMED_OUT = "timed-out"
UNFINISHED = "unfinished"  # waiting or running when the run ended (the run broke down)
STATUSES = (SUCCEEDED, FAILED, CANCELLED, TIMED_OUT, UNFINISHED)

# The history shown in the report; a longer one is in history.yaml.
MOST_EVENTS_SHOWN = 5_000
# An event's payload is shown on one line, cut after this many characters.
LONGEST_PAYLOAD = 300


@dataclass(frozen=True)
class TaskRun:
    """One task run as the report shows it. ``number`` is its place among the runs of the same
    name (1 for the first) and ``runs_of_name`` how many there were; times are UTC."""

    id: str
    task: str
    status: str
    number: int
    runs_of_name: int
    attempts: int | None
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    duration: float | None
    arguments: str
    output: str
    error: str
    log: str  # the task's log file, relative to the report ("" when not known)


@dataclass(frozen=True)
class HistoryEvent:
    name: str
    at: datetime.datetime
    task: str  # the task the event is about ("" for the engine's events)
    payload: str  # the redacted payload, one line of JSON, cut


@dataclass(frozen=True)
class ReportFacts:
    pipeline: str
    run_id: str
    outcome: str
    exit_status: int | None
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    duration: float | None
    runs: tuple[TaskRun, ...]
    events: tuple[HistoryEvent, ...]
    events_left_out: int


def run_status(run: TaskState, outcome: str) -> str:
    """How ``run`` ended: a run the end of the run gave up on is timed out when the run timed out,
    and so is one whose own timeout passed."""
    if not run.finished:
        return UNFINISHED
    if run.abandoned:
        return TIMED_OUT if outcome == TIMED_OUT else CANCELLED
    if run.timed_out:
        return TIMED_OUT
    return SUCCEEDED if run.succeeded else FAILED


def _shown_json(value: Any, redactor: Redactor, indent: int | None) -> str:
    if value is None:
        return ""
    plain = redacted_plain(value, redactor)
    separators = None if indent else (",", ":")
    return json.dumps(plain, indent=indent, sort_keys=True, ensure_ascii=False, separators=separators)


def _log_path(logger: str, logs_prefix: str) -> str:
    """The task log's path relative to the logs directory (where the report is; ``logs_prefix`` is
    its absolute path ending with a separator), "" when it is elsewhere, not known or not there."""
    if not logger.startswith(logs_prefix) or not os.path.isfile(logger):
        return ""  # a task that wrote nothing has no log file
    return logger[len(logs_prefix) :].replace(os.sep, "/")


def task_runs(record: RunRecord) -> tuple[TaskRun, ...]:
    redactor = record.redactor
    # The engine records absolute paths under its logs directory (``runtime/engine.py``).
    logs_prefix = os.path.join(os.path.abspath(record.logs_dir), "")
    totals: dict[str, int] = {}
    for run in record.runs:
        totals[run.task] = totals.get(run.task, 0) + 1
    seen: dict[str, int] = {}
    shown = []
    for run in record.runs:
        seen[run.task] = seen.get(run.task, 0) + 1
        shown.append(
            TaskRun(
                id=run.id,
                task=redactor.text(run.task),
                status=run_status(run, record.facts.outcome),
                number=seen[run.task],
                runs_of_name=totals[run.task],
                attempts=run.attempts,
                started_at=run.started_at,
                finished_at=run.finished_at,
                duration=duration_seconds(run.started_at, run.finished_at),
                arguments=_shown_json(run.arguments, redactor, 2),
                output=_shown_json(run.output, redactor, 2),
                error=redactor.text(run.error),
                log=_log_path(run.logger, logs_prefix),
            )
        )
    return tuple(shown)


def history_events(events: Sequence[Event], redactor: Redactor) -> tuple[HistoryEvent, ...]:
    shown = []
    for event in events[:MOST_EVENTS_SHOWN]:
        task = event.payload.get("task", "")
        payload = _shown_json(dict(event.payload), redactor, None)
        if len(payload) > LONGEST_PAYLOAD:
            payload = payload[: LONGEST_PAYLOAD - 1] + "…"
        shown.append(
            HistoryEvent(
                name=redactor.text(event.metadata.name),
                at=event.metadata.created_at,
                task=redactor.text(task) if isinstance(task, str) else "",
                payload=payload,
            )
        )
    return tuple(shown)


def report_facts(record: RunRecord, events: Sequence[Event]) -> ReportFacts:
    facts = record.facts
    return ReportFacts(
        pipeline=record.redactor.text(record.name),
        run_id=facts.run_id,
        outcome=facts.outcome,
        exit_status=facts.exit_status,
        started_at=facts.started_at,
        finished_at=facts.finished_at,
        duration=duration_seconds(facts.started_at, facts.finished_at),
        runs=task_runs(record),
        events=history_events(events, record.redactor),
        events_left_out=max(0, len(events) - MOST_EVENTS_SHOWN),
    )


def shown_time(moment: datetime.datetime | None) -> str:
    """A time as state.yaml writes it ("" when not known)."""
    return "" if moment is None else timestamp(moment)
