"""The reaction graph as a Mermaid flowchart.

Every label is a double-quoted Mermaid string. Inside one, Mermaid reads ``#name;`` as an entity
and HTML tags as markup, and a ``"`` would end the string, so after the text is made visible
(``labels.visible``) the characters ``# & " < >`` are written as entities (``#35;`` first, so the
entities written after it are not escaped again). A label's own lines are joined with ``<br/>``.
Failure edges are dotted and red (``linkStyle``), loop edges thick.
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

_ENTITIES = (("#", "#35;"), ("&", "#38;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"))

# Opening and closing brackets of each kind's shape.
_SHAPES = {
    EVENT: ("([", "])"),
    TASK: ("(", ")"),
    TASK_PATTERN: ("[[", "]]"),
    REACTION: ("{{", "}}"),
    BUILDER: ("[/", "/]"),
    CONDITION: (">", "]"),
    JUNCTION: ("((", "))"),
}

_CLASSES = {
    EVENT: "fill:#dbeafe",
    TASK: "fill:#dcfce7",
    TASK_PATTERN: "fill:#dcfce7",
    REACTION: "fill:#fef9c3",
    BUILDER: "fill:#ede9fe",
    CONDITION: "fill:#f1f5f9",
    JUNCTION: "fill:#ffffff",
}


def escaped(text: str) -> str:
    """``text`` made safe inside a Mermaid double-quoted label."""
    text = visible(text)
    for character, entity in _ENTITIES:
        text = text.replace(character, entity)
    return text


def _label(lines: tuple[str, ...]) -> str:
    return '"' + "<br/>".join(escaped(line) for line in lines) + '"'


def _class_name(kind: str) -> str:
    return kind.replace("-", "_")


def _node(node: Node) -> str:
    # A task built inside a loop is many tasks, as a pattern is: both get the doubled box.
    opening, closing = _SHAPES[TASK_PATTERN if node.kind == TASK and node.loop else node.kind]
    return f"  {node.id}{opening}{_label(node.lines)}{closing}:::{_class_name(node.kind)}"


def _edge(edge: Edge) -> str:
    if edge.kind == FAILED:
        arrow = "-.->"
    elif edge.kind in (BUILDS, CALLS) and edge.loop:
        arrow = "==>"
    else:
        arrow = "-->"
    label = f'|"{escaped(edge.label)}"|' if edge.label else ""
    return f"  {edge.source} {arrow}{label} {edge.target}"


def render(graph: Graph) -> str:
    """The whole graph as a Mermaid ``flowchart``."""
    lines = ["flowchart LR"]
    lines.extend(_node(node) for node in graph.nodes)
    lines.extend(_edge(edge) for edge in graph.edges)
    lines.extend(f"  classDef {_class_name(kind)} {style}" for kind, style in _CLASSES.items())
    failures = [str(number) for number, edge in enumerate(graph.edges) if edge.kind == FAILED]
    if failures:
        lines.append(f"  linkStyle {','.join(failures)} stroke:#dc2626,color:#dc2626")
    return "\n".join(lines) + "\n"
