"""The graph the compiler puts in the generated program, as the report reads it back: one shape on
both sides of the ``runtime`` / ``oic`` line (the runtime repeats the kinds, since it does not
import ``oic``), and every example's graph read back whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from oic.frontend import check_file
from oic.graph import model
from oic.graph.data import graph_data
from oic.graph.reactions import reaction_graph
from runtime.report import graph

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(ROOT.glob("examples/**/*.oi"))


def test_the_runtime_knows_the_kinds_the_compiler_draws() -> None:
    declared = {value for name, value in vars(model).items() if name.isupper() and isinstance(value, str)}
    assert set(model.NODE_KINDS) <= declared
    assert graph.NODE_KINDS == model.NODE_KINDS
    assert (graph.EVENT, graph.TASK, graph.TASK_PATTERN) == (model.EVENT, model.TASK, model.TASK_PATTERN)
    assert graph.FAILED_EDGE == model.FAILED


@pytest.mark.parametrize("source", EXAMPLES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_example_graph_reads_back_whole(source: Path) -> None:
    result = check_file(str(source))
    assert result.program is not None and not result.has_errors
    drawn = reaction_graph(result.program)
    read = graph.read_graph(graph_data(drawn))
    assert read is not None
    assert [(node.id, node.kind, node.lines, node.loop) for node in read.nodes] == [
        (node.id, node.kind, node.lines, node.loop) for node in drawn.nodes
    ]
    assert [(edge.source, edge.target, edge.kind, edge.label, edge.loop) for edge in read.edges] == [
        (edge.source, edge.target, edge.kind, edge.label, edge.loop) for edge in drawn.edges
    ]
