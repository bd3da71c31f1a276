"""Parse-tree callbacks that build ``oic.syntax.ast`` nodes while the LALR parser reduces.

The parser calls one method per grammar rule (or rule alias) with the rule's children: tokens and the
values earlier callbacks returned. No Lark tree is ever built and nothing recurses, so a file of any
size or nesting is turned into an AST in one pass without touching Python's stack. Every token is
kept (``keep_all_tokens``), which makes a node's span simply first-child-start to last-child-end.

Literals are decoded here, once. The builder records the few problems a grammar cannot express (a
repeated ``timeout``, ``version`` on a path service, nesting or an ``else if`` chain beyond the limits
of ``oic.syntax.limits``) as diagnostics instead of raising, and collects each completed declaration as
it is reduced, so that the declarations before a syntax error survive it.

Nesting is measured here, bottom up, as nodes are built: a node's *level* is one more than the deepest
level of the values nested in it (leaves are level 0), except along a flat chain (``ast.continues_chain``:
``a + b - c``, ``x.a[0].b``), whose links share one level. Statements count their nested blocks and the
``else if`` branches that lead to their innermost statements. Every later pass may therefore recurse
over nesting, never along a chain: a file whose nesting passes here is bounded by the limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from oic import diagnostics as diag
from oic.diagnostics import Diagnostic
from oic.records import Record, set_field
from oic.source import SourceFile, Span
from oic.syntax import ast
from oic.syntax.lexer import Token
from oic.syntax.limits import MAX_BLOCK_DEPTH, MAX_ELSE_IF, MAX_NESTING
from oic.syntax.literals import decode_text, duration_seconds, number_value

_CONDITIONS = (ast.AnyOf, ast.AllOf, ast.NotCondition, ast.TaskCondition, ast.ConditionRef)


class _Sequence(Record):
    """A bracketed or comma-separated run of values (a block, arguments, parameters)."""

    __slots__ = ("span", "items")

    span: Span
    items: tuple[Any, ...]

    def __init__(self, span: Span, items: tuple[Any, ...]) -> None:
        set_field(self, "span", span)
        set_field(self, "items", items)


class _Clause(Record):
    """A keyword clause: a task setting (``retry 3``) or a service option (``version "1"``)."""

    __slots__ = ("span", "keyword", "value")

    span: Span
    keyword: Token
    value: Any

    def __init__(self, span: Span, keyword: Token, value: Any) -> None:
        set_field(self, "span", span)
        set_field(self, "keyword", keyword)
        set_field(self, "value", value)


class _TaskEvent(Record):
    """What follows ``task(...).``: ``kind``, and the status or event name where there is one."""

    __slots__ = ("span", "kind", "status", "event_name")

    span: Span
    kind: str
    status: str | None
    event_name: ast.Expression | None

    def __init__(self, span: Span, kind: str, status: str | None, event_name: ast.Expression | None) -> None:
        set_field(self, "span", span)
        set_field(self, "kind", kind)
        set_field(self, "status", status)
        set_field(self, "event_name", event_name)


def token_span(token: Token) -> Span:
    return Span(token.line, token.column, token.end_line, token.end_column)


def span_of(child: Any) -> Span:
    if isinstance(child, Token):
        return token_span(child)
    return child.span  # type: ignore[no-any-return]


def spanning(children: Sequence[Any]) -> Span:
    """From the start of the first child to the end of the last one (called for every reduction:
    reads the positions directly rather than building a span per child)."""
    first, last = children[0], children[-1]
    if type(first) is not Token:
        first = first.span
    if type(last) is not Token:
        last = last.span
    return Span(first.line, first.column, last.end_line, last.end_column)


def _identifier(token: Token) -> ast.Identifier:
    return ast.Identifier(Span(token.line, token.column, token.end_line, token.end_column), token.value)


def _nodes(children: Sequence[Any]) -> tuple[Any, ...]:
    """The children that are values, not punctuation or keywords."""
    return tuple([child for child in children if type(child) is not Token])


def _items(children: Sequence[Any]) -> tuple[Any, ...]:
    """The items of an optional ``_Sequence`` among ``children`` (empty when it is absent)."""
    for child in children:
        if type(child) is _Sequence:
            return child.items
    return ()


def string_literal(token: Token) -> ast.StringLiteral:
    span = Span(token.line, token.column, token.end_line, token.end_column)
    return ast.StringLiteral(span, decode_text(token.value[1:-1]))


class AstBuilder:
    """The callbacks, plus the per-parse state they share: the source, the diagnostics found, the
    completed declarations and the depth of each expression node built so far."""

    def __init__(self) -> None:
        self.reset(SourceFile("<none>", ""))

    def reset(self, source: SourceFile) -> None:
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        self.declarations: list[ast.Declaration] = []
        self.too_deep = False
        self._too_long = False
        # id(node) -> (node, level, loops) for expression and condition nodes above level 0: the
        # level of nesting, and how many comprehensions nest in it (the node is kept so that its id
        # cannot be reused while the parse runs).
        self._levels: dict[int, tuple[ast.Node, int, int]] = {}
        # id(statement) -> (statement, nested blocks, `else if` branches) for statements that nest
        # blocks or comprehensions.
        self._statements: dict[int, tuple[ast.Node, int, int]] = {}

    def _report(self, span: Span, code: str, message: str, hint: str = "") -> None:
        self.diagnostics.append(diag.make(self.source, span, code, message, hint))

    def _nest(self, node: Any, *parts: Any, loop: bool = False) -> Any:
        """Record ``node``'s level, one more than its deepest part (None parts are absent), and the
        comprehensions nested in it (``loop``: ``node`` is one)."""
        levels = self._levels
        deepest = loops = 0
        for part in parts:
            known = levels.get(id(part))
            if known is not None:
                if known[1] > deepest:
                    deepest = known[1]
                if known[2] > loops:
                    loops = known[2]
        levels[id(node)] = (node, deepest + 1, loops + loop)
        if deepest >= MAX_NESTING or loops + loop > MAX_BLOCK_DEPTH:
            self._too_deep(node, deepest + 1, loops + loop)
        return node

    def _continue(self, node: Any, inner: Any, *parts: Any) -> Any:
        """``node`` continues the chain of ``inner``: its level is ``inner``'s, or one more than its
        other parts' when they are deeper."""
        known = self._levels.get(id(inner))
        level, loops = (max(known[1], 1), known[2]) if known is not None else (1, 0)
        for part in parts:
            found = self._levels.get(id(part))
            if found is not None:
                level = max(level, found[1] + 1)
                loops = max(loops, found[2])
        self._levels[id(node)] = (node, level, loops)
        if level > MAX_NESTING or loops > MAX_BLOCK_DEPTH:
            self._too_deep(node, level, loops)
        return node

    def _too_deep(self, node: Any, level: int, loops: int) -> None:
        """Report the first node nested beyond the limits."""
        if not self.too_deep:
            self.too_deep = True
            if loops > MAX_BLOCK_DEPTH:
                what, limit, hint = "comprehensions", MAX_BLOCK_DEPTH, "split it into `let` bindings"
            elif isinstance(node, _CONDITIONS):
                what, limit, hint = "condition", MAX_NESTING, "split it into named conditions"
            elif isinstance(node, ast.TypeRef):
                what, limit, hint = "type", MAX_NESTING, "write the inner part as `list` or `any`"
            else:
                what, limit, hint = "expression", MAX_NESTING, "split it into `let` bindings"
            self._report(node.span, "E0107", f"{what} nested more than {limit} deep", hint)

    def _loops(self, *expressions: Any) -> int:
        """The most comprehensions nested in one of ``expressions`` (None ones are absent)."""
        loops = 0
        for expression in expressions:
            known = self._levels.get(id(expression))
            if known is not None:
                loops = max(loops, known[2])
        return loops

    def _statement(self, node: Any, blocks: int, else_ifs: int) -> Any:
        """Record the blocks and comprehensions nested in a statement (its own block included) and
        the most ``else if`` branches that lead to a statement inside it."""
        if blocks or else_ifs:
            self._statements[id(node)] = (node, blocks, else_ifs)
        if blocks > MAX_BLOCK_DEPTH and not self.too_deep:
            self.too_deep = True
            self._report(
                node.span,
                "E0107",
                f"blocks and comprehensions nested more than {MAX_BLOCK_DEPTH} deep",
                "move the inner blocks into a `builder` and call it",
            )
        return node

    def _inner(self, statements: Sequence[Any]) -> tuple[int, int]:
        """The deepest block nesting and ``else if`` count among ``statements``."""
        blocks = else_ifs = 0
        known = self._statements
        for statement in statements:
            found = known.get(id(statement))
            if found is not None:
                blocks = max(blocks, found[1])
                else_ifs = max(else_ifs, found[2])
        return blocks, else_ifs

    def _declared(self, node: Any) -> Any:
        self.declarations.append(node)
        return node

    # -- declarations ---------------------------------------------------------------------------

    def start(self, children: list[Any]) -> None:
        return None

    def pipeline_decl(self, children: list[Any]) -> ast.PipelineDecl:
        settings = tuple(child for child in children if isinstance(child, ast.Setting))
        return self._declared(ast.PipelineDecl(spanning(children), children[1], settings))

    def setting(self, children: list[Any]) -> ast.Setting:
        value = children[2]
        if isinstance(value, Token):  # a DURATION
            value = ast.Duration(token_span(value), duration_seconds(value.value))
        return ast.Setting(spanning(children), _identifier(children[0]), value)

    def param_decl(self, children: list[Any]) -> ast.ParamDecl:
        default = children[5] if len(children) > 5 else None
        return self._declared(
            ast.ParamDecl(spanning(children), _identifier(children[1]), children[3], default)
        )

    def type_ref(self, children: list[Any]) -> ast.TypeRef:
        element = children[2] if len(children) > 2 else None
        node = ast.TypeRef(spanning(children), children[0].value, element)
        return self._nest(node, element) if element is not None else node  # type: ignore[no-any-return]

    def service_kind(self, children: list[Any]) -> Token:
        return children[0]  # type: ignore[no-any-return]

    def service_option(self, children: list[Any]) -> _Clause:
        return _Clause(spanning(children), children[0], children[1])

    def service_decl(self, children: list[Any]) -> ast.ServiceDecl:
        kind = children[3].value
        options: dict[str, ast.StringLiteral] = {}
        for clause in children[5:]:
            keyword = clause.keyword.value
            if keyword in options:
                self._report(clause.span, "E0109", f"`{keyword}` given twice", "keep one of them")
            elif keyword == "version" and kind == "path":
                self._report(
                    clause.span,
                    "E0109",
                    "a path service has no version",
                    "versions belong to catalog services; remove it",
                )
            else:
                options[keyword] = clause.value
        return self._declared(
            ast.ServiceDecl(
                spanning(children),
                _identifier(children[1]),
                kind,
                children[4],
                options.get("version"),
                options.get("schemas"),
                options.get("image"),
            )
        )

    def parameters(self, children: list[Any]) -> _Sequence:
        return _Sequence(spanning(children), _nodes(children))

    def parameter(self, children: list[Any]) -> ast.Parameter:
        return ast.Parameter(spanning(children), _identifier(children[0]), children[2])

    def condition_decl(self, children: list[Any]) -> ast.ConditionDecl:
        guard_at = next((i for i, c in enumerate(children) if isinstance(c, Token) and c.type == "IF"), None)
        guard = children[guard_at + 1] if guard_at is not None else None
        condition = children[guard_at - 1] if guard_at is not None else children[-1]
        return self._declared(
            ast.ConditionDecl(
                spanning(children), _identifier(children[1]), _items(children), condition, guard
            )
        )

    def builder_decl(self, children: list[Any]) -> ast.BuilderDecl:
        body = children[-1].items
        return self._declared(
            ast.BuilderDecl(spanning(children), _identifier(children[1]), _items(children[:-1]), body)
        )

    def reaction_decl(self, children: list[Any]) -> ast.ReactionDecl:
        guard = children[3] if len(children) > 3 else None
        return self._declared(ast.ReactionDecl(spanning(children), children[1], guard, children[-1].items))

    # -- conditions -----------------------------------------------------------------------------

    def cond(self, children: list[Any]) -> ast.AnyOf:
        operands = _nodes(children)
        return self._nest(ast.AnyOf(spanning(children), operands), *operands)  # type: ignore[no-any-return]

    def cond_and(self, children: list[Any]) -> ast.AllOf:
        operands = _nodes(children)
        return self._nest(ast.AllOf(spanning(children), operands), *operands)  # type: ignore[no-any-return]

    def cond_negation(self, children: list[Any]) -> ast.NotCondition:
        return self._nest(ast.NotCondition(spanning(children), children[1]), children[1])  # type: ignore[no-any-return]

    def engine_started(self, children: list[Any]) -> ast.EngineStarted:
        return ast.EngineStarted(spanning(children))

    def task_status(self, children: list[Any]) -> Token:
        return children[0]  # type: ignore[no-any-return]

    def task_event(self, children: list[Any]) -> _TaskEvent:
        kind = children[0].value
        span = spanning(children)
        if kind == "reported":
            return _TaskEvent(span, kind, None, children[2])
        status = children[2].value if len(children) > 1 else None
        return _TaskEvent(span, kind, status, None)

    def task_condition(self, children: list[Any]) -> ast.TaskCondition:
        event = children[5]
        node = ast.TaskCondition(spanning(children), children[2], event.kind, event.status, event.event_name)
        return self._nest(node, children[2], event.event_name)  # type: ignore[no-any-return]

    def condition_ref(self, children: list[Any]) -> ast.ConditionRef:
        args = _items(children)
        return self._nest(ast.ConditionRef(spanning(children), _identifier(children[0]), args), *args)  # type: ignore[no-any-return]

    def cond_group(self, children: list[Any]) -> Any:
        return self._regroup(children)

    # -- statements -----------------------------------------------------------------------------

    def block(self, children: list[Any]) -> _Sequence:
        statements = _nodes(children)
        if not self._too_long:
            # Every statement of a block heads its `else if` chain (a chain's later links are
            # `else` branches, not statements of a block): report a chain where it starts.
            for statement in statements:
                known = self._statements.get(id(statement))
                if known is not None and known[2] > MAX_ELSE_IF:
                    self._too_long = True
                    self._report(
                        Span(
                            statement.span.line,
                            statement.span.column,
                            statement.span.line,
                            statement.span.column + 2,
                        ),
                        "E0110",
                        f"more than {MAX_ELSE_IF} `else if` branches in this chain "
                        "(with those of the chains inside its branches)",
                        "move a part of the chain into a `builder`, or look the value up in an object",
                    )
                    break
        return _Sequence(spanning(children), statements)

    def task_stmt(self, children: list[Any]) -> ast.TaskStmt:
        reusable = isinstance(children[2], Token) and children[2].type == "REUSABLE"
        call_at = 4 if reusable else 3
        settings = self._task_settings(children[call_at + 1 :], span_of(children[call_at]))
        call = children[call_at]
        node = ast.TaskStmt(spanning(children), children[1], reusable, call, settings)
        loops = self._loops(children[1], *(argument.value for argument in call.arguments))
        return self._statement(node, loops, 0)  # type: ignore[no-any-return]

    def _task_settings(self, clauses: Sequence[_Clause], call_span: Span) -> ast.TaskSettings:
        if not clauses:
            return ast.TaskSettings(Span.point(call_span.end_line, call_span.end_column))
        found: dict[str, Any] = {}
        for clause in clauses:
            keyword = clause.keyword.value
            if keyword in found:
                self._report(clause.span, "E0109", f"`{keyword}` given twice", "keep one of them")
                continue
            value: Token = clause.value
            if keyword == "retry":
                found[keyword] = ast.NumberLiteral(token_span(value), number_value(value.value))
            else:
                found[keyword] = ast.Duration(token_span(value), duration_seconds(value.value))
        return ast.TaskSettings(
            spanning(clauses), found.get("timeout"), found.get("retry"), found.get("backoff")
        )

    def task_setting(self, children: list[Any]) -> _Clause:
        return _Clause(spanning(children), children[0], children[1])

    def service_call(self, children: list[Any]) -> ast.ServiceCall:
        arguments = tuple(child for child in children if isinstance(child, ast.Argument))
        return ast.ServiceCall(
            spanning(children), _identifier(children[0]), _identifier(children[2]), arguments
        )

    def call_argument(self, children: list[Any]) -> ast.Argument:
        return ast.Argument(spanning(children), children[0].value, token_span(children[0]), children[2])

    def let_stmt(self, children: list[Any]) -> ast.LetStmt:
        node = ast.LetStmt(spanning(children), _identifier(children[1]), children[3])
        return self._statement(node, self._loops(children[3]), 0)  # type: ignore[no-any-return]

    def for_stmt(self, children: list[Any]) -> ast.ForStmt:
        condition = children[5] if len(children) > 5 else None
        body = children[-1].items
        node = ast.ForStmt(spanning(children), _identifier(children[1]), children[3], condition, body)
        blocks, else_ifs = self._inner(body)
        blocks = max(blocks, self._loops(children[3], condition))
        return self._statement(node, blocks + 1, else_ifs)  # type: ignore[no-any-return]

    def if_stmt(self, children: list[Any]) -> ast.IfStmt:
        body = children[2].items
        blocks, else_ifs = self._inner(body)
        blocks = max(blocks, self._loops(children[1])) + 1
        otherwise: tuple[Any, ...] = ()
        if len(children) > 3:
            alternative = children[4]
            if isinstance(alternative, _Sequence):
                otherwise = alternative.items
                other_blocks, other_else_ifs = self._inner(otherwise)
                blocks, else_ifs = max(blocks, other_blocks + 1), max(else_ifs, other_else_ifs)
            else:  # `else if`: the next link of the chain, at this statement's level
                otherwise = (alternative,)
                other_blocks, other_else_ifs = self._inner(otherwise)
                blocks, else_ifs = max(blocks, other_blocks), max(else_ifs, other_else_ifs + 1)
        node = ast.IfStmt(spanning(children), children[1], body, otherwise)
        return self._statement(node, blocks, else_ifs)  # type: ignore[no-any-return]

    def builder_call(self, children: list[Any]) -> ast.BuilderCall:
        args = _items(children)
        node = ast.BuilderCall(spanning(children), _identifier(children[0]), args)
        return self._statement(node, self._loops(*args), 0)  # type: ignore[no-any-return]

    # -- expressions ----------------------------------------------------------------------------

    def arguments(self, children: list[Any]) -> _Sequence:
        return _Sequence(spanning(children), _nodes(children))

    def conditional(self, children: list[Any]) -> ast.Conditional:
        then, test, otherwise = children[0], children[2], children[4]
        return self._nest(ast.Conditional(spanning(children), test, then, otherwise), then, test, otherwise)  # type: ignore[no-any-return]

    def binary(self, children: list[Any]) -> ast.Binary:
        left, operator, right = children
        node = ast.Binary(spanning(children), operator.value, left, right)
        if ast.continues_chain(node, left):
            return self._continue(node, left, right)  # type: ignore[no-any-return]
        return self._nest(node, left, right)  # type: ignore[no-any-return]

    def unary(self, children: list[Any]) -> ast.Unary:
        operator, operand = children
        return self._nest(ast.Unary(spanning(children), operator.value, operand), operand)  # type: ignore[no-any-return]

    def member(self, children: list[Any]) -> ast.Member:
        target, _dot, name = children
        node = ast.Member(spanning(children), target, name.value, token_span(name))
        if ast.continues_chain(node, target):
            return self._continue(node, target)  # type: ignore[no-any-return]
        return self._nest(node, target)  # type: ignore[no-any-return]

    def index(self, children: list[Any]) -> ast.Index:
        target, index = children[0], children[2]
        node = ast.Index(spanning(children), target, index)
        if ast.continues_chain(node, target):
            return self._continue(node, target, index)  # type: ignore[no-any-return]
        return self._nest(node, target, index)  # type: ignore[no-any-return]

    def call(self, children: list[Any]) -> ast.Call:
        args = _items(children)
        return self._nest(ast.Call(spanning(children), _identifier(children[0]), args), *args)  # type: ignore[no-any-return]

    def name(self, children: list[Any]) -> ast.Name:
        token = children[0]
        return ast.Name(Span(token.line, token.column, token.end_line, token.end_column), token.value)

    def number(self, children: list[Any]) -> ast.NumberLiteral:
        return ast.NumberLiteral(token_span(children[0]), number_value(children[0].value))

    def true(self, children: list[Any]) -> ast.BoolLiteral:
        return ast.BoolLiteral(token_span(children[0]), True)

    def false(self, children: list[Any]) -> ast.BoolLiteral:
        return ast.BoolLiteral(token_span(children[0]), False)

    def null(self, children: list[Any]) -> ast.NullLiteral:
        return ast.NullLiteral(token_span(children[0]))

    def string_lit(self, children: list[Any]) -> ast.StringLiteral:
        return string_literal(children[0])

    def istring(self, children: list[Any]) -> ast.InterpolatedString:
        parts: list[Any] = []
        expressions: list[Any] = []
        for child in children:
            if type(child) is not Token:
                parts.append(child)
                expressions.append(child)
                continue
            # ISTR_BEGIN `"text${`, ISTR_MIDDLE `}text${`, ISTR_END `}text"`: one delimiter character
            # before the text and one or two after it.
            raw = child.value
            text = raw[1:-2] if child.type != "ISTR_END" else raw[1:-1]
            if text:
                column = child.column + 1
                span = Span(child.line, column, child.line, column + len(text))
                parts.append(ast.StringLiteral(span, decode_text(text)))
        node = ast.InterpolatedString(spanning(children), tuple(parts))
        return self._nest(node, *expressions)  # type: ignore[no-any-return]

    def list_expr(self, children: list[Any]) -> ast.ListExpr:
        items = _nodes(children)
        return self._nest(ast.ListExpr(spanning(children), items), *items)  # type: ignore[no-any-return]

    def object_field(self, children: list[Any]) -> ast.ObjectField:
        key = children[0]
        decoded = decode_text(key.value[1:-1]) if key.type == "STRING" else key.value
        return ast.ObjectField(spanning(children), decoded, token_span(key), children[2])

    def object_expr(self, children: list[Any]) -> ast.ObjectExpr:
        fields = _nodes(children)
        values = [field.value for field in fields]
        return self._nest(ast.ObjectExpr(spanning(children), fields), *values)  # type: ignore[no-any-return]

    def _comprehension_parts(self, children: list[Any]) -> tuple[ast.Identifier, Any, Any, int]:
        """Variable, iterable, condition, and the index just after the `:`."""
        colon = next(i for i, c in enumerate(children) if isinstance(c, Token) and c.type == "COLON")
        condition = children[6] if colon == 7 else None
        return _identifier(children[2]), children[4], condition, colon + 1

    def list_comprehension(self, children: list[Any]) -> ast.ListComprehension:
        variable, iterable, condition, after = self._comprehension_parts(children)
        element = children[after]
        node = ast.ListComprehension(spanning(children), variable, iterable, condition, element)
        return self._nest(node, iterable, condition, element, loop=True)  # type: ignore[no-any-return]

    def object_comprehension(self, children: list[Any]) -> ast.ObjectComprehension:
        variable, iterable, condition, after = self._comprehension_parts(children)
        key, value = children[after], children[after + 2]
        node = ast.ObjectComprehension(spanning(children), variable, iterable, condition, key, value)
        return self._nest(node, iterable, condition, key, value, loop=True)  # type: ignore[no-any-return]

    def group(self, children: list[Any]) -> Any:
        return self._regroup(children)

    def _regroup(self, children: list[Any]) -> Any:
        """``( inner )``: the inner node, its span widened to the parentheses."""
        inner = children[1]
        node = inner._replace(span=spanning(children))
        return self._nest(node, inner)
