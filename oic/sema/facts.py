"""Which tasks have certainly run, and how, when a piece of code runs: the facts behind the task-read
rule (a read of ``tasks["b"]`` where b may not have finished is W0108, and ``tasks["b"].output`` is
``T | null`` unless b certainly succeeded).

**Facts of a condition** (``condition_facts``), true whenever a reaction with that condition fires:

- ``engine.started`` and ``not C``: nothing; ``task(X).started`` and ``task(X).reported(E)``: X
  started; ``task(X).finished``: X finished; ``task(X).finished(success|failed)``: X's latest
  finished run has that status;
- ``A and B``: the facts of A and those of B (``join``); ``A or B``: what both give (``meet``, of
  each side's facts with what they imply, below);
- a named condition: the facts of its body, with its literal arguments put in for its parameters,
  and what its guard proves (a guard is evaluated only when its condition fires). Inside an
  ``and``, the guard may have been evaluated at an earlier event (its result is remembered until
  its condition is triggered again), so only what it proves about tasks that run once is kept;
- a task named at run time, or a prefix glob (``"archive-*"``): nothing.

**Facts in a body.** A reaction's guard runs with its condition's facts; its body with those and
what the guard proves true. Inside a body, ``if``, loop filters (and, in expressions, ``x if c else
y``, ``and``, ``or`` and comprehension filters) add what their test proves (``narrowing``). A
builder's body starts with the facts common to every place that calls it.

**Happens-before.** Facts about a task that is not ``reusable`` stay true once they hold: it runs at
most once, so its latest run never changes again. Hence, if every task statement that can build a
task Y runs where "X succeeded" holds (X not reusable), then wherever Y is known to have started,
X succeeded too: ``before(Y)`` holds those facts. On ``task("upsert").finished(success)`` a body may
read ``tasks["fetch"].output`` when ``upsert`` is only built after ``fetch`` succeeded.

**The algorithm.** Everything is computed on demand and remembered: the facts at the task
statements and builder calls of a body (one walk per body, once its entry facts are known), a
builder's entry facts (from its callers' walks), ``before(Y)`` (from the walks that hold Y's task
statements). Facts are kept as they are stated; what they imply through happens-before is added
only when a question needs it. ``level(facts, key)`` looks at the facts themselves (the usual case:
a reaction reads the task its condition names), then follows ``before`` from task to task, without
recursion, remembering the answer for every task on the way, so a chain of tasks is walked once
however many reads ask about it. Where two sets of facts meet (the sides of an ``or``, the call
sites of a builder, the task statements of one name) what they imply is gathered first, up to
``CLOSURE_LIMIT`` facts. Whatever is cut short (a meet gathering more, a question nesting more than
``MAX_DEPTH`` meets, an impossible cycle such as a task built only after itself) gives fewer facts,
all of them true: the checker then warns more, never wrongly accepts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from oic.sema.knowledge import (
    FAILED,
    FINISHED,
    IMPOSSIBLE,
    NO_FACTS,
    STARTED,
    SUCCESS,
    Facts,
    ParameterKey,
    TaskKey,
    join_levels,
    meet_all,
)
from oic.sema.narrowing import prove, task_key
from oic.sema.resolve import Declarations
from oic.sema.task_index import TaskIndex, builder_calls
from oic.syntax import ast

MAX_DEPTH = 64  # nested meets (or named conditions) followed before giving up, safely
CLOSURE_LIMIT = 256  # facts gathered for one meet
_UNKNOWN = object()

_LEVEL_OF = {"started": STARTED, "reported": STARTED}
_STATUS_LEVEL = {"success": SUCCESS, "failed": FAILED}
_STRONGEST = (SUCCESS, FAILED, IMPOSSIBLE)

Owner = tuple[str, object]  # ("reaction", number) or ("builder", name), as in task_index


def _as_stated(facts: Facts) -> Facts:
    return facts


def condition_facts(
    condition: ast.ConditionExpr,
    values: Mapping[str, TaskKey] | None,
    table: Declarations,
    active: frozenset[str] = frozenset(),
    expand: Callable[[Facts], Facts] = _as_stated,
    once: Callable[[TaskKey], bool] | None = None,
    fresh: bool = True,
) -> Facts:
    """The facts true whenever ``condition`` fires (``values``: definition parameters -> task keys).
    ``expand`` adds what facts imply; it is applied to each side of an ``or`` before their meet,
    since what follows from either side need not follow from what both sides share.

    A named condition's guard is evaluated when that condition is triggered; inside an ``and`` the
    reaction may fire on a later event (another operand's), when the guard's result is remembered,
    not evaluated again. What such a guard proved then is still true only for tasks that run once
    (``once`` says which; ``fresh`` is False inside an ``and``)."""
    if isinstance(condition, ast.TaskCondition):
        key = task_key(condition.task, values)
        if key is None or (isinstance(key, str) and key.endswith("*")):
            return NO_FACTS
        if condition.kind == "finished":
            return Facts({key: _STATUS_LEVEL.get(condition.status or "", FINISHED)})
        return Facts({key: _LEVEL_OF.get(condition.kind, STARTED)})
    if isinstance(condition, ast.AllOf):
        result = NO_FACTS
        for operand in condition.operands:
            result = result.join(condition_facts(operand, values, table, active, expand, once, False))
        return result
    if isinstance(condition, ast.AnyOf):
        sides = [
            condition_facts(operand, values, table, active, expand, once, fresh)
            for operand in condition.operands
        ]
        if all(side == sides[0] for side in sides):
            return sides[0]
        return meet_all([expand(side) for side in sides])
    if isinstance(condition, ast.ConditionRef):
        name = condition.name.name
        definition = table.conditions.get(name)
        if (
            definition is None
            or name in active
            or len(active) > MAX_DEPTH
            or len(definition.parameters) != len(condition.args)
        ):
            return NO_FACTS
        inner: dict[str, TaskKey] = {}
        for parameter, argument in zip(definition.parameters, condition.args, strict=True):
            key = task_key(argument, values)
            if key is not None:
                inner[parameter.name.name] = key
        facts = condition_facts(definition.condition, inner, table, active | {name}, expand, once, fresh)
        if definition.guard is not None:
            proved = prove(definition.guard, inner)[0].facts
            if not fresh:
                lasts = once if once is not None else _never
                proved = proved.only(key for key in proved.keys() if lasts(key))
            facts = facts.join(proved)
        return facts
    return NO_FACTS


def _never(key: TaskKey) -> bool:
    return False


class FactsAnalysis:
    """The facts of one file, computed on demand (see the module docstring for the algorithm)."""

    def __init__(self, table: Declarations, index: TaskIndex) -> None:
        self.table = table
        self.index = index
        self._once: dict[str, bool] = {}
        self._conditions: dict[int, Facts] = {}
        self._builders: dict[str, Facts] = {}
        self._before: dict[str, Facts] = {}
        self._closures: dict[int, tuple[Facts, Facts]] = {}  # id(facts) -> (facts, closure)
        self._walked: dict[Owner, tuple[dict[int, Facts], dict[str, list[Facts]]]] = {}
        self._answers: dict[tuple[str, str], str | None] = {}
        self._busy: set[object] = set()
        self._depth = 0
        self._callers: dict[str, list[Owner]] = {}
        for number, reaction in enumerate(table.reactions):
            self._note_callers(reaction.body, ("reaction", number))
        for name, builder in table.builders.items():
            self._note_callers(builder.body, ("builder", name))

    def _note_callers(self, body: tuple[ast.Statement, ...], owner: Owner) -> None:
        for call, _ in builder_calls(body):
            callers = self._callers.setdefault(call.name.name, [])
            if owner not in callers:
                callers.append(owner)

    # -- what the checker asks -----------------------------------------------------------------------

    def guard_entry(self, number: int) -> Facts:
        """The facts while reaction ``number``'s guard is evaluated."""
        known = self._conditions.get(number)
        if known is None:
            condition = self.table.reactions[number].condition
            known = self._guarded(
                ("condition", number),
                lambda: condition_facts(condition, {}, self.table, expand=self.closure, once=self.runs_once),
            )
            self._conditions[number] = known
        return known

    def reaction_entry(self, number: int) -> Facts:
        """The facts at the start of reaction ``number``'s body."""
        guard = self.table.reactions[number].guard
        entry = self.guard_entry(number)
        return entry.join(prove(guard)[0].facts) if guard is not None else entry

    def builder_entry(self, name: str) -> Facts:
        """The facts at the start of builder ``name``'s body: those of all its call sites."""
        known = self._builders.get(name)
        if known is None:
            known = self._builders[name] = self._guarded(("builder", name), lambda: self._entry_of(name))
        return known

    def definition_guard(self, declaration: ast.ConditionDecl) -> Facts:
        """The facts while a ``condition`` definition's guard is evaluated (keyed by its parameters)."""
        values: dict[str, TaskKey] = {p.name.name: ParameterKey(p.name.name) for p in declaration.parameters}
        return condition_facts(
            declaration.condition,
            values,
            self.table,
            frozenset({declaration.name.name}),
            self.closure,
            self.runs_once,
        )

    def level(self, facts: Facts, key: TaskKey) -> str | None:
        """What ``facts`` and what they imply say about task ``key``."""
        stated = facts.level(key)
        if stated in _STRONGEST or not isinstance(key, str) or facts.closed:
            return stated
        best = stated
        for started in facts.keys():
            if isinstance(started, str) and started != key:
                best = join_levels(best, self._implied(started, key))
        return best

    def _implied(self, start: str, key: str) -> str | None:
        """What "task ``start`` has started" implies about task ``key``, following ``before`` from
        task to task without recursion (each answer remembered, so a chain is walked once)."""
        remembered = self._answers.get((start, key), _UNKNOWN)
        if remembered is not _UNKNOWN:
            return remembered  # type: ignore[return-value]
        partial: dict[str, str | None] = {start: self.before(start).level(key)}
        stack = [(start, iter(list(self.before(start).keys())))]
        on_path = {start}
        while stack:
            node, successors = stack[-1]
            descended = False
            for successor in successors:
                if not isinstance(successor, str) or successor == key or successor in on_path:
                    continue
                answer = self._answers.get((successor, key), _UNKNOWN)
                if answer is not _UNKNOWN:
                    partial[node] = join_levels(partial[node], answer)  # type: ignore[arg-type]
                    continue
                partial[successor] = self.before(successor).level(key)
                stack.append((successor, iter(list(self.before(successor).keys()))))
                on_path.add(successor)
                descended = True
                break
            if descended:
                continue
            stack.pop()
            on_path.discard(node)
            self._answers[(node, key)] = partial[node]
            if stack:
                parent = stack[-1][0]
                partial[parent] = join_levels(partial[parent], partial[node])
        return self._answers[(start, key)]

    def closure(self, facts: Facts) -> Facts:
        """``facts`` with what they imply through happens-before, for a meet (remembered per set). At
        most ``CLOSURE_LIMIT`` facts are gathered: a meet of fewer facts knows less, never wrong."""
        if facts.closed:
            return facts
        remembered = self._closures.get(id(facts))
        if remembered is not None and remembered[0] is facts:
            return remembered[1]
        levels: dict[TaskKey, str] = dict(facts.items())
        pending = [key for key in levels if isinstance(key, str)]
        seen: set[str] = set()
        complete = True
        while pending:
            if len(levels) >= CLOSURE_LIMIT:
                complete = False
                break
            key = pending.pop()
            if key in seen:
                continue
            seen.add(key)
            implied = self.before(key)
            for other, level in implied.items():
                known = levels.get(other)
                if known is None and len(levels) >= CLOSURE_LIMIT:
                    complete = False
                    break
                if known != level:
                    levels[other] = join_levels(known, level) or level
                if not implied.closed and isinstance(other, str) and other not in seen:
                    pending.append(other)
        # Cut short, the set may lack implied facts: not closed, so questions still follow ``before``.
        result = Facts(levels, closed=complete)
        self._closures[id(facts)] = (facts, result)
        return result

    def before(self, name: str) -> Facts:
        """Facts about tasks that run once, true wherever a task called ``name`` has started."""
        known = self._before.get(name)
        if known is None:
            known = self._before[name] = self._guarded(("before", name), lambda: self._before_of(name))
        return known

    def runs_once(self, key: TaskKey) -> bool:
        """Whether every statement that can build task ``key`` builds it without ``reusable``."""
        if not isinstance(key, str):
            return False
        known = self._once.get(key)
        if known is None:
            sites = self.index.builders_of(key)
            known = self._once[key] = bool(sites) and not any(site.statement.reusable for site in sites)
        return known

    # -- computed on demand --------------------------------------------------------------------------

    def _guarded(self, what: object, compute: Callable[[], Facts]) -> Facts:
        """``compute()``, or no facts when it is already being computed (a cycle) or nested too deep."""
        if what in self._busy or self._depth > MAX_DEPTH:
            return NO_FACTS
        self._busy.add(what)
        self._depth += 1
        try:
            return compute()
        finally:
            self._depth -= 1
            self._busy.discard(what)

    def _before_of(self, name: str) -> Facts:
        sites = self.index.builders_of(name)
        if not sites:
            return NO_FACTS
        stated: list[Facts] = []
        for site in sites:
            facts = self._walk_owner(site.owner)[0].get(id(site.statement))
            if facts is None:
                return NO_FACTS
            stated.append(facts)
        common = stated[0] if len(stated) == 1 else meet_all([self.closure(facts) for facts in stated])
        return common.only(key for key in common.keys() if self.runs_once(key))

    def _entry_of(self, builder: str) -> Facts:
        calls: list[Facts] = []
        for owner in self._callers.get(builder, []):
            calls.extend(self._walk_owner(owner)[1].get(builder, []))
        if not calls:
            return NO_FACTS
        if all(facts == calls[0] for facts in calls):
            return calls[0]
        return meet_all([self.closure(facts) for facts in calls])

    def _walk_owner(self, owner: Owner) -> tuple[dict[int, Facts], dict[str, list[Facts]]]:
        """The facts at each task statement (by id) and at each builder call (by builder) of a body."""
        walked = self._walked.get(owner)
        if walked is not None:
            return walked
        kind, identity = owner
        if kind == "reaction" and isinstance(identity, int):
            body, entry = self.table.reactions[identity].body, self.reaction_entry(identity)
        elif isinstance(identity, str) and identity in self.table.builders:
            body, entry = self.table.builders[identity].body, self.builder_entry(identity)
        else:
            return {}, {}
        sites: dict[int, Facts] = {}
        calls: dict[str, list[Facts]] = {}
        self._walk(body, entry, sites, calls)
        self._walked[owner] = (sites, calls)
        return sites, calls

    def _walk(
        self,
        body: tuple[ast.Statement, ...],
        facts: Facts,
        sites: dict[int, Facts],
        calls: dict[str, list[Facts]],
    ) -> None:
        # A list of blocks still to walk, not recursion: `else if` chains may be thousands long.
        pending: list[tuple[tuple[ast.Statement, ...], Facts]] = [(body, facts)]
        while pending:
            block, known = pending.pop()
            for statement in block:
                if isinstance(statement, ast.TaskStmt):
                    sites[id(statement)] = known
                elif isinstance(statement, ast.BuilderCall):
                    calls.setdefault(statement.name.name, []).append(known)
                elif isinstance(statement, ast.IfStmt):
                    when_true, when_false = prove(statement.test)
                    pending.append((statement.body, known.join(when_true.facts)))
                    pending.append((statement.otherwise, known.join(when_false.facts)))
                elif isinstance(statement, ast.ForStmt):
                    inner = known
                    if statement.condition is not None:
                        inner = known.join(prove(statement.condition)[0].facts)
                    pending.append((statement.body, inner))
