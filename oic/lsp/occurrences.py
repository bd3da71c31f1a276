"""Every place a file names something it declares: params, ``let`` names, loop variables and
definition parameters (resolved by the checker, so a ``let`` that shadows a param is told apart),
services, conditions, builders, and task names written as literals (``task "x"``, ``tasks["x"]``,
``task("x")``). Definition, references, rename and symbols all read this one list.
"""

from __future__ import annotations

from oic.lsp.positions import contains
from oic.records import Record, set_field
from oic.sema import Analysis
from oic.source import Span
from oic.syntax import ast

# A value's key is where it is declared: two declarations of one name are two values.
VALUE = "value"


class Occurrence(Record):
    """``key`` says what is named (``("service", "trello")``, ``("value", line, column)``), ``kind``
    how it was declared (param, let, loop, parameter, service, condition, builder, task), ``span``
    covers the name alone (a task name without its quotes), ``definition`` whether it declares."""

    __slots__ = ("key", "kind", "name", "span", "definition")

    key: tuple[object, ...]
    kind: str
    name: str
    span: Span
    definition: bool

    def __init__(self, key: tuple[object, ...], kind: str, name: str, span: Span, definition: bool) -> None:
        set_field(self, "key", key)
        set_field(self, "kind", kind)
        set_field(self, "name", name)
        set_field(self, "span", span)
        set_field(self, "definition", definition)


def _declared(kind: str, identifier: ast.Identifier) -> Occurrence:
    span = identifier.span
    return Occurrence((VALUE, span.line, span.column), kind, identifier.name, span, True)


def _inside_quotes(literal: ast.StringLiteral) -> Span:
    span = literal.span
    if span.end_line == span.line and span.end_column - span.column == len(literal.value) + 2:
        return Span(span.line, span.column + 1, span.line, span.end_column - 1)
    return span  # written with escapes: the whole literal


def _task(literal: ast.Expression, definition: bool) -> Occurrence | None:
    if not isinstance(literal, ast.StringLiteral):
        return None
    return Occurrence(("task", literal.value), "task", literal.value, _inside_quotes(literal), definition)


def _task_arguments(reference: ast.ConditionRef, analysis: Analysis) -> list[Occurrence | None]:
    """The literal arguments of ``done("fetch")`` that the condition uses as a task name
    (``condition done(name: string) = task(name).finished``): references to those tasks."""
    assert analysis.table is not None
    condition = analysis.table.conditions.get(reference.name.name)
    if condition is None:
        return []
    named = {
        node.task.name
        for node in ast.walk(condition.condition)
        if isinstance(node, ast.TaskCondition) and isinstance(node.task, ast.Name)
    }
    return [
        _task(argument, False)
        for parameter, argument in zip(condition.parameters, reference.args, strict=False)
        if parameter.name.name in named
    ]


def collect(analysis: Analysis) -> list[Occurrence]:
    """Every occurrence in the checked module, in source order."""
    found: list[Occurrence | None] = []
    if analysis.module is None:
        return []
    bindings = analysis.bindings_by_node
    for node in ast.walk(analysis.module):
        kind = type(node)
        if kind is ast.Name:
            binding = bindings.get(id(node))
            if binding is not None:
                key = (VALUE, binding.span.line, binding.span.column)
                found.append(Occurrence(key, binding.kind, node.name, node.span, False))  # type: ignore[attr-defined]
        elif kind is ast.ParamDecl:
            found.append(_declared("param", node.name))  # type: ignore[attr-defined]
        elif kind is ast.Parameter:
            found.append(_declared("parameter", node.name))  # type: ignore[attr-defined]
        elif kind is ast.LetStmt:
            found.append(_declared("let", node.name))  # type: ignore[attr-defined]
        elif kind in (ast.ForStmt, ast.ListComprehension, ast.ObjectComprehension):
            found.append(_declared("loop", node.variable))  # type: ignore[attr-defined]
        elif kind in (ast.ServiceDecl, ast.ConditionDecl, ast.BuilderDecl):
            what = {ast.ServiceDecl: "service", ast.ConditionDecl: "condition", ast.BuilderDecl: "builder"}[
                kind
            ]
            name = node.name  # type: ignore[attr-defined]
            found.append(Occurrence((what, name.name), what, name.name, name.span, True))
        elif kind is ast.ServiceCall:
            service = node.service  # type: ignore[attr-defined]
            found.append(Occurrence(("service", service.name), "service", service.name, service.span, False))
        elif kind is ast.ConditionRef or kind is ast.BuilderCall:
            what = "condition" if kind is ast.ConditionRef else "builder"
            name = node.name  # type: ignore[attr-defined]
            found.append(Occurrence((what, name.name), what, name.name, name.span, False))
            if kind is ast.ConditionRef and analysis.table is not None:
                found.extend(_task_arguments(node, analysis))  # type: ignore[arg-type]
        elif kind is ast.TaskStmt:
            found.append(_task(node.name, True))  # type: ignore[attr-defined]
        elif kind is ast.TaskCondition:
            found.append(_task(node.task, False))  # type: ignore[attr-defined]
        elif kind is ast.Index:
            target = node.target  # type: ignore[attr-defined]
            if isinstance(target, ast.Name) and target.name == "tasks":
                found.append(_task(node.index, False))  # type: ignore[attr-defined]
    return [occurrence for occurrence in found if occurrence is not None]


def at(occurrences: list[Occurrence], line: int, column: int) -> Occurrence | None:
    """The occurrence under 1-based ``line``/``column``."""
    for occurrence in occurrences:
        if contains(occurrence.span, line, column):
            return occurrence
    return None


def same(occurrences: list[Occurrence], key: tuple[object, ...]) -> list[Occurrence]:
    return [occurrence for occurrence in occurrences if occurrence.key == key]
