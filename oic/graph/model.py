"""The reaction graph of a pipeline, as plain data the renderers (dot, mermaid) draw.

Nodes are what a run reacts to and what it builds: the ``engine.started`` event, tasks (a literal
name, or a pattern such as ``deploy-${region}`` for names computed at run time), reactions, builders,
named conditions and the ``and`` / ``or`` / ``not`` that join conditions. Edges go from what happens
to what it makes happen. Node ids are synthesized (``n0``, ``n1``, ...): no user text is ever an id,
so only labels need escaping, and each renderer escapes them for its own format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Node kinds.
EVENT = "event"  # engine.started
TASK = "task"  # a task with a literal name
TASK_PATTERN = "task-pattern"  # a task whose name is computed at run time (a pattern)
REACTION = "reaction"  # an `on ... { }` block
BUILDER = "builder"  # a `builder NAME(...) { }` declaration
CONDITION = "condition"  # a use of a named condition, with its arguments
JUNCTION = "junction"  # and / or / not
NODE_KINDS = (EVENT, TASK, TASK_PATTERN, REACTION, BUILDER, CONDITION, JUNCTION)

# Edge kinds.
TRIGGERS = "triggers"  # an event, a condition or a junction feeds what it points at
STARTED = "started"  # task(X).started
FINISHED = "finished"  # task(X).finished, any status
SUCCEEDED = "succeeded"  # task(X).finished(success)
FAILED = "failed"  # task(X).finished(failed): a failure edge, drawn apart
REPORTED = "reported"  # task(X).reported(EVENT)
BUILDS = "builds"  # a reaction or builder builds a task
CALLS = "calls"  # a reaction or builder calls a builder

TASK_EDGE_KINDS = (STARTED, FINISHED, SUCCEEDED, FAILED, REPORTED)


@dataclass(frozen=True)
class Node:
    """``id`` is synthesized; ``kind`` one of the node kinds above; ``lines`` the label, one
    element per line, as the user wrote it (renderers make it visible and escape it); ``loop``
    when the task is built inside a ``for``, so one statement builds many tasks."""

    id: str
    kind: str
    lines: tuple[str, ...]
    loop: bool = False


@dataclass(frozen=True)
class Edge:
    """From ``source`` to ``target`` (node ids); ``kind`` one of the edge kinds above; ``label``
    what the edge says (``finished(failed)``, ``for r in regions``), "" for none; ``loop`` when
    the build or call sits inside a ``for``."""

    source: str
    target: str
    kind: str
    label: str = ""
    loop: bool = False


@dataclass
class Graph:
    """A pipeline's reaction graph: ``name`` is the pipeline's, nodes and edges in the order they
    were found (file order), each edge once."""

    name: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    _seen_edges: set[Edge] = field(default_factory=set, repr=False)

    def add_node(self, kind: str, lines: tuple[str, ...], loop: bool = False) -> str:
        node_id = f"n{len(self.nodes)}"
        self.nodes.append(Node(node_id, kind, lines, loop))
        return node_id

    def add_edge(self, edge: Edge) -> None:
        if edge not in self._seen_edges:
            self._seen_edges.add(edge)
            self.edges.append(edge)
