"""Generated statements: reaction and builder bodies, task statements with their arguments, builders.

Bodies are lists of lines (indentation added by the caller). Every task with a literal name is
recorded in ``World.tasks`` so that later code can read it; tasks named in loops and builders get an
interpolated name with a prefix of their own, which glob conditions (``task("loop3-*")``) can use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.soundness import gtypes as g
from tests.soundness.catalog import Endpoint, endpoints
from tests.soundness.choices import between, chance, pick, weighted
from tests.soundness.conditions import Conditions
from tests.soundness.expressions import Expressions
from tests.soundness.literals import (
    BACKOFFS,
    EVENT_NAMES,
    EXPONENT_BACKOFFS,
    EXPONENT_TASK_TIMEOUTS,
    KEY_WORDS,
    TASK_TIMEOUTS,
    string_literal,
)
from tests.soundness.scope import ATOM, OR, E, Scope, TaskInfo, World, implies, operand

INDENT = "  "
# Written parameter types of builders, with the static type each gives its parameter.
BUILDER_TYPES = ("string", "secret", "number", "integer", "bool", "list", "list[string]", "object", "any")


@dataclass
class Context:
    """What a body may do: build tasks that may run many times (``reusable_ok``: reusable ones, and
    ones named anew on each run, as in loops and builders), call builders whose facts the reaction's
    condition gives (``facts``), and which builder it is in (none in a reaction)."""

    reusable_ok: bool
    facts: dict[str, str]
    builder: Builder | None = None


@dataclass
class Builder:
    """A ``builder`` declaration: its parameters, the facts its body relies on, its text."""

    name: str
    parameters: list[tuple[str, str, g.GType, g.GType]]  # name, written type, static type, argument target
    facts: dict[str, str]
    builds_reusable: bool = False
    text: str = ""
    lines: list[str] = field(default_factory=list)


class Statements:
    """Writes the bodies, tasks and builders of one program."""

    def __init__(
        self, world: World, expressions: Expressions, conditions: Conditions, aliases: dict[str, str]
    ):
        self.world = world
        self.choices = world.choices
        self.expressions = expressions
        self.conditions = conditions
        self.aliases = aliases  # farm service name -> alias in the program
        self.builders: list[Builder] = []
        self.loop_counter = 0

    # -- bodies --------------------------------------------------------------------------------------

    def body(self, scope: Scope, depth: int, context: Context, count: int | None = None) -> list[str]:
        c = self.choices
        lines: list[str] = []
        block = scope.child()
        for _ in range(between(c, 1, 3) if count is None else count):
            kinds = [(4, "task"), (3, "let")]
            if depth > 0:
                kinds += [(2, "for"), (2, "if")]
            if self.world.uses("builders"):
                kinds.append((1, "call"))
            kind = weighted(c, kinds)
            if kind == "task":
                lines += self.task(block, context)
            elif kind == "let":
                lines += self.let(block)
            elif kind == "for":
                lines += self.loop(block, depth - 1, context)
            elif kind == "if":
                lines += self.branch(block, depth - 1, context)
            else:
                lines += self.call(block, context)
        return lines

    def let(self, scope: Scope) -> list[str]:
        value = self.expressions.expr(g.ANY, scope, 2)
        name = self.world.fresh_name()
        scope.bindings[name] = value.type
        return [f"let {name} = {value.text}"]

    def loop(self, scope: Scope, depth: int, context: Context) -> list[str]:
        c = self.choices
        source, element = self.expressions.iterable(scope, 1)
        variable = self.world.fresh_name()
        inner = scope.child(in_loop=True)
        inner.bindings[variable] = element
        head_source = operand(source, OR)
        if chance(c, 15):
            wrong = self.expressions.literal(pick(c, (g.INT, g.BOOL)), scope)
            head_source = self.world.alternatives.add(head_source, wrong.text, "iterate-non-list")
        condition = ""
        if chance(c, 40):
            narrowed = self.expressions.narrowing(inner) if chance(c, 40) else None
            if narrowed is not None:
                test, name = narrowed
                inner = inner.with_facts({name: "success"})
                condition = f" if {test.text}"
            else:
                condition = f" if {self.expressions.test(inner, 1).text}"
        self.world.features.add("for")
        lines = [f"for {variable} in {head_source}{condition} {{"]
        lines += _indent(self.body(inner, depth, context))
        lines.append("}")
        return lines

    def branch(self, scope: Scope, depth: int, context: Context) -> list[str]:
        c = self.choices
        if chance(c, 2) and self.world.uses("long-chains"):
            return self._long_chain(scope)
        lines: list[str] = []
        arms = weighted(c, [(5, 1), (3, 2), (1, 4)])
        for arm in range(arms):
            inner = scope.child()
            narrowed = self.expressions.narrowing(scope) if chance(c, 35) else None
            if narrowed is not None:
                test, name = narrowed
                inner = inner.with_facts({name: "success"})
                text = test.text
            else:
                text = self.expressions.test(scope, 1).text
            opener = "if" if arm == 0 else "} else if"
            lines.append(f"{opener} {text} {{")
            lines += _indent(self.body(inner, depth, context))
        if chance(c, 50):
            lines.append("} else {")
            lines += _indent(self.body(scope.child(), depth, context))
        lines.append("}")
        self.world.features.add("if" if arms == 1 else "else-if")
        return lines

    def _long_chain(self, scope: Scope) -> list[str]:
        """An `else if` chain hundreds long: not nesting, so no limit applies to its length."""
        count = between(self.choices, 100, 400)
        lines = ["if 0 == 1 {"]
        for number in range(count):
            lines.append(f"}} else if {number} == {number + 1} {{")
        lines.append("}")
        self.world.features.add("long-else-if")
        return lines

    # -- tasks ---------------------------------------------------------------------------------------

    def task(self, scope: Scope, context: Context) -> list[str]:
        c = self.choices
        endpoint = pick(c, endpoints())
        reusable = context.reusable_ok and chance(c, 25)
        in_builder = context.builder is not None
        static = not (scope.in_loop or in_builder) or reusable
        if not static and not context.reusable_ok:
            return self.let(scope)
        reports = pick(c, EVENT_NAMES) if chance(c, 30) and self.world.uses("reports") else None
        arguments, returns = self.arguments(endpoint, scope, reports)
        if static:
            name = self.world.fresh_task("r" if reusable else "t")
            name_text = f'"{name}"'
        else:
            self.loop_counter += 1
            prefix = f"loop{self.loop_counter}-" if not in_builder else f"b{self.loop_counter}-"
            # a read, not a constant: a name fixed inside a loop would be built once only
            part = self.expressions.reads.pick(scope, lambda kind: True, True)
            part_text = part.expression.text if part is not None else "pipeline.name"
            name_text = f'"{prefix}${{{part_text}}}"'
            self.conditions.globs[prefix] = reusable
            name = ""
        alias = self.aliases[endpoint.service]
        settings = self._settings()
        marker = " reusable" if reusable else ""
        head = f"task {name_text}{marker} = {alias}.{endpoint.name}({arguments}){settings}"
        if name:
            self.world.tasks[name] = TaskInfo(name, endpoint, returns, endpoint.arguments, reusable, reports)
        if (reusable or not static) and context.builder is not None:
            context.builder.builds_reusable = True
        self.world.features.add("reusable" if reusable else "task")
        return [head]

    def _settings(self) -> str:
        c = self.choices
        parts = []
        exponent = self.world.uses("duration-exponent")
        if chance(c, 15):
            parts.append(f"timeout {pick(c, TASK_TIMEOUTS + (EXPONENT_TASK_TIMEOUTS if exponent else ()))}")
        if chance(c, 15):
            parts.append(f"retry {between(c, 0, 2)}")
            if chance(c, 70):
                parts.append(f"backoff {pick(c, BACKOFFS + (EXPONENT_BACKOFFS if exponent else ()))}")
        c_order = list(parts)
        if len(c_order) > 1 and chance(c, 50):
            c_order.reverse()
        return "".join(" " + part for part in c_order)

    def arguments(self, endpoint: Endpoint, scope: Scope, reports: str | None) -> tuple[str, g.GType]:
        """The argument list of a call of ``endpoint`` and the type its output will have."""
        c = self.choices
        expressions = self.expressions
        entries: list[tuple[str, str, bool]] = []  # field, text, required
        returns = endpoint.returns
        arguments = endpoint.arguments
        if isinstance(arguments, g.TObj):
            for fieldinfo in arguments.fields:
                if fieldinfo.name in ("fail", "report"):
                    continue
                if not fieldinfo.required and not chance(c, 45):
                    continue
                text = self._argument(endpoint, fieldinfo, scope)
                entries.append((fieldinfo.name, text, fieldinfo.required))
                if endpoint.name == "echo" and fieldinfo.name == "value":
                    returns = g.TObj((g.Field("value", g.TAny(self._echoed)),), closed=True)
        else:
            for key in sorted({pick(c, KEY_WORDS) for _ in range(between(c, 0, 3))} - {"fail", "report"}):
                entries.append((key, expressions.expr(g.ANY, scope, 1).text, False))
        if reports is not None:
            entries.append(("report", string_literal(c, reports), False))
        failing = weighted(c, [(6, None), (2, "true"), (1, "false"), (1, "test")])
        if failing == "test":
            failing = expressions.expr(g.BOOL, scope, 1).text
        if failing is not None:
            entries.append(("fail", failing, False))
            self.world.features.add("planned-failure")
        order = list(entries)
        if chance(c, 30):
            order.reverse()
        text = ", ".join(f"{name}: {value}" for name, value, _ in order)
        required = [name for name, _, is_required in order if is_required]
        if required and chance(c, 15):
            dropped = pick(c, required)
            mutant = ", ".join(f"{name}: {value}" for name, value, _ in order if name != dropped)
            text = self.world.alternatives.add(text, mutant, "missing-required")
        return text, returns

    _echoed: g.GType | None = None

    def _argument(self, endpoint: Endpoint, fieldinfo: g.Field, scope: Scope) -> str:
        c = self.choices
        expressions = self.expressions
        target = fieldinfo.type
        bounds = endpoint.range_of(fieldinfo.name)
        if bounds is not None:
            low, high = bounds
            value = E(str(between(c, low, high)), ATOM, g.INT)
            if chance(c, 20):
                return self.world.alternatives.add(value.text, str(high + 4), "constraint")
            return value.text
        if fieldinfo.name in endpoint.secret_fields:
            target = g.SECRET
        if isinstance(target, g.TStr):
            target = g.SECRET  # any string field takes a secret
        value = expressions.expr(target, scope, 2)
        if endpoint.name == "echo" and fieldinfo.name == "value":
            self._echoed = g.runtime_type(value.type)
        if chance(c, 20):
            mutant, kind = self._wrong_argument(target, scope)
            if mutant is not None:
                return self.world.alt(value, mutant, ATOM, kind).text
        return value.text

    def _wrong_argument(self, target: g.GType, scope: Scope) -> tuple[str | None, str]:
        c = self.choices
        if isinstance(target, g.TEnum):
            values = [value for value in target.values if isinstance(value, str)]
            if values:
                return f'upper("{pick(c, values)}")', "enum-computed"
            return "true", "enum-literal"
        if isinstance(target, g.TInt):
            return pick(c, ("2.5", "7 / 2", '"3"')), "integer-given-number"
        if isinstance(target, g.TStr):
            return pick(c, ("42", "true", "[1]")), "wrong-argument-type"
        if isinstance(target, (g.TNum, g.TBool)):
            return '"text"', "wrong-argument-type"
        if isinstance(target, g.TList):
            return '"not a list"', "wrong-argument-type"
        if isinstance(target, g.TObj) and target.closed:
            return "{unknown_field: 1}", "wrong-argument-type"
        if isinstance(target, g.TUnion) and g.has_null(target):
            found = self.expressions.reads.pick(
                scope, lambda kind: g.has_null(kind) and not g.fits(kind, target), False
            )
            if found is not None:
                return found.expression.text, "nullable-argument"
        return None, ""

    # -- builders ------------------------------------------------------------------------------------

    def call(self, scope: Scope, context: Context) -> list[str]:
        c = self.choices
        usable = [
            builder
            for builder in self.builders
            if implies(context.facts, builder.facts)
            and (context.reusable_ok or not builder.builds_reusable)
            and builder is not context.builder
        ]
        if context.builder is None and (not usable or chance(c, 40)):
            builder = self.define_builder(context)
        elif usable:
            builder = pick(c, usable)
        else:
            return self.let(scope)
        if context.builder is not None and builder.builds_reusable:
            context.builder.builds_reusable = True
        arguments = []
        for _, written, _, target in builder.parameters:
            value = self.expressions.expr(target, scope, 1, public=written != "secret")
            if chance(c, 10) and written in ("integer", "number", "bool", "list[string]"):
                value = self.world.alt(value, '"text"', ATOM, "builder-argument-type")
            arguments.append(value.text)
        self.world.features.add("builder")
        return [f"{builder.name}({', '.join(arguments)})"]

    def define_builder(self, context: Context) -> Builder:
        c = self.choices
        facts = {name: fact for name, fact in context.facts.items() if chance(c, 70)}
        parameters: list[tuple[str, str, g.GType, g.GType]] = []
        for _ in range(weighted(c, [(2, 0), (3, 1), (2, 2), (1, 3)])):
            written = pick(c, BUILDER_TYPES)
            static, target = _parameter_types(written, c)
            parameters.append((self.world.fresh_name(), written, static, target))
        builder = Builder(self.world.fresh_name(), parameters, facts)
        scope = Scope(tasks_visible=True, facts=dict(facts), event=g.ANY)
        for name, _, static, _ in parameters:
            scope.bindings[name] = static
        inner = Context(context.reusable_ok, facts, builder)
        lines = self.body(scope, 1, inner)
        heads = ", ".join(f"{name}: {written}" for name, written, _, _ in parameters)
        builder.text = "\n".join([f"builder {builder.name}({heads}) {{", *_indent(lines), "}"])
        self.builders.append(builder)
        return builder


def _parameter_types(written: str, choices: object) -> tuple[g.GType, g.GType]:
    """The static type a builder parameter written ``written`` has inside the builder, and the type
    its arguments are generated for (an ``object`` gets a shape the body may read)."""
    from tests.soundness.choices import pick as choose

    simple: dict[str, g.GType] = {
        "string": g.STRING,
        "secret": g.SECRET,
        "number": g.NUM,
        "integer": g.INT,
        "bool": g.BOOL,
        "list[string]": g.TList(g.STRING),
    }
    if written in simple:
        return simple[written], simple[written]
    if written == "list":
        element = choose(choices, (g.STRING, g.INT, g.BOOL))  # type: ignore[arg-type]
        return g.TList(g.TAny(element)), g.TList(element)
    if written == "object":
        shape = g.TObj(
            (g.Field("id", g.STRING), g.Field("size", g.INT), g.Field("in", g.TList(g.STRING))), closed=True
        )
        return g.TObj(known=shape), shape
    actual = choose(choices, (g.STRING, g.INT, g.TList(g.INT)))  # type: ignore[arg-type]
    return g.TAny(actual), actual


def _indent(lines: list[str]) -> list[str]:
    return [INDENT + line for line in lines]
