"""Reading back what `oic graph` drew: DOT statements and Mermaid lines, as plain data.

The tests assert on the structure (which node points at which, with what label and style), not on
golden text, so a change of colour or layout attribute does not break them and a wrong edge does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from oic.frontend import check_file
from oic.graph import dot, mermaid
from oic.graph.model import Graph
from oic.graph.reactions import reaction_graph

# A DOT double-quoted string: any character but `"` and `\`, or a backslash and what it escapes.
_DOT_STRING = r'"((?:[^"\\]|\\.)*)"'
_DOT_NODE = re.compile(r"^  (n\d+) \[label=" + _DOT_STRING + r"(.*)\];$")
_DOT_EDGE = re.compile(r"^  (n\d+) -> (n\d+)(?: \[(.*)\])?;$")
_DOT_LABEL = re.compile(r"label=" + _DOT_STRING)


def dot_unescape(text: str) -> str:
    """A DOT string's text: ``\\n`` (a line break in a label) becomes a newline, ``\\x`` becomes x,
    and ``&amp;`` ``&``. Any other entity would be read by Graphviz, so there must be none."""
    assert not re.search(r"&(?!amp;)", text), f"an & that is not &amp; in a DOT label: {text!r}"
    text = re.sub(r"\\(.)", lambda match: "\n" if match.group(1) == "n" else match.group(1), text)
    return text.replace("&amp;", "&")


@dataclass
class DotGraph:
    """Nodes by id: (label, attributes); edges: (source label, target label, edge label, attributes)."""

    nodes: dict[str, tuple[str, str]] = field(default_factory=dict)
    edges: list[tuple[str, str, str, str]] = field(default_factory=list)

    def edges_between(self, source: str, target: str) -> list[tuple[str, str, str, str]]:
        return [edge for edge in self.edges if edge[0] == source and edge[1] == target]

    def into(self, target: str) -> list[tuple[str, str, str, str]]:
        return [edge for edge in self.edges if edge[1] == target]

    def out_of(self, source: str) -> list[tuple[str, str, str, str]]:
        return [edge for edge in self.edges if edge[0] == source]


def parse_dot(text: str) -> DotGraph:
    """Every node and edge statement of ``text``; any other line inside the digraph fails."""
    lines = text.splitlines()
    assert lines[0].startswith("digraph ") and lines[0].endswith("{"), lines[0]
    assert lines[-1] == "}"
    parsed = DotGraph()
    labels: dict[str, str] = {}
    edge_lines: list[re.Match[str]] = []
    for line in lines[1:-1]:
        node = _DOT_NODE.match(line)
        edge = _DOT_EDGE.match(line)
        if node:
            labels[node.group(1)] = dot_unescape(node.group(2))
            parsed.nodes[node.group(1)] = (labels[node.group(1)], node.group(3))
        elif edge:
            edge_lines.append(edge)
        else:
            assert re.match(r"^  (rankdir|node|edge)\b", line), f"unexpected DOT line: {line!r}"
    for edge in edge_lines:
        attributes = edge.group(3) or ""
        label = _DOT_LABEL.search(attributes)
        assert edge.group(1) in labels and edge.group(2) in labels, edge.group(0)
        parsed.edges.append(
            (
                labels[edge.group(1)],
                labels[edge.group(2)],
                dot_unescape(label.group(1)) if label else "",
                attributes,
            )
        )
    return parsed


def graph_of(path: Path | str) -> Graph:
    result = check_file(str(path))
    assert result.program is not None, result.diagnostics
    return reaction_graph(result.program)


def dot_of(path: Path | str) -> str:
    return dot.render(graph_of(path))


def mermaid_of(path: Path | str) -> str:
    return mermaid.render(graph_of(path))


_MERMAID_LABEL = r'"([^"]*)"'
_MERMAID_NODE = re.compile(
    r"^  (n\d+)(\(\[|\[\[|\{\{|\[/|\(\(|\(|>)" + _MERMAID_LABEL + r"(\]\)|\]\]|\}\}|/\]|\)\)|\)|\]):::(\w+)$"
)
_MERMAID_EDGE = re.compile(r"^  (n\d+) (-->|-\.->|==>)(?:\|" + _MERMAID_LABEL + r"\|)? (n\d+)$")
_PAIRS = {"([": "])", "[[": "]]", "{{": "}}", "[/": "/]", "((": "))", "(": ")", ">": "]"}
_ENTITY = re.compile(r"#(\w+);")
_ENTITIES = {"quot": '"', "lt": "<", "gt": ">", "35": "#", "38": "&"}


def mermaid_unescape(text: str) -> str:
    assert not re.search(r"<(?!br/>)|(?<!<br/)>", text), f"raw < or > in a Mermaid label: {text!r}"
    text = text.replace("<br/>", "\n")
    # Every `#` must start an entity: a bare one could be read as the start of one.
    assert all(_ENTITY.match(text, match.start()) for match in re.finditer("#", text)), text
    return _ENTITY.sub(lambda match: _ENTITIES[match.group(1)], text)


@dataclass
class MermaidGraph:
    """Nodes by id: (label, shape); edges: (source label, target label, arrow, edge label)."""

    nodes: dict[str, tuple[str, str]] = field(default_factory=dict)
    edges: list[tuple[str, str, str, str]] = field(default_factory=list)
    failure_links: list[int] = field(default_factory=list)


def parse_mermaid(text: str) -> MermaidGraph:
    """A syntax check of the flowchart subset `oic graph` writes: each line is a node, an edge, a
    class definition or the link style; shapes open and close in pairs; labels hold no raw quote,
    angle bracket or bare `#`; edges join declared nodes; the link style names existing edges."""
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    parsed = MermaidGraph()
    classes: set[str] = set()
    used_classes: set[str] = set()
    for line in lines[1:]:
        node = _MERMAID_NODE.match(line)
        edge = _MERMAID_EDGE.match(line)
        if node:
            assert _PAIRS[node.group(2)] == node.group(4), line
            assert node.group(1) not in parsed.nodes, f"node declared twice: {line}"
            parsed.nodes[node.group(1)] = (mermaid_unescape(node.group(3)), node.group(2))
            used_classes.add(node.group(5))
        elif edge:
            source, target = edge.group(1), edge.group(4)
            assert source in parsed.nodes and target in parsed.nodes, line
            label = mermaid_unescape(edge.group(3)) if edge.group(3) is not None else ""
            parsed.edges.append((parsed.nodes[source][0], parsed.nodes[target][0], edge.group(2), label))
        elif line.startswith("  classDef "):
            classes.add(line.split()[1])
        elif line.startswith("  linkStyle "):
            parsed.failure_links = [int(number) for number in line.split()[1].split(",")]
            assert all(number < len(parsed.edges) for number in parsed.failure_links), line
        else:
            raise AssertionError(f"unexpected Mermaid line: {line!r}")
    assert used_classes <= classes, used_classes - classes
    return parsed
