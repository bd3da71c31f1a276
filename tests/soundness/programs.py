"""Whole generated programs: the pipeline block, params, the three farm services, reactions with the
conditions, named conditions and builders they use.

``generate(choices, functions)`` returns a ``Program``: the text of a program that is valid by
construction (``program.text``), the values the harness passes for its required params, and the
near-miss alternatives registered while it was written (``program.near_miss(i)`` flips one).

Reactions come in order: the first reacts to ``engine.started``, each later one to tasks built by
those before it. A reaction that can fire again and again (on a reusable task's events, or on a
glob's) builds no task that may run many times (a reusable one, or one named anew on each firing),
so that every run ends: other tasks run once, and only reactions that fire a bounded number of
times build the ones that may run many times.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.soundness import gtypes as g
from tests.soundness.choices import Choices, between, chance, pick, weighted
from tests.soundness.conditions import Conditions
from tests.soundness.expressions import Expressions
from tests.soundness.literals import EXPONENT_PIPELINE_TIMEOUTS, PIPELINE_TIMEOUTS, string_literal
from tests.soundness.scope import Scope, World, choose_swarm
from tests.soundness.services import SCHEMAS, SERVICE_NAMES
from tests.soundness.statements import Context, Statements, _indent

PARAM_TYPES = (
    "string", "secret", "number", "integer", "int", "bool", "list", "list[string]", "list[integer]",
    "list[number]", "list[bool]", "object", "any",
)  # fmt: skip
SECRET_VALUES = ("s3cr3t-value", "hunter2!", "tok_ABCDEF")
# Secrets shorter than the redaction minimum: masked as whole values only, never inside words.
SHORT_SECRETS = ("a", ",", "ab")


@dataclass
class Program:
    """A generated program: ``seed`` (how to make it again), its text with near-miss markers, the
    raw values of its required params (as ``--param`` would give them), and the near-misses."""

    seed: str
    marked: str
    params: dict[str, str]
    world: World
    features: set[str] = field(default_factory=set)
    _reachable: list[int] | None = None

    @property
    def text(self) -> str:
        return self.world.alternatives.render(self.marked)

    @property
    def near_misses(self) -> list[str]:
        """The kind of each near-miss of the program, by index."""
        entries = self.world.alternatives.entries
        return [entries[place][2] for place in self._places()]

    def near_miss(self, index: int) -> str:
        return self.world.alternatives.render(self.marked, flip=self._places()[index])

    def _places(self) -> list[int]:
        if self._reachable is None:
            self._reachable = self.world.alternatives.reachable(self.marked)
        return self._reachable


def generate(choices: Choices, functions: frozenset[str], seed: str = "") -> Program:
    return _Generator(choices, functions).program(seed)


class _Generator:
    def __init__(self, choices: Choices, functions: frozenset[str]) -> None:
        self.choices = choices
        self.world = World(choices, functions, choose_swarm(choices))
        self.expressions = Expressions(self.world)
        self.conditions = Conditions(self.world, self.expressions)
        self.aliases = {name: self.world.fresh_name() for name in SERVICE_NAMES}
        self.statements = Statements(self.world, self.expressions, self.conditions, self.aliases)
        self.params: dict[str, str] = {}
        self.param_scope = Scope()

    def program(self, seed: str) -> Program:
        c = self.choices
        declarations: list[str] = []
        params = [self.param() for _ in range(weighted(c, [(1, 0), (2, 1), (3, 3), (2, 5)]))]
        services = [
            f"service {alias} = path {string_literal(c, './' + name)} "
            f"schemas {string_literal(c, str(SCHEMAS / name))}"
            for name, alias in self.aliases.items()
        ]
        reactions = [self.reaction(index) for index in range(between(c, 1, 6))]
        declarations += services
        declarations += [named.text for named in self.conditions.named]
        declarations += [builder.text for builder in self.statements.builders]
        declarations += reactions
        # Declarations may come in any order; params keep theirs (a default reads earlier params).
        order = sorted(range(len(declarations)), key=lambda _: c.below(1000))
        shuffled = [declarations[i] for i in order] if chance(c, 50) else declarations
        text = "\n\n".join([self.pipeline_block(), *params, *shuffled]) + "\n"
        program = Program(seed, text, dict(self.params), self.world, set(self.world.features))
        program.features.update(f"fn:{name}" for name in self.world.used_functions)
        return program

    def pipeline_block(self) -> str:
        c = self.choices
        settings = []
        if chance(c, 40):
            settings.append(f"parallelism = {between(c, 1, 8)}")
        if chance(c, 40):
            exponent = EXPONENT_PIPELINE_TIMEOUTS if self.world.uses("duration-exponent") else ()
            settings.append(f"timeout = {pick(c, PIPELINE_TIMEOUTS + exponent)}")
        inner = " ".join(settings)
        return f'pipeline "soundness" {{ {inner} }}' if inner else 'pipeline "soundness" {}'

    # -- params --------------------------------------------------------------------------------------

    def param(self) -> str:
        c = self.choices
        name = self.world.fresh_name()
        types = (
            PARAM_TYPES
            if self.world.uses("integer-params")
            else tuple(kind for kind in PARAM_TYPES if kind not in ("integer", "int"))
        )
        written = pick(c, types)
        static, target = _param_types(written, c)
        text = f"param {name}: {written}"
        if chance(c, 55):
            # a default may read the params declared before it
            scope = self.param_scope if self.world.uses("param-references") else Scope()
            if written == "secret":
                # a secret's value is masked wherever it appears: not a word the messages use
                short = SHORT_SECRETS if self.world.uses("short-secrets") else ()
                default_text = string_literal(c, pick(c, SECRET_VALUES + short))
            else:
                default_text = self.expressions.expr(target, scope, 2, public=True).text
            if chance(c, 15):
                wrong = '"text"' if written not in ("string", "secret", "any") else "[1, 2]"
                if written in ("integer", "int"):
                    wrong = pick(c, ('"text"', "2.5"))
                if written != "any":
                    default_text = self.world.alternatives.add(default_text, wrong, "param-default-type")
            text += f" = {default_text}"
            self.world.features.add("param-default")
        else:
            self.params[name] = _given_value(written, target, c)
        self.param_scope.bindings[name] = static
        self.world.features.add(f"param:{written}")
        return text

    # -- reactions -----------------------------------------------------------------------------------

    def reaction(self, index: int) -> str:
        c = self.choices
        known = list(self.world.tasks.values())
        if index == 0 or not known:
            condition_text, facts, reusable, payload = "engine.started", {}, False, g.ANY
        else:
            cond = self.conditions.condition(known)
            if chance(c, 15):
                cond = self.conditions.weaken(cond, known)
            condition_text, facts, reusable = cond.text, cond.facts, cond.reusable
            payload = cond.payload or g.ANY
        scope = self.param_scope.child(tasks_visible=True, event=payload, facts=dict(facts))
        guard = ""
        body_facts = dict(facts)
        if index > 0 and chance(c, 35) and self.world.uses("guards"):
            guard_text, narrowed = self.conditions.guard(scope)
            guard = f" if {guard_text}"
            body_facts.update(narrowed)
            self.world.features.add("guard")
        body_scope = scope.child(facts=body_facts)
        context = Context(reusable_ok=not reusable, facts=dict(facts))
        depth = 2 if chance(c, 20) else 1
        lines = self.statements.body(body_scope, depth, context, count=between(c, 1, 5))
        return "\n".join([f"on {condition_text}{guard} {{", *_indent(lines), "}"])


def _param_types(written: str, choices: Choices) -> tuple[g.GType, g.GType]:
    """The static type of a param written ``written`` and the type of the values given for it."""
    simple: dict[str, g.GType] = {
        "string": g.STRING,
        "secret": g.SECRET,
        "number": g.NUM,
        "integer": g.INT,
        "int": g.INT,
        "bool": g.BOOL,
        "list[string]": g.TList(g.STRING),
        "list[integer]": g.TList(g.INT),
        "list[number]": g.TList(g.NUM),
        "list[bool]": g.TList(g.BOOL),
    }
    if written in simple:
        return simple[written], simple[written]
    if written == "list":
        element = pick(choices, (g.STRING, g.INT, g.BOOL))
        return g.TList(g.TAny(element)), g.TList(element)
    if written == "object":
        shape = g.TObj(
            (g.Field("name", g.STRING), g.Field("n", g.INT), g.Field("tags", g.TList(g.STRING))), closed=True
        )
        return g.TObj(known=shape), shape
    actual = pick(choices, (g.STRING, g.INT, g.TList(g.STRING), g.BOOL))
    return g.TAny(actual), actual


def _given_value(written: str, target: g.GType, choices: Choices) -> str:
    """The text a user would pass with ``--param`` for a value of ``target``."""
    if written == "secret":
        return pick(choices, SECRET_VALUES)
    if written in ("string",):
        return pick(choices, ("plain", "with space", "déjà", "", "{not json}"))
    if written == "bool":
        return pick(choices, ("true", "false", "yes", "no", "1", "0"))
    if written in ("number",):
        return pick(choices, ("2.5", "3", "-1", "1e2"))
    if written in ("integer", "int"):
        return pick(choices, ("7", "0", "-3", "42"))
    value = _sample(target, choices)
    if written == "any" and isinstance(value, str) and chance(choices, 50):
        return value  # plain text: not JSON, so the value is the text itself
    return json.dumps(value, ensure_ascii=False)


def _sample(target: g.GType, choices: Choices) -> Any:
    if isinstance(target, g.TStr):
        return pick(choices, ("a", "b c", "ü", "word"))
    if isinstance(target, g.TInt):
        return between(choices, -5, 50)
    if isinstance(target, g.TNum):
        return pick(choices, (1.5, 2, -0.25))
    if isinstance(target, g.TBool):
        return chance(choices, 50)
    if isinstance(target, g.TList):
        return [_sample(target.element, choices) for _ in range(between(choices, 0, 3))]
    if isinstance(target, g.TObj):
        return {field.name: _sample(field.type, choices) for field in target.fields}
    raise AssertionError(target)
