"""A checked program's reaction graph: from events and conditions to the tasks they build.

Each reaction is a node. Its condition is drawn as edges into it: ``engine.started`` from the event
node, ``task(X).finished(failed)`` and the like from the nodes of the tasks that may be called X (the
sema's task index answers which statements can build a name), ``and`` / ``or`` / ``not`` through a
junction node, and a named condition through a node of its own, whose definition is drawn once per
distinct use with the use's arguments put in for its parameters. From the reaction, edges go to the
tasks its body builds and the builders it calls; from a builder, to the tasks and builders of its
body. A build or call inside a ``for`` is a loop edge labelled with the loop's header.

Conditions nest at most 64 levels and named conditions as deep as ``oic/sema/bounds.py`` allows, so
following them by recursion is bounded; statement blocks are walked with a stack, as everywhere.
"""

from __future__ import annotations

from oic.graph.model import (
    BUILDER,
    BUILDS,
    CALLS,
    CONDITION,
    EVENT,
    FAILED,
    FINISHED,
    JUNCTION,
    REACTION,
    REPORTED,
    STARTED,
    SUCCEEDED,
    TASK,
    TASK_PATTERN,
    TRIGGERS,
    Edge,
    Graph,
)
from oic.sema.program import CheckedProgram
from oic.sema.task_index import TaskIndex, TaskSite, statements_with_loops, static_text
from oic.source import SourceFile, Span
from oic.syntax import ast

# A guard or a loop header longer than this is cut in a label: the graph shows which reaction, the
# file shows the whole expression.
LONGEST_SNIPPET = 60


def reaction_graph(program: CheckedProgram) -> Graph:
    """The reaction graph of ``program``."""
    return _GraphBuilder(program).build()


def source_text(source: SourceFile, span: Span) -> str:
    """The text ``span`` covers, lines joined by a space."""
    if span.line == span.end_line:
        return source.line_text(span.line)[span.column - 1 : span.end_column - 1]
    pieces = [source.line_text(span.line)[span.column - 1 :].strip()]
    pieces.extend(source.line_text(line).strip() for line in range(span.line + 1, span.end_line))
    pieces.append(source.line_text(span.end_line)[: span.end_column - 1].strip())
    return " ".join(piece for piece in pieces if piece)


def _snippet(text: str) -> str:
    return text if len(text) <= LONGEST_SNIPPET else text[: LONGEST_SNIPPET - 1] + "…"


class _GraphBuilder:
    def __init__(self, program: CheckedProgram) -> None:
        self.program = program
        self.source = program.source
        self.index = TaskIndex(program.module)
        self.graph = Graph(program.pipeline_name)
        self.event_node = ""
        self.task_nodes: dict[tuple[str, str], str] = {}  # (kind, shown name) -> node id
        self.site_nodes: dict[int, str] = {}  # id(task statement) -> node id
        self.builder_nodes: dict[str, str] = {}
        self.condition_nodes: dict[str, str] = {}  # a named condition's use, by its label

    def build(self) -> Graph:
        for site in self.index.sites:
            self._task_node_of_site(site)
        declarations = self.program.module.declarations
        for declaration in declarations:
            if isinstance(declaration, ast.BuilderDecl):
                names = ", ".join(parameter.name.name for parameter in declaration.parameters)
                self.builder_nodes[declaration.name.name] = self.graph.add_node(
                    BUILDER, (f"builder {declaration.name.name}({names})",)
                )
        for declaration in declarations:
            if isinstance(declaration, ast.ReactionDecl):
                lines = [f"reaction (line {declaration.span.line})"]
                if declaration.guard is not None:
                    lines.append("if " + _snippet(source_text(self.source, declaration.guard.span)))
                reaction = self.graph.add_node(REACTION, tuple(lines))
                self._condition(declaration.condition, {}, reaction)
                self._body(declaration.body, reaction)
            elif isinstance(declaration, ast.BuilderDecl):
                self._body(declaration.body, self.builder_nodes[declaration.name.name])
        return self.graph

    # Tasks ------------------------------------------------------------------------------------------

    def _shown_name(self, expression: ast.Expression, values: dict[str, str]) -> tuple[str, bool]:
        """How a task name expression is shown, and whether it is a literal name: the name itself,
        or a pattern keeping the source of each part computed at run time (``deploy-${region}``)."""
        static = static_text(expression, values)
        if static is not None:
            return static, True
        if isinstance(expression, ast.InterpolatedString):
            pieces = []
            for part in expression.parts:
                text = static_text(part, values)
                pieces.append(text if text is not None else "${" + source_text(self.source, part.span) + "}")
            return "".join(pieces), False
        return "${" + source_text(self.source, expression.span) + "}", False

    def _task_node(self, shown: str, literal: bool, loop: bool = False) -> str:
        kind = TASK if literal else TASK_PATTERN
        key = (kind, shown)
        node = self.task_nodes.get(key)
        if node is None:
            node = self.task_nodes[key] = self.graph.add_node(kind, (shown,), loop)
        return node

    def _task_node_of_site(self, site: TaskSite) -> str:
        node = self.site_nodes.get(id(site.statement))
        if node is None:
            shown, literal = self._shown_name(site.statement.name, {})
            node = self.site_nodes[id(site.statement)] = self._task_node(shown, literal, site.in_loop)
        return node

    def _tasks_named(self, expression: ast.Expression, values: dict[str, str]) -> list[str]:
        """The nodes of the tasks a condition's name expression may mean: the statements the index
        says may build that name; for a name known only at run time, the pattern with the same
        text; else a node of its own (a task no statement builds, which `oic check` warns about)."""
        shown, literal = self._shown_name(expression, values)
        if literal:
            sites = self.index.builders_of(shown)
            if sites:
                return list(dict.fromkeys(self._task_node_of_site(site) for site in sites))
            return [self._task_node(shown, True)]
        return [self._task_node(shown, False)]

    # Conditions -------------------------------------------------------------------------------------

    def _condition(self, condition: ast.ConditionExpr, values: dict[str, str], target: str) -> None:
        """Draw ``condition`` as edges into ``target``; ``values`` are the texts of the parameters of
        the named condition being drawn (empty at the top of a reaction)."""
        if isinstance(condition, ast.EngineStarted):
            if not self.event_node:
                self.event_node = self.graph.add_node(EVENT, ("engine.started",))
            self.graph.add_edge(Edge(self.event_node, target, TRIGGERS))
        elif isinstance(condition, ast.TaskCondition):
            kind, label = self._task_condition_kind(condition, values)
            for task in self._tasks_named(condition.task, values):
                self.graph.add_edge(Edge(task, target, kind, label))
        elif isinstance(condition, (ast.AllOf, ast.AnyOf)):
            word = "and" if isinstance(condition, ast.AllOf) else "or"
            junction = self.graph.add_node(JUNCTION, (word,))
            for operand in condition.operands:
                self._condition(operand, values, junction)
            self.graph.add_edge(Edge(junction, target, TRIGGERS))
        elif isinstance(condition, ast.NotCondition):
            junction = self.graph.add_node(JUNCTION, ("not",))
            self._condition(condition.operand, values, junction)
            self.graph.add_edge(Edge(junction, target, TRIGGERS))
        elif isinstance(condition, ast.ConditionRef):
            self.graph.add_edge(Edge(self._named_condition(condition, values), target, TRIGGERS))

    def _task_condition_kind(self, condition: ast.TaskCondition, values: dict[str, str]) -> tuple[str, str]:
        if condition.kind == "started":
            return STARTED, "started"
        if condition.kind == "reported":
            event = condition.event_name
            shown = "" if event is None else static_text(event, values)
            if shown is None and event is not None:
                shown = "${" + source_text(self.source, event.span) + "}"
            return REPORTED, f'reported("{shown}")'
        if condition.status == "failed":
            return FAILED, "finished(failed)"
        if condition.status == "success":
            return SUCCEEDED, "finished(success)"
        return FINISHED, "finished"

    def _named_condition(self, use: ast.ConditionRef, values: dict[str, str]) -> str:
        """The node of one use of a named condition; its definition is drawn into it the first time
        the same use (same name, same arguments) is met."""
        definition = self.program.conditions.get(use.name.name)
        arguments: list[str] = []
        bound: dict[str, str] = {}
        for position, argument in enumerate(use.args):
            text = static_text(argument, values)
            arguments.append(f'"{text}"' if text is not None else source_text(self.source, argument.span))
            if definition is not None and text is not None and position < len(definition.parameters):
                bound[definition.parameters[position].name.name] = text
        lines = [f"{use.name.name}({', '.join(arguments)})"]
        if definition is not None and definition.guard is not None:
            lines.append("if " + _snippet(source_text(self.source, definition.guard.span)))
        key = "\n".join(lines)
        node = self.condition_nodes.get(key)
        if node is None:
            node = self.condition_nodes[key] = self.graph.add_node(CONDITION, tuple(lines))
            if definition is not None:
                self._condition(definition.condition, bound, node)
        return node

    # Bodies -----------------------------------------------------------------------------------------

    def _body(self, body: tuple[ast.Statement, ...], owner: str) -> None:
        for statement, loop in statements_with_loops(body):
            label = self._loop_label(loop)
            if isinstance(statement, ast.TaskStmt):
                shown, literal = self._shown_name(statement.name, {})
                task = self.site_nodes.get(id(statement)) or self._task_node(shown, literal, loop is not None)
                self.graph.add_edge(Edge(owner, task, BUILDS, label, loop is not None))
            elif isinstance(statement, ast.BuilderCall):
                builder = self.builder_nodes.get(statement.name.name)
                if builder is not None:
                    self.graph.add_edge(Edge(owner, builder, CALLS, label, loop is not None))

    def _loop_label(self, loop: ast.ForStmt | None) -> str:
        if loop is None:
            return ""
        header = f"for {loop.variable.name} in {source_text(self.source, loop.iterable.span)}"
        if loop.condition is not None:
            header += " if " + source_text(self.source, loop.condition.span)
        return _snippet(header)
