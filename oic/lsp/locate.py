"""The nodes under a position: from the module down to the innermost node whose span holds it."""

from __future__ import annotations

from oic.lsp.positions import contains
from oic.syntax import ast


def nodes_at(module: ast.Module, line: int, column: int) -> list[ast.Node]:
    """The chain of nodes holding 1-based ``line``/``column``, outermost first (the module itself
    first). Only the children that hold the position are followed, so this costs the depth of the
    tree, not its size."""
    chain: list[ast.Node] = [module]
    node: ast.Node = module
    while True:
        inner = None
        for child in node.children():
            if contains(child.span, line, column):
                inner = child
                # A later child starting exactly where this one ends (`a.b`: the cursor after `a`)
                # is not preferred: the first holder wins, as editors expect for a cursor after a name.
                break
        if inner is None:
            return chain
        chain.append(inner)
        node = inner
