"""The reaction graph in Graphviz's DOT language.

Ids are the graph's synthesized ones; every label is a double-quoted DOT string. Once the text is
made visible (``labels.visible``), ``"`` and ``\\`` are escaped with a backslash (which also keeps
Graphviz's label escapes such as ``\\N`` and ``\\l`` from acting), and ``&`` is written ``&amp;``:
Graphviz reads HTML entities in every label, so a name holding ``&amp;`` would otherwise show as
``&``. A label's own lines are joined with DOT's ``\\n``.

Tasks are boxes (a pattern's box is doubled, as one statement builds many), reactions hexagons,
builders parallelograms, named conditions notes, junctions small circles; failure edges are red
and dashed, loop edges bold.
"""

from __future__ import annotations

from oic.graph.labels import visible
from oic.graph.model import (
    BUILDER,
    BUILDS,
    CALLS,
    CONDITION,
    EVENT,
    FAILED,
    JUNCTION,
    REACTION,
    TASK,
    TASK_PATTERN,
    Edge,
    Graph,
    Node,
)

_NODE_STYLES = {
    EVENT: 'shape=ellipse, style=filled, fillcolor="#dbeafe"',
    TASK: 'shape=box, style="rounded,filled", fillcolor="#dcfce7"',
    TASK_PATTERN: 'shape=box, peripheries=2, style="rounded,filled", fillcolor="#dcfce7"',
    REACTION: 'shape=hexagon, style=filled, fillcolor="#fef9c3"',
    BUILDER: 'shape=parallelogram, style=filled, fillcolor="#ede9fe"',
    CONDITION: 'shape=note, style=filled, fillcolor="#f1f5f9"',
    JUNCTION: "shape=circle, fontsize=10",
}


def quoted(text: str) -> str:
    """``text`` as a DOT double-quoted string, shown as written."""
    return '"' + visible(text).replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;") + '"'


def _label(lines: tuple[str, ...]) -> str:
    return '"' + "\\n".join(quoted(line)[1:-1] for line in lines) + '"'


def _node(node: Node) -> str:
    # A task built inside a loop is many tasks, as a pattern is: both get the doubled box.
    kind = TASK_PATTERN if node.kind == TASK and node.loop else node.kind
    return f"  {node.id} [label={_label(node.lines)}, {_NODE_STYLES[kind]}];"


def _edge(edge: Edge) -> str:
    attributes = []
    if edge.label:
        attributes.append(f"label={quoted(edge.label)}")
    if edge.kind == FAILED:
        attributes.append('color="#dc2626", fontcolor="#dc2626", style=dashed')
    elif edge.kind in (BUILDS, CALLS):
        attributes.append("style=bold" if edge.loop else 'color="#475569"')
        if edge.kind == CALLS:
            attributes.append("arrowhead=vee")
    suffix = f" [{', '.join(attributes)}]" if attributes else ""
    return f"  {edge.source} -> {edge.target}{suffix};"


def render(graph: Graph) -> str:
    """The whole graph as a DOT ``digraph``."""
    lines = [
        f"digraph {quoted(graph.name)} {{",
        "  rankdir=LR;",
        '  node [fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    lines.extend(_node(node) for node in graph.nodes)
    lines.extend(_edge(edge) for edge in graph.edges)
    lines.append("}")
    return "\n".join(lines) + "\n"
