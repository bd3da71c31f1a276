"""What a check learned about positions, kept for tools that answer questions about the text (the
language server's hover, completion and navigation). Filling it changes nothing the checker decides:
it only keeps references to tables the passes build anyway."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oic.sema import types as t
    from oic.sema.resolve import Binding, Declarations
    from oic.sema.task_index import TaskIndex
    from oic.syntax import ast


class Analysis:
    """Filled by ``oic.sema.check(..., analysis=...)``: ``module`` (the tree checked), ``table``
    (the top-level declarations, with every service resolved), ``index`` (the task statements),
    ``types_by_node`` (the type of every expression checked, by ``id`` of its AST node) and
    ``bindings_by_node`` (the binding each ``Name`` resolved to, by ``id`` of the node). The ids
    are those of the module that was checked: keep it."""

    def __init__(self) -> None:
        self.module: ast.Module | None = None
        self.table: Declarations | None = None
        self.index: TaskIndex | None = None
        self.types_by_node: dict[int, t.Type] = {}
        self.bindings_by_node: dict[int, Binding] = {}
