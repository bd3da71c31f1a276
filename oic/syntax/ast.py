"""The abstract syntax tree of a `.oi` file.

Immutable value classes, one per construct, each with the ``span`` of the text it came from. Nodes
hold decoded values (a ``StringLiteral`` holds the string it denotes, escapes resolved; a
``NumberLiteral`` its int or float) and no behaviour beyond ``children()``, which walks the tree for
visitors.

The tree of a whole file is a ``Module``: an ordered tuple of declarations.

Nodes behave as frozen dataclasses (equality by value, hashing, ``repr``, ``dataclasses.fields`` and
``dataclasses.replace``) but are ``oic.records.Record`` classes with ``__slots__`` and a hand-written
``__init__``: ``@dataclass`` generates and compiles each class's methods on every import, which cost
more than parsing a typical file, and its frozen ``__init__`` is slower too. A class's fields are its
``__slots__`` after those of its bases, in order, and ``__init__`` takes them in that order.
"""

from __future__ import annotations

from collections.abc import Iterator

from oic.records import Record, set_field
from oic.source import Span

_set = set_field


class Node(Record):
    """Base of every node; ``span`` covers the node's whole text.

    Every node is an immutable value (``oic.records.Record``): equal when of the same class with
    equal fields, hashable, and shown as ``Name(field=value, ...)``."""

    __slots__ = ("span",)

    span: Span

    def __init__(self, span: Span) -> None:
        _set_span(self, span)

    def children(self) -> Iterator[Node]:
        """The direct child nodes, in source order."""
        for name in self._fields:
            value = getattr(self, name)
            if isinstance(value, Node):
                yield value
            elif isinstance(value, tuple):
                for item in value:
                    if isinstance(item, Node):
                        yield item
                    elif isinstance(item, tuple):  # (key, value) pairs
                        yield from (part for part in item if isinstance(part, Node))


# The setter of the ``span`` slot, which every node shares: faster than ``object.__setattr__``.
_set_span = Node.__dict__["span"].__set__


class Identifier(Node):
    """A name as written at a declaration or a use site (``trello``, ``cards``)."""

    __slots__ = ("name",)

    name: str

    def __init__(self, span: Span, name: str) -> None:
        _set_span(self, span)
        _set(self, "name", name)


# ---------------------------------------------------------------------------------------------------
# Expressions


class StringLiteral(Node):
    """A string without interpolation; ``value`` is decoded (escapes resolved)."""

    __slots__ = ("value",)

    value: str

    def __init__(self, span: Span, value: str) -> None:
        _set_span(self, span)
        _set(self, "value", value)


class InterpolatedString(Node):
    """``"archive-${c.id}"``: ``parts`` alternate between decoded text (``StringLiteral``) and
    embedded expressions, in order; the value is their concatenation, each expression rendered as
    text (strings as is, other values as JSON)."""

    __slots__ = ("parts",)

    parts: tuple[Expression, ...]

    def __init__(self, span: Span, parts: tuple[Expression, ...]) -> None:
        _set_span(self, span)
        _set(self, "parts", parts)


class NumberLiteral(Node):
    """``3``, ``2.5``, ``1e3``: an int when written without a fraction or exponent, else a float."""

    __slots__ = ("value",)

    value: int | float

    def __init__(self, span: Span, value: int | float) -> None:
        _set_span(self, span)
        _set(self, "value", value)


class BoolLiteral(Node):
    __slots__ = ("value",)

    value: bool

    def __init__(self, span: Span, value: bool) -> None:
        _set_span(self, span)
        _set(self, "value", value)


class NullLiteral(Node):
    __slots__ = ()

    def __init__(self, span: Span) -> None:
        _set_span(self, span)


class ListExpr(Node):
    """``[a, b, c]``."""

    __slots__ = ("items",)

    items: tuple[Expression, ...]

    def __init__(self, span: Span, items: tuple[Expression, ...]) -> None:
        _set_span(self, span)
        _set(self, "items", items)


class ObjectField(Node):
    """One ``key: value`` entry of an object; ``key`` is the decoded key (bare or quoted);
    ``key_span`` locates the key alone."""

    __slots__ = ("key", "key_span", "value")

    key: str
    key_span: Span
    value: Expression

    def __init__(self, span: Span, key: str, key_span: Span, value: Expression) -> None:
        _set_span(self, span)
        _set(self, "key", key)
        _set(self, "key_span", key_span)
        _set(self, "value", value)


class ObjectExpr(Node):
    """``{id: c.id, "display name": c.name}``."""

    __slots__ = ("fields",)

    fields: tuple[ObjectField, ...]

    def __init__(self, span: Span, fields: tuple[ObjectField, ...]) -> None:
        _set_span(self, span)
        _set(self, "fields", fields)


class Name(Node):
    """A reference to a param, ``let`` binding, loop variable, definition parameter, or one of the
    built-in values ``event``, ``tasks`` and ``pipeline``."""

    __slots__ = ("name",)

    name: str

    def __init__(self, span: Span, name: str) -> None:
        _set_span(self, span)
        _set(self, "name", name)


class Member(Node):
    """``target.name``: a field of an object (task outputs, the event, params of type object)."""

    __slots__ = ("target", "name", "name_span")

    target: Expression
    name: str
    name_span: Span

    def __init__(self, span: Span, target: Expression, name: str, name_span: Span) -> None:
        _set_span(self, span)
        _set(self, "target", target)
        _set(self, "name", name)
        _set(self, "name_span", name_span)


class Index(Node):
    """``target[index]``: a list element or an object field by computed key (``tasks["fetch"]``)."""

    __slots__ = ("target", "index")

    target: Expression
    index: Expression

    def __init__(self, span: Span, target: Expression, index: Expression) -> None:
        _set_span(self, span)
        _set(self, "target", target)
        _set(self, "index", index)


class Call(Node):
    """``len(xs)``, ``env("HOME", "/")``: a call of a standard-library function by name."""

    __slots__ = ("function", "args")

    function: Identifier
    args: tuple[Expression, ...]

    def __init__(self, span: Span, function: Identifier, args: tuple[Expression, ...]) -> None:
        _set_span(self, span)
        _set(self, "function", function)
        _set(self, "args", args)


class Unary(Node):
    """``not x`` or ``-x``; ``op`` is ``"not"`` or ``"-"``."""

    __slots__ = ("op", "operand")

    op: str
    operand: Expression

    def __init__(self, span: Span, op: str, operand: Expression) -> None:
        _set_span(self, span)
        _set(self, "op", op)
        _set(self, "operand", operand)


class Binary(Node):
    """``left op right``; ``op`` is one of ``or and == != < <= > >= in + - * / %``."""

    __slots__ = ("op", "left", "right")

    op: str
    left: Expression
    right: Expression

    def __init__(self, span: Span, op: str, left: Expression, right: Expression) -> None:
        _set_span(self, span)
        _set(self, "op", op)
        _set(self, "left", left)
        _set(self, "right", right)


class Conditional(Node):
    """``then if test else otherwise``."""

    __slots__ = ("test", "then", "otherwise")

    test: Expression
    then: Expression
    otherwise: Expression

    def __init__(self, span: Span, test: Expression, then: Expression, otherwise: Expression) -> None:
        _set_span(self, span)
        _set(self, "test", test)
        _set(self, "then", then)
        _set(self, "otherwise", otherwise)


class ListComprehension(Node):
    """``[for x in xs if cond: expr]``; ``condition`` may be None."""

    __slots__ = ("variable", "iterable", "condition", "element")

    variable: Identifier
    iterable: Expression
    condition: Expression | None
    element: Expression

    def __init__(
        self,
        span: Span,
        variable: Identifier,
        iterable: Expression,
        condition: Expression | None,
        element: Expression,
    ) -> None:
        _set_span(self, span)
        _set(self, "variable", variable)
        _set(self, "iterable", iterable)
        _set(self, "condition", condition)
        _set(self, "element", element)


class ObjectComprehension(Node):
    """``{for x in xs if cond: key => value}``; ``condition`` may be None."""

    __slots__ = ("variable", "iterable", "condition", "key", "value")

    variable: Identifier
    iterable: Expression
    condition: Expression | None
    key: Expression
    value: Expression

    def __init__(
        self,
        span: Span,
        variable: Identifier,
        iterable: Expression,
        condition: Expression | None,
        key: Expression,
        value: Expression,
    ) -> None:
        _set_span(self, span)
        _set(self, "variable", variable)
        _set(self, "iterable", iterable)
        _set(self, "condition", condition)
        _set(self, "key", key)
        _set(self, "value", value)


Expression = (
    StringLiteral
    | InterpolatedString
    | NumberLiteral
    | BoolLiteral
    | NullLiteral
    | ListExpr
    | ObjectExpr
    | Name
    | Member
    | Index
    | Call
    | Unary
    | Binary
    | Conditional
    | ListComprehension
    | ObjectComprehension
)


# ---------------------------------------------------------------------------------------------------
# Types of params and definition parameters


class TypeRef(Node):
    """A written type: ``string``, ``number``, ``bool``, ``secret``, ``list``, ``object``, ``any``;
    ``element`` is the item type of ``list[string]`` (None for a plain ``list``)."""

    __slots__ = ("name", "element")

    name: str
    element: TypeRef | None

    def __init__(self, span: Span, name: str, element: TypeRef | None = None) -> None:
        _set_span(self, span)
        _set(self, "name", name)
        _set(self, "element", element)


# ---------------------------------------------------------------------------------------------------
# Conditions (the part of `on ... {` before the block)


class EngineStarted(Node):
    """``engine.started``."""

    __slots__ = ()

    def __init__(self, span: Span) -> None:
        _set_span(self, span)


class TaskCondition(Node):
    """``task("name").started``, ``task("name").finished``, ``task("name").finished(success)``,
    ``task("name").reported("progress")``.

    ``task`` is the name expression (a string literal, or an interpolation over definition
    parameters); ``kind`` is ``"started"``, ``"finished"`` or ``"reported"``; ``status`` is
    ``"success"`` or ``"failed"`` for a finished condition with a status, else None; ``event_name``
    is the reported event's name expression for ``reported``, else None."""

    __slots__ = ("task", "kind", "status", "event_name")

    task: Expression
    kind: str
    status: str | None
    event_name: Expression | None

    def __init__(
        self,
        span: Span,
        task: Expression,
        kind: str,
        status: str | None = None,
        event_name: Expression | None = None,
    ) -> None:
        _set_span(self, span)
        _set(self, "task", task)
        _set(self, "kind", kind)
        _set(self, "status", status)
        _set(self, "event_name", event_name)


class ConditionRef(Node):
    """``done("fetch")``: a use of a named ``condition`` definition with arguments."""

    __slots__ = ("name", "args")

    name: Identifier
    args: tuple[Expression, ...]

    def __init__(self, span: Span, name: Identifier, args: tuple[Expression, ...]) -> None:
        _set_span(self, span)
        _set(self, "name", name)
        _set(self, "args", args)


class AllOf(Node):
    """``a and b and c``."""

    __slots__ = ("operands",)

    operands: tuple[ConditionExpr, ...]

    def __init__(self, span: Span, operands: tuple[ConditionExpr, ...]) -> None:
        _set_span(self, span)
        _set(self, "operands", operands)


class AnyOf(Node):
    """``a or b or c``."""

    __slots__ = ("operands",)

    operands: tuple[ConditionExpr, ...]

    def __init__(self, span: Span, operands: tuple[ConditionExpr, ...]) -> None:
        _set_span(self, span)
        _set(self, "operands", operands)


class NotCondition(Node):
    """``not a``."""

    __slots__ = ("operand",)

    operand: ConditionExpr

    def __init__(self, span: Span, operand: ConditionExpr) -> None:
        _set_span(self, span)
        _set(self, "operand", operand)


ConditionExpr = EngineStarted | TaskCondition | ConditionRef | AllOf | AnyOf | NotCondition


# ---------------------------------------------------------------------------------------------------
# Statements (the bodies of reactions and builders)


class Argument(Node):
    """``Board: board`` in a service call; ``name_span`` locates the field name alone."""

    __slots__ = ("name", "name_span", "value")

    name: str
    name_span: Span
    value: Expression

    def __init__(self, span: Span, name: str, name_span: Span, value: Expression) -> None:
        _set_span(self, span)
        _set(self, "name", name)
        _set(self, "name_span", name_span)
        _set(self, "value", value)


class ServiceCall(Node):
    """``trello.getcards(Board: board, ...)``."""

    __slots__ = ("service", "endpoint", "arguments")

    service: Identifier
    endpoint: Identifier
    arguments: tuple[Argument, ...]

    def __init__(
        self,
        span: Span,
        service: Identifier,
        endpoint: Identifier,
        arguments: tuple[Argument, ...],
    ) -> None:
        _set_span(self, span)
        _set(self, "service", service)
        _set(self, "endpoint", endpoint)
        _set(self, "arguments", arguments)


class Duration(Node):
    """``30s``, ``500ms``, ``2m``, ``1h``; ``seconds`` is the decoded length."""

    __slots__ = ("seconds",)

    seconds: float

    def __init__(self, span: Span, seconds: float) -> None:
        _set_span(self, span)
        _set(self, "seconds", seconds)


class TaskSettings(Node):
    """The optional clauses after a call: ``timeout 30s retry 3 backoff 2s``. Absent ones are None."""

    __slots__ = ("timeout", "retries", "backoff")

    timeout: Duration | None
    retries: NumberLiteral | None
    backoff: Duration | None

    def __init__(
        self,
        span: Span,
        timeout: Duration | None = None,
        retries: NumberLiteral | None = None,
        backoff: Duration | None = None,
    ) -> None:
        _set_span(self, span)
        _set(self, "timeout", timeout)
        _set(self, "retries", retries)
        _set(self, "backoff", backoff)


class TaskStmt(Node):
    """``task "name" [reusable] = service.endpoint(args) [settings]``: builds one task."""

    __slots__ = ("name", "reusable", "call", "settings")

    name: Expression
    reusable: bool
    call: ServiceCall
    settings: TaskSettings

    def __init__(
        self,
        span: Span,
        name: Expression,
        reusable: bool,
        call: ServiceCall,
        settings: TaskSettings,
    ) -> None:
        _set_span(self, span)
        _set(self, "name", name)
        _set(self, "reusable", reusable)
        _set(self, "call", call)
        _set(self, "settings", settings)


class LetStmt(Node):
    """``let name = value``: binds a name for the rest of the enclosing block."""

    __slots__ = ("name", "value")

    name: Identifier
    value: Expression

    def __init__(self, span: Span, name: Identifier, value: Expression) -> None:
        _set_span(self, span)
        _set(self, "name", name)
        _set(self, "value", value)


class ForStmt(Node):
    """``for x in xs [if cond] { body }``: runs the body once per element."""

    __slots__ = ("variable", "iterable", "condition", "body")

    variable: Identifier
    iterable: Expression
    condition: Expression | None
    body: tuple[Statement, ...]

    def __init__(
        self,
        span: Span,
        variable: Identifier,
        iterable: Expression,
        condition: Expression | None,
        body: tuple[Statement, ...],
    ) -> None:
        _set_span(self, span)
        _set(self, "variable", variable)
        _set(self, "iterable", iterable)
        _set(self, "condition", condition)
        _set(self, "body", body)


class IfStmt(Node):
    """``if cond { body } [else { otherwise }]``; ``otherwise`` is empty when there is no else."""

    __slots__ = ("test", "body", "otherwise")

    test: Expression
    body: tuple[Statement, ...]
    otherwise: tuple[Statement, ...]

    def __init__(
        self,
        span: Span,
        test: Expression,
        body: tuple[Statement, ...],
        otherwise: tuple[Statement, ...],
    ) -> None:
        _set_span(self, span)
        _set(self, "test", test)
        _set(self, "body", body)
        _set(self, "otherwise", otherwise)


class BuilderCall(Node):
    """``archive(c)``: runs a named ``builder`` definition, adding the tasks it builds."""

    __slots__ = ("name", "args")

    name: Identifier
    args: tuple[Expression, ...]

    def __init__(self, span: Span, name: Identifier, args: tuple[Expression, ...]) -> None:
        _set_span(self, span)
        _set(self, "name", name)
        _set(self, "args", args)


Statement = TaskStmt | LetStmt | ForStmt | IfStmt | BuilderCall


# ---------------------------------------------------------------------------------------------------
# Declarations (top level)


class Setting(Node):
    """``os = "linux"`` inside the pipeline block; ``timeout = 10m`` gives a ``Duration``."""

    __slots__ = ("name", "value")

    name: Identifier
    value: Expression | Duration

    def __init__(self, span: Span, name: Identifier, value: Expression | Duration) -> None:
        _set_span(self, span)
        _set(self, "name", name)
        _set(self, "value", value)


class PipelineDecl(Node):
    """``pipeline "name" { os = "linux" arch = "amd64" }``: name and settings
    (``os``, ``arch``, ``parallelism``, ``timeout``)."""

    __slots__ = ("name", "settings")

    name: StringLiteral
    settings: tuple[Setting, ...]

    def __init__(self, span: Span, name: StringLiteral, settings: tuple[Setting, ...]) -> None:
        _set_span(self, span)
        _set(self, "name", name)
        _set(self, "settings", settings)


class ServiceDecl(Node):
    """``service trello = catalog "trello" version "0.10.0"`` or ``service s = path "./bin/s"``.

    ``kind`` is ``"catalog"`` or ``"path"``; ``source`` is the catalog name or the path; ``version``
    may be None (the catalog's latest); ``schemas`` is an optional schema directory
    (``schemas "./schemas/s"``); ``image`` an optional container image for Kubernetes mode."""

    __slots__ = ("name", "kind", "source", "version", "schemas", "image")

    name: Identifier
    kind: str
    source: StringLiteral
    version: StringLiteral | None
    schemas: StringLiteral | None
    image: StringLiteral | None

    def __init__(
        self,
        span: Span,
        name: Identifier,
        kind: str,
        source: StringLiteral,
        version: StringLiteral | None = None,
        schemas: StringLiteral | None = None,
        image: StringLiteral | None = None,
    ) -> None:
        _set_span(self, span)
        _set(self, "name", name)
        _set(self, "kind", kind)
        _set(self, "source", source)
        _set(self, "version", version)
        _set(self, "schemas", schemas)
        _set(self, "image", image)


class ParamDecl(Node):
    """``param board: string = env("TRELLO_BOARD")``; ``default`` is None for a required param."""

    __slots__ = ("name", "type", "default")

    name: Identifier
    type: TypeRef
    default: Expression | None

    def __init__(self, span: Span, name: Identifier, type: TypeRef, default: Expression | None) -> None:
        _set_span(self, span)
        _set(self, "name", name)
        _set(self, "type", type)
        _set(self, "default", default)


class Parameter(Node):
    """A typed parameter of a ``condition`` or ``builder`` definition."""

    __slots__ = ("name", "type")

    name: Identifier
    type: TypeRef

    def __init__(self, span: Span, name: Identifier, type: TypeRef) -> None:
        _set_span(self, span)
        _set(self, "name", name)
        _set(self, "type", type)


class ConditionDecl(Node):
    """``condition done(name: string) = task(name).finished(success) [if guard]``."""

    __slots__ = ("name", "parameters", "condition", "guard")

    name: Identifier
    parameters: tuple[Parameter, ...]
    condition: ConditionExpr
    guard: Expression | None

    def __init__(
        self,
        span: Span,
        name: Identifier,
        parameters: tuple[Parameter, ...],
        condition: ConditionExpr,
        guard: Expression | None,
    ) -> None:
        _set_span(self, span)
        _set(self, "name", name)
        _set(self, "parameters", parameters)
        _set(self, "condition", condition)
        _set(self, "guard", guard)


class BuilderDecl(Node):
    """``builder archive(card: object) { ... }``: a named, parameterised block of statements."""

    __slots__ = ("name", "parameters", "body")

    name: Identifier
    parameters: tuple[Parameter, ...]
    body: tuple[Statement, ...]

    def __init__(
        self,
        span: Span,
        name: Identifier,
        parameters: tuple[Parameter, ...],
        body: tuple[Statement, ...],
    ) -> None:
        _set_span(self, span)
        _set(self, "name", name)
        _set(self, "parameters", parameters)
        _set(self, "body", body)


class ReactionDecl(Node):
    """``on condition [if guard] { body }``."""

    __slots__ = ("condition", "guard", "body")

    condition: ConditionExpr
    guard: Expression | None
    body: tuple[Statement, ...]

    def __init__(
        self,
        span: Span,
        condition: ConditionExpr,
        guard: Expression | None,
        body: tuple[Statement, ...],
    ) -> None:
        _set_span(self, span)
        _set(self, "condition", condition)
        _set(self, "guard", guard)
        _set(self, "body", body)


Declaration = PipelineDecl | ServiceDecl | ParamDecl | ConditionDecl | BuilderDecl | ReactionDecl


class Module(Node):
    """A whole `.oi` file."""

    __slots__ = ("declarations",)

    declarations: tuple[Declaration, ...]

    def __init__(self, span: Span, declarations: tuple[Declaration, ...]) -> None:
        _set_span(self, span)
        _set(self, "declarations", declarations)


# Binary operators that chain flat, by group: ``a + b - c`` is one chain, whose links are the ``Binary``
# nodes along its left operands; a left operand with an operator of another group is a nested value.
CHAIN_GROUPS = {
    "+": "sum",
    "-": "sum",
    "*": "product",
    "/": "product",
    "%": "product",
    "and": "and",
    "or": "or",
}


def continues_chain(node: Node, inner: Node) -> bool:
    """Whether ``inner`` (the left operand of a ``Binary``, the target of a ``Member`` or ``Index``)
    is the link before ``node`` in one flat chain: ``a + b`` in ``a + b - c``, ``x.a`` in ``x.a[0]``.
    Flat chains are not nesting: they may be as long as a file, and code that walks them must follow
    them with a loop (``chain_links``), not recurse along them."""
    kind = type(node)
    if kind is Binary:
        group = CHAIN_GROUPS.get(node.op)  # type: ignore[attr-defined]
        return group is not None and type(inner) is Binary and CHAIN_GROUPS.get(inner.op) == group  # type: ignore[attr-defined]
    if kind is Member or kind is Index:
        return type(inner) is Member or type(inner) is Index
    return False


def chain_links(node: Expression) -> tuple[Expression, list[Binary | Member | Index]]:
    """The flat chain that ``node`` ends: its first operand (or target) and its links in evaluation
    order, ``node`` last. A node that continues no chain is a chain of one link; any other node is
    a chain of none (``(node, [])``)."""
    if type(node) not in (Binary, Member, Index):
        return node, []
    links: list[Binary | Member | Index] = []
    current: Expression = node
    while True:
        links.append(current)  # type: ignore[arg-type]
        inner = current.left if type(current) is Binary else current.target  # type: ignore[union-attr]
        if not continues_chain(current, inner):
            links.reverse()
            return inner, links
        current = inner


def if_chain(node: IfStmt) -> tuple[list[IfStmt], tuple[Statement, ...]]:
    """An ``if`` statement and its ``else if`` chain: the ``IfStmt`` of each branch in order (the
    first is ``node``), and the statements of the final ``else`` (none without one). An ``else if``
    is an ``IfStmt`` alone in the ``otherwise`` of the one before, so a chain nests as deep as it is
    long: code that walks one follows it with this loop, not by recursion."""
    branches = [node]
    while len(node.otherwise) == 1 and isinstance(node.otherwise[0], IfStmt):
        node = node.otherwise[0]
        branches.append(node)
    return branches, node.otherwise


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree below and including ``node``, depth first, in source order.

    Iterative, so that deeply nested input cannot exhaust the Python stack."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(current.children())))
