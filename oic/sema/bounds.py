"""What the checker bounds beyond the text: definition chains, and values built up through bindings.

The parser bounds how deep the text nests (``oic.syntax.limits``), which bounds every pass that
recurses over one declaration. Three things can still grow deeper than the text, one line at a time:

- builders calling builders: ``b1`` calls ``b2`` calls ... ``b900``, 900 nested Python calls when
  the pipeline runs (E0107 past ``MAX_BUILDER_CHAIN``);
- named conditions using named conditions: the condition objects the engine builds and evaluates
  recursively are as deep as the chain (E0107 past ``MAX_CONDITION_DEPTH``);
- values built through bindings: ``let a1 = [a0]``, ``let a2 = [a1]``, ... nests a list one more
  level per line, and with it the types the checker describes and compares recursively (E0107 past
  ``MAX_NESTING``, see ``ValueDepths``).

``check_definitions`` computes the depths of definitions with loops, callees first, and runs before
any pass that follows builder calls or named conditions; a program over a limit is not checked
further, so those passes may recurse along them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from oic.sema import types as t
from oic.sema.reporter import Reporter
from oic.sema.resolve import Declarations
from oic.sema.task_index import builder_calls
from oic.syntax import ast
from oic.syntax.limits import MAX_BUILDER_CHAIN, MAX_CONDITION_DEPTH, MAX_NESTING


def callees_first(names: Iterable[str], edges: Callable[[str], list[str]]) -> list[str]:
    """``names`` ordered so that each comes after the names it has edges to (a post-order of the
    graph, walked with a stack). An edge back to a name still being walked (a cycle, which E0212
    reports) is ignored."""
    order: list[str] = []
    done: set[str] = set()
    for root in names:
        if root in done:
            continue
        walking = {root}
        stack = [(root, iter(edges(root)))]
        while stack:
            name, pending = stack[-1]
            for callee in pending:
                if callee not in done and callee not in walking:
                    walking.add(callee)
                    stack.append((callee, iter(edges(callee))))
                    break
            else:
                stack.pop()
                walking.discard(name)
                done.add(name)
                order.append(name)
    return order


def components(names: Iterable[str], edges: Callable[[str], list[str]]) -> dict[str, int]:
    """The strongly connected component of each of ``names`` (Tarjan's algorithm, walked with a
    stack): two names share one when each reaches the other, so an edge inside a component closes a
    cycle. Edges to names outside ``names`` are ignored. Linear in the size of the graph."""
    ordered = list(names)
    known = set(ordered)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    component: dict[str, int] = {}
    open_names: list[str] = []
    opened: set[str] = set()
    count = 0

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        open_names.append(name)
        opened.add(name)

    for root in ordered:
        if root in index:
            continue
        visit(root)
        work = [(root, iter(edges(root)))]
        while work:
            name, pending = work[-1]
            for callee in pending:
                if callee not in known:
                    continue
                if callee not in index:
                    visit(callee)
                    work.append((callee, iter(edges(callee))))
                    break
                if callee in opened:
                    low[name] = min(low[name], index[callee])
            else:
                work.pop()
                if work:
                    caller = work[-1][0]
                    low[caller] = min(low[caller], low[name])
                if low[name] == index[name]:
                    while True:
                        member = open_names.pop()
                        opened.discard(member)
                        component[member] = count
                        if member == name:
                            break
                    count += 1
    return component


def builder_callees(table: Declarations, name: str) -> list[str]:
    """The declared builders the body of builder ``name`` calls."""
    builder = table.builders.get(name)
    if builder is None:
        return []
    return [call.name.name for call, _ in builder_calls(builder.body) if call.name.name in table.builders]


def condition_references(condition: ast.ConditionExpr) -> list[str]:
    """The named conditions ``condition`` uses."""
    return [node.name.name for node in ast.walk(condition) if isinstance(node, ast.ConditionRef)]


def check_definitions(table: Declarations, reporter: Reporter) -> bool:
    """Report builder chains and conditions deeper than the limits; whether there were none."""
    return _check_builders(table, reporter) & _check_conditions(table, reporter)


def _check_builders(table: Declarations, reporter: Reporter) -> bool:
    depth: dict[str, int] = {}
    deepest: dict[str, str] = {}  # builder -> the callee its deepest chain goes through
    for name in callees_first(table.builders, lambda name: builder_callees(table, name)):
        depth[name] = 1
        for callee in builder_callees(table, name):
            if depth.get(callee, 0) + 1 > depth[name]:
                depth[name] = depth[callee] + 1
                deepest[name] = callee
    too_deep = {name for name, value in depth.items() if value > MAX_BUILDER_CHAIN}
    called_by_too_deep = {callee for name in too_deep for callee in builder_callees(table, name)}
    for name in sorted(too_deep - called_by_too_deep, key=lambda name: table.builders[name].span.line):
        path = [name]
        while path[-1] in deepest and len(path) < 4:
            path.append(deepest[path[-1]])
        shown = " -> ".join(path) + (" -> ..." if path[-1] in deepest else "")
        reporter.report(
            table.builders[name].name.span,
            "E0107",
            f"builder {name!r} starts a chain of {depth[name]} builder calls ({shown}), "
            f"more than {MAX_BUILDER_CHAIN}",
            "call the builders one after another from one body rather than each from the one before",
        )
    return not too_deep


def _check_conditions(table: Declarations, reporter: Reporter) -> bool:
    conditions = table.conditions
    depth: dict[str, int] = {}

    def references(name: str) -> list[str]:
        return [ref for ref in condition_references(conditions[name].condition) if ref in conditions]

    for name in callees_first(conditions, references):
        declaration = conditions[name]
        depth[name] = condition_depth(declaration.condition, depth) + (declaration.guard is not None)
    too_deep = {name for name, value in depth.items() if value > MAX_CONDITION_DEPTH}
    used_by_too_deep = {ref for name in too_deep for ref in references(name)}
    found = False
    for name in sorted(too_deep - used_by_too_deep, key=lambda name: conditions[name].span.line):
        found = True
        _report_condition(reporter, conditions[name].name.span, f"condition {name!r}", depth[name])
    for reaction in table.reactions:
        total = condition_depth(reaction.condition, depth) + (reaction.guard is not None)
        used = condition_references(reaction.condition)
        if total > MAX_CONDITION_DEPTH and not any(ref in too_deep for ref in used):
            found = True
            _report_condition(reporter, reaction.condition.span, "this reaction's condition", total)
    return not found and not too_deep


def _report_condition(reporter: Reporter, span: object, what: str, depth: int) -> None:
    reporter.report(
        span,  # type: ignore[arg-type]
        "E0107",
        f"{what} is nested {depth} deep counting the named conditions it uses and their guards, "
        f"more than {MAX_CONDITION_DEPTH}",
        "combine named conditions side by side with `and`/`or` rather than each inside the next",
    )


def condition_depth(condition: ast.ConditionExpr, definitions: dict[str, int]) -> int:
    """How deep the condition object built for ``condition`` nests, with the depths of the named
    conditions it uses from ``definitions`` (one level for the use itself: the call that builds it).
    Recursive over the condition's own nesting, which the parser bounds."""
    if isinstance(condition, (ast.AllOf, ast.AnyOf)):
        return 1 + max(condition_depth(operand, definitions) for operand in condition.operands)
    if isinstance(condition, ast.NotCondition):
        return 1 + condition_depth(condition.operand, definitions)
    if isinstance(condition, ast.ConditionRef):
        return 1 + definitions.get(condition.name.name, 0)
    return 1


class ValueDepths:
    """How deep the values of a type nest (lists and objects), remembered per type object.

    ``too_deep(kind)`` is asked of the type of every list, object and comprehension the checker
    types: as each is checked when it is built, the types inside it are within the limit, and the
    recursion of ``depth`` is bounded by it."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[t.Type, int]] = {}
        self._reported = False

    def too_deep(self, kind: t.Type) -> bool:
        return self.depth(kind) > MAX_NESTING

    def first_report(self) -> bool:
        """True the first time it is asked: a value too deep is reported once per file."""
        first, self._reported = not self._reported, True
        return first

    def depth(self, kind: t.Type, budget: int = MAX_NESTING + 1) -> int:
        """The depth of ``kind`` when it is at most ``budget``, else a number above ``budget`` (a
        written type may nest deeper than the limit before a value is built from it)."""
        known = self._known.get(id(kind))
        if known is not None:
            return known[1]
        if isinstance(kind, (t.ListType, t.ObjectType)):
            if budget <= 0:
                return 1
            parts = (
                [kind.element] if isinstance(kind, t.ListType) else [kind.extra, *(f for _, f in kind.fields)]
            )
            result = 1 + max(self.depth(part, budget - 1) for part in parts)
        elif isinstance(kind, t.UnionType):
            result = max(self.depth(option, budget) for option in kind.options)
        else:
            result = 0
        if result <= budget:  # exact, not cut short by the budget: worth remembering
            self._known[id(kind)] = (kind, result)
        return result
