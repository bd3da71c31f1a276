"""A small layered layout of a directed graph, left to right: no Graphviz at run time.

The steps of the classic layered (Sugiyama) drawing, each in its simplest form:

1. cycles are broken by reversing the edges a depth-first walk finds going back (a reusable task
   that triggers its own reaction makes one);
2. each node's layer is the length of the longest path to it, so every edge points rightwards;
3. an edge that spans several layers gets a point in each layer it crosses, so that it is routed
   between the nodes rather than through them;
4. the order within each layer is the median-free barycenter heuristic, a few sweeps each way,
   which removes most crossings of graphs the size of a pipeline's;
5. layers become columns as wide as their widest node; nodes are stacked in each column, centred
   on the tallest column.

Everything is iterative (no recursion), and linear in the graph's size per sweep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

LAYER_GAP = 100  # between columns, where the edges run and their labels sit
NODE_GAP = 18  # between the nodes of a column
WAYPOINT_SIZE = 6  # the room an edge crossing a column takes
SWEEPS = 4
MARGIN = 12


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def middle(self) -> float:
        return self.y + self.height / 2


@dataclass
class Layout:
    """Where each node goes (its ``Box``, by index), each edge's points from its source to its
    target (by index), and the size of the drawing."""

    boxes: list[Box] = field(default_factory=list)
    routes: list[list[tuple[float, float]]] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0


def _back_edges(count: int, edges: Sequence[tuple[int, int]]) -> set[int]:
    """Indexes of the edges a depth-first walk (from each node in order) finds going back."""
    outgoing: list[list[tuple[int, int]]] = [[] for _ in range(count)]
    for index, (source, target) in enumerate(edges):
        outgoing[source].append((target, index))
    state = [0] * count  # 0 unseen, 1 on the walk's path, 2 done
    back: set[int] = set()
    for start in range(count):
        if state[start]:
            continue
        state[start] = 1
        stack = [(start, 0)]
        while stack:
            node, position = stack[-1]
            if position < len(outgoing[node]):
                stack[-1] = (node, position + 1)
                target, index = outgoing[node][position]
                if state[target] == 1:
                    back.add(index)
                elif state[target] == 0:
                    state[target] = 1
                    stack.append((target, 0))
            else:
                state[node] = 2
                stack.pop()
    return back


def _layers(count: int, forward: Sequence[tuple[int, int]]) -> list[int]:
    """The longest-path layer of each node of the acyclic graph ``forward``."""
    incoming = [0] * count
    outgoing: list[list[int]] = [[] for _ in range(count)]
    for source, target in forward:
        if source != target:
            incoming[target] += 1
            outgoing[source].append(target)
    layer = [0] * count
    ready = [node for node in range(count) if incoming[node] == 0]
    while ready:
        node = ready.pop()
        for target in outgoing[node]:
            layer[target] = max(layer[target], layer[node] + 1)
            incoming[target] -= 1
            if incoming[target] == 0:
                ready.append(target)
    return layer


def _ordered(columns: list[list[int]], neighbours: list[list[int]], backwards: list[list[int]]) -> None:
    """Reorder each column by the barycenter of each item's neighbours in the column before (a
    sweep rightwards) or after (leftwards), in place."""
    position: dict[int, float] = {}
    for column in columns:
        for place, item in enumerate(column):
            position[item] = place
    for sweep in range(SWEEPS):
        rightwards = sweep % 2 == 0
        order = range(1, len(columns)) if rightwards else range(len(columns) - 2, -1, -1)
        for column_index in order:
            column = columns[column_index]
            linked = backwards if rightwards else neighbours

            def centre(item: int, linked: list[list[int]] = linked) -> float:
                places = [position[other] for other in linked[item]]
                return sum(places) / len(places) if places else position[item]

            column.sort(key=centre)
            for place, item in enumerate(column):
                position[item] = place


def layered_layout(sizes: Sequence[tuple[float, float]], edges: Sequence[tuple[int, int]]) -> Layout:
    """Lay out nodes of the given (width, height) joined by ``edges`` (pairs of node indexes)."""
    count = len(sizes)
    back = _back_edges(count, edges)
    forward = [
        (target, source) if index in back else (source, target)
        for index, (source, target) in enumerate(edges)
    ]
    layer = _layers(count, forward)
    # Items are the nodes, then one waypoint per layer an edge crosses.
    item_layer = list(layer)
    item_size = list(sizes)
    chains: list[list[int]] = []  # per edge: its items, from the forward source to the forward target
    for source, target in forward:
        chain = [source]
        for between in range(layer[source] + 1, layer[target]):
            item_layer.append(between)
            item_size.append((0.0, WAYPOINT_SIZE))
            chain.append(len(item_layer) - 1)
        chain.append(target)
        chains.append(chain)
    items = len(item_layer)
    neighbours: list[list[int]] = [[] for _ in range(items)]
    backwards: list[list[int]] = [[] for _ in range(items)]
    for chain in chains:
        for left, right in zip(chain, chain[1:], strict=False):
            if left != right:
                neighbours[left].append(right)
                backwards[right].append(left)
    columns: list[list[int]] = [[] for _ in range(max(item_layer, default=-1) + 1)]
    for item in range(items):
        columns[item_layer[item]].append(item)
    _ordered(columns, neighbours, backwards)

    widths = [max((item_size[item][0] for item in column), default=0.0) for column in columns]
    heights = [
        sum(item_size[item][1] for item in column) + NODE_GAP * max(0, len(column) - 1) for column in columns
    ]
    tallest = max(heights, default=0.0)
    places: list[Box] = [Box(0, 0, 0, 0)] * items
    x = float(MARGIN)
    for column, width, height in zip(columns, widths, heights, strict=True):
        y = MARGIN + (tallest - height) / 2
        for item in column:
            item_width, item_height = item_size[item]
            places[item] = Box(x + (width - item_width) / 2, y, item_width, item_height)
            y += item_height + NODE_GAP
        x += width + LAYER_GAP
    layout = Layout(
        boxes=places[:count], width=max(x - LAYER_GAP + MARGIN, 2 * MARGIN), height=tallest + 2 * MARGIN
    )
    for index, chain in enumerate(chains):
        first, last = places[chain[0]], places[chain[-1]]
        points = [(first.right, first.middle)]
        points += [(places[item].x, places[item].middle) for item in chain[1:-1]]
        points.append((last.x, last.middle))
        layout.routes.append(points[::-1] if index in back else points)
    return layout
