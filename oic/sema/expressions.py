"""Resolving and typing expressions.

``ExpressionChecker.type_of(expression, scope)`` resolves every name in the expression, reports what
is certainly wrong (an undefined name, an operator on values it cannot apply to, a field an object
cannot have, a call with the wrong arguments) and returns the expression's type. Errors never stop
the walk: a wrong subexpression is typed ``any`` so that one mistake gives one diagnostic.

The built-in ``tasks`` is special: ``tasks["fetch"]`` is the record of the task named ``fetch``, and
when every statement that builds that name calls the same endpoint, ``.output`` has the type of the
endpoint's ``returns.json`` and ``.arguments`` that of its ``arguments.json``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from oic.sema import hints, stdlib
from oic.sema import types as t
from oic.sema.bounds import ValueDepths
from oic.sema.hints import closest, did_you_mean
from oic.sema.reporter import Reporter
from oic.sema.resolve import Declarations, Scope
from oic.sema.task_index import TaskIndex
from oic.source import Span
from oic.syntax import ast
from oic.syntax.limits import MAX_NESTING

EVENT_TYPE = t.ObjectType((("name", t.STRING), ("payload", t.ANY)), frozenset(), True, origin="event")
PIPELINE_TYPE = t.ObjectType((("name", t.STRING),), frozenset(), True, origin="pipeline")
TASK_FIELDS = ("output", "status", "error", "arguments")
_CHAIN_LINKS = (ast.Binary, ast.Member, ast.Index)
# The expressions that build a list or an object: their values nest one level deeper than their parts.
_BUILT_VALUES = (ast.ListExpr, ast.ObjectExpr, ast.ListComprehension, ast.ObjectComprehension)


class ExpressionChecker:
    """Types expressions of one file; remembers each node's type (``types_by_node``)."""

    def __init__(self, reporter: Reporter, table: Declarations, index: TaskIndex) -> None:
        self.reporter = reporter
        self.table = table
        self.index = index
        self.types_by_node: dict[int, t.Type] = {}
        self.used_params: set[str] = set()
        self.value_depths = ValueDepths()

    # -- entry point ---------------------------------------------------------------------------------

    def type_of(self, expression: ast.Expression, scope: Scope) -> t.Type:
        known = self.types_by_node.get(id(expression))
        if known is not None:
            return known
        kind = type(expression)
        if kind in _CHAIN_LINKS:
            inner: Any = expression.left if kind is ast.Binary else expression.target  # type: ignore[union-attr]
            if id(inner) not in self.types_by_node and ast.continues_chain(expression, inner):
                self._type_earlier_links(expression, scope)
        key = (type(self), kind)
        method = _METHODS.get(key)
        if method is None:
            method = _METHODS[key] = getattr(key[0], "_" + key[1].__name__, None) or _untyped
        result = method(self, expression, scope)
        if kind in _BUILT_VALUES and self.value_depths.too_deep(result):
            if self.value_depths.first_report():  # the next ones would be a cascade of the first
                self.error(
                    expression.span,
                    "E0107",
                    f"value nested more than {MAX_NESTING} deep, counting the values it is built from",
                    "a list or object built from a `let` of a list or object nests one level deeper",
                )
            result = t.ANY
        self.types_by_node[id(expression)] = result
        return result

    def _type_earlier_links(self, link: Any, scope: Scope) -> None:
        """Type the links of the flat chain before ``link`` (`a + b` in `a + b - c`, `x.a` in
        `x.a[0]`), innermost first, with a loop: a chain may be as long as the file, and each link's
        method then finds its left operand or target typed instead of recursing along the chain."""
        pending = []
        while True:
            inner = link.left if type(link) is ast.Binary else link.target
            if not ast.continues_chain(link, inner) or id(inner) in self.types_by_node:
                break
            pending.append(inner)
            link = inner
        for earlier in reversed(pending):
            self.type_of(earlier, scope)

    def error(self, span: Span, code: str, message: str, hint: str = "") -> None:
        self.reporter.report(span, code, message, hint)

    # -- literals ------------------------------------------------------------------------------------

    def _StringLiteral(self, node: ast.StringLiteral, scope: Scope) -> t.Type:
        return t.STRING

    def _InterpolatedString(self, node: ast.InterpolatedString, scope: Scope) -> t.Type:
        parts = [self.type_of(part, scope) for part in node.parts]
        return t.SECRET if any(t.is_secret(part) for part in parts) else t.STRING

    def _NumberLiteral(self, node: ast.NumberLiteral, scope: Scope) -> t.Type:
        return t.literal_type(node.value)

    def _BoolLiteral(self, node: ast.BoolLiteral, scope: Scope) -> t.Type:
        return t.BOOL

    def _NullLiteral(self, node: ast.NullLiteral, scope: Scope) -> t.Type:
        return t.NULL

    def _ListExpr(self, node: ast.ListExpr, scope: Scope) -> t.Type:
        items = [self.type_of(item, scope) for item in node.items]
        return t.ListType(t.union(items)) if items else t.LIST

    def _ObjectExpr(self, node: ast.ObjectExpr, scope: Scope) -> t.Type:
        fields: dict[str, t.Type] = {}
        for entry in node.fields:
            if entry.key in fields:
                self.error(entry.key_span, "E0206", f"field {entry.key!r} is given twice in this object")
            fields[entry.key] = self.type_of(entry.value, scope)
        return t.ObjectType(tuple(fields.items()), frozenset(fields), True)

    # -- names and access ----------------------------------------------------------------------------

    def _Name(self, node: ast.Name, scope: Scope) -> t.Type:
        if node.name == "event":
            return EVENT_TYPE
        if node.name == "pipeline":
            return PIPELINE_TYPE
        if node.name == "tasks":
            return t.OBJECT
        binding = scope.lookup(node.name)
        if binding is None:
            # (every visible name, only while hints are given: see hints.MAX_COMPARISONS)
            candidates = scope.visible_names() + ["event", "tasks", "pipeline"] if hints.available() else []
            intended = closest(node.name, candidates)
            hint = f"did you mean `{intended}`?" if intended is not None and intended != node.name else ""
            meant = scope.lookup(intended or "")
            if meant is not None and meant.kind == "param":
                self.used_params.add(meant.name)  # the misspelt use was meant for it: no "unused" too
            if not hint and node.name in self.table.params:
                hint = "params are not visible here"
            elif not hint and node.name in self.table.service_declarations:
                hint = f"{node.name!r} is a service: call its endpoints in task statements"
            self.error(node.span, "E0201", f"undefined name {node.name!r}", hint)
            return t.ANY
        binding.used = True
        if binding.kind == "param":
            self.used_params.add(node.name)
        return binding.type

    def _task_record(self, name_expression: ast.Expression, scope: Scope) -> t.Type:
        """The type of ``tasks[NAME]``."""
        name_type = self.type_of(name_expression, scope)
        if not t.compatible(name_type, t.STRING):
            self.error(name_expression.span, "E0310", f"a task name is a string, not {name_type.describe()}")
        static = name_expression.value if isinstance(name_expression, ast.StringLiteral) else None
        return self.task_record(static)

    def task_record(self, static: str | None) -> t.Type:
        """The type of the record of the task named ``static`` (None: a name known only at run time)."""
        output: t.Type = t.ANY
        arguments: t.Type = t.ANY
        if static is not None:
            sites = self.index.builders_of(static)
            endpoints = {
                (site.statement.call.service.name, site.statement.call.endpoint.name) for site in sites
            }
            if len(endpoints) == 1:
                alias, endpoint = next(iter(endpoints))
                service = self.table.services.get(alias)
                schemas = service.schemas.get(endpoint) if service is not None else None
                if schemas is not None:
                    what = f"task {static!r} ({alias}.{endpoint})"
                    if schemas.returns is not None:
                        output = t.from_schema(schemas.returns, origin=f"the output of {what}")
                    if schemas.arguments is not None:
                        arguments = t.from_schema(schemas.arguments, origin=f"the arguments of {what}")
        fields = (
            ("output", output),
            ("status", t.STRING),
            ("error", t.union([t.STRING, t.NULL])),
            ("arguments", arguments),
        )
        origin = f"the record of task {static!r}" if static is not None else "a task record"
        return t.ObjectType(fields, frozenset(), True, origin=origin)

    def _Member(self, node: ast.Member, scope: Scope) -> t.Type:
        if isinstance(node.target, ast.Name) and node.target.name == "tasks":
            return self.task_record(node.name)
        target = self.type_of(node.target, scope)
        return self.field_of(target, node.name, node.name_span, node.target.span)

    def field_of(self, target: t.Type, name: str, name_span: Span, target_span: Span) -> t.Type:
        """The type of field ``name`` of a value of type ``target``, reporting an impossible access."""
        if isinstance(target, t.UnionType):
            usable = [option for option in target.options if isinstance(option, (t.ObjectType, t.AnyType))]
            if not usable:
                self._not_an_object(target, name, target_span)
                return t.ANY
            candidates = [
                option.field_type(name) if isinstance(option, t.ObjectType) else t.ANY for option in usable
            ]
            known = [kind for kind in candidates if kind is not None]
            if not known:
                return self.field_of(usable[0], name, name_span, target_span)
            return t.union(known)
        if isinstance(target, t.AnyType):
            return t.ANY
        if not isinstance(target, t.ObjectType):
            self._not_an_object(target, name, target_span)
            return t.ANY
        found = target.field_type(name)
        if found is None:
            origin = target.origin or "this object"
            hint = did_you_mean(name, target.field_names())
            if not hint and target.field_names():
                hint = "its fields are " + ", ".join(f"`{field}`" for field in target.field_names())
            code = "E0305" if origin.startswith("the output of") else "E0306"
            self.error(name_span, code, f"{origin} has no field {name!r}", hint)
            return t.ANY
        return found

    def _not_an_object(self, target: t.Type, name: str, span: Span) -> None:
        self.error(span, "E0313", f"a {target.describe()} has no fields (reading {name!r})")

    def _Index(self, node: ast.Index, scope: Scope) -> t.Type:
        if isinstance(node.target, ast.Name) and node.target.name == "tasks":
            return self._task_record(node.index, scope)
        target = self.type_of(node.target, scope)
        index = self.type_of(node.index, scope)
        if isinstance(node.index, ast.StringLiteral) and isinstance(target, (t.ObjectType, t.UnionType)):
            return self.field_of(target, node.index.value, node.index.span, node.target.span)
        kind = t.base_kind(target)
        if kind == "list" and isinstance(target, t.ListType):
            if not t.compatible(index, t.NUMBER):
                self.error(node.index.span, "E0307", f"a list index is a number, not {index.describe()}")
            return target.element
        if kind == "object" and isinstance(target, t.ObjectType):
            if not t.compatible(index, t.STRING):
                self.error(node.index.span, "E0307", f"an object key is a string, not {index.describe()}")
            return (
                t.union([kind for _, kind in target.fields] + [target.extra]) if not target.closed else t.ANY
            )
        if kind == "string":
            return target
        if kind in ("number", "bool", "null"):
            self.error(node.target.span, "E0313", f"a {target.describe()} cannot be indexed")
        return t.ANY

    # -- calls ---------------------------------------------------------------------------------------

    def _Call(self, node: ast.Call, scope: Scope) -> t.Type:
        arguments = [self.type_of(argument, scope) for argument in node.args]
        name = node.function.name
        signature = stdlib.SIGNATURES.get(name)
        if signature is None:
            hint = did_you_mean(name, stdlib.SIGNATURES)
            if name in self.table.builders:
                hint = f"{name!r} is a builder: call it as a statement in a reaction body"
            elif name in self.table.conditions:
                hint = f"{name!r} is a condition: use it after `on`"
            self.error(node.function.span, "E0204", f"unknown function {name!r}", hint)
            return t.ANY
        count = len(node.args)
        plural = "argument" if signature.arity_text() == "1" else "arguments"
        if count < signature.minimum or (not signature.variadic and count > len(signature.parameters)):
            self.error(
                node.span,
                "E0205",
                f"{name}() takes {signature.arity_text()} {plural}, {count} given",
            )
            return signature.result(arguments)
        for position, (argument, argument_type) in enumerate(zip(node.args, arguments, strict=True)):
            if position >= len(signature.parameters):
                break
            expected = signature.parameters[position]
            if not t.compatible(argument_type, expected):
                self.error(
                    argument.span,
                    "E0308",
                    f"argument {position + 1} of {name}() is {expected.describe()}, "
                    f"not {argument_type.describe()}",
                )
        return signature.result(arguments)

    # -- operators -----------------------------------------------------------------------------------

    def _Unary(self, node: ast.Unary, scope: Scope) -> t.Type:
        operand = self.type_of(node.operand, scope)
        if node.op == "not":
            return t.BOOL
        if not t.compatible(operand, t.NUMBER):
            self.error(node.span, "E0307", f"cannot negate a {operand.describe()}")
            return t.ANY
        return operand if isinstance(operand, t.NumberType) else t.NUMBER

    def _Binary(self, node: ast.Binary, scope: Scope) -> t.Type:
        left = self.type_of(node.left, scope)
        right = self.type_of(node.right, scope)
        op = node.op
        if op in ("and", "or", "==", "!="):
            return t.BOOL
        if op in ("<", "<=", ">", ">="):
            if not (both(left, right, t.NUMBER) or both(left, right, t.STRING)):
                self._operator_error(
                    node, left, right, "compare numbers with numbers or strings with strings"
                )
            return t.BOOL
        if op == "in":
            if not t.compatible(right, t.union([t.STRING, t.LIST, t.OBJECT])):
                self.error(
                    node.right.span, "E0307", f"`in` needs a list, string or object, not {right.describe()}"
                )
            return t.BOOL
        if op == "+":
            if both(left, right, t.NUMBER):
                integer = isinstance(left, t.NumberType) and left.integer and isinstance(right, t.NumberType)
                return (
                    t.INTEGER if integer and isinstance(right, t.NumberType) and right.integer else t.NUMBER
                )
            if both(left, right, t.STRING):
                return t.SECRET if t.is_secret(left) or t.is_secret(right) else t.STRING
            if both(left, right, t.LIST):
                elements = [kind.element for kind in (left, right) if isinstance(kind, t.ListType)]
                return t.ListType(t.union(elements)) if len(elements) == 2 else t.LIST
            self._operator_error(
                node, left, right, '`+` adds numbers, joins strings or lists; use string() or "${...}"'
            )
            return t.ANY
        # - * / %
        if not both(left, right, t.NUMBER):
            self._operator_error(node, left, right, f"`{op}` works on numbers")
            return t.ANY
        integer_operands = all(isinstance(kind, t.NumberType) and kind.integer for kind in (left, right))
        return t.INTEGER if integer_operands and op != "/" else t.NUMBER

    def _operator_error(self, node: ast.Binary, left: t.Type, right: t.Type, hint: str) -> None:
        self.error(
            node.span,
            "E0307",
            f"cannot apply `{node.op}` to {left.describe()} and {right.describe()}",
            hint,
        )

    def _Conditional(self, node: ast.Conditional, scope: Scope) -> t.Type:
        self.type_of(node.test, scope)
        return t.union([self.type_of(node.then, scope), self.type_of(node.otherwise, scope)])

    # -- comprehensions ------------------------------------------------------------------------------

    def element_type(self, iterable: ast.Expression, scope: Scope) -> t.Type:
        """The type of the elements of ``iterable`` (reported when it cannot be iterated)."""
        kind = self.type_of(iterable, scope)
        if isinstance(kind, t.ListType):
            return kind.element
        if isinstance(kind, (t.StringType, t.NumberType, t.BoolType, t.NullType)):
            self.error(iterable.span, "E0310", f"cannot loop over a {kind.describe()}", "loop over a list")
        return t.ANY

    def comprehension_scope(self, variable: ast.Identifier, iterable: ast.Expression, scope: Scope) -> Scope:
        from oic.sema.resolve import Binding, check_declarable

        element = self.element_type(iterable, scope)
        inner = scope.child()
        if check_declarable(variable, self.reporter):
            inner.bindings[variable.name] = Binding(variable.name, element, "loop", variable.span, used=True)
        return inner

    def _ListComprehension(self, node: ast.ListComprehension, scope: Scope) -> t.Type:
        inner = self.comprehension_scope(node.variable, node.iterable, scope)
        if node.condition is not None:
            self.type_of(node.condition, inner)
        return t.ListType(self.type_of(node.element, inner))

    def _ObjectComprehension(self, node: ast.ObjectComprehension, scope: Scope) -> t.Type:
        inner = self.comprehension_scope(node.variable, node.iterable, scope)
        if node.condition is not None:
            self.type_of(node.condition, inner)
        key = self.type_of(node.key, inner)
        if not t.compatible(key, t.STRING):
            self.error(node.key.span, "E0310", f"an object key is a string, not {key.describe()}")
        value = self.type_of(node.value, inner)
        return t.ObjectType((), frozenset(), False, value)


def both(left: t.Type, right: t.Type, target: t.Type) -> bool:
    return t.compatible(left, target) and t.compatible(right, target)


def _untyped(checker: ExpressionChecker, expression: ast.Expression, scope: Scope) -> t.Type:
    """The type of an expression no method knows: anything."""
    return t.ANY


# The method typing each node class (``ExpressionChecker._ClassName``), found once per checker and
# node class.
_METHODS: dict[tuple[type, type], Callable[[Any, Any, Scope], t.Type]] = {}
