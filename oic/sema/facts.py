"""Which tasks have certainly run, and how, when a piece of code runs: the facts behind the task-read
rule (a read of ``tasks["b"]`` where b may not have finished is W0108, and ``tasks["b"].output`` is
``T | null`` unless b certainly succeeded).

**Facts of a condition** (``condition_facts``), true whenever a reaction with that condition fires:

- ``engine.started`` and ``not C``: nothing; ``task(X).started`` and ``task(X).reported(E)``: X
  started; ``task(X).finished``: X finished; ``task(X).finished(success|failed)``: X's latest
  finished run has that status;
- ``A and B``: the facts of A and those of B (``join``); ``A or B``: what both give (``meet``);
- a named condition: the facts of its body, with its literal arguments put in for its parameters,
  and what its guard proves (a guard is evaluated only when its condition fires);
- a task named at run time, or a prefix glob (``"archive-*"``): nothing.

**Facts in a body.** A reaction's guard runs with its condition's facts; its body with those and
what the guard proves true. Inside a body, ``if``, loop filters (and, in expressions, ``x if c else
y``, ``and``, ``or`` and comprehension filters) add what their test proves (``narrowing``). A
builder's body starts with the facts common to every place that calls it.

**Happens-before.** Facts about a task that is not ``reusable`` stay true once they hold: it runs at
most once, so its latest run never changes again. Hence, if every task statement that can build a
task Y runs where "X succeeded" holds (X not reusable), then wherever Y is known to have started,
X succeeded too. ``expand`` adds those facts, transitively: on ``task("upsert").finished(success)``
a body may read ``tasks["fetch"].output`` when ``upsert`` is only built after ``fetch`` succeeded.

**The algorithm.** The facts at each task statement depend on happens-before facts, which depend on
the facts at the task statements. Starting from no happens-before facts, every body is walked (the
reactions, then the builders with the facts of their call sites) to record the facts at each task
statement and builder call; happens-before facts are recomputed from them; and this repeats until
nothing changes. Each round only adds facts, and each round's facts are true (they are derived from
true facts), so the first round that changes nothing gives facts that are all true. The rounds are
few (one more than the longest chain of tasks built one after another), and each is linear in the
size of the file.
"""

from __future__ import annotations

from collections.abc import Callable

from oic.sema.knowledge import (
    FAILED,
    FINISHED,
    NO_FACTS,
    STARTED,
    SUCCESS,
    Facts,
    ParameterKey,
    TaskKey,
    meet_all,
)
from oic.sema.narrowing import prove, task_key
from oic.sema.resolve import Declarations
from oic.sema.task_index import TaskIndex, TaskSite
from oic.syntax import ast

# Rounds of the fixed point are few in practice; this bounds them anyway (stopping early only leaves
# out facts, which is safe).
_MAX_ROUNDS = 64
_MAX_DEPTH = 64  # named conditions inside named conditions (cycles are E0212)

_LEVEL_OF = {"started": STARTED, "reported": STARTED}


def _unexpanded(facts: Facts) -> Facts:
    return facts


_STATUS_LEVEL = {"success": SUCCESS, "failed": FAILED}


def condition_facts(
    condition: ast.ConditionExpr,
    values: dict[str, TaskKey] | None,
    table: Declarations,
    active: frozenset[str] = frozenset(),
    expand: Callable[[Facts], Facts] = _unexpanded,
) -> Facts:
    """The facts true whenever ``condition`` fires (``values``: definition parameters -> task keys).
    ``expand`` adds happens-before facts; it is applied to each operand of an ``or`` before their
    meet, since what follows from either side need not follow from what both sides share."""
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
            result = result.join(condition_facts(operand, values, table, active, expand))
        return result
    if isinstance(condition, ast.AnyOf):
        return meet_all(
            [
                expand(condition_facts(operand, values, table, active, expand))
                for operand in condition.operands
            ]
        )
    if isinstance(condition, ast.ConditionRef):
        name = condition.name.name
        definition = table.conditions.get(name)
        if (
            definition is None
            or name in active
            or len(active) > _MAX_DEPTH
            or len(definition.parameters) != len(condition.args)
        ):
            return NO_FACTS
        inner: dict[str, TaskKey] = {}
        for parameter, argument in zip(definition.parameters, condition.args, strict=True):
            key = task_key(argument, values)
            if key is not None:
                inner[parameter.name.name] = key
        facts = condition_facts(definition.condition, inner, table, active | {name}, expand)
        if definition.guard is not None:
            facts = facts.join(prove(definition.guard, inner)[0].facts)
        return facts
    return NO_FACTS


class FactsAnalysis:
    """The facts of one file: at the entry of every reaction body, guard and builder body, with the
    happens-before facts ``expand`` adds (see the module docstring for the algorithm)."""

    def __init__(self, table: Declarations, index: TaskIndex) -> None:
        self.table = table
        self.index = index
        self._once_only: dict[str, bool] = {}
        self._conditions = [NO_FACTS for _ in table.reactions]
        self._guard_proofs = [
            prove(r.guard)[0].facts if r.guard is not None else NO_FACTS for r in table.reactions
        ]
        self._site_facts: dict[int, Facts] = {}
        self._built_cache: dict[str, Facts] = {}
        self._builder_entries: dict[str, Facts] = {}
        for _ in range(_MAX_ROUNDS):
            conditions = [
                condition_facts(reaction.condition, {}, table, expand=self.expand)
                for reaction in table.reactions
            ]
            site_facts, builder_entries = self._round(conditions)
            if (conditions, site_facts, builder_entries) == (
                self._conditions,
                self._site_facts,
                self._builder_entries,
            ):
                break
            self._conditions, self._site_facts, self._builder_entries = (
                conditions,
                site_facts,
                builder_entries,
            )
            self._built_cache = {}

    # -- what the checker asks -----------------------------------------------------------------------

    def guard_entry(self, number: int) -> Facts:
        """The facts while reaction ``number``'s guard is evaluated."""
        return self.expand(self._conditions[number])

    def reaction_entry(self, number: int) -> Facts:
        """The facts at the start of reaction ``number``'s body."""
        return self.expand(self._conditions[number].join(self._guard_proofs[number]))

    def builder_entry(self, name: str) -> Facts:
        """The facts at the start of builder ``name``'s body: those of all its call sites."""
        return self._builder_entries.get(name, NO_FACTS)

    def definition_guard(self, declaration: ast.ConditionDecl) -> Facts:
        """The facts while a ``condition`` definition's guard is evaluated (keyed by its parameters)."""
        values: dict[str, TaskKey] = {p.name.name: ParameterKey(p.name.name) for p in declaration.parameters}
        return self.expand(
            condition_facts(
                declaration.condition, values, self.table, frozenset({declaration.name.name}), self.expand
            )
        )

    def expand(self, facts: Facts) -> Facts:
        """``facts`` with the happens-before facts of every task they say has started."""
        result = facts
        pending = [key for key in facts.keys() if isinstance(key, str)]
        seen: set[str] = set()
        while pending:
            key = pending.pop()
            if key in seen:
                continue
            seen.add(key)
            before = self._built_after(key)
            if before:
                result = result.join(before)
                pending.extend(other for other in before.keys() if isinstance(other, str))
        return result

    # -- the fixed point -----------------------------------------------------------------------------

    def _round(self, conditions: list[Facts]) -> tuple[dict[int, Facts], dict[str, Facts]]:
        site_facts: dict[int, Facts] = {}
        calls: dict[str, list[Facts]] = {}
        for number, reaction in enumerate(self.table.reactions):
            entry = self.expand(conditions[number].join(self._guard_proofs[number]))
            self._walk(reaction.body, entry, site_facts, calls)
        for name, builder in self.table.builders.items():
            self._walk(builder.body, self.builder_entry(name), site_facts, calls)
        return site_facts, {name: meet_all(calls.get(name, [])) for name in self.table.builders}

    def _walk(
        self,
        body: tuple[ast.Statement, ...],
        facts: Facts,
        site_facts: dict[int, Facts],
        calls: dict[str, list[Facts]],
    ) -> None:
        for statement in body:
            if isinstance(statement, ast.TaskStmt):
                site_facts[id(statement)] = facts
            elif isinstance(statement, ast.BuilderCall):
                calls.setdefault(statement.name.name, []).append(facts)
            elif isinstance(statement, ast.IfStmt):
                when_true, when_false = prove(statement.test)
                self._walk(statement.body, self.expand(facts.join(when_true.facts)), site_facts, calls)
                self._walk(statement.otherwise, self.expand(facts.join(when_false.facts)), site_facts, calls)
            elif isinstance(statement, ast.ForStmt):
                inner = facts
                if statement.condition is not None:
                    inner = self.expand(facts.join(prove(statement.condition)[0].facts))
                self._walk(statement.body, inner, site_facts, calls)

    def _built_after(self, name: str) -> Facts:
        """The facts about tasks that run once which held wherever a task called ``name`` was built."""
        cached = self._built_cache.get(name)
        if cached is not None:
            return cached
        sites = self.index.builders_of(name)
        known = [self._site_facts.get(id(site.statement)) for site in sites]
        if not sites or any(facts is None for facts in known):
            result = NO_FACTS
        else:
            common = meet_all([facts for facts in known if facts is not None])
            result = common.only(key for key in common.keys() if self.runs_once(key))
        self._built_cache[name] = result
        return result

    def runs_once(self, key: TaskKey) -> bool:
        """Whether every statement that can build task ``key`` builds it without ``reusable``."""
        if not isinstance(key, str):
            return False
        known = self._once_only.get(key)
        if known is None:
            sites: list[TaskSite] = self.index.builders_of(key)
            known = self._once_only[key] = bool(sites) and not any(site.statement.reusable for site in sites)
        return known
