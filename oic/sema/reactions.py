"""Static checks of reactions: conditions that name no task, reactions that can never fire, and
tasks a single reaction would build twice.

Conditions are analysed after expanding named conditions, with their arguments substituted where
they are literal strings, so ``succeeded("fetch")`` is checked like ``task("fetch").finished(success)``.

Firing (see docs/architecture.md): a reaction fires on an event that *triggers* its condition while
the condition is satisfied. Task and engine conditions can be triggered; ``not`` never is; ``and`` and
``or`` are when an operand is. So a condition with no triggerable part never fires; nor does an ``and``
that needs a task to both succeed and fail, needs a thing and its negation, or needs a task that only
this very reaction builds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from oic.records import Record, set_field
from oic.sema.bounds import builder_callees, callees_first, components, condition_references
from oic.sema.hints import did_you_mean
from oic.sema.reporter import Reporter
from oic.sema.resolve import Declarations
from oic.sema.task_index import TaskIndex, builder_calls, static_text
from oic.source import Span
from oic.syntax import ast


class Atom(Record):
    """A task condition with its name known: (``kind``, ``task``, ``status``) and where it was written."""

    __slots__ = ("kind", "task", "status", "span")

    kind: str
    task: str
    status: str | None
    span: Span

    def __init__(self, kind: str, task: str, status: str | None, span: Span) -> None:
        set_field(self, "kind", kind)
        set_field(self, "task", task)
        set_field(self, "status", status)
        set_field(self, "span", span)


class ReactionChecker:
    def __init__(self, reporter: Reporter, table: Declarations, index: TaskIndex) -> None:
        self.reporter = reporter
        self.table = table
        self.index = index
        self._reach: list[set[str]] | None = None  # builders each reaction reaches
        self._reach_count: Counter[str] = Counter()  # how many reactions reach each builder
        self._builder_names: dict[str, set[str]] | None = None  # see builder_task_names

    def run(self) -> None:
        self.check_definition_cycles()
        for declaration in self.table.conditions.values():
            self.check_task_names(declaration.condition, None, declaration.parameters)
        for number, reaction in enumerate(self.table.reactions):
            self.check_task_names(reaction.condition, {}, ())
            self.check_firing(reaction, number)
            self.check_built_once(reaction.body)

    # -- named conditions: expansion with literal arguments ---------------------------------------------

    def expand(
        self,
        condition: ast.ConditionExpr,
        values: dict[str, str] | None,
        active: frozenset[str] = frozenset(),
    ) -> Iterator[tuple[ast.ConditionExpr, dict[str, str] | None, Span | None]]:
        """Yield ``condition`` itself, or the body of a named condition with its argument values."""
        if isinstance(condition, ast.ConditionRef):
            definition = self.table.conditions.get(condition.name.name)
            if (
                definition is None
                or condition.name.name in active
                or len(definition.parameters) != len(condition.args)
            ):
                return
            inner: dict[str, str] = {}
            for parameter, argument in zip(definition.parameters, condition.args, strict=True):
                text = static_text(argument, values)
                if text is not None:
                    inner[parameter.name.name] = text
            yield definition.condition, inner, condition.span
        else:
            yield condition, values, None

    def check_task_names(
        self,
        condition: ast.ConditionExpr,
        values: dict[str, str] | None,
        parameters: tuple[ast.Parameter, ...],
        at: Span | None = None,
        active: frozenset[str] = frozenset(),
    ) -> None:
        """Report task conditions whose name no task statement can build. In a definition
        (``values`` None) only literal names are checked; at a use, names built from arguments."""
        if isinstance(condition, ast.TaskCondition):
            literal = static_text(condition.task)
            if values is None and literal is None:
                return
            if at is not None and literal is not None:
                return  # literal names inside a definition were checked at the definition
            name = static_text(condition.task, values)
            if name is not None and not self.index.builders_of(name):
                self.reporter.report(
                    at or condition.task.span,
                    "E0401",
                    f"no task statement builds a task named {name!r}",
                    did_you_mean(name, self.index.static_names()),
                )
        elif isinstance(condition, ast.ConditionRef):
            if values is None or condition.name.name in active:
                return
            for body, inner, span in self.expand(condition, values, active):
                self.check_task_names(body, inner, (), at or span, active | {condition.name.name})
        elif isinstance(condition, (ast.AllOf, ast.AnyOf)):
            for operand in condition.operands:
                self.check_task_names(operand, values, parameters, at, active)
        elif isinstance(condition, ast.NotCondition):
            self.check_task_names(condition.operand, values, parameters, at, active)

    # -- firing ------------------------------------------------------------------------------------------

    def triggerable(self, condition: ast.ConditionExpr, active: frozenset[str] = frozenset()) -> bool:
        if isinstance(condition, (ast.EngineStarted, ast.TaskCondition)):
            return True
        if isinstance(condition, ast.NotCondition):
            return False
        if isinstance(condition, (ast.AllOf, ast.AnyOf)):
            return any(self.triggerable(operand, active) for operand in condition.operands)
        if isinstance(condition, ast.ConditionRef):
            definition = self.table.conditions.get(condition.name.name)
            if definition is None or condition.name.name in active:
                return True  # unknown: reported elsewhere; never warn twice
            return self.triggerable(definition.condition, active | {condition.name.name})
        return True

    def required_atoms(
        self, condition: ast.ConditionExpr, values: dict[str, str] | None, negated: bool, depth: int = 0
    ) -> Iterator[tuple[Atom, bool]]:
        """The task conditions that must all hold for ``condition`` to hold, with whether each is negated."""
        if depth > 20:
            return
        if isinstance(condition, ast.TaskCondition):
            name = static_text(condition.task, values)
            if name is not None:
                yield Atom(condition.kind, name, condition.status, condition.span), negated
        elif isinstance(condition, ast.AllOf) and not negated:
            for operand in condition.operands:
                yield from self.required_atoms(operand, values, negated, depth + 1)
        elif isinstance(condition, ast.NotCondition):
            if isinstance(condition.operand, ast.TaskCondition):
                yield from self.required_atoms(condition.operand, values, not negated, depth + 1)
        elif isinstance(condition, ast.ConditionRef):
            for body, inner, _ in self.expand(condition, values):
                yield from self.required_atoms(body, inner, negated, depth + 1)

    def check_firing(self, reaction: ast.ReactionDecl, number: int) -> None:
        condition = reaction.condition
        if not self.triggerable(condition):
            self.never_fires(condition.span, "no event can trigger this condition (`not` alone never fires)")
            return
        atoms = list(self.required_atoms(condition, {}, False))
        positive = [atom for atom, negated in atoms if not negated]
        negative = [atom for atom, negated in atoms if negated]
        finished: dict[str, set[str]] = {}
        for atom in positive:
            if atom.kind == "finished" and atom.status is not None:
                finished.setdefault(atom.task, set()).add(atom.status)
        for task_name, statuses in finished.items():
            if len(statuses) > 1:
                self.never_fires(
                    condition.span, f"task {task_name!r} cannot finish both with success and failed"
                )
                return
        for atom in positive:
            for other in negative:
                if (
                    other.task == atom.task
                    and other.kind == atom.kind
                    and other.status in (None, atom.status)
                ):
                    self.never_fires(
                        condition.span, f"it needs {atom.kind} of task {atom.task!r} and its negation"
                    )
                    return
        own = self.builders_only_of(number)
        for atom in positive:
            sites = self.index.builders_of(atom.task)
            if sites and all(site.owner == ("reaction", number) or site.owner in own for site in sites):
                self.never_fires(
                    atom.span,
                    f"task {atom.task!r} is built only by this reaction, so it cannot run before it fires",
                )
                return

    def builders_only_of(self, number: int) -> set[tuple[str, object]]:
        """The builders (as task-site owners) that no other reaction reaches."""
        if self._reach is None:
            # Computed once for all reactions: per reaction it would make the check quadratic.
            self._reach = [self.reachable_builders(reaction.body) for reaction in self.table.reactions]
            self._reach_count = Counter(name for names in self._reach for name in names)
        return {("builder", name) for name in self._reach[number] if self._reach_count[name] == 1}

    def reachable_builders(self, body: tuple[ast.Statement, ...]) -> set[str]:
        found: set[str] = set()
        pending = [call.name.name for call, _ in builder_calls(body)]
        while pending:
            name = pending.pop()
            if name in found or name not in self.table.builders:
                continue
            found.add(name)
            pending.extend(call.name.name for call, _ in builder_calls(self.table.builders[name].body))
        return found

    def never_fires(self, span: Span, why: str) -> None:
        self.reporter.report(span, "W0104", f"this reaction can never fire: {why}")

    # -- tasks built twice ---------------------------------------------------------------------------------

    def check_built_once(self, body: tuple[ast.Statement, ...], in_loop: bool = False) -> set[str]:
        """The literal non-reusable task names ``body`` builds; reports a name built twice on one path
        and a literal name inside a loop (each iteration would build the same task)."""
        built: set[str] = set()
        for statement in body:
            names: set[str] = set()
            if isinstance(statement, ast.TaskStmt):
                literal = static_text(statement.name)
                if literal is not None and not statement.reusable:
                    if in_loop:
                        self.reporter.report(
                            statement.name.span,
                            "E0403",
                            f"task {literal!r} has a fixed name inside a loop: only the first would run",
                            'put the loop variable in the name (`"name-${x}"`) or mark the task `reusable`',
                        )
                    names = {literal}
            elif isinstance(statement, ast.ForStmt):
                names = self.check_built_once(statement.body, True)
            elif isinstance(statement, ast.IfStmt):
                branches, otherwise = ast.if_chain(statement)  # (a loop along `else if`)
                for branch in branches:
                    names |= self.check_built_once(branch.body, in_loop)
                names |= self.check_built_once(otherwise, in_loop)
            elif isinstance(statement, ast.BuilderCall):
                names = self.builder_task_names().get(statement.name.name, set())
                if names and in_loop:
                    self.reporter.report(
                        statement.span,
                        "E0403",
                        f"builder {statement.name.name!r} is called in a loop and builds task "
                        f"{sorted(names)[0]!r} with a fixed name",
                        "put a parameter in the builder's task names, or mark the task `reusable`",
                    )
            for name in sorted(names & built):
                self.reporter.report(
                    statement.span,
                    "E0402",
                    f"task {name!r} is built twice by this reaction; a task name runs once per run",
                    "give the second task another name, or mark both `reusable`",
                )
            built |= names
        return built

    def builder_task_names(self) -> dict[str, set[str]]:
        """The literal non-reusable task names each builder builds, with those of the builders it
        calls. Computed once, callees first: no builder body is walked twice, and nothing recurses
        along a chain of builder calls (a builder in a cycle, reported as E0212, counts the names of
        the builders of the cycle that were computed before it)."""
        if self._builder_names is None:
            names: dict[str, set[str]] = {}
            # Problems inside builder bodies are reported where the builder is called, not here.
            silent = ReactionChecker(Reporter(self.reporter.source), self.table, self.index)
            silent._builder_names = names
            for name in callees_first(self.table.builders, lambda name: builder_callees(self.table, name)):
                names[name] = silent.check_built_once(self.table.builders[name].body)
            self._builder_names = names
        return self._builder_names

    # -- recursion ---------------------------------------------------------------------------------------

    def check_definition_cycles(self) -> None:
        # A call closes a cycle when caller and callee are in one strongly connected component:
        # found for the whole file at once, linear in its size.
        builders = components(self.table.builders, lambda name: builder_callees(self.table, name))
        for name, builder in self.table.builders.items():
            for call, _ in builder_calls(builder.body):
                if builders.get(call.name.name, -1) == builders[name]:
                    self.reporter.report(
                        call.span,
                        "E0212",
                        f"builder {name!r} calls itself through {call.name.name!r}"
                        if call.name.name != name
                        else f"builder {name!r} calls itself",
                        "a builder must not call itself, directly or through others",
                    )
        conditions = components(
            self.table.conditions, lambda name: condition_references(self.table.conditions[name].condition)
        )
        for name, definition in self.table.conditions.items():
            for reference in _condition_refs(definition.condition):
                if conditions.get(reference.name.name, -1) == conditions[name]:
                    self.reporter.report(
                        reference.span,
                        "E0212",
                        f"condition {name!r} refers to itself",
                        "a condition must not use itself, directly or through others",
                    )


def _condition_refs(condition: ast.ConditionExpr) -> Iterator[ast.ConditionRef]:
    for node in ast.walk(condition):
        if isinstance(node, ast.ConditionRef):
            yield node
