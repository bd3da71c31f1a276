"""The layout of expressions, conditions and written types.

Literals are copied from the source as written (a string with its quotes, escapes and ``${...}``
interpolations byte for byte; a number or a duration with its digits), and so are the parentheses
around any value: the tree drops them, but the text keeps them, so the formatter never has to decide
where they are needed and cannot change how an expression groups. Everything else is spelled from
the tree: one space around binary operators, none inside brackets, ``key: value`` in objects.

Flat chains (``a + b - c``, ``x.a[0].b``, ``a and b or ...`` within one operator group) are walked
with a loop, not by recursion, as everywhere in ``oic`` (``oic.syntax.ast.chain_links``): their length
is bounded only by the file size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from oic.fmt.layout import Doc, concat, join
from oic.fmt.lists import ListPrinter, Member
from oic.fmt.source_index import end, start
from oic.source import Span
from oic.syntax import ast


class ExpressionPrinter(ListPrinter):
    """Documents for expressions (``expr``), conditions (``condition``) and types (``type_ref``)."""

    # -- shared pieces ----------------------------------------------------------------------------

    def verbatim(self, span: Span) -> str:
        return self.index.slice(start(span), end(span))

    @staticmethod
    def _in_parentheses(layers: int, doc: Doc | str) -> Doc | str:
        return concat("(" * layers, doc, ")" * layers) if layers else doc

    def parenthesized(self, node: ast.Node) -> bool:
        return self.index.parentheses(node.span)[0] > 0

    def member(self, node: ast.Node, build: Callable[[], Doc | str]) -> Member:
        span = node.span
        # (``partial`` adds no Python frame: the recursion through lists follows the nesting.)
        return Member(start(span), end(span), partial(self.flat_region, start(span), end(span), build))

    def arguments(
        self, open_index: int, close_index: int, items: Sequence[Any], build: Callable[[Any], Doc | str]
    ) -> Doc | str:
        """``(items)`` between the bracket tokens at ``open_index`` and ``close_index``, each laid
        out by ``build(item)``; the brackets are the tokens' own (``(``, ``[`` or ``{``)."""
        index = self.index
        members = [self.member(item, partial(build, item)) for item in items]
        return self.bracketed(
            index.tokens[open_index].value,
            index.token_end(open_index),
            members,
            index.token_start(close_index),
            index.tokens[close_index].value,
        )

    # -- expressions ------------------------------------------------------------------------------

    def expr(self, node: ast.Node) -> Doc | str:
        """``node`` in the parentheses it was written in (the tree has none: the tokens tell)."""
        # (No helper taking a callback here: this recursion follows the nesting of expressions, up
        # to MAX_NESTING levels, and every frame per level counts against Python's stack.)
        layers, first, last = self.index.parentheses(node.span)
        return self._in_parentheses(layers, self._bare(node, first, last))

    def unbroken_expr(self, node: ast.Node) -> Doc | str:
        """``expr``, with the lists inside kept on one line (``ListPrinter.unbroken``)."""
        self.unbroken += 1
        try:
            return self.expr(node)
        finally:
            self.unbroken -= 1

    def unbroken_condition(self, node: ast.Node) -> Doc | str:
        self.unbroken += 1
        try:
            return self.condition(node)
        finally:
            self.unbroken -= 1

    def _bare(self, node: ast.Node, first: int, last: int) -> Doc | str:
        kind = type(node)
        if kind in (ast.StringLiteral, ast.InterpolatedString, ast.NumberLiteral, ast.Duration):
            return self.index.slice(self.index.token_start(first), self.index.token_end(last))
        if kind is ast.Name:
            return node.name  # type: ignore[attr-defined, no-any-return]
        if kind is ast.BoolLiteral:
            return "true" if node.value else "false"  # type: ignore[attr-defined]
        if kind is ast.NullLiteral:
            return "null"
        if kind is ast.Binary:
            return self._binary(node)  # type: ignore[arg-type]
        if kind is ast.Member or kind is ast.Index:
            return self._access(node)  # type: ignore[arg-type]
        if kind is ast.Unary:
            operand = self.expr(node.operand)  # type: ignore[attr-defined]
            return concat("not ", operand) if node.op == "not" else concat("-", operand)  # type: ignore[attr-defined]
        if kind is ast.Call:
            call: ast.Call = node  # type: ignore[assignment]
            return concat(call.function.name, self.arguments(first + 1, last, call.args, self.expr))
        if kind is ast.ListExpr:
            return self.arguments(first, last, node.items, self.expr)  # type: ignore[attr-defined]
        if kind is ast.ObjectExpr:
            return self.arguments(first, last, node.fields, self._field)  # type: ignore[attr-defined]
        if kind is ast.Conditional:
            conditional: ast.Conditional = node  # type: ignore[assignment]
            return concat(
                self.unbroken_expr(conditional.then),
                " if ",
                self.unbroken_expr(conditional.test),
                " else ",
                self.unbroken_expr(conditional.otherwise),
            )
        if kind is ast.ListComprehension or kind is ast.ObjectComprehension:
            return self._comprehension(node)  # type: ignore[arg-type]
        raise TypeError(f"not an expression: {kind.__name__}")

    def _field(self, field: ast.ObjectField) -> Doc | str:
        return concat(self.verbatim(field.key_span), ": ", self.expr(field.value))

    def _binary(self, node: ast.Binary) -> Doc | str:
        links: list[ast.Binary] = []
        current: ast.Node = node
        group = ast.CHAIN_GROUPS.get(node.op)
        while True:
            links.append(current)  # type: ignore[arg-type]
            inner = current.left  # type: ignore[attr-defined]
            if (
                group is None
                or type(inner) is not ast.Binary
                or ast.CHAIN_GROUPS.get(inner.op) != group
                or self.parenthesized(inner)
            ):
                break
            current = inner
        parts: list[Doc | str] = [self.unbroken_expr(inner)]
        for link in reversed(links):
            parts += [" ", link.op, " ", self.unbroken_expr(link.right)]
        return concat(*parts)

    def _access(self, node: ast.Member | ast.Index) -> Doc | str:
        links: list[ast.Member | ast.Index] = []
        current: ast.Node = node
        while True:
            links.append(current)  # type: ignore[arg-type]
            inner = current.target  # type: ignore[attr-defined]
            if type(inner) not in (ast.Member, ast.Index) or self.parenthesized(inner):
                break
            current = inner
        parts: list[Doc | str] = [self.expr(inner)]
        for link in reversed(links):
            if type(link) is ast.Member:
                parts += [".", link.name]  # type: ignore[union-attr]
            else:
                parts += ["[", self.unbroken_expr(link.index), "]"]  # type: ignore[union-attr]
        return concat(*parts)

    def _comprehension(self, node: ast.ListComprehension | ast.ObjectComprehension) -> Doc | str:
        flat = self.unbroken_expr
        parts: list[Doc | str] = ["for ", node.variable.name, " in ", flat(node.iterable)]
        if node.condition is not None:
            parts += [" if ", flat(node.condition)]
        parts.append(": ")
        if type(node) is ast.ListComprehension:
            return concat("[", *parts, flat(node.element), "]")
        return concat("{", *parts, flat(node.key), " => ", flat(node.value), "}")  # type: ignore[union-attr]

    # -- conditions and types ---------------------------------------------------------------------

    def condition(self, node: ast.Node) -> Doc | str:
        layers, first, last = self.index.parentheses(node.span)
        return self._in_parentheses(layers, self._bare_condition(node, first, last))

    def _bare_condition(self, node: ast.Node, first: int, last: int) -> Doc | str:
        kind = type(node)
        if kind is ast.AnyOf:
            return join(" or ", [self.condition(operand) for operand in node.operands])  # type: ignore[attr-defined]
        if kind is ast.AllOf:
            return join(" and ", [self.condition(operand) for operand in node.operands])  # type: ignore[attr-defined]
        if kind is ast.NotCondition:
            return concat("not ", self.condition(node.operand))  # type: ignore[attr-defined]
        if kind is ast.EngineStarted:
            return "engine.started"
        if kind is ast.ConditionRef:
            ref: ast.ConditionRef = node  # type: ignore[assignment]
            return concat(ref.name.name, self.arguments(first + 1, last, ref.args, self.expr))
        if kind is ast.TaskCondition:
            task: ast.TaskCondition = node  # type: ignore[assignment]
            parts: list[Doc | str] = ["task(", self.expr(task.task), ").", task.kind]
            if task.status is not None:
                parts.append(f"({task.status})")
            if task.event_name is not None:
                parts += ["(", self.expr(task.event_name), ")"]
            return concat(*parts)
        raise TypeError(f"not a condition: {kind.__name__}")

    def type_ref(self, node: ast.TypeRef) -> Doc | str:
        if node.element is None:
            return node.name
        return concat(node.name, "[", self.type_ref(node.element), "]")
