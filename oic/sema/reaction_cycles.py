"""W0109: reusable tasks whose events can trigger the reactions that build them again, without end.

A task that is not ``reusable`` runs at most once per run, so a chain of reactions through it ends.
A reusable task runs again each time a reaction builds it. The graph: one node per reaction, and an
edge from reaction R to reaction S for each reusable task statement R can run (in its body or in a
builder it calls, directly or not) whose task S's condition can be triggered by (a ``task(...)``
atom outside any ``not``, whose name that statement can build: the same name, a name the statement's
pattern can take, or one a prefix glob matches). A cycle of that graph can run without end: the
checker warns once per strongly connected component, naming the reusable tasks on its edges. The
run itself bounds every reusable task (``--max-task-runs``, 1000 by default), so such a loop fails
the run instead of filling the disk; a guard may well stop it sooner, which the checker cannot know.
"""

from __future__ import annotations

from collections.abc import Iterator

from oic.sema.reporter import Reporter
from oic.sema.resolve import Declarations
from oic.sema.task_index import TaskIndex, TaskSite, builder_calls, static_text
from oic.syntax import ast
from runtime.limits import DEFAULT_MAX_TASK_RUNS


def check_reaction_cycles(table: Declarations, index: TaskIndex, reporter: Reporter) -> None:
    reactions = table.reactions
    names_by_reaction = [
        list(_trigger_names(reaction.condition, {}, table, frozenset())) for reaction in reactions
    ]
    reusable: dict[tuple[str, object], list[TaskSite]] = {}
    for site in index.sites:
        if site.statement.reusable:
            reusable.setdefault(site.owner, []).append(site)
    edges: dict[int, dict[int, list[TaskSite]]] = {number: {} for number in range(len(reactions))}
    if not reusable:
        return
    for number, reaction in enumerate(reactions):
        for site in _reusable_sites(reaction.body, ("reaction", number), table, reusable):
            for other, names in enumerate(names_by_reaction):
                if any(_may_match(site, name) for name in names):
                    edges[number].setdefault(other, []).append(site)
    for component in _strong_components(edges):
        inside = set(component)
        sites = sorted(
            {
                site.position: site
                for number in component
                for other, labelled in edges[number].items()
                if other in inside
                for site in labelled
            }.values(),
            key=lambda site: site.position,
        )
        if not sites:
            continue
        named = sorted({_describe(site, reporter) for site in sites})
        if len(named) == 1:
            message = f"reusable task {named[0]} can trigger the reaction that builds it again, without end"
        else:
            message = "reusable tasks " + ", ".join(named) + " can trigger each other's reactions without end"
        reporter.report(
            sites[0].statement.name.span,
            "W0109",
            message,
            f"the run fails a reusable task after --max-task-runs runs (default {DEFAULT_MAX_TASK_RUNS}); "
            "stop the loop with a guard (`on ... if ...`) or make a task in it non-reusable",
        )


def _describe(site: TaskSite, reporter: Reporter) -> str:
    """The task's name as written (``"pong-${n}"``)."""
    span = site.statement.name.span
    if span.line == span.end_line:
        return reporter.source.line_text(span.line)[span.column - 1 : span.end_column - 1]
    return f"on line {span.line}"


def _trigger_names(
    condition: ast.ConditionExpr, values: dict[str, str], table: Declarations, active: frozenset[str]
) -> Iterator[str]:
    """The task names (or prefix globs) whose events can trigger ``condition``; names known only at
    run time are left out."""
    if isinstance(condition, ast.TaskCondition):
        name = static_text(condition.task, values)
        if name is not None:
            yield name
    elif isinstance(condition, (ast.AllOf, ast.AnyOf)):
        for operand in condition.operands:
            yield from _trigger_names(operand, values, table, active)
    elif isinstance(condition, ast.ConditionRef):
        definition = table.conditions.get(condition.name.name)
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
        yield from _trigger_names(definition.condition, inner, table, active | {condition.name.name})


def _reusable_sites(
    body: tuple[ast.Statement, ...],
    owner: tuple[str, object],
    table: Declarations,
    reusable: dict[tuple[str, object], list[TaskSite]],
) -> list[TaskSite]:
    """The reusable task statements a body can run: its own, and those of the builders it reaches."""
    owners = {owner}
    pending = [call.name.name for call, _ in builder_calls(body)]
    while pending:
        name = pending.pop()
        if ("builder", name) in owners or name not in table.builders:
            continue
        owners.add(("builder", name))
        pending.extend(call.name.name for call, _ in builder_calls(table.builders[name].body))
    return [site for found in owners for site in reusable.get(found, ())]


def _may_match(site: TaskSite, name: str) -> bool:
    """Whether a task ``site`` builds can be the task named ``name`` (or match the glob ``name``)."""
    if not name.endswith("*"):
        return site.may_build(name)
    prefix = name[:-1]
    if site.static_name is not None:
        return site.static_name.startswith(prefix)
    fixed = _fixed_prefix(site.statement.name)
    return fixed.startswith(prefix) or prefix.startswith(fixed)


def _fixed_prefix(expression: ast.Expression) -> str:
    """The text every name ``expression`` can take starts with."""
    if isinstance(expression, ast.InterpolatedString):
        first = expression.parts[0] if expression.parts else None
        return first.value if isinstance(first, ast.StringLiteral) else ""
    return ""


def _strong_components(edges: dict[int, dict[int, list[TaskSite]]]) -> list[list[int]]:
    """The strongly connected components with a cycle (Tarjan's algorithm, without recursion)."""
    order: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    found: list[list[int]] = []
    for root in edges:
        if root in order:
            continue
        work: list[tuple[int, Iterator[int]]] = [(root, iter(edges[root]))]
        order[root] = low[root] = len(order)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in order:
                    order[successor] = low[successor] = len(order)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(edges[successor])))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], order[successor])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == order[node]:
                component: list[int] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges[node]:
                    found.append(sorted(component))
    return found
