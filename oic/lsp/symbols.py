"""Document symbols: the pipeline, params, services, conditions, builders and reactions, with the
tasks each builder or reaction builds and its ``let`` names below it (the outline of an editor)."""

from __future__ import annotations

from lsprotocol import types

from oic.lsp.checking import Checked
from oic.lsp.positions import Lines
from oic.sema.task_index import statements_with_loops
from oic.syntax import ast

_KINDS = {
    ast.ParamDecl: types.SymbolKind.Variable,
    ast.ServiceDecl: types.SymbolKind.Module,
    ast.ConditionDecl: types.SymbolKind.Event,
    ast.BuilderDecl: types.SymbolKind.Function,
}


def document_symbols(checked: Checked) -> list[types.DocumentSymbol]:
    module = checked.analysis.module
    if module is None:
        return []
    lines = checked.lines
    result = []
    for declaration in module.declarations:
        if isinstance(declaration, ast.PipelineDecl):
            result.append(
                _symbol(
                    f"pipeline {declaration.name.value}",
                    types.SymbolKind.Namespace,
                    declaration,
                    declaration.name.span,
                    lines,
                )
            )
        elif isinstance(declaration, ast.ReactionDecl):
            title = (
                "on "
                + checked.lines.line(declaration.span.line - 1)
                .strip()
                .removeprefix("on ")
                .rstrip("{ ")
                .strip()
            )
            symbol = _symbol(title, types.SymbolKind.Event, declaration, declaration.span, lines)
            symbol.children = _body(declaration.body, lines)
            result.append(symbol)
        else:
            kind = _KINDS.get(type(declaration))
            if kind is None:
                continue
            name = declaration.name  # type: ignore[union-attr]
            symbol = _symbol(name.name, kind, declaration, name.span, lines)
            if isinstance(declaration, ast.BuilderDecl):
                symbol.children = _body(declaration.body, lines)
            result.append(symbol)
    return result


def _symbol(
    name: str, kind: types.SymbolKind, node: ast.Node, selection, lines: Lines
) -> types.DocumentSymbol:  # type: ignore[no-untyped-def]
    return types.DocumentSymbol(
        name=name or "(unnamed)",
        kind=kind,
        range=lines.range(node.span),
        selection_range=lines.range(selection),
    )


def _body(body: tuple[ast.Statement, ...], lines: Lines) -> list[types.DocumentSymbol]:
    children = []
    for statement, _loop in statements_with_loops(body):
        if isinstance(statement, ast.TaskStmt):
            name = (
                statement.name.value if isinstance(statement.name, ast.StringLiteral) else "(computed name)"
            )
            call = f"{statement.call.service.name}.{statement.call.endpoint.name}"
            symbol = _symbol(f"task {name}", types.SymbolKind.Object, statement, statement.name.span, lines)
            symbol.detail = call
            children.append(symbol)
        elif isinstance(statement, ast.LetStmt):
            children.append(
                _symbol(statement.name.name, types.SymbolKind.Variable, statement, statement.name.span, lines)
            )
    return children
