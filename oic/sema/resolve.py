"""Top-level names: the declarations of a file collected into one table, and the scopes of bodies.

Top-level declarations (params, services, conditions, builders) are visible everywhere, before or
after the line that declares them, so they are collected in a first pass; a second declaration of
the same name is an error at the second one. Inside bodies, ``let`` bindings are visible for the rest
of their block, loop variables inside the loop, and definition parameters inside the definition.
The built-in values ``event``, ``tasks`` and ``pipeline`` can never be redeclared.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oic.sema import types as t
from oic.sema.program import ResolvedService
from oic.sema.reporter import Reporter
from oic.source import Span
from oic.syntax import ast

BUILTIN_VALUES = ("event", "tasks", "pipeline")


@dataclass
class Binding:
    """A name visible in a scope: its ``type``, what declared it (``kind``: param, let, loop,
    parameter, builtin) and where; ``used`` is set when a use is resolved to it."""

    name: str
    type: t.Type
    kind: str
    span: Span
    used: bool = False


class Scope:
    """A block's names, chained to the enclosing block's."""

    def __init__(self, parent: Scope | None = None) -> None:
        self.parent = parent
        self.bindings: dict[str, Binding] = {}

    def lookup(self, name: str) -> Binding | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.bindings:
                return scope.bindings[name]
            scope = scope.parent
        return None

    def visible_names(self) -> list[str]:
        names: list[str] = []
        scope: Scope | None = self
        while scope is not None:
            names.extend(scope.bindings)
            scope = scope.parent
        return names

    def child(self) -> Scope:
        return Scope(self)


@dataclass
class Declarations:
    """Everything declared at the top level of one file, by name, plus usage marks for warnings."""

    pipeline: ast.PipelineDecl | None = None
    params: dict[str, ast.ParamDecl] = field(default_factory=dict)
    param_types: dict[str, t.Type] = field(default_factory=dict)
    service_declarations: dict[str, ast.ServiceDecl] = field(default_factory=dict)
    services: dict[str, ResolvedService] = field(default_factory=dict)
    conditions: dict[str, ast.ConditionDecl] = field(default_factory=dict)
    builders: dict[str, ast.BuilderDecl] = field(default_factory=dict)
    reactions: list[ast.ReactionDecl] = field(default_factory=list)
    used_services: set[str] = field(default_factory=set)
    used_definitions: set[str] = field(default_factory=set)


def written_type(reference: ast.TypeRef, reporter: Reporter) -> t.Type:
    """The type a written type denotes; an unknown name is an error and reads as ``any``."""
    element = written_type(reference.element, reporter) if reference.element is not None else None
    result = t.from_written(reference.name, element)
    if result is None:
        from oic.sema.hints import did_you_mean

        reporter.report(
            reference.span,
            "E0213",
            f"unknown type {reference.name!r}",
            did_you_mean(reference.name, t.WRITTEN_TYPE_NAMES)
            or "types are " + ", ".join(t.WRITTEN_TYPE_NAMES),
        )
        return t.ANY
    return result


def check_declarable(identifier: ast.Identifier, reporter: Reporter) -> bool:
    """Whether ``identifier`` may name a new value (built-in names may not be redeclared)."""
    if identifier.name in BUILTIN_VALUES:
        reporter.report(
            identifier.span,
            "E0210",
            f"{identifier.name!r} is a built-in name and cannot be redeclared",
            "choose another name",
        )
        return False
    return True


def collect(module: ast.Module, reporter: Reporter) -> Declarations:
    """The top-level table of ``module``; duplicates and a missing pipeline block are reported."""
    table = Declarations()
    first_spans: dict[tuple[str, str], Span] = {}

    def claim(namespace: str, identifier: ast.Identifier, what: str) -> bool:
        key = (namespace, identifier.name)
        if key in first_spans:
            first = first_spans[key]
            reporter.report(
                identifier.span,
                "E0206",
                f"{what} {identifier.name!r} is declared twice",
                f"the first declaration is on line {first.line}",
            )
            return False
        first_spans[key] = identifier.span
        return True

    for declaration in module.declarations:
        if isinstance(declaration, ast.PipelineDecl):
            if table.pipeline is not None:
                reporter.report(
                    declaration.span,
                    "E0209",
                    "a file has one pipeline block; this is the second",
                    f"the first is on line {table.pipeline.span.line}",
                )
            else:
                table.pipeline = declaration
        elif isinstance(declaration, ast.ParamDecl):
            if check_declarable(declaration.name, reporter) and claim("value", declaration.name, "param"):
                table.params[declaration.name.name] = declaration
                table.param_types[declaration.name.name] = written_type(declaration.type, reporter)
        elif isinstance(declaration, ast.ServiceDecl):
            if claim("service", declaration.name, "service"):
                table.service_declarations[declaration.name.name] = declaration
        elif isinstance(declaration, ast.ConditionDecl):
            if claim("definition", declaration.name, "condition"):
                table.conditions[declaration.name.name] = declaration
        elif isinstance(declaration, ast.BuilderDecl):
            if claim("definition", declaration.name, "builder"):
                table.builders[declaration.name.name] = declaration
        elif isinstance(declaration, ast.ReactionDecl):
            table.reactions.append(declaration)
    if table.pipeline is None:
        reporter.report(
            Span.point(1, 1),
            "E0209",
            "the file has no pipeline block",
            'start the file with `pipeline "NAME" {}`',
        )
    return table


def definition_scope(parameters: tuple[ast.Parameter, ...], top: Scope, reporter: Reporter) -> Scope:
    """The scope of a condition or builder body: its parameters over the top-level scope."""
    scope = top.child()
    for parameter in parameters:
        if not check_declarable(parameter.name, reporter):
            continue
        if parameter.name.name in scope.bindings:
            reporter.report(
                parameter.name.span,
                "E0206",
                f"parameter {parameter.name.name!r} is declared twice",
            )
            continue
        scope.bindings[parameter.name.name] = Binding(
            parameter.name.name, written_type(parameter.type, reporter), "parameter", parameter.name.span
        )
    return scope
