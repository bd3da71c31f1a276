"""Semantic analysis: from an AST to a ``CheckedProgram`` (or the reasons there is none).

``check`` runs the passes in order, each adding diagnostics and none stopping early:

1. collect the top-level declarations (``resolve``) and check the pipeline block (``settings``);
2. resolve every service and load its endpoint schemas (``schemas``, ``service_init``);
3. index every task statement by the names it can build (``task_index``);
4. resolve and type params, conditions, builders and reactions (``expressions``, ``statements``);
5. check reactions statically (``reactions``) and warn about what is declared but never used.
"""

from __future__ import annotations

from oic.diagnostics import Diagnostic
from oic.sema import hints
from oic.sema import types as t
from oic.sema.bounds import check_definitions
from oic.sema.expressions import ExpressionChecker
from oic.sema.program import CheckedParam, CheckedProgram
from oic.sema.reactions import ReactionChecker
from oic.sema.reporter import Reporter
from oic.sema.resolve import Binding, Scope, collect, definition_scope
from oic.sema.schemas import SchemaOptions, resolve_service
from oic.sema.settings import check_pipeline
from oic.sema.statements import BodyChecker
from oic.sema.task_index import TaskIndex
from oic.source import SourceFile
from oic.syntax import ast

__all__ = ["SchemaOptions", "check"]


def check(
    source: SourceFile, module: ast.Module, options: SchemaOptions
) -> tuple[CheckedProgram | None, list[Diagnostic]]:
    """Check ``module`` (parsed from ``source``); the program is None when any error was found."""
    reporter = Reporter(source)
    hints.start_check()
    table = collect(module, reporter)
    if not check_definitions(table, reporter):
        # Builder chains or named conditions deeper than the limits: the passes below follow them
        # recursively, so nothing more is checked.
        return None, reporter.diagnostics
    settings = check_pipeline(table.pipeline, reporter)
    for alias, declaration in table.service_declarations.items():
        table.services[alias] = resolve_service(declaration, options, reporter)
    index = TaskIndex(module)
    expressions = ExpressionChecker(reporter, table, index)
    bodies = BodyChecker(reporter, table, expressions)

    _check_param_defaults(table.params, table.param_types, expressions, reporter)
    top = Scope()
    for name, param in table.params.items():
        top.bindings[name] = Binding(name, table.param_types[name], "param", param.name.span)

    for condition in table.conditions.values():
        scope = definition_scope(condition.parameters, top, reporter)
        bodies.check_condition(condition.condition, scope)
        if condition.guard is not None:
            expressions.type_of(condition.guard, scope)
    for builder in table.builders.values():
        bodies.check_body(builder.body, definition_scope(builder.parameters, top, reporter))
    for reaction in table.reactions:
        bodies.check_condition(reaction.condition, top)
        if reaction.guard is not None:
            expressions.type_of(reaction.guard, top)
        bodies.check_body(reaction.body, top)

    ReactionChecker(reporter, table, index).run()
    _warn_unused(table, expressions, reporter)

    if reporter.has_errors():
        return None, reporter.diagnostics
    program = CheckedProgram(
        source=source,
        module=module,
        pipeline_name=settings.name,
        os=settings.os,
        arch=settings.arch,
        parallelism=settings.parallelism,
        timeout_seconds=settings.timeout_seconds,
        services=dict(table.services),
        params={
            name: CheckedParam(name, declaration.type.name, t.is_secret(table.param_types[name]), declaration)
            for name, declaration in table.params.items()
        },
        conditions=dict(table.conditions),
        builders=dict(table.builders),
        static_task_names=index.static_names(),
    )
    return program, reporter.diagnostics


def _check_param_defaults(
    params: dict[str, ast.ParamDecl],
    param_types: dict[str, t.Type],
    expressions: ExpressionChecker,
    reporter: Reporter,
) -> None:
    # Defaults are computed before anything runs, one param at a time: they may call the standard
    # library (env(...)) but see no other param, no event and no task.
    empty = Scope()
    for name, declaration in params.items():
        if declaration.default is None:
            continue
        for node in ast.walk(declaration.default):
            if isinstance(node, ast.Name) and node.name in ("event", "tasks"):
                reporter.report(
                    node.span,
                    "E0214",
                    f"{node.name!r} is not available in a param default",
                    "defaults are computed before any event",
                )
                return
        actual = expressions.type_of(declaration.default, empty)
        expected = param_types[name]
        if not t.compatible(actual, expected):
            reporter.report(
                declaration.default.span,
                "E0310",
                f"the default of param {name!r} is {actual.describe()}, "
                f"but the param is {expected.describe()}",
            )
        if t.is_secret(expected) and isinstance(
            declaration.default, (ast.StringLiteral, ast.InterpolatedString)
        ):
            reporter.report(
                declaration.default.span,
                "W0107",
                f"secret param {name!r} has a literal default, which is stored in the built binary",
                f'read it from the environment instead: `= env("{name.upper()}")`',
            )


def _warn_unused(table, expressions: ExpressionChecker, reporter: Reporter) -> None:  # type: ignore[no-untyped-def]
    for name, declaration in table.params.items():
        if name not in expressions.used_params:
            reporter.report(
                declaration.name.span, "W0103", f"param {name!r} is never used", "remove it or use it"
            )
    for alias, declaration in table.service_declarations.items():
        if alias not in table.used_services:
            reporter.report(
                declaration.name.span, "W0102", f"service {alias!r} is never used", "remove it or use it"
            )
    for name, definition in list(table.conditions.items()) + list(table.builders.items()):
        if name not in table.used_definitions:
            what = "condition" if isinstance(definition, ast.ConditionDecl) else "builder"
            reporter.report(
                definition.name.span, "W0106", f"{what} {name!r} is never used", "remove it or use it"
            )
