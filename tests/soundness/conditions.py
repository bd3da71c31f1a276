"""Generated reaction conditions and named conditions, with the facts each gives.

Facts follow the task-read rule: an atom gives what it says about its task; ``and`` gives the facts
of both sides, ``or`` what both sides give, ``not`` nothing, a named condition the facts of its body
with its arguments substituted. A condition also says whether it can fire again and again
(``reusable``: a reusable task's events, or a glob's, which matches names built anew each time,
can trigger it; then its reaction builds no task that may run many times, so that no chain of
reactions feeds itself)
and, when it is one atom, what the payload of the event that triggers it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.soundness import gtypes as g
from tests.soundness.catalog import PAYLOADS, Endpoint
from tests.soundness.choices import between, chance, pick, weighted
from tests.soundness.expressions import Expressions
from tests.soundness.literals import EVENT_NAMES, string_literal
from tests.soundness.scope import AND, POSTFIX, E, Scope, TaskInfo, World, common_facts, merge_facts, operand

ATOM_FACT = {
    "finished(success)": "success",
    "finished(failed)": "failed",
    "finished": "finished",
    "started": "started",
}


@dataclass
class Cond:
    """A condition's ``text`` and what it tells: ``facts``, ``reusable`` (a reusable task's events
    can trigger it), ``payload`` (the triggering event's payload when it is a single atom)."""

    text: str
    facts: dict[str, str] = field(default_factory=dict)
    reusable: bool = False
    payload: g.GType | None = None


@dataclass
class NamedCondition:
    """A ``condition`` declaration: its ``text`` and how to call it. ``task_kind`` is the atom of a
    one-parameter-task template (``task(n).KIND``), with the ``endpoint`` its guard relies on and the
    ``event`` it waits for; a fixed condition has no parameters and its ``fixed`` facts."""

    name: str
    text: str
    task_kind: str = ""
    endpoint: Endpoint | None = None
    event: str | None = None
    extra: tuple[tuple[str, g.GType], ...] = ()
    fixed: Cond | None = None


class Conditions:
    """Writes the conditions of one program, with the named conditions and glob prefixes it has."""

    def __init__(self, world: World, expressions: Expressions) -> None:
        self.world = world
        self.choices = world.choices
        self.expressions = expressions
        self.named: list[NamedCondition] = []
        # glob prefixes of tasks named in loops and builders: prefix -> reusable
        self.globs: dict[str, bool] = {}

    # -- reaction conditions -------------------------------------------------------------------------

    def condition(self, known: list[TaskInfo]) -> Cond:
        """A condition over tasks already built somewhere (``known``)."""
        c = self.choices
        count = weighted(c, [(5, 1), (3, 2), (1, 3)])
        if count == 1:
            return self._operand(known, single=True)
        op = pick(c, ("and", "or"))
        operands = []
        for position in range(count):
            operand = self._operand(known, single=False)
            if op == "and" and position > 0 and chance(c, 20):
                operand = Cond(f"not {_grouped(operand.text)}", {}, operand.reusable)
            operands.append(operand)
        facts: dict[str, str] = dict(operands[0].facts)
        for operand in operands[1:]:
            facts = merge_facts(facts, operand.facts) if op == "and" else common_facts(facts, operand.facts)
        text = f" {op} ".join(_grouped(operand.text) for operand in operands)
        return Cond(text, facts, any(operand.reusable for operand in operands))

    def _operand(self, known: list[TaskInfo], single: bool) -> Cond:
        c = self.choices
        choice = weighted(c, [(6, "atom"), (1, "glob"), (2, "named")])
        if choice == "named" and not self.world.uses("named-conditions"):
            choice = "atom"
        if choice == "glob" and self.globs:
            prefix = pick(c, sorted(self.globs))
            kind = pick(c, ("finished", "finished(success)", "finished(failed)", "started"))
            return Cond(f'task("{prefix}*").{kind}', {}, True, PAYLOADS[kind.split("(")[0]])
        if choice == "named":
            called = self._call_named(known)
            if called is not None:
                return called
        return self.atom(pick(c, known))

    def atom(self, info: TaskInfo, kind: str | None = None) -> Cond:
        c = self.choices
        options = [(4, "finished(success)"), (2, "finished(failed)"), (2, "finished"), (1, "started")]
        if info.reports is not None:
            options.append((3, "reported"))
        kind = kind or weighted(c, options)
        name = string_literal(c, info.name)
        if kind == "reported":
            assert info.reports is not None
            event = string_literal(c, info.reports)
            return Cond(
                f"task({name}).reported({event})", {info.name: "started"}, info.reusable, _payload("reported")
            )
        text = f"task({name}).{kind}"
        if kind == "finished(success)" and chance(c, 25):
            # the near-miss: the status left out, so the task may have failed when the body reads it
            text = self.world.alternatives.add(text, f"task({name}).finished", "condition-weakened")
        return Cond(text, {info.name: ATOM_FACT[kind]}, info.reusable, _payload(kind.split("(")[0]))

    def weaken(self, cond: Cond, known: list[TaskInfo]) -> Cond:
        """``cond`` with the near-miss ``cond or task("z").finished(failed)`` registered."""
        if not known or not cond.facts:
            return cond
        other = pick(self.choices, known)
        mutant = f"{cond.text} or task({string_literal(self.choices, other.name)}).finished(failed)"
        text = self.world.alternatives.add(cond.text, mutant, "condition-or-weakened")
        return Cond(text, cond.facts, cond.reusable, cond.payload)

    # -- guards --------------------------------------------------------------------------------------

    def guard(self, scope: Scope) -> tuple[str, dict[str, str]]:
        """A guard over ``scope`` and the facts it adds when it holds (a status test narrows)."""
        c = self.choices
        payload = g.runtime_type(scope.event) if scope.event is not None else None
        if isinstance(payload, g.TObj) and chance(c, 50):
            return self._event_guard(payload), {}
        if chance(c, 40):
            narrowed = self.expressions.narrowing(scope)
            if narrowed is not None:
                test, name = narrowed
                if chance(c, 30):
                    other = self.expressions.test(scope, 1)
                    return f"{test.text} and {operand(other, AND + 1)}", {name: "success"}
                return test.text, {name: "success"}
        return self.expressions.test(scope, 1).text, {}

    def _event_guard(self, payload: g.TObj) -> str:
        """A test of the triggering event's payload (``event.payload.data.percent > 50``): it holds
        only on that event, so it must be evaluated on that event only."""
        c = self.choices
        leaves: list[tuple[str, g.GType]] = []
        for member in payload.fields:
            kind = member.type
            if isinstance(kind, g.TObj):
                leaves += [
                    (f"{member.name}.{inner.name}", inner.type) for inner in kind.fields if inner.required
                ]
            else:
                leaves.append((member.name, kind))
        path, kind = pick(c, leaves)
        self.world.features.add("event-guard")
        if kind == g.INT:
            return f"event.payload.{path} > {between(c, 0, 99)}"
        if kind == g.STRING:
            return f'event.payload.{path} != "{pick(c, ("", "x"))}"'
        return f"event.payload.{path} == null"

    # -- named conditions ----------------------------------------------------------------------------

    def _call_named(self, known: list[TaskInfo]) -> Cond | None:
        c = self.choices
        usable = [(named, self._callable_with(named, known)) for named in self.named]
        usable = [(named, tasks) for named, tasks in usable if tasks]
        if usable and chance(c, 50):
            named, tasks = pick(c, usable)
        else:
            named = self._define(known)
            if named is None:
                return None
            tasks = self._callable_with(named, known)
            if not tasks:
                return None
        return self._call(named, pick(c, tasks))

    def _callable_with(self, named: NamedCondition, known: list[TaskInfo]) -> list[TaskInfo | None]:
        if named.fixed is not None:
            return [None]
        return [
            info
            for info in known
            if (named.endpoint is None or info.endpoint == named.endpoint)
            and (named.event is None or info.reports == named.event)
            and (named.task_kind != "reported" or info.reports is not None)
        ]

    def _call(self, named: NamedCondition, info: TaskInfo | None) -> Cond:
        c = self.choices
        if named.fixed is not None:
            return Cond(f"{named.name}()", dict(named.fixed.facts), named.fixed.reusable, named.fixed.payload)
        assert info is not None
        arguments = [string_literal(c, info.name)]
        if named.task_kind == "reported" and named.event is None:
            assert info.reports is not None
            arguments.append(string_literal(c, info.reports))
        for _, kind in named.extra:
            arguments.append(self.expressions.literal(kind, Scope()).text)
        kind = named.task_kind
        facts = {info.name: "started" if kind == "reported" else ATOM_FACT[kind]}
        return Cond(
            f"{named.name}({', '.join(arguments)})", facts, info.reusable, _payload(kind.split("(")[0])
        )

    def _define(self, known: list[TaskInfo]) -> NamedCondition | None:
        c = self.choices
        name = self.world.fresh_name()
        if chance(c, 30):
            fixed = self.condition(known)
            guard = ""
            if chance(c, 40) and self.world.uses("guards"):
                text, _ = self.guard(Scope(facts=dict(fixed.facts), tasks_visible=True, event=g.ANY))
                guard = f" if {text}"
            named = NamedCondition(name, f"condition {name}() = {fixed.text}{guard}", fixed=fixed)
            self.named.append(named)
            self.world.features.add("named-condition")
            return named
        info = pick(c, known)
        kinds = ["finished(success)", "finished(failed)", "finished", "started"]
        if info.reports is not None:
            kinds.append("reported")
        kind = pick(c, kinds)
        task = self.world.fresh_name()
        parameters = [f"{task}: string"]
        event_parameter = None
        event = info.reports if kind == "reported" else None
        if kind == "reported" and chance(c, 50):
            event_parameter = self.world.fresh_name()
            parameters.append(f"{event_parameter}: string")
            event = None
        extra: list[tuple[str, g.GType]] = []
        if chance(c, 40):
            extra_name = self.world.fresh_name()
            extra_type = pick(c, (("integer", g.INT), ("bool", g.BOOL), ("string", g.STRING)))
            extra.append((extra_name, extra_type[1]))
            parameters.append(f"{extra_name}: {extra_type[0]}")
        if kind == "reported":
            event_text = event_parameter or string_literal(c, info.reports or pick(c, EVENT_NAMES))
            body = f"task({task}).reported({event_text})"
        else:
            body = f"task({task}).{kind}"
        endpoint = None
        guard = ""
        if chance(c, 60) and self.world.uses("guards"):
            scope = Scope(tasks_visible=True, event=_payload(kind.split("(")[0]))
            scope.bindings[task] = g.STRING
            if event_parameter is not None:
                scope.bindings[event_parameter] = g.STRING
            for extra_name, extra_type in extra:
                scope.bindings[extra_name] = extra_type
            if kind == "finished(success)" and info.endpoint is not None:
                # evaluated only when the task just succeeded: its output is there (`any` to a checker)
                endpoint = info.endpoint
                record = g.TObj(
                    (g.Field("output", g.TAny(info.returns)), g.Field("error", g.STRING)), closed=True
                )
                scope.roots = (E(f"tasks[{task}]", POSTFIX, record),)
            guard = f" if {self.expressions.test(scope, 1).text}"
        text = f"condition {name}({', '.join(parameters)}) = {body}{guard}"
        named = NamedCondition(name, text, kind, endpoint, event, tuple(extra))
        self.named.append(named)
        self.world.features.add("named-condition")
        return named


def _payload(kind: str) -> g.GType:
    return g.TAny(PAYLOADS[kind]) if kind in PAYLOADS else g.ANY


def _grouped(text: str) -> str:
    return text if " or " not in text and " and " not in text else f"({text})"
