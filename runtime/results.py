"""Machine-readable results of a run, for CI systems and scripts: a JSON summary and JUnit XML.

Both are made once the run is over, from the state it recorded (``State.snapshot``: the run's facts
and every task run), and go through the run's own ``Redactor``, the one ``state.yaml`` goes
through: a secret, or a string derived from one, never reaches them. The engine knows nothing of
these files; the binary's command line (``runtime/program.py``) asks for them.

The JSON summary's shape is ``SUMMARY_SCHEMA`` (published in ``docs/running.md``; a test validates
real summaries against it). In the JUnit file each task run is a ``<testcase>``: a failed run has a
``<failure>``, a run the end of the run cut short (cancelled, timed out) is ``<skipped>``.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree

from runtime.logs import duration_seconds, timestamp
from runtime.redact import Redactor, write_atomically
from runtime.shown_text import visible
from runtime.state import RunFacts, TaskState

SUMMARY_VERSION = 1

# What a task run's ``status`` says in the summary.
SUCCEEDED = "succeeded"
FAILED = "failed"
CANCELLED = "cancelled"  # the run gave up on it: cancelled, timed out, or stopped before it finished
PENDING = "pending"  # never finished (only when the run itself broke down)

_TIME = {"type": ["string", "null"], "format": "date-time"}
_DURATION = {"type": ["number", "null"], "minimum": 0}

SUMMARY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "oi run summary",
    "type": "object",
    "additionalProperties": False,
    "required": [
        "version",
        "pipeline",
        "run-id",
        "outcome",
        "exit-status",
        "started-at",
        "finished-at",
        "duration-seconds",
        "logs-dir",
        "tasks",
    ],
    "properties": {
        "version": {"const": SUMMARY_VERSION},
        "pipeline": {"type": "string"},
        "run-id": {"type": "string"},
        "outcome": {"enum": ["succeeded", "failed", "timed-out", "cancelled"]},
        "exit-status": {"type": "integer"},
        "started-at": _TIME,
        "finished-at": _TIME,
        "duration-seconds": _DURATION,
        "logs-dir": {"type": "string"},
        "tasks": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "id",
                    "name",
                    "status",
                    "started-at",
                    "finished-at",
                    "duration-seconds",
                    "error",
                    "attempts",
                ],
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "status": {"enum": [SUCCEEDED, FAILED, CANCELLED, PENDING]},
                    "started-at": _TIME,
                    "finished-at": _TIME,
                    "duration-seconds": _DURATION,
                    "error": {"type": "string"},
                    "attempts": {"type": ["integer", "null"], "minimum": 0},
                },
            },
        },
    },
}


class RunRecord:
    """What the results are made from: the pipeline's ``name``, the run's ``facts``, its task
    ``runs`` in the order they were built, where its ``logs_dir`` is, and its ``redactor``."""

    def __init__(
        self,
        name: str,
        facts: RunFacts,
        runs: Sequence[TaskState],
        logs_dir: str,
        redactor: Redactor,
    ) -> None:
        self.name = name
        self.facts = facts
        self.runs = list(runs)
        self.logs_dir = logs_dir
        self.redactor = redactor


def task_status(run: TaskState) -> str:
    if not run.finished:
        return PENDING
    if run.abandoned:
        return CANCELLED
    return SUCCEEDED if run.succeeded else FAILED


def _time(moment: datetime.datetime | None) -> str | None:
    return None if moment is None else timestamp(moment)


def summary(record: RunRecord) -> dict[str, Any]:
    """The JSON summary of a run, as a value (``SUMMARY_SCHEMA``)."""
    redact = record.redactor.text
    facts = record.facts
    return {
        "version": SUMMARY_VERSION,
        "pipeline": redact(record.name),
        "run-id": facts.run_id,
        "outcome": facts.outcome,
        "exit-status": facts.exit_status,
        "started-at": _time(facts.started_at),
        "finished-at": _time(facts.finished_at),
        "duration-seconds": duration_seconds(facts.started_at, facts.finished_at),
        "logs-dir": record.logs_dir,
        "tasks": [
            {
                "id": run.id,
                "name": redact(run.task),
                "status": task_status(run),
                "started-at": _time(run.started_at),
                "finished-at": _time(run.finished_at),
                "duration-seconds": duration_seconds(run.started_at, run.finished_at),
                "error": redact(run.error),
                "attempts": run.attempts,
            }
            for run in record.runs
        ],
    }


def summary_json(record: RunRecord) -> bytes:
    # ASCII only: whatever reads it, a name in any script arrives intact.
    return (json.dumps(summary(record), indent=2) + "\n").encode("ascii")


# Characters XML 1.0 cannot hold at all (surrogates, U+FFFE, U+FFFF); the control characters are
# made visible before (``visible``), as the run's messages show them.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda match: f"\\u{ord(match.group()):04x}", visible(text))


def _seconds(value: float | None) -> str:
    return f"{value or 0.0:.3f}"


def junit_xml(record: RunRecord) -> bytes:
    """The run as JUnit XML: one ``<testsuite>`` named after the pipeline, one ``<testcase>`` per
    task run (a name run more than once is told apart as ``NAME (run 2)``)."""
    redact = record.redactor.text
    statuses = [task_status(run) for run in record.runs]
    failures = sum(1 for status in statuses if status in (FAILED, PENDING))
    skipped = statuses.count(CANCELLED)
    name = _xml_text(redact(record.name))
    totals = {
        "name": name,
        "tests": str(len(record.runs)),
        "failures": str(failures),
        "errors": "0",
        "skipped": str(skipped),
        "time": _seconds(duration_seconds(record.facts.started_at, record.facts.finished_at)),
    }
    suites = ElementTree.Element("testsuites", totals)
    suite = ElementTree.SubElement(suites, "testsuite", {**totals, "id": record.facts.run_id})
    if record.facts.started_at is not None:
        suite.set("timestamp", timestamp(record.facts.started_at))
    seen: dict[str, int] = {}
    for run, status in zip(record.runs, statuses, strict=True):
        task = _xml_text(redact(run.task))
        seen[task] = seen.get(task, 0) + 1
        case = ElementTree.SubElement(
            suite,
            "testcase",
            {
                "classname": name,
                "name": task if seen[task] == 1 else f"{task} (run {seen[task]})",
                "time": _seconds(duration_seconds(run.started_at, run.finished_at)),
            },
        )
        error = _xml_text(redact(run.error))
        if status == CANCELLED:
            ElementTree.SubElement(case, "skipped", {"message": error.split("\n", 1)[0]})
        elif status in (FAILED, PENDING):
            failure = ElementTree.SubElement(
                case, "failure", {"message": error.split("\n", 1)[0] or status, "type": status}
            )
            failure.text = error
    ElementTree.indent(suites)
    body = ElementTree.tostring(suites, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


def write_results(record: RunRecord, summary_path: str | None, junit_path: str | None) -> list[str]:
    """Write the files asked for; a one-line problem for each that could not be written."""
    problems = []
    for path, make in ((summary_path, summary_json), (junit_path, junit_xml)):
        if not path:
            continue
        try:
            write_atomically(path, make(record))
        except OSError as error:
            problems.append(f"cannot write {path}: {error.strerror or error}")
    return problems
