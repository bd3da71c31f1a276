"""Type-directed generation of expressions.

``Expressions.expr(target, scope, depth)`` returns an expression whose static type certainly fits
``target`` (``gtypes.fits``) and that cannot fail at run time: every read is of a field that is there
or null-safe, every function gets what it takes, no division by zero, no index out of range, no
``any`` value used in a way its real value does not allow. Near the places where a checker has
something to say, it registers a near-miss alternative (``World.alt``): a wrong field, a null used
where it crashes, a read of a task that may not have run, a value of the wrong type.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.soundness import gtypes as g
from tests.soundness.choices import between, chance, pick, weighted
from tests.soundness.literals import (
    EVENT_NAMES,
    KEY_WORDS,
    KEYWORD_KEYS,
    NON_EMPTY_TEXTS,
    QUOTED_KEYS,
    SEPARATORS,
    STATUS_WORDS,
    TEXTS,
    is_word,
    number_literal,
    string_literal,
)
from tests.soundness.reads import Read, Reads
from tests.soundness.scope import (
    AND,
    ATOM,
    COMPARISON,
    CONDITIONAL,
    NOT,
    OR,
    POSTFIX,
    PREFIX,
    PRODUCT,
    SUM,
    E,
    Scope,
    World,
    operand,
)

Producer = Callable[[], "E | None"]
NUMERIC_STRINGS = (('"3.5"', g.NUM), ('" 42 "', g.NUM), ('"-7"', g.NUM), ('"1e3"', g.NUM))


class Expressions:
    """The expression generator of one program."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.choices = world.choices
        self.reads = Reads(world)

    # -- entry point ---------------------------------------------------------------------------------

    def expr(self, target: g.GType, scope: Scope, depth: int, public: bool = False) -> E:
        """An expression fitting ``target``; ``public``: nothing in it is derived from a secret."""
        if not g.admits_secret(target):
            public = True
        if isinstance(target, g.TUnion):
            options = [o for o in target.options if not isinstance(o, g.TNull)] or list(target.options)
            if len(options) < len(target.options) and chance(self.choices, 15):
                return E("null", ATOM, g.NULL)
            return self.expr(pick(self.choices, options), scope, depth, public)
        if isinstance(target, g.TAny) and target.actual is None:
            return self._anything(scope, depth, public)
        if isinstance(target, g.TAny):
            return self.expr(target.actual, scope, depth, public)
        producers: list[tuple[int, Producer]] = [(3, lambda: self._read(target, scope, public))]
        if depth > 0:
            producers += self._producers(target, scope, depth - 1, public)
        for _ in range(4):
            produced = weighted(self.choices, producers)()
            if produced is not None:
                assert g.fits(produced.type, target), (produced, target)
                return produced
        return self.literal(target, scope, public)

    def _producers(
        self, target: g.GType, scope: Scope, depth: int, public: bool
    ) -> list[tuple[int, Producer]]:
        s, d, p = scope, depth, public
        common: list[tuple[int, Producer]] = [
            (3, lambda: self.literal(target, s, p)),
            (2, lambda: self._conditional(target, s, d, p)),
            (2, lambda: self._default(target, s, d, p)),
            (1, lambda: self._round_trip(target, s, d, p)),
            (1, lambda: self._group(target, s, d, p)),
        ]
        if isinstance(target, g.TStr):
            return common + self._string_producers(target, s, d, p)
        if isinstance(target, g.TInt):
            return common + self._integer_producers(s, d, p)
        if isinstance(target, g.TNum):
            return common + self._integer_producers(s, d, p) + self._number_producers(s, d, p)
        if isinstance(target, g.TBool):
            return common + self._bool_producers(s, d, p)
        if isinstance(target, g.TList):
            return common + self._list_producers(target, s, d, p)
        if isinstance(target, g.TObj):
            return common + self._object_producers(target, s, d, p)
        return common

    def _anything(self, scope: Scope, depth: int, public: bool) -> E:
        kind = weighted(
            self.choices,
            [
                (4, g.STRING if public else g.SECRET),
                (3, g.INT),
                (1, g.NUM),
                (2, g.BOOL),
                (2, g.TList(g.ANY)),
                (2, g.OBJECT),
                (1, g.NULL),
                (2, None),
            ],
        )
        if kind is None:
            found = self.reads.pick(scope, lambda kind: True, public)
            if found is not None:
                return self._use_read(found)
            kind = g.INT
        return self.expr(kind, scope, depth, public)

    # -- literals ------------------------------------------------------------------------------------

    def literal(self, target: g.GType, scope: Scope, public: bool = False) -> E:
        """A literal fitting ``target`` (objects and lists of literals)."""
        c = self.choices
        if isinstance(target, g.TUnion):
            return self.literal(pick(c, target.options), scope, public)
        if isinstance(target, g.TAny):
            if target.actual is not None:
                return self.literal(target.actual, scope, public)
            return self.literal(pick(c, (g.STRING, g.INT, g.BOOL, g.NULL)), scope, public)
        if isinstance(target, g.TStr):
            return E(string_literal(c, pick(c, TEXTS)), ATOM, g.STRING)
        if isinstance(target, g.TInt):
            value = between(c, 0, 99)
            if chance(c, 15):
                return E(f"-{value}", PREFIX, g.INT)
            return E(str(value), ATOM, g.INT)
        if isinstance(target, g.TNum):
            if chance(c, 50):
                return self.literal(g.INT, scope, public)
            return E(number_literal(c)[0], ATOM, g.NUM)
        if isinstance(target, g.TBool):
            return E(pick(c, ("true", "false")), ATOM, g.BOOL)
        if isinstance(target, g.TNull):
            return E("null", ATOM, g.NULL)
        if isinstance(target, g.TEnum):
            value = pick(c, target.values)
            return E(_json_literal(c, value), ATOM, g.TEnum((value,)))
        if isinstance(target, g.TList):
            items = [self.literal(target.element, scope, public) for _ in range(between(c, 0, 3))]
            return self._list_of(items)
        if isinstance(target, g.TObj):
            return self._object_literal(target, scope, -1, public)
        raise AssertionError(target)

    def _list_of(self, items: list[E]) -> E:
        text = (
            "["
            + ", ".join(item.text for item in items)
            + ("," if items and chance(self.choices, 10) else "")
            + "]"
        )
        element = g.union([item.type for item in items]) if items else g.NEVER
        return E(text, ATOM, g.TList(element))

    def _object_literal(self, target: g.TObj, scope: Scope, depth: int, public: bool) -> E:
        c = self.choices
        entries: list[tuple[str, E]] = []
        if target.fields or target.closed or target.extra is not None:
            for field in target.fields:
                if field.required or chance(c, 40):
                    entries.append((field.name, self._value(field.type, scope, depth, public)))
            if target.extra is not None and not target.closed:
                taken = {name for name, _ in entries}
                for key in _distinct_keys(c, between(c, 0, 2), taken, self.world.uses("keyword-keys")):
                    entries.append((key, self._value(target.extra, scope, depth, public)))
        else:
            for key in _distinct_keys(c, between(c, 0, 3), set(), self.world.uses("keyword-keys")):
                entries.append((key, self._value(g.ANY, scope, depth, public)))
        parts = [f"{self._key(name)}: {value.text}" for name, value in entries]
        text = "{" + ", ".join(parts) + ("," if parts and chance(c, 10) else "") + "}"
        fields = tuple(g.Field(name, value.type) for name, value in entries)
        return E(text, ATOM, g.TObj(fields, closed=True))

    def _value(self, target: g.GType, scope: Scope, depth: int, public: bool) -> E:
        return self.literal(target, scope, public) if depth < 0 else self.expr(target, scope, depth, public)

    def _key(self, name: str) -> str:
        if is_word(name) and not chance(self.choices, 15):
            return name
        return string_literal(self.choices, name)

    # -- reads ---------------------------------------------------------------------------------------

    def _read(self, target: g.GType, scope: Scope, public: bool) -> E | None:
        found = self.reads.pick(scope, lambda kind: g.fits(kind, target), public)
        return self._use_read(found) if found is not None else None

    def _use_read(self, found: Read) -> E:
        """The read's expression, with its near-miss alternatives registered."""
        expression = found.expression
        mutants = self.reads.mutants(found)
        if mutants:
            text, kind = pick(self.choices, mutants)
            expression = self.world.alt(expression, text, POSTFIX, kind)
        return expression

    def _default(self, target: g.GType, scope: Scope, depth: int, public: bool) -> E | None:
        """``default(x, fallback)`` of a read that may be null, where its other values fit."""
        found = self.reads.pick(
            scope, lambda kind: g.has_null(kind) and g.fits(g.without_null(kind), target), public
        )
        if found is None:
            return None
        fallback = self.expr(target, scope, depth, public)
        value = self._use_read(found)
        self.world.used_functions.add("default")
        result = E(
            f"default({value.text}, {fallback.text})",
            POSTFIX,
            g.union([g.without_null(found.type), fallback.type]),
        )
        if found.origin and not isinstance(target, g.TAny) and not g.fits(g.NULL, target):
            # the near-miss: the possibly-null value used where null does not fit
            return self.world.alt(result, found.expression.text, POSTFIX, found.origin)
        return result

    # -- shapes of any type --------------------------------------------------------------------------

    def _conditional(self, target: g.GType, scope: Scope, depth: int, public: bool) -> E:
        # `x if tasks["b"].status == "success" else y`: x may read b's output
        narrowed = self.narrowing(scope) if chance(self.choices, 25) else None
        if narrowed is not None:
            test, name = narrowed
            then = self.expr(target, scope.with_facts({name: "success"}), depth, public)
        else:
            test = self.test(scope, depth)
            then = self.expr(target, scope, depth, public)
        otherwise = self.expr(target, scope, depth, public)
        text = f"{operand(then, OR)} if {operand(test, OR)} else {operand(otherwise, CONDITIONAL)}"
        return E(text, CONDITIONAL, g.union([then.type, otherwise.type]))

    def _round_trip(self, target: g.GType, scope: Scope, depth: int, public: bool) -> E | None:
        """``parse_json(json(x))``: ``any`` to the checker, ``x``'s value at run time."""
        if not {"json", "parse_json"} <= self.world.functions:
            return None
        inner = self.expr(target, scope, depth, True)
        actual = g.runtime_type(inner.type)
        if actual is None or g.is_secret(actual):
            return None
        self.world.used_functions.update(("json", "parse_json"))
        return E(f"parse_json(json({inner.text}))", POSTFIX, g.TAny(actual))

    def _group(self, target: g.GType, scope: Scope, depth: int, public: bool) -> E:
        inner = self.expr(target, scope, depth, public)
        return E(f"({inner.text})", ATOM, inner.type)

    def call(self, name: str, arguments: list[E], result: g.GType) -> E:
        self.world.used_functions.add(name)
        return E(f"{name}({', '.join(a.text for a in arguments)})", POSTFIX, result)

    def has(self, name: str) -> bool:
        return name in self.world.functions

    # -- strings -------------------------------------------------------------------------------------

    def _string_producers(self, target: g.TStr, s: Scope, d: int, p: bool) -> list[tuple[int, Producer]]:
        text = g.TStr(secret=not p)
        producers: list[tuple[int, Producer]] = [
            (4, lambda: self.interpolation(s, d, p)),
            (2, lambda: self._concatenation(text, s, d, p)),
            (1, lambda: self._text_function("lower", text, s, d, p)),
            (1, lambda: self._text_function("upper", text, s, d, p)),
            (1, lambda: self._text_function("trim", text, s, d, p)),
            (1, lambda: self._text_function("quote", text, s, d, p)),
            (1, lambda: self._replace(text, s, d, p)),
            (1, lambda: self._join(s, d, p)),
            (1, lambda: self._format(s, d, p)),
            (1, lambda: self._render_function("string", s, d, p)),
            (1, lambda: self._render_function("json", s, d, p)),
            (1, lambda: self._env()),
            (1, lambda: self._first_piece(text, s, d, p)),
            (1, lambda: self._any_sum(g.STRING, s, d)),
            (1, lambda: self._index_chain(s)),
        ]
        return producers

    def interpolation(self, scope: Scope, depth: int, public: bool, parts: int | None = None) -> E:
        c = self.choices
        count = between(c, 1, 3) if parts is None else parts
        pieces = [_inner_text(c, pick(c, TEXTS))]
        kinds: list[g.GType] = []
        for _ in range(count):
            part = self.expr(g.ANY, scope, max(depth, 0), public)
            kinds.append(part.type)
            pieces.append("${" + part.text + "}")
            pieces.append(_inner_text(c, pick(c, TEXTS)))
        secret = any(g.is_secret(kind) for kind in kinds)
        return E('"' + "".join(pieces) + '"', ATOM, g.SECRET if secret else g.STRING)

    def _concatenation(self, text: g.TStr, scope: Scope, depth: int, public: bool) -> E:
        long = chance(self.choices, 3) and self.world.uses("long-chains")
        count = between(self.choices, 130, 200) if long else 2
        terms = [
            self.expr(text, scope, depth if count == 2 else 0, public)
            if count == 2
            else self.literal(g.STRING, scope)
            for _ in range(count)
        ]
        if count > 2:
            self.world.features.add("flat-chain")
        secret = any(g.is_secret(term.type) for term in terms)
        return E(" + ".join(operand(term, PRODUCT) for term in terms), SUM, g.SECRET if secret else g.STRING)

    def _text_function(self, name: str, text: g.TStr, scope: Scope, depth: int, public: bool) -> E | None:
        if not self.has(name):
            return None
        argument = self.expr(text, scope, depth, public)
        expression = self.call(name, [argument], g.SECRET if g.is_secret(argument.type) else g.STRING)
        return self._maybe_wrong_argument(expression, name, [self._wrong_for_string(scope)])

    def _replace(self, text: g.TStr, scope: Scope, depth: int, public: bool) -> E | None:
        if not self.has("replace"):
            return None
        subject = self.expr(text, scope, depth, public)
        old = E(string_literal(self.choices, pick(self.choices, NON_EMPTY_TEXTS)), ATOM, g.STRING)
        new = self.expr(text, scope, depth, public)
        secret = g.is_secret(subject.type) or g.is_secret(new.type)
        return self.call("replace", [subject, old, new], g.SECRET if secret else g.STRING)

    def _join(self, scope: Scope, depth: int, public: bool) -> E | None:
        if not self.has("join"):
            return None
        items = self.expr(g.TList(g.ANY), scope, depth, public)
        separator = self.expr(g.STRING, scope, depth, True)
        secret = g.is_secret(items.type)
        expression = self.call("join", [items, separator], g.SECRET if secret else g.STRING)
        wrong = E(string_literal(self.choices, "a,b"), ATOM, g.STRING)
        return self._maybe_wrong_argument(expression, "join", [wrong, separator], whole=True)

    def _format(self, scope: Scope, depth: int, public: bool) -> E | None:
        if not self.has("format"):
            return None
        c = self.choices
        count = between(c, 0, 3)
        pieces = [pick(c, ("", "a ", "{{ ", "x"))]
        for _ in range(count):
            pieces.append("{}")
            pieces.append(pick(c, ("", " and ", " }} ", "-")))
        template = E(string_literal(c, "".join(pieces)), ATOM, g.STRING)
        arguments = [self.expr(g.ANY, scope, depth, public) for _ in range(count)]
        secret = any(g.is_secret(argument.type) for argument in arguments)
        return self.call("format", [template, *arguments], g.SECRET if secret else g.STRING)

    def _render_function(self, name: str, scope: Scope, depth: int, public: bool) -> E | None:
        if not self.has(name):
            return None
        argument = self.expr(g.ANY, scope, depth, public)
        return self.call(name, [argument], g.SECRET if g.is_secret(argument.type) else g.STRING)

    def _env(self) -> E | None:
        if not self.has("env"):
            return None
        if chance(self.choices, 50):
            return self.call("env", [E('"OI_SOUNDNESS_SET"', ATOM, g.STRING)], g.STRING)
        fallback = E(string_literal(self.choices, pick(self.choices, TEXTS)), ATOM, g.STRING)
        return self.call("env", [E('"OI_SOUNDNESS_UNSET"', ATOM, g.STRING), fallback], g.STRING)

    def _first_piece(self, text: g.TStr, scope: Scope, depth: int, public: bool) -> E | None:
        """``split(s, sep)[0]``: a split has at least one piece."""
        if not self.has("split"):
            return None
        subject = self.expr(text, scope, depth, public)
        separator = E(string_literal(self.choices, pick(self.choices, SEPARATORS)), ATOM, g.STRING)
        pieces = self.call("split", [subject, separator], g.TList(subject.type))
        return E(f"{pieces.text}[0]", POSTFIX, g.SECRET if g.is_secret(subject.type) else g.STRING)

    def _index_chain(self, scope: Scope) -> E:
        """``"text"[0][0]...``: a character of a one-character string is that string, however long
        the (flat) chain."""
        long = chance(self.choices, 10) and self.world.uses("long-chains")
        count = between(self.choices, 130, 200) if long else between(self.choices, 1, 4)
        if long:
            self.world.features.add("flat-chain")
        literal = string_literal(self.choices, pick(self.choices, ("a", "é", "*", "x")))
        return E(literal + "[0]" * count, POSTFIX, g.STRING)

    def _wrong_for_string(self, scope: Scope) -> E:
        return self.literal(pick(self.choices, (g.INT, g.TList(g.INT), g.BOOL)), scope)

    def _maybe_wrong_argument(self, expression: E, name: str, wrong: list[E], whole: bool = False) -> E:
        """The call ``expression`` with a near-miss that passes ``wrong`` arguments instead."""
        if not wrong:
            return expression
        mutant = f"{name}({', '.join(item.text for item in wrong)})"
        return self.world.alt(expression, mutant, POSTFIX, "stdlib-argument-type")

    # -- numbers -------------------------------------------------------------------------------------

    def _integer_producers(self, s: Scope, d: int, p: bool) -> list[tuple[int, Producer]]:
        return [
            (3, lambda: self._length(s, d, p)),
            (3, lambda: self._arithmetic(g.INT, s, d, p)),
            (1, lambda: self._negation(g.INT, s, d, p)),
            (1, lambda: self._flat_sum(s)),
            (1, lambda: self._any_sum(g.INT, s, d)),
        ]

    def _number_producers(self, s: Scope, d: int, p: bool) -> list[tuple[int, Producer]]:
        return [
            (3, lambda: self._arithmetic(g.NUM, s, d, p)),
            (2, lambda: self._division(s, d, p)),
            (2, lambda: self._to_number(s, d, p)),
            (1, lambda: self._any_product(s, d)),
        ]

    def _length(self, scope: Scope, depth: int, public: bool) -> E | None:
        if not self.has("len"):
            return None
        container = self.expr(pick(self.choices, (g.STRING, g.TList(g.ANY), g.OBJECT)), scope, depth, public)
        expression = self.call("len", [container], g.INT)
        return self._maybe_wrong_argument(expression, "len", [self.literal(g.INT, scope)])

    def _arithmetic(self, kind: g.GType, scope: Scope, depth: int, public: bool) -> E | None:
        op = pick(self.choices, ("+", "-", "*", "%") if kind == g.INT else ("+", "-", "*"))
        left = self.expr(kind, scope, depth, public)
        if op == "%":
            right = E(str(between(self.choices, 1, 9)), ATOM, g.INT)
        else:
            right = self.expr(kind, scope, depth, public)
        # `any` operands (an `object` param's field, say) may make the checker say `number` or `any`
        result = g.INT if isinstance(left.type, g.TInt) and isinstance(right.type, g.TInt) else g.NUM
        if kind == g.INT and result != g.INT:
            return None
        level = SUM if op in "+-" else PRODUCT
        text = f"{operand(left, level)} {op} {operand(right, level + 1)}"
        expression = E(text, level, result)
        if op in "+-*" and chance(self.choices, 30):
            wrong = self.literal(pick(self.choices, (g.STRING, g.BOOL, g.TList(g.INT))), scope)
            mutant = f"{operand(left, level)} {op} {operand(wrong, level + 1)}"
            return self.world.alt(expression, mutant, level, "operator-type")
        return expression

    def _negation(self, kind: g.GType, scope: Scope, depth: int, public: bool) -> E | None:
        inner = self.expr(kind, scope, depth, public)
        result = g.INT if isinstance(inner.type, g.TInt) else g.NUM
        if kind == g.INT and result != g.INT:
            return None
        return E(f"-{operand(inner, PREFIX)}", PREFIX, result)

    def _flat_sum(self, scope: Scope) -> E:
        """A long flat sum: not nesting, whatever its length."""
        long = chance(self.choices, 20) and self.world.uses("long-chains")
        count = between(self.choices, 130, 220) if long else between(self.choices, 3, 8)
        if count > 100:
            self.world.features.add("flat-chain")
        terms = [str(between(self.choices, 0, 9)) for _ in range(count)]
        return E(" + ".join(terms), SUM, g.INT)

    def _division(self, scope: Scope, depth: int, public: bool) -> E:
        left = self.expr(g.NUM, scope, depth, public)
        divisor = pick(self.choices, ("2", "4", "0.5", "3", "1e1"))
        return E(f"{operand(left, PRODUCT)} / {divisor}", PRODUCT, g.NUM)

    def _to_number(self, scope: Scope, depth: int, public: bool) -> E | None:
        if not self.has("number"):
            return None
        c = self.choices
        choice = between(c, 0, 2)
        if choice == 0:
            text, _ = pick(c, NUMERIC_STRINGS)
            argument = E(text, ATOM, g.STRING)
        elif choice == 1:
            argument = self.expr(pick(c, (g.NUM, g.BOOL)), scope, depth, public)
        else:
            if not self.has("string"):
                return None
            argument = self.call("string", [self.expr(g.NUM, scope, depth, public)], g.STRING)
        return self.call("number", [argument], g.NUM)

    def _any_sum(self, kind: g.GType, scope: Scope, depth: int) -> E | None:
        """``parse_json(a) + parse_json(b)``: ``any`` to the checker, ``kind`` at run time."""
        if not {"json", "parse_json"} <= self.world.functions or not self.world.uses("any-arithmetic"):
            return None
        left = self._round_trip(kind, scope, depth, True)
        right = self._round_trip(kind, scope, depth, True)
        if left is None or right is None:
            return None
        self.world.features.add("any-arithmetic")
        actual = g.union([g.runtime_type(left.type) or kind, g.runtime_type(right.type) or kind])
        return E(f"{left.text} + {right.text}", SUM, g.TAny(actual))

    def _any_product(self, scope: Scope, depth: int) -> E | None:
        """``parse_json(a) * 2``: the checker may call it ``number`` or ``any``: used as a number."""
        if not self.world.uses("any-arithmetic"):
            return None
        left = self._round_trip(g.INT, scope, depth, True)
        if left is None:
            return None
        self.world.features.add("any-arithmetic")
        return E(f"{left.text} {pick(self.choices, ('*', '-'))} 2", PRODUCT, g.NUM)

    # -- bools ---------------------------------------------------------------------------------------

    def _bool_producers(self, s: Scope, d: int, p: bool) -> list[tuple[int, Producer]]:
        return [
            (3, lambda: self._comparison(s, d, p)),
            (2, lambda: self._logic(s, d, p)),
            (1, lambda: self._not(s, d, p)),
            (2, lambda: self._membership(s, d, p)),
            (1, lambda: self._affix(s, d, p)),
            (2, lambda: self.status_test(s)),
        ]

    def test(self, scope: Scope, depth: int) -> E:
        """A condition: a bool most of the time, any value (truthiness) otherwise."""
        if chance(self.choices, 80):
            return self.expr(g.BOOL, scope, depth, True)
        return self.expr(g.ANY, scope, depth, True)

    def _comparison(self, scope: Scope, depth: int, public: bool) -> E:
        c = self.choices
        if chance(c, 40):
            kind = pick(c, (g.INT, g.NUM, g.STRING))
            op = pick(c, ("<", "<=", ">", ">="))
        else:
            kind = pick(c, (g.INT, g.STRING, g.BOOL, g.TList(g.INT), g.NULL))
            op = pick(c, ("==", "!="))
        left = self.expr(kind, scope, depth, public)
        if op in ("==", "!=") and kind == g.NULL:
            nullable = self.reads.pick(scope, g.has_null, public)
            if nullable is not None:
                left = nullable.expression
        # an enum is compared with its own values only: anything else "can never be equal"
        right = self.expr(_enum_part(left.type) or kind, scope, depth, public)
        if _enum_part(right.type) is not None and _enum_part(left.type) is None:
            left = self.expr(_enum_part(right.type) or kind, scope, depth, public)
        text = f"{operand(left, SUM)} {op} {operand(right, SUM)}"
        return E(text, COMPARISON, g.BOOL)

    def _logic(self, scope: Scope, depth: int, public: bool) -> E:
        op = pick(self.choices, ("and", "or"))
        level = AND if op == "and" else OR
        left = self.test(scope, depth)
        right = self.test(scope, depth)
        return E(f"{operand(left, level)} {op} {operand(right, level + 1)}", level, g.BOOL)

    def _not(self, scope: Scope, depth: int, public: bool) -> E:
        inner = self.test(scope, depth)
        return E(f"not {operand(inner, NOT)}", NOT, g.BOOL)

    def _membership(self, scope: Scope, depth: int, public: bool) -> E | None:
        c = self.choices
        shape = between(c, 0, 2)
        if shape == 0:
            container = self.expr(g.TList(g.ANY), scope, depth, public)
            item = self.expr(g.ANY, scope, depth, public)
        elif shape == 1:
            container = self.expr(g.STRING, scope, depth, public)
            item = self.expr(g.STRING, scope, depth, public)
        else:
            container = self.expr(g.OBJECT, scope, depth, public)
            item = self.expr(g.STRING, scope, depth, public)
        if chance(c, 50) and self.has("contains"):
            return self.call("contains", [container, item], g.BOOL)
        return E(f"{operand(item, SUM)} in {operand(container, SUM)}", COMPARISON, g.BOOL)

    def _affix(self, scope: Scope, depth: int, public: bool) -> E | None:
        name = pick(self.choices, ("starts_with", "ends_with"))
        if not self.has(name):
            return None
        text = self.expr(g.STRING, scope, depth, public)
        affix = self.expr(g.STRING, scope, depth, public)
        return self.call(name, [text, affix], g.BOOL)

    def status_test(self, scope: Scope, word: str | None = None, task: str | None = None) -> E | None:
        """``tasks["x"].status == "success"`` (with the near-miss spelling ``"Success"``)."""
        names = self.readable_tasks(scope)
        if not names:
            return None
        name = task or pick(self.choices, names)
        word = word or pick(self.choices, STATUS_WORDS)
        op = "==" if chance(self.choices, 80) else "!="
        literal = E(f'"{word}"', ATOM, g.STRING)
        if chance(self.choices, 30):
            literal = self.world.alt(literal, f'"{word.capitalize()}"', ATOM, "status-spelling")
        return E(f'tasks["{name}"].status {op} {literal.text}', COMPARISON, g.BOOL)

    def readable_tasks(self, scope: Scope) -> list[str]:
        """Tasks code at ``scope`` may read: all, or those the facts say started (when this program
        leaves out reads of tasks that may not have run)."""
        if not scope.tasks_visible:
            return []
        if self.world.uses("unsure-task-reads"):
            return sorted(self.world.tasks)
        return sorted(name for name in self.world.tasks if name in scope.facts)

    def narrowing(self, scope: Scope, op: str = "==") -> tuple[E, str] | None:
        """``tasks["x"].status == "success"``, which tells code it guards that ``x`` succeeded, and
        the task's name; the near-miss tests for ``"failed"`` instead."""
        if not scope.tasks_visible or not self.world.tasks or not self.world.uses("unsure-task-reads"):
            return None
        name = pick(self.choices, sorted(self.world.tasks))
        text = f'tasks["{name}"].status {op} "success"'
        self.world.features.add("narrowing")
        expression = self.world.alt(
            E(text, COMPARISON, g.BOOL),
            f'tasks["{name}"].status {op} "failed"',
            COMPARISON,
            "narrowing-wrong",
        )
        return expression, name

    # -- lists ---------------------------------------------------------------------------------------

    def _list_producers(self, target: g.TList, s: Scope, d: int, p: bool) -> list[tuple[int, Producer]]:
        element = target.element
        producers: list[tuple[int, Producer]] = [
            (3, lambda: self._list_literal(element, s, d, p)),
            (3, lambda: self.comprehension(element, s, d, p)),
            (1, lambda: self._list_sum(target, s, d, p)),
        ]
        if g.fits(g.TList(g.INT), target):
            producers.append((1, lambda: self._range(s, d, p)))
        if g.fits(g.TList(g.STRING), target):
            producers.append((1, lambda: self._split(s, d, p)))
            producers.append((1, lambda: self._keys(s, d, p)))
        if isinstance(element, g.TAny):
            producers.append((1, lambda: self._values(s, d, p)))
            producers.append((1, lambda: self._any_sum(g.TList(g.INT), s, d)))
        return producers

    def _list_literal(self, element: g.GType, scope: Scope, depth: int, public: bool) -> E:
        return self._list_of(
            [self.expr(element, scope, depth, public) for _ in range(between(self.choices, 0, 3))]
        )

    def iterable(self, scope: Scope, depth: int, public: bool = False) -> tuple[E, g.GType]:
        """Something to loop over, and the static type of its elements."""
        c = self.choices
        if chance(c, 20):
            source = self.expr(g.OBJECT, scope, depth, public)
            return source, g.TAny(g.STRING)  # an object's keys: `any` to the checker
        kind = pick(c, (g.TList(g.ANY), g.TList(g.INT), g.TList(g.STRING)))
        source = self.expr(kind, scope, depth, public)
        static = source.type
        if isinstance(static, g.TList):
            return source, static.element
        # a union of lists, or an `any` list: the checker may see `any` elements or their union
        return source, g.TAny(_element_of(g.runtime_type(static)))

    def comprehension(self, element: g.GType, scope: Scope, depth: int, public: bool) -> E:
        source, item = self.iterable(scope, depth, public)
        variable = self.world.fresh_name()
        inner = scope.child()
        inner.bindings[variable] = item
        condition = ""
        if chance(self.choices, 40):
            narrowed = self.narrowing(inner) if chance(self.choices, 30) else None
            if narrowed is not None:
                test, name = narrowed
                inner = inner.with_facts({name: "success"})
            else:
                test = self.test(inner, depth)
            condition = f" if {test.text}"
        value = self.expr(element, inner, depth, public)
        self.world.features.add("list-comprehension")
        text = f"[for {variable} in {operand(source, OR)}{condition}: {value.text}]"
        return E(text, ATOM, g.TList(value.type))

    def _list_sum(self, target: g.TList, scope: Scope, depth: int, public: bool) -> E:
        left = self.expr(target, scope, depth, public)
        right = self.expr(target, scope, depth, public)
        elements = [kind.element for kind in (left.type, right.type) if isinstance(kind, g.TList)]
        if len(elements) != 2:
            return left
        return E(f"{operand(left, SUM)} + {operand(right, PRODUCT)}", SUM, g.TList(g.union(elements)))

    def _range(self, scope: Scope, depth: int, public: bool) -> E | None:
        if not self.has("range"):
            return None
        if chance(self.choices, 50) and self.has("len"):
            count = self.call("len", [self.expr(g.STRING, scope, depth, public)], g.INT)
        else:
            count = E(str(between(self.choices, 0, 4)), ATOM, g.INT)
        return self.call("range", [count], g.TList(g.INT))

    def _split(self, scope: Scope, depth: int, public: bool) -> E | None:
        if not self.has("split"):
            return None
        subject = self.expr(g.STRING if public else g.SECRET, scope, depth, public)
        separator = E(string_literal(self.choices, pick(self.choices, SEPARATORS)), ATOM, g.STRING)
        return self.call(
            "split", [subject, separator], g.TList(g.SECRET if g.is_secret(subject.type) else g.STRING)
        )

    def _keys(self, scope: Scope, depth: int, public: bool) -> E | None:
        if not self.has("keys"):
            return None
        source = self.expr(g.OBJECT, scope, depth, public)
        expression = self.call("keys", [source], g.TList(g.STRING))
        return self._maybe_wrong_argument(expression, "keys", [self.literal(g.TList(g.INT), scope)])

    def _values(self, scope: Scope, depth: int, public: bool) -> E | None:
        if not self.has("values"):
            return None
        source = self.expr(g.OBJECT, scope, depth, public)
        kind = source.type
        if isinstance(kind, g.TObj) and kind.closed:
            element = g.union([field.type for field in kind.fields]) if kind.fields else g.ANY
        else:
            element = g.ANY
        return self.call("values", [source], g.TList(element))

    # -- objects -------------------------------------------------------------------------------------

    def _object_producers(self, target: g.TObj, s: Scope, d: int, p: bool) -> list[tuple[int, Producer]]:
        producers: list[tuple[int, Producer]] = [(4, lambda: self._object_literal(target, s, d, p))]
        free = not target.fields and not target.closed
        if free and not any(field.required for field in target.fields):
            producers.append((2, lambda: self._object_comprehension(target.extra, s, d, p)))
        return producers

    def _object_comprehension(self, extra: g.GType | None, scope: Scope, depth: int, public: bool) -> E:
        source, item = self.iterable(scope, depth, public)
        variable = self.world.fresh_name()
        inner = scope.child()
        inner.bindings[variable] = item
        condition = f" if {self.test(inner, depth).text}" if chance(self.choices, 30) else ""
        key = self.expr(g.STRING, inner, depth, True)
        value = self.expr(extra or g.ANY, inner, depth, public)
        self.world.features.add("object-comprehension")
        text = f"{{for {variable} in {operand(source, OR)}{condition}: {key.text} => {value.text}}}"
        return E(text, ATOM, g.TObj((), closed=False, extra=value.type))

    # -- names of things -----------------------------------------------------------------------------

    def event_name(self) -> E:
        return E(string_literal(self.choices, pick(self.choices, EVENT_NAMES)), ATOM, g.STRING)


def _json_literal(choices: object, value: object) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'
    return str(value)


def _inner_text(choices: object, value: str) -> str:
    """``value`` as the text between interpolations of a string literal."""
    return string_literal(choices, value)[1:-1]  # type: ignore[arg-type]


def _distinct_keys(choices: object, count: int, taken: set[str], keywords: bool) -> list[str]:
    keys: list[str] = []
    pool = [
        key for key in (*KEY_WORDS, *QUOTED_KEYS, *(KEYWORD_KEYS if keywords else ())) if key not in taken
    ]
    for _ in range(count):
        if not pool:
            break
        key = pick(choices, pool)  # type: ignore[arg-type]
        pool.remove(key)
        keys.append(key)
    return keys


def _element_of(kind: g.GType | None) -> g.GType | None:
    if isinstance(kind, g.TList):
        return g.runtime_type(kind.element)
    if isinstance(kind, g.TUnion):
        elements = [_element_of(option) for option in kind.options]
        if any(element is None for element in elements):
            return None
        return g.union([element for element in elements if element is not None])
    return None


def _enum_part(kind: g.GType) -> g.GType | None:
    """The type to compare ``kind`` with when it is (or may be) an enum: values of that enum."""
    kind = g.runtime_type(kind) or g.ANY
    if isinstance(kind, g.TEnum):
        return kind
    if isinstance(kind, g.TUnion):
        enums = [option for option in kind.options if isinstance(option, g.TEnum)]
        if enums:
            return enums[0] if len(enums) == 1 else g.TEnum(tuple(v for e in enums for v in e.values))
    return None
