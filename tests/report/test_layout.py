"""The report's own layered layout: edges run rightwards, cycles are drawn, nodes never overlap,
long edges pass between the columns."""

from __future__ import annotations

import itertools

from runtime.report.layout import Box, layered_layout


def overlapping(first: Box, second: Box) -> bool:
    return (
        first.x < second.right
        and second.x < first.right
        and first.y < second.y + second.height
        and second.y < first.y + first.height
    )


def assert_apart(boxes: list[Box]) -> None:
    for first, second in itertools.combinations(boxes, 2):
        assert not overlapping(first, second), (first, second)


def test_edges_of_an_acyclic_graph_run_rightwards() -> None:
    sizes = [(60.0, 30.0), (80.0, 30.0), (40.0, 46.0), (50.0, 30.0), (70.0, 30.0)]
    edges = [(0, 1), (0, 2), (1, 3), (2, 3), (3, 4), (0, 4)]
    layout = layered_layout(sizes, edges)
    assert len(layout.boxes) == len(sizes) and len(layout.routes) == len(edges)
    assert [(box.width, box.height) for box in layout.boxes] == sizes
    for (source, target), route in zip(edges, layout.routes, strict=True):
        assert route[0] == (layout.boxes[source].right, layout.boxes[source].middle)
        assert route[-1] == (layout.boxes[target].x, layout.boxes[target].middle)
        assert all(left[0] < right[0] for left, right in zip(route, route[1:], strict=False))
    # 0 -> 4 spans three columns: it passes through the two between.
    assert len(layout.routes[5]) == 4
    assert_apart(layout.boxes)
    assert all(box.right <= layout.width and box.y + box.height <= layout.height for box in layout.boxes)


def test_a_cycle_is_drawn_with_its_back_edge_pointing_back() -> None:
    # task -> reaction -> task, as a reusable task that triggers its own reaction.
    layout = layered_layout([(50.0, 30.0), (90.0, 30.0), (50.0, 30.0)], [(0, 1), (1, 2), (2, 1)])
    reaction, notify = layout.boxes[1], layout.boxes[2]
    assert reaction.right < notify.x
    back = layout.routes[2]
    assert back[0] == (notify.x, notify.middle) and back[-1] == (reaction.right, reaction.middle)


def test_a_self_loop_and_isolated_nodes_are_placed() -> None:
    layout = layered_layout([(40.0, 20.0)] * 3, [(1, 1)])
    assert len(layout.routes) == 1
    assert_apart(layout.boxes)


def test_crossings_are_undone_by_the_ordering() -> None:
    # Two parallel chains given in crossing order: a1 -> b2 side, a2 -> b1 side.
    sizes = [(40.0, 20.0)] * 4
    layout = layered_layout(sizes, [(0, 3), (1, 2)])
    first, second = (
        (layout.boxes[0].middle, layout.boxes[3].middle),
        (layout.boxes[1].middle, layout.boxes[2].middle),
    )
    assert (first[0] - second[0]) * (first[1] - second[1]) > 0


def test_a_large_fan_out_is_laid_out() -> None:
    count = 1500
    edges = [(0, node) for node in range(1, count)] + [(node, count) for node in range(1, count)]
    layout = layered_layout([(60.0, 24.0)] * (count + 1), edges)
    assert len({box.x for box in layout.boxes[1:count]}) == 1
    assert layout.boxes[0].right < layout.boxes[1].x < layout.boxes[count].x


def test_an_empty_graph() -> None:
    layout = layered_layout([], [])
    assert layout.boxes == [] and layout.routes == [] and layout.width > 0
