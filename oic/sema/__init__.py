"""Semantic analysis: from an AST to a ``CheckedProgram`` (or the reasons there is none).

``check`` runs the passes in order, each adding diagnostics and none stopping early:

1. collect the top-level declarations (``resolve``) and check the pipeline block (``settings``);
2. resolve every service and load its endpoint schemas (``schemas``, ``service_init``);
3. index every task statement by the names it can build (``task_index``), and prepare the facts of
   which tasks have run where code runs (``facts``, computed as the next pass asks);
4. resolve and type params (``params``), conditions, builders and reactions (``expressions``,
   ``statements``), each body with the facts of its entry and what its tests prove;
5. check reactions statically (``reactions``, ``reaction_cycles``) and warn about what is declared
   but never used.

A file without errors runs as checked, except where a value is typed ``any``: the guarantees are
listed in the docstrings of ``types``, ``operators``, ``expressions`` and ``statements``, and for
users in docs/language.md ("What `oic check` guarantees").
"""

from __future__ import annotations

from oic.diagnostics import Diagnostic
from oic.sema import hints, schema_verdicts
from oic.sema import types as t
from oic.sema.analysis import Analysis
from oic.sema.bounds import check_definitions
from oic.sema.event_types import event_type
from oic.sema.expressions import ExpressionChecker
from oic.sema.facts import FactsAnalysis
from oic.sema.knowledge import ParameterKey
from oic.sema.params import check_param_defaults
from oic.sema.program import CheckedParam, CheckedProgram
from oic.sema.reaction_cycles import check_reaction_cycles
from oic.sema.reactions import ReactionChecker
from oic.sema.reporter import Reporter
from oic.sema.resolve import collect, definition_scope
from oic.sema.schemas import SchemaOptions, resolve_service
from oic.sema.settings import check_pipeline
from oic.sema.shell_commands import check_shell_commands
from oic.sema.statements import BodyChecker
from oic.sema.task_index import TaskIndex
from oic.source import SourceFile
from oic.syntax import ast

__all__ = ["Analysis", "SchemaOptions", "check"]

CONDITION_NAMES = "the task names of a condition"


def check(
    source: SourceFile, module: ast.Module, options: SchemaOptions, analysis: Analysis | None = None
) -> tuple[CheckedProgram | None, list[Diagnostic]]:
    """Check ``module`` (parsed from ``source``); the program is None when any error was found.
    ``analysis``, when given, is filled with what the check learns about positions (read-only)."""
    reporter = Reporter(source)
    schema_verdicts.STORE.use_disk(options.use_cache)
    hints.start_check()
    table = collect(module, reporter)
    if analysis is not None:
        analysis.module = module
        analysis.table = table
    if not check_definitions(table, reporter):
        # Builder chains or named conditions deeper than the limits: the passes below follow them
        # recursively, so nothing more is checked.
        return None, reporter.diagnostics
    settings = check_pipeline(table.pipeline, reporter)
    for alias, declaration in table.service_declarations.items():
        table.services[alias] = resolve_service(declaration, options, reporter, (settings.os, settings.arch))
    index = TaskIndex(module)
    facts = FactsAnalysis(table, index)
    expressions = ExpressionChecker(reporter, table, index, facts)
    bodies = BodyChecker(reporter, table, expressions)
    if analysis is not None:
        analysis.index = index
        analysis.types_by_node = expressions.types_by_node
        analysis.bindings_by_node = expressions.bindings_by_node

    top = check_param_defaults(table.params, table.param_types, expressions, reporter)

    for condition in table.conditions.values():
        scope = definition_scope(condition.parameters, top, reporter)
        bodies.check_condition(condition.condition, scope.child(place=CONDITION_NAMES))
        if condition.guard is not None:
            guard_scope = scope.child(runtime_values=True, facts=facts.definition_guard(condition))
            guard_scope.event = event_type(condition.condition, table.conditions)
            guard_scope.task_keys = {p.name.name: ParameterKey(p.name.name) for p in condition.parameters}
            expressions.type_of(condition.guard, guard_scope)
    for name, builder in table.builders.items():
        scope = definition_scope(builder.parameters, top, reporter)
        bodies.check_body(builder.body, scope.child(runtime_values=True, facts=facts.builder_entry(name)))
    for number, reaction in enumerate(table.reactions):
        bodies.check_condition(reaction.condition, top.child(place=CONDITION_NAMES))
        body_scope = top.child(runtime_values=True, facts=facts.reaction_entry(number))
        body_scope.event = event_type(reaction.condition, table.conditions)
        if reaction.guard is not None:
            guard_scope = top.child(runtime_values=True, facts=facts.guard_entry(number))
            guard_scope.event = body_scope.event
            expressions.type_of(reaction.guard, guard_scope)
            body_scope = expressions.narrowed(body_scope, expressions.proofs(reaction.guard, guard_scope)[0])
        bodies.check_body(reaction.body, body_scope)

    ReactionChecker(reporter, table, index).run()
    check_reaction_cycles(table, index, reporter)
    check_shell_commands(table, reporter)
    _warn_unused(table, expressions, reporter)
    schema_verdicts.STORE.save()

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
            name: CheckedParam(
                name, declaration.type.name, t.carries_secret(table.param_types[name]), declaration
            )
            for name, declaration in table.params.items()
        },
        conditions=dict(table.conditions),
        builders=dict(table.builders),
        static_task_names=index.static_names(),
        optional_reads=frozenset(expressions.optional_reads),
    )
    return program, reporter.diagnostics


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
