"""The reaction graph as inline SVG, laid out by ``layout.layered_layout``, each task node marked
with how its runs ended.

A task node takes the status of its latest run (its tooltip counts them all), and ``not-run`` when
no run of it was built; the other nodes are drawn plainly. Failure edges (``finished(failed)``) are
red and dashed, as ``oic graph`` draws them. Each node is a ``<g class="node" data-node="ID">``
(the graph's synthesized ids, never a user's text) listing its runs' places in ``data-runs``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from runtime.report.facts import STATUSES, TaskRun
from runtime.report.graph import FAILED_EDGE, TASK, TASK_PATTERN, ReactionGraph, runs_of_nodes
from runtime.report.layout import Box, layered_layout
from runtime.report.markup import one_line, text
from runtime.report.svg_text import LINE_HEIGHT, number, shortened, text_width

PADDING = 8
LABEL_CHARACTER_WIDTH = 6.1  # of the edge labels' 10px monospace
LONGEST_LINE = 60


def _lines(lines: Sequence[str], redact: Callable[[str], str]) -> list[str]:
    return [shortened(one_line(redact(line)), LONGEST_LINE) for line in lines] or [""]


def _path(points: Sequence[tuple[float, float]]) -> str:
    """Curves through ``points`` that leave and reach each one horizontally."""
    (x, y), rest = points[0], points[1:]
    parts = [f"M{number(x)},{number(y)}"]
    for next_x, next_y in rest:
        bend = (next_x - x) / 2 if next_x != x else 30
        parts.append(
            f"C{number(x + bend)},{number(y)} {number(next_x - bend)},{number(next_y)} "
            f"{number(next_x)},{number(next_y)}"
        )
        x, y = next_x, next_y
    return " ".join(parts)


def _self_loop(box: Box) -> str:
    x, y = box.right - 10, box.y
    top = number(y - 28)
    return f"M{number(x)},{number(y)} C{number(x)},{top} {number(x - 30)},{top} {number(x - 30)},{number(y)}"


def _label_place(
    route: Sequence[tuple[float, float]], label: str, placed: list[tuple[float, float, float, float]]
) -> tuple[float, float]:
    """Where an edge's label goes: above the middle of the edge's last stretch (where edges into one
    node part), moved down past the labels already placed that it would cover."""
    (start_x, start_y), (end_x, end_y) = route[-2], route[-1]
    x, y = (start_x + end_x) / 2, (start_y + end_y) / 2 - 4
    half = len(label) * LABEL_CHARACTER_WIDTH / 2
    for _ in range(len(placed) + 1):
        clashes = [
            box
            for box in placed
            if x - half < box[2] and box[0] < x + half and y - 10 < box[3] and box[1] < y
        ]
        if not clashes:
            break
        y = max(box[3] for box in clashes) + 11
    placed.append((x - half, y - 10, x + half, y))
    return x, y


def _node_status(runs: Sequence[TaskRun]) -> tuple[str, str]:
    """The class of a task node and the line its tooltip adds."""
    if not runs:
        return "not-run", "no run of it was built"
    counts = [f"{sum(1 for run in runs if run.status == status)} {status}" for status in STATUSES]
    described = ", ".join(count for count in counts if not count.startswith("0 "))
    noun = "run" if len(runs) == 1 else "runs"
    return runs[-1].status, f"{len(runs)} {noun}: {described}"


def graph_svg(graph: ReactionGraph, runs: Sequence[TaskRun], redact: Callable[[str], str]) -> str:
    labels = [_lines(node.lines, redact) for node in graph.nodes]
    sizes = [
        (max(text_width(line) for line in lines) + 2 * PADDING, len(lines) * LINE_HEIGHT + 2 * PADDING - 4)
        for lines in labels
    ]
    index_of = {node.id: index for index, node in enumerate(graph.nodes)}
    pairs = [(index_of[edge.source], index_of[edge.target]) for edge in graph.edges]
    layout = layered_layout(sizes, pairs)
    place_of_run = {run.id: place for place, run in enumerate(runs)}
    runs_by_node = runs_of_nodes(graph, runs)
    width, height = layout.width, layout.height + 30  # room for a loop above the top row
    placed: list[tuple[float, float, float, float]] = []  # the edge labels' boxes so far
    parts = [
        f'<svg class="graph" width="{number(width)}" height="{number(height)}" '
        f'viewBox="0 -30 {number(width)} {number(height)}" role="img" aria-label="reaction graph">'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
        'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">'
        '<path d="M0,0 L10,5 L0,10 z"/></marker></defs>'
    ]
    for edge, (source, target), route in zip(graph.edges, pairs, layout.routes, strict=True):
        kind = "failed" if edge.kind == FAILED_EDGE else "plain"
        loop = " loop" if edge.loop else ""
        drawn = _self_loop(layout.boxes[source]) if source == target else _path(route)
        parts.append(f'<path class="edge edge-{kind}{loop}" d="{drawn}" marker-end="url(#arrow)"/>')
        if edge.label:
            label = shortened(one_line(redact(edge.label)), 40)
            x, y = _label_place(route, label, placed)
            parts.append(
                f'<text class="edge-label edge-{kind}" x="{number(x)}" y="{number(y)}">{text(label)}</text>'
            )
    for node, lines, box in zip(graph.nodes, labels, layout.boxes, strict=True):
        classes = f"node kind-{node.kind}"
        title = "\n".join(lines)
        node_runs = runs_by_node.get(node.id, [])
        if node.kind in (TASK, TASK_PATTERN):
            status, described = _node_status(node_runs)
            classes += f" status-{status}"
            title += "\n" + described
        places = " ".join(str(place_of_run[run.id]) for run in node_runs)
        parts.append(
            f'<g class="{classes}" data-node="{text(node.id)}" data-runs="{places}" tabindex="0">'
            f"<title>{text(title)}</title>"
            f'<rect x="{number(box.x)}" y="{number(box.y)}" width="{number(box.width)}" '
            f'height="{number(box.height)}" rx="6"/>'
        )
        for line_index, line in enumerate(lines):
            y = box.y + PADDING + (line_index + 1) * LINE_HEIGHT - 4
            parts.append(f'<text x="{number(box.x + PADDING)}" y="{number(y)}">{text(line)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
