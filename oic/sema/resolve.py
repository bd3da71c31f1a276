"""Top-level names: the declarations of a file collected into one table, and the scopes of bodies.

Top-level declarations (params, services, conditions, builders) are visible everywhere, before or
after the line that declares them, so they are collected in a first pass; a second declaration of
the same name is an error at the second one. Inside bodies, ``let`` bindings are visible for the rest
of their block, loop variables inside the loop, and definition parameters inside the definition.
The built-in values ``event``, ``tasks`` and ``pipeline`` can never be redeclared.
"""

from __future__ import annotations

from collections.abc import Mapping

from oic.records import Record
from oic.sema import types as t
from oic.sema.knowledge import NO_FACTS, Facts, Path, TaskKey
from oic.sema.program import ResolvedService
from oic.sema.reporter import Reporter
from oic.source import Span
from oic.syntax import ast

BUILTIN_VALUES = ("event", "tasks", "pipeline")


class Binding(Record):
    """A name visible in a scope: its ``type``, what declared it (``kind``: param, let, loop,
    parameter, builtin) and where; ``used`` is set when a use is resolved to it."""

    __slots__ = ("name", "type", "kind", "span", "used")
    _frozen = False

    name: str
    type: t.Type
    kind: str
    span: Span
    used: bool

    def __init__(self, name: str, type: t.Type, kind: str, span: Span, used: bool = False) -> None:
        self.name = name
        self.type = type
        self.kind = kind
        self.span = span
        self.used = used


class Scope:
    """A block's names, chained to the enclosing block's, and what is known to be true in it.

    ``runtime_values`` says whether ``event``, ``tasks`` and ``pipeline`` exist here: they do in
    reaction and builder bodies and in guards, not in param defaults or the task names of conditions
    (those are computed before any event); ``place`` names where the scope is, for that message.
    ``unavailable`` maps names that exist but may not be used here to the message and hint that say
    why (a param declared after the default that reads it).

    ``facts`` are the task facts true here (``oic.sema.facts``), and ``non_null`` the paths a test
    proved not null in this block (``oic.sema.narrowing``; roots resolved to their bindings).
    ``task_keys`` maps the parameters of a ``condition`` definition to the keys facts use for them."""

    def __init__(
        self,
        parent: Scope | None = None,
        *,
        runtime_values: bool | None = None,
        place: str = "",
        facts: Facts | None = None,
    ) -> None:
        self.parent = parent
        self.bindings: dict[str, Binding] = {}
        self.unavailable: Mapping[str, tuple[str, str]] = {}
        inherited = parent.runtime_values if parent is not None else False
        self.runtime_values: bool = inherited if runtime_values is None else runtime_values
        # Where this scope is, for messages about what is unavailable here ("a param default").
        self.place: str = place or (parent.place if parent is not None else "")
        self.facts: Facts = facts if facts is not None else (parent.facts if parent is not None else NO_FACTS)
        self.non_null: set[Path] = set()
        self.narrowed: bool = parent.narrowed if parent is not None else False
        self.task_keys: dict[str, TaskKey] = parent.task_keys if parent is not None else {}
        # The type of ``event`` here (``oic.sema.event_types``); None: the payload is not known.
        self.event: t.Type | None = parent.event if parent is not None else None

    def lookup(self, name: str) -> Binding | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.bindings:
                return scope.bindings[name]
            scope = scope.parent
        return None

    def why_unavailable(self, name: str) -> tuple[str, str] | None:
        """The message and hint saying why ``name`` cannot be used here, or None when it can."""
        scope: Scope | None = self
        while scope is not None:
            if name in scope.unavailable:
                return scope.unavailable[name]
            scope = scope.parent
        return None

    def proven_not_null(self, path: Path) -> bool:
        scope: Scope | None = self
        while scope is not None:
            if path in scope.non_null:
                return True
            scope = scope.parent
        return False

    def visible_names(self) -> list[str]:
        names: list[str] = []
        scope: Scope | None = self
        while scope is not None:
            names.extend(scope.bindings)
            scope = scope.parent
        return names

    def child(
        self, *, runtime_values: bool | None = None, place: str = "", facts: Facts | None = None
    ) -> Scope:
        return Scope(self, runtime_values=runtime_values, place=place, facts=facts)


class Declarations(Record):
    """Everything declared at the top level of one file, by name, plus usage marks for warnings."""

    __slots__ = (
        "pipeline",
        "params",
        "param_types",
        "service_declarations",
        "services",
        "conditions",
        "builders",
        "reactions",
        "used_services",
        "used_definitions",
    )
    _frozen = False

    pipeline: ast.PipelineDecl | None
    params: dict[str, ast.ParamDecl]
    param_types: dict[str, t.Type]
    service_declarations: dict[str, ast.ServiceDecl]
    services: dict[str, ResolvedService]
    conditions: dict[str, ast.ConditionDecl]
    builders: dict[str, ast.BuilderDecl]
    reactions: list[ast.ReactionDecl]
    used_services: set[str]
    used_definitions: set[str]

    def __init__(
        self,
        pipeline: ast.PipelineDecl | None = None,
        params: dict[str, ast.ParamDecl] | None = None,
        param_types: dict[str, t.Type] | None = None,
        service_declarations: dict[str, ast.ServiceDecl] | None = None,
        services: dict[str, ResolvedService] | None = None,
        conditions: dict[str, ast.ConditionDecl] | None = None,
        builders: dict[str, ast.BuilderDecl] | None = None,
        reactions: list[ast.ReactionDecl] | None = None,
        used_services: set[str] | None = None,
        used_definitions: set[str] | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.params = {} if params is None else params
        self.param_types = {} if param_types is None else param_types
        self.service_declarations = {} if service_declarations is None else service_declarations
        self.services = {} if services is None else services
        self.conditions = {} if conditions is None else conditions
        self.builders = {} if builders is None else builders
        self.reactions = [] if reactions is None else reactions
        self.used_services = set() if used_services is None else used_services
        self.used_definitions = set() if used_definitions is None else used_definitions


def written_type(reference: ast.TypeRef, reporter: Reporter) -> t.Type:
    """The type a written type denotes; an unknown name is an error and reads as ``any``."""
    element = written_type(reference.element, reporter) if reference.element is not None else None
    result = t.from_written(reference.name, element)
    if result is not None and element is not None and not isinstance(result, t.ListType):
        reporter.report(
            reference.span,
            "E0213",
            f"type {reference.name!r} takes no element type",
            f"only `list` does: `list[{reference.element.name if reference.element else ''}]`",
        )
        return result
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
