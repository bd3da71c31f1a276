"""``report.html``: a run's report, one self-contained HTML file beside ``state.yaml``.

Made once the run is over, from what the run recorded (its facts, every task run, the events it
handled) and the reaction graph the compiler put in the program, all through the run's own
``Redactor``, as ``state.yaml`` is. It shows the run's facts, a timeline of the task runs, the
reaction graph with what ran marked on it, each run's arguments, output and error, and the event
history. The binary's command line (``runtime/program.py``) writes it unless ``--no-report``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from runtime.model import Event
from runtime.redact import write_atomically
from runtime.report.facts import report_facts
from runtime.report.graph import read_graph
from runtime.report.page import report_page
from runtime.results import RunRecord

REPORT_FILE = "report.html"


def report_html(record: RunRecord, events: Sequence[Event], graph: Mapping[str, Any] | None) -> str:
    """The report of the run ``record`` holds, with its handled ``events`` and the program's graph
    data (None when the program does not carry one)."""
    facts = report_facts(record, events)
    return report_page(facts, read_graph(graph), record.redactor.text)


def write_report(record: RunRecord, events: Sequence[Event], graph: Mapping[str, Any] | None) -> str:
    """Write ``report.html`` into the run's logs directory; the one-line problem when it could not
    be (never raises for the report's sake: a report is not worth a run's exit status)."""
    path = os.path.join(record.logs_dir, REPORT_FILE)
    try:
        page = report_html(record, events, graph)
        write_atomically(path, page.encode("utf-8", errors="backslashreplace"))
    except OSError as error:
        return record.redactor.text(f"cannot write {path}: {error.strerror or error}")
    except Exception as error:  # a report is never worth a traceback either
        # What went wrong may quote what a task wrote: masked like everything else the run says.
        said = " ".join(str(error).split())
        return record.redactor.text(f"cannot make {path}: {type(error).__name__}: {said}")
    return ""
