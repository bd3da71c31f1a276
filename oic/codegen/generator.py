"""``generate(program)``: a checked program -> the text of a Python module on ``runtime.exported``.

The module declares, in order: the imports, provenance constants, the ``SITES`` table, the services,
one function per param default / named condition / builder / reaction, ``build(params)`` (params ->
``Pipeline``) and ``PROGRAM`` (a ``ProgramSpec`` for ``runtime.program.main``), then runs ``main`` when
executed as ``__main__``. What each function looks like:

- ``default_N(params)`` returns a param's default value (it may read params declared before it);
- ``condition_N(params, local_0, ...)`` returns the condition object of a named ``condition``;
- ``when_N(params)`` returns the condition object of reaction N (guards wrapped by ``guarded``);
- ``builder_N(params, event, state, tasks_list, local_0, ...)`` appends a builder's tasks;
- ``reaction_N(params, event, state)`` returns the list of tasks reaction N builds on an event.

Identifiers are synthesized; user values enter only as ``repr`` literals (see ``markers.py``), and the
result is parsed and compiled before it is returned.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

from oic import __version__
from oic.codegen.expressions import ExpressionCompiler, ModuleContext
from oic.codegen.markers import PyCode, PyName, literal, name
from oic.codegen.render import render, verify
from oic.codegen.scope import CodegenError, ImportSet, NameAllocator, Scope, SiteTable
from oic.codegen.statements import BodyCompiler, parameters
from oic.graph.data import edge_data, node_data
from oic.graph.reactions import reaction_graph
from oic.sema.program import CheckedProgram, ResolvedService
from oic.syntax import ast
from runtime import stdlib
from runtime.param_types import canonical

# Every name of runtime.exported.__all__ (a test keeps the two in step: the compiler does not import
# the runtime's engine): the names listed here, and the helper of every standard-library function.
EXPORTED_NAMES = frozenset(
    """
    Argument EventReaction Pipeline PipelineMetadata PipelineSpec RetryPolicy Service TASK_STATUS_FAILED
    TASK_STATUS_SUCCESS Task TaskMetadata TaskSpec all_of any_of engine_started guarded not_
    task_event_reported task_finished task_finished_with_status task_started ParamSpec ProgramSpec main
    PipelineError Secret add divide equal event_value fold get_index get_member get_optional_member greater
    greater_equal
    interpolate is_in iterate less less_equal mark_secrets modulo multiply negate not_equal object_key
    pipeline_value subtract task_name tasks_value truthy
    """.split()
) | {function.helper for function in stdlib.FUNCTIONS}

# Names the module template itself uses.
_TEMPLATE_NAMES = (
    "EventReaction",
    "ParamSpec",
    "Pipeline",
    "PipelineMetadata",
    "PipelineSpec",
    "ProgramSpec",
    "main",
    "mark_secrets",
    "pipeline_value",
)


@dataclass(frozen=True)
class GeneratedModule:
    """The generated module: its ``text``, the ``sites`` table it declares ((file, line, column) per
    index), and the provenance it embeds (``source_sha256``, ``compiler_version``)."""

    text: str
    sites: tuple[tuple[str, int, int], ...]
    source_sha256: str
    compiler_version: str
    pipeline_name: str


@dataclass(frozen=True)
class _Function:
    name: PyName
    parameters: PyCode
    body: list[PyCode]


@dataclass(frozen=True)
class _Reaction:
    condition: PyName
    function: PyName


@dataclass(frozen=True)
class _Param:
    name: PyCode
    type: PyCode
    required: PyCode
    default: PyCode


@dataclass(frozen=True)
class _Schemas:
    name: PyName
    entries: list[tuple[PyCode, PyCode]]


def source_sha256(program: CheckedProgram) -> str:
    return hashlib.sha256(program.source.text.encode("utf-8", errors="surrogatepass")).hexdigest()


def generate(program: CheckedProgram) -> GeneratedModule:
    """The Python module for ``program``. Raises ``CodegenError`` (an internal error) when the program
    holds something the checker should have rejected."""
    try:
        return _Generator(program).module()
    except RecursionError:
        raise CodegenError("the program is nested too deeply to generate code for") from None


class _Generator:
    def __init__(self, program: CheckedProgram) -> None:
        self.program = program
        self.file_name = os.path.basename(program.source.path) or "pipeline.oi"
        self.context = ModuleContext(
            allocator=NameAllocator(),
            imports=ImportSet(EXPORTED_NAMES),
            sites=SiteTable(self.file_name),
            params=frozenset(program.params),
            pipeline_value=name("PIPELINE"),
            optional_reads=program.optional_reads,
        )
        self.expressions = ExpressionCompiler(self.context)
        self.bodies = BodyCompiler(self.expressions, program.services)
        self.functions: list[_Function] = []

    def declarations(self, kind: type[Any]) -> list[Any]:
        return [
            declaration for declaration in self.program.module.declarations if isinstance(declaration, kind)
        ]

    def module(self) -> GeneratedModule:
        for template_name in _TEMPLATE_NAMES:
            self.context.imports.use(template_name)
        allocator = self.context.allocator
        for condition in self.declarations(ast.ConditionDecl):
            self.context.condition_functions[condition.name.name] = allocator.fresh("condition")
        for builder in self.declarations(ast.BuilderDecl):
            self.context.builder_functions[builder.name.name] = allocator.fresh("builder")

        params = [self.param(declaration) for declaration in self.declarations(ast.ParamDecl)]
        service_schemas, services = self.services()
        for condition in self.declarations(ast.ConditionDecl):
            self.condition_definition(condition)
        for builder in self.declarations(ast.BuilderDecl):
            self.builder_definition(builder)
        reactions = [self.reaction(reaction) for reaction in self.declarations(ast.ReactionDecl)]
        secret_names = tuple(param.name for param in self.program.params.values() if param.secret)

        digest = source_sha256(self.program)
        # The reaction graph, for the run report: data only, one literal per node and per edge.
        graph = reaction_graph(self.program)
        text = render(
            "module.py.j2",
            {
                "imports": self.context.imports.names(),
                "source_path": literal(self.file_name),
                "source_sha256": literal(digest),
                "compiler_version": literal(__version__),
                "pipeline_name": literal(self.program.pipeline_name),
                "sites": self.context.sites.literals(),
                "service_schemas": service_schemas,
                "services": services,
                "functions": self.functions,
                "secret_params": literal(secret_names),
                "reactions": reactions,
                "graph_nodes": [literal(node_data(node)) for node in graph.nodes],
                "graph_edges": [literal(edge_data(edge)) for edge in graph.edges],
                "params": params,
                "target_os": literal(self.program.os),
                "target_arch": literal(self.program.arch),
                "parallelism": literal(self.program.parallelism),
                "timeout": literal(
                    float(self.program.timeout_seconds) if self.program.timeout_seconds is not None else None
                ),
            },
        )
        verify(text, self.file_name)
        return GeneratedModule(
            text=text,
            sites=tuple(self.context.sites.entries),
            source_sha256=digest,
            compiler_version=__version__,
            pipeline_name=self.program.pipeline_name,
        )

    # -- params and services ------------------------------------------------------------------------

    def param(self, declaration: ast.ParamDecl) -> _Param:
        type_name = _canonical_type(declaration.type)
        if type_name is None:
            raise CodegenError(f"unknown param type at line {declaration.span.line}")
        default: PyCode = literal(None)
        if declaration.default is not None:
            function = self.context.allocator.fresh("default")
            value = self.expressions.expression(declaration.default, Scope(runtime_values=False))
            self.functions.append(_Function(function, name("params"), [PyCode(f"return {value.text}")]))
            default = function
        return _Param(
            name=literal(declaration.name.name),
            type=literal(type_name),
            required=literal(declaration.default is None),
            default=default,
        )

    def services(self) -> tuple[list[_Schemas], list[PyCode]]:
        schema_blocks: list[_Schemas] = []
        services: list[PyCode] = []
        for service in self.program.services.values():
            texts = _schema_texts(service)
            schemas_code: PyCode = literal(None)
            if texts:
                block_name = self.context.allocator.fresh("SCHEMAS")
                schema_blocks.append(
                    _Schemas(
                        block_name, [(literal(key), literal(text)) for key, text in sorted(texts.items())]
                    )
                )
                schemas_code = block_name
            fields = [
                literal(service.alias).text,
                f"name={literal(service.name).text}",
                f"version={literal(service.version).text}",
                f"path={literal(service.path).text}",
                f"builtin={literal(bool(service.builtin)).text}",
                f"image={literal(service.image).text}",
                f"schemas={schemas_code.text}",
            ]
            services.append(PyCode(f"{self.context.imports.use('Service').text}({', '.join(fields)})"))
        return schema_blocks, services

    # -- definitions and reactions ------------------------------------------------------------------

    def _definition_scope(
        self, parameters_of: tuple[ast.Parameter, ...], runtime_values: bool
    ) -> tuple[Scope, list[PyCode]]:
        scope = Scope(runtime_values=runtime_values)
        names: list[PyCode] = []
        for parameter in parameters_of:
            local = self.context.allocator.fresh("local")
            scope.bind(parameter.name.name, local)
            names.append(local)
        return scope, names

    def condition_definition(self, declaration: ast.ConditionDecl) -> None:
        function = self.context.condition_functions[declaration.name.name]
        scope, locals_ = self._definition_scope(declaration.parameters, runtime_values=False)
        condition = self.expressions.condition(declaration.condition, scope)
        condition = self.expressions.guarded(condition, declaration.guard, scope)
        self.functions.append(
            _Function(function, parameters([name("params"), *locals_]), [PyCode(f"return {condition.text}")])
        )

    def builder_definition(self, declaration: ast.BuilderDecl) -> None:
        function = self.context.builder_functions[declaration.name.name]
        scope, locals_ = self._definition_scope(declaration.parameters, runtime_values=True)
        body = self.bodies.block(declaration.body, scope, 0)
        fixed = [name("params"), name("event"), name("state"), name("tasks_list")]
        self.functions.append(_Function(function, parameters([*fixed, *locals_]), body))

    def reaction(self, declaration: ast.ReactionDecl) -> _Reaction:
        when = self.context.allocator.fresh("when")
        scope = Scope(runtime_values=False)
        condition = self.expressions.condition(declaration.condition, scope)
        condition = self.expressions.guarded(condition, declaration.guard, scope)
        self.functions.append(_Function(when, name("params"), [PyCode(f"return {condition.text}")]))

        function = self.context.allocator.fresh("reaction")
        body = [PyCode("tasks_list = []")]
        body.extend(self.bodies.block(declaration.body, Scope(runtime_values=True), 0))
        if body[-1].text == "pass":
            body.pop()
        body.append(PyCode("return tasks_list"))
        fixed = [name("params"), name("event"), name("state")]
        self.functions.append(_Function(function, parameters(fixed), body))
        return _Reaction(when, function)


def _canonical_type(reference: ast.TypeRef) -> str | None:
    """The runtime's text for a written param type (``int`` -> ``integer``, ``list[int]`` ->
    ``list[integer]``), from the one table of param types both sides share."""
    element = None
    if reference.element is not None:
        element = _canonical_type(reference.element)
        if element is None:
            return None
    return canonical(reference.name, element)


def _schema_texts(service: ResolvedService) -> dict[str, str]:
    """The schemas the checker knew, as canonical JSON text keyed like ``InitResponse``."""
    texts: dict[str, str] = {}
    for endpoint, schemas in service.schemas.items():
        for file_name, schema in (("arguments.json", schemas.arguments), ("returns.json", schemas.returns)):
            if schema is not None:
                texts[f"{endpoint}/{file_name}"] = json.dumps(schema, sort_keys=True, ensure_ascii=False)
    return texts
