"""The timeline of the run (a Gantt chart) as inline SVG: one row per task run, in the order the
runs were built, a bar from its start to its finish coloured by how it ended, times on an axis.

Each bar is a ``<g class="bar" data-run="N" data-status="...">`` (N: the run's place in the report,
never a user's text) holding a ``<title>``, the browser's tooltip; the page's script shows a run's
details when its bar is clicked. A run of a reusable task is labelled with its number among the
runs of its name (``notify #2``), one whose call was retried with its attempts.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence

from runtime.report.facts import UNFINISHED, ReportFacts, TaskRun, shown_time
from runtime.report.markup import one_line, text
from runtime.report.svg_text import LINE_HEIGHT, number, seconds_text, shortened, text_width

CHART_WIDTH = 860
ROW_HEIGHT = 22
BAR_HEIGHT = 14
AXIS_HEIGHT = 26
LONGEST_LABEL = 48
SHORTEST_BAR = 3  # a run of no measurable length still shows


def run_label(run: TaskRun) -> str:
    """How a run is named in the report: its task's name on one line, its number among the runs of
    that name when there were several, its attempts when its call was retried."""
    label = one_line(run.task)
    if run.runs_of_name > 1:
        label += f" #{run.number}"
    if run.attempts is not None and run.attempts > 1:
        label += f" ({run.attempts} attempts)"
    return label


def _span(facts: ReportFacts) -> tuple[datetime.datetime | None, float]:
    """The time the axis starts at, and the seconds it covers."""
    moments = [facts.started_at, facts.finished_at]
    for run in facts.runs:
        moments += [run.started_at, run.finished_at]
    known = [moment for moment in moments if moment is not None]
    if not known:
        return None, 1.0
    origin = facts.started_at or min(known)
    return origin, max((max(known) - origin).total_seconds(), 0.001)


def _tick_step(total: float) -> float:
    """A round step (1, 2 or 5 times a power of ten seconds) giving about eight ticks."""
    raw = total / 8
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _bar_title(run: TaskRun, label: str) -> str:
    lines = [f"{label}: {run.status}"]
    if run.started_at is not None:
        lines.append(f"started {shown_time(run.started_at)}")
    if run.finished_at is not None:
        lines.append(f"finished {shown_time(run.finished_at)}")
    if run.duration is not None:
        lines.append(f"took {seconds_text(run.duration)}")
    if run.error:
        lines.append(shortened(run.error.split("\n", 1)[0], 200))
    return "\n".join(lines)


def timeline_svg(facts: ReportFacts) -> str:
    runs: Sequence[TaskRun] = facts.runs
    labels = [shortened(run_label(run), LONGEST_LABEL) for run in runs]
    label_width = max([text_width(label) for label in labels] + [80.0]) + 16
    origin, total = _span(facts)
    scale = CHART_WIDTH / total
    width = label_width + CHART_WIDTH + 20
    height = AXIS_HEIGHT + ROW_HEIGHT * max(len(runs), 1) + 8
    parts = [
        f'<svg class="timeline" width="{number(width)}" '
        f'height="{number(height)}" viewBox="0 0 {number(width)} {number(height)}" role="img" '
        'aria-label="timeline of the task runs">'
    ]
    step = _tick_step(total)
    tick = 0.0
    while tick <= total + step / 1000:
        x = label_width + tick * scale
        parts.append(
            f'<line class="tick" x1="{number(x)}" y1="{AXIS_HEIGHT - 6}" x2="{number(x)}" '
            f'y2="{number(height)}"/><text class="tick-label" x="{number(x)}" y="{AXIS_HEIGHT - 10}">'
            f"{text(seconds_text(tick))}</text>"
        )
        tick += step
    end = origin + datetime.timedelta(seconds=total) if origin is not None else None
    for index, (run, label) in enumerate(zip(runs, labels, strict=True)):
        y = AXIS_HEIGHT + index * ROW_HEIGHT
        started = run.started_at or run.finished_at or end
        finished = run.finished_at or end
        x = width_of = 0.0
        if origin is not None and started is not None and finished is not None:
            x = (started - origin).total_seconds() * scale
            width_of = (finished - started).total_seconds() * scale
        unfinished = " open" if run.status == UNFINISHED else ""
        parts.append(
            f'<g class="bar status-{run.status}{unfinished}" data-run="{index}" '
            f'data-status="{run.status}" tabindex="0">'
            f"<title>{text(_bar_title(run, label))}</title>"
            f'<rect class="row" x="0" y="{number(y - (ROW_HEIGHT - BAR_HEIGHT) / 2)}" '
            f'width="{number(width)}" height="{ROW_HEIGHT}"/>'
            f'<text class="row-label" x="{number(label_width - 8)}" y="{number(y + BAR_HEIGHT - 2)}">'
            f"{text(label)}</text>"
            f'<rect class="span" x="{number(label_width + max(x, 0.0))}" y="{number(y)}" '
            f'width="{number(max(width_of, SHORTEST_BAR))}" height="{BAR_HEIGHT}" rx="3"/></g>'
        )
    if not runs:
        parts.append(
            f'<text class="empty" x="{number(label_width)}" y="{AXIS_HEIGHT + LINE_HEIGHT}">'
            "no task ran</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
