"""The whole report page: one HTML file with its style, script, data and drawings inline.

Nothing in it loads anything: the Content-Security-Policy in its ``<meta>`` forbids every load
(``default-src 'none'``) and allows only the page's own style sheet and script, by their SHA-256
hashes, so a report opened from an archive or a CI artifact looks the same offline, and text that
got through as markup could not run or fetch anything. All text a run recorded goes through
``markup.text``; the script's data is one ``<script type="application/json">`` block (its strings
made visible too, as the script shows them with ``textContent``).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

from runtime.report.assets import SCRIPT, STYLE
from runtime.report.facts import STATUSES, ReportFacts, TaskRun, shown_time
from runtime.report.graph import ReactionGraph
from runtime.report.graph_svg import graph_svg
from runtime.report.markup import cut, script_json, text
from runtime.report.svg_text import seconds_text
from runtime.report.timeline import run_label, timeline_svg
from runtime.shown_text import visible

# The lines of a run's error the selection panel shows (its details show it all).
SELECTION_ERROR_LINES = 6


def _hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src {_hash(STYLE)}; script-src {_hash(SCRIPT)}; "
    "base-uri 'none'; form-action 'none'"
)


def _duration(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds_text(seconds)} ({seconds:.3f} s)"


def _metadata(facts: ReportFacts) -> str:
    rows = [
        ("pipeline", text(facts.pipeline)),
        ("run id", f"<code>{text(facts.run_id)}</code>"),
        (
            "outcome",
            f'<span class="outcome outcome-{text(facts.outcome)}">{text(facts.outcome or "unknown")}</span>',
        ),
        ("exit status", text("" if facts.exit_status is None else str(facts.exit_status))),
        ("started", text(shown_time(facts.started_at))),
        ("finished", text(shown_time(facts.finished_at))),
        ("duration", text(_duration(facts.duration))),
        ("task runs", str(len(facts.runs))),
    ]
    cells = "".join(f"<dt>{term}</dt><dd>{value}</dd>" for term, value in rows)
    return f'<dl class="facts">{cells}</dl>'


def _legend(facts: ReportFacts) -> str:
    counts = {status: 0 for status in STATUSES}
    for run in facts.runs:
        counts[run.status] += 1
    items = "".join(
        f'<span><i class="status-{status}"></i>{status}: {counts[status]}</span>' for status in STATUSES
    )
    return f'<p class="legend">{items}</p>'


def _block(title: str, value: str) -> str:
    if not value:
        return f'<p class="muted">{title}: none</p>'
    return f"<div>{title}:<pre>{text(cut(value))}</pre></div>"


def _run_details(place: int, run: TaskRun) -> str:
    facts = [
        ("status", run.status),
        ("run id", run.id),
        ("started", shown_time(run.started_at)),
        ("finished", shown_time(run.finished_at)),
        ("took", _duration(run.duration)),
        ("attempts", "" if run.attempts is None else str(run.attempts)),
    ]
    cells = "".join(f"<dt>{term}</dt><dd>{text(value)}</dd>" for term, value in facts if value)
    if run.log:
        cells += f'<dt>log</dt><dd><a href="{text(run.log)}">{text(run.log)}</a></dd>'
    return (
        f'<details class="run" id="run-{place}" data-run="{place}">'
        f'<summary><i class="status-{run.status}"></i>{text(run_label(run))} '
        f'<span class="muted">{text(run.status)}</span></summary>'
        f'<dl class="facts">{cells}</dl>'
        f"{_block('arguments', run.arguments)}{_block('output', run.output)}{_block('error', run.error)}"
        "</details>"
    )


def _history(facts: ReportFacts) -> str:
    rows = "".join(
        f'<tr><td class="mono">{text(shown_time(event.at))}</td><td>{text(event.name)}</td>'
        f"<td>{text(event.task)}</td>"
        f'<td class="payload mono">{text(event.payload)}</td></tr>'
        for event in facts.events
    )
    more = (
        f'<p class="muted">and {facts.events_left_out} more events: history.yaml has them all</p>'
        if facts.events_left_out
        else ""
    )
    return (
        '<table class="history"><thead><tr><th>time</th><th>event</th><th>task</th><th>payload</th></tr>'
        f"</thead><tbody>{rows}</tbody></table>{more}"
    )


def _script_data(facts: ReportFacts) -> str:
    runs = [
        {
            "id": run.id,
            "label": visible(run_label(run)),
            "status": run.status,
            "started": shown_time(run.started_at),
            "finished": shown_time(run.finished_at),
            "took": _duration(run.duration),
            "attempts": run.attempts,
            "error": visible("\n".join(run.error.split("\n")[:SELECTION_ERROR_LINES])),
        }
        for run in facts.runs
    ]
    return script_json({"runs": runs})


def report_page(facts: ReportFacts, graph: ReactionGraph | None, redact: Callable[[str], str]) -> str:
    """The report as HTML text."""
    if graph is None:
        drawn_graph = (
            '<p class="muted">This program does not carry its reaction graph (it was generated by an '
            "older oic): compile it again to see it here.</p>"
        )
    elif not graph.nodes:
        drawn_graph = '<p class="muted">This pipeline has no reactions.</p>'
    else:
        drawn_graph = f'<div class="drawing">{graph_svg(graph, facts.runs, redact)}</div>'
    details = "".join(_run_details(place, run) for place, run in enumerate(facts.runs))
    title = f"{facts.pipeline}: {facts.outcome or 'run'}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{text(title)}</title><style>{STYLE}</style></head><body>"
        f'<header><h1>{text(facts.pipeline)} <span class="muted">run report</span></h1>'
        f"{_metadata(facts)}</header>"
        f'<section id="timeline"><h2>Timeline</h2>{_legend(facts)}'
        f'<div class="drawing">{timeline_svg(facts)}</div><div id="selection"></div></section>'
        f'<section id="graph"><h2>Reaction graph</h2>{drawn_graph}</section>'
        f'<section id="runs"><h2>Task runs</h2>{details or "<p class=muted>no task ran</p>"}</section>'
        f'<section id="history"><h2>Event history</h2>{_history(facts)}</section>'
        f'<script type="application/json" id="report-data">{_script_data(facts)}</script>'
        f"<script>{SCRIPT}</script>"
        "</body></html>\n"
    )
