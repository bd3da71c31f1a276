"""The reaction graph as plain data: dicts, lists, strings and booleans only.

The generated program carries its graph in this shape (``GRAPH``, a ``repr`` literal made by
``oic.codegen.markers.literal``), and the run report (``runtime/report``) draws it with what ran
marked on it. The runtime does not import ``oic``: the shape is the contract between the two, and
``runtime.report.graph`` reads it back, checking every field.
"""

from __future__ import annotations

from typing import Any

from oic.graph.model import Edge, Graph, Node


def node_data(node: Node) -> dict[str, Any]:
    return {"id": node.id, "kind": node.kind, "lines": list(node.lines), "loop": node.loop}


def edge_data(edge: Edge) -> dict[str, Any]:
    return {
        "source": edge.source,
        "target": edge.target,
        "kind": edge.kind,
        "label": edge.label,
        "loop": edge.loop,
    }


def graph_data(graph: Graph) -> dict[str, Any]:
    """``graph`` as ``{"nodes": [...], "edges": [...]}`` (file order, as found)."""
    return {
        "nodes": [node_data(node) for node in graph.nodes],
        "edges": [edge_data(edge) for edge in graph.edges],
    }
