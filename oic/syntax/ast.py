"""The abstract syntax tree of a `.oi` file.

Frozen dataclasses, one per construct, each with the ``span`` of the text it came from. Nodes hold
decoded values (a ``StringLiteral`` holds the string it denotes, escapes resolved; a ``NumberLiteral``
its int or float) and no behaviour beyond ``children()``, which walks the tree for visitors.

The tree of a whole file is a ``Module``: an ordered tuple of declarations.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields

from oic.source import Span


@dataclass(frozen=True)
class Node:
    """Base of every node; ``span`` covers the node's whole text."""

    span: Span

    def children(self) -> Iterator[Node]:
        """The direct child nodes, in source order."""
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, Node):
                yield value
            elif isinstance(value, tuple):
                for item in value:
                    if isinstance(item, Node):
                        yield item
                    elif isinstance(item, tuple):  # (key, value) pairs
                        yield from (part for part in item if isinstance(part, Node))


@dataclass(frozen=True)
class Identifier(Node):
    """A name as written at a declaration or a use site (``trello``, ``cards``)."""

    name: str


# ---------------------------------------------------------------------------------------------------
# Expressions


@dataclass(frozen=True)
class StringLiteral(Node):
    """A string without interpolation; ``value`` is decoded (escapes resolved)."""

    value: str


@dataclass(frozen=True)
class InterpolatedString(Node):
    """``"archive-${c.id}"``: ``parts`` alternate between decoded text (``StringLiteral``) and
    embedded expressions, in order; the value is their concatenation, each expression rendered as
    text (strings as is, other values as JSON)."""

    parts: tuple[Expression, ...]


@dataclass(frozen=True)
class NumberLiteral(Node):
    """``3``, ``2.5``, ``1e3``: an int when written without a fraction or exponent, else a float."""

    value: int | float


@dataclass(frozen=True)
class BoolLiteral(Node):
    value: bool


@dataclass(frozen=True)
class NullLiteral(Node):
    pass


@dataclass(frozen=True)
class ListExpr(Node):
    """``[a, b, c]``."""

    items: tuple[Expression, ...]


@dataclass(frozen=True)
class ObjectField(Node):
    """One ``key: value`` entry of an object; ``key`` is the decoded key (bare or quoted);
    ``key_span`` locates the key alone."""

    key: str
    key_span: Span
    value: Expression


@dataclass(frozen=True)
class ObjectExpr(Node):
    """``{id: c.id, "display name": c.name}``."""

    fields: tuple[ObjectField, ...]


@dataclass(frozen=True)
class Name(Node):
    """A reference to a param, ``let`` binding, loop variable, definition parameter, or one of the
    built-in values ``event``, ``tasks`` and ``pipeline``."""

    name: str


@dataclass(frozen=True)
class Member(Node):
    """``target.name``: a field of an object (task outputs, the event, params of type object)."""

    target: Expression
    name: str
    name_span: Span


@dataclass(frozen=True)
class Index(Node):
    """``target[index]``: a list element or an object field by computed key (``tasks["fetch"]``)."""

    target: Expression
    index: Expression


@dataclass(frozen=True)
class Call(Node):
    """``len(xs)``, ``env("HOME", "/")``: a call of a standard-library function by name."""

    function: Identifier
    args: tuple[Expression, ...]


@dataclass(frozen=True)
class Unary(Node):
    """``not x`` or ``-x``; ``op`` is ``"not"`` or ``"-"``."""

    op: str
    operand: Expression


@dataclass(frozen=True)
class Binary(Node):
    """``left op right``; ``op`` is one of ``or and == != < <= > >= in + - * / %``."""

    op: str
    left: Expression
    right: Expression


@dataclass(frozen=True)
class Conditional(Node):
    """``then if test else otherwise``."""

    test: Expression
    then: Expression
    otherwise: Expression


@dataclass(frozen=True)
class ListComprehension(Node):
    """``[for x in xs if cond: expr]``; ``condition`` may be None."""

    variable: Identifier
    iterable: Expression
    condition: Expression | None
    element: Expression


@dataclass(frozen=True)
class ObjectComprehension(Node):
    """``{for x in xs if cond: key => value}``; ``condition`` may be None."""

    variable: Identifier
    iterable: Expression
    condition: Expression | None
    key: Expression
    value: Expression


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


@dataclass(frozen=True)
class TypeRef(Node):
    """A written type: ``string``, ``number``, ``bool``, ``secret``, ``list``, ``object``, ``any``;
    ``element`` is the item type of ``list[string]`` (None for a plain ``list``)."""

    name: str
    element: TypeRef | None = None


# ---------------------------------------------------------------------------------------------------
# Conditions (the part of `on ... {` before the block)


@dataclass(frozen=True)
class EngineStarted(Node):
    """``engine.started``."""


@dataclass(frozen=True)
class TaskCondition(Node):
    """``task("name").started``, ``task("name").finished``, ``task("name").finished(success)``,
    ``task("name").reported("progress")``.

    ``task`` is the name expression (a string literal, or an interpolation over definition
    parameters); ``kind`` is ``"started"``, ``"finished"`` or ``"reported"``; ``status`` is
    ``"success"`` or ``"failed"`` for a finished condition with a status, else None; ``event_name``
    is the reported event's name expression for ``reported``, else None."""

    task: Expression
    kind: str
    status: str | None = None
    event_name: Expression | None = None


@dataclass(frozen=True)
class ConditionRef(Node):
    """``done("fetch")``: a use of a named ``condition`` definition with arguments."""

    name: Identifier
    args: tuple[Expression, ...]


@dataclass(frozen=True)
class AllOf(Node):
    """``a and b and c``."""

    operands: tuple[ConditionExpr, ...]


@dataclass(frozen=True)
class AnyOf(Node):
    """``a or b or c``."""

    operands: tuple[ConditionExpr, ...]


@dataclass(frozen=True)
class NotCondition(Node):
    """``not a``."""

    operand: ConditionExpr


ConditionExpr = EngineStarted | TaskCondition | ConditionRef | AllOf | AnyOf | NotCondition


# ---------------------------------------------------------------------------------------------------
# Statements (the bodies of reactions and builders)


@dataclass(frozen=True)
class Argument(Node):
    """``Board: board`` in a service call; ``name_span`` locates the field name alone."""

    name: str
    name_span: Span
    value: Expression


@dataclass(frozen=True)
class ServiceCall(Node):
    """``trello.getcards(Board: board, ...)``."""

    service: Identifier
    endpoint: Identifier
    arguments: tuple[Argument, ...]


@dataclass(frozen=True)
class Duration(Node):
    """``30s``, ``500ms``, ``2m``, ``1h``; ``seconds`` is the decoded length."""

    seconds: float


@dataclass(frozen=True)
class TaskSettings(Node):
    """The optional clauses after a call: ``timeout 30s retry 3 backoff 2s``. Absent ones are None."""

    timeout: Duration | None = None
    retries: NumberLiteral | None = None
    backoff: Duration | None = None


@dataclass(frozen=True)
class TaskStmt(Node):
    """``task "name" [reusable] = service.endpoint(args) [settings]``: builds one task."""

    name: Expression
    reusable: bool
    call: ServiceCall
    settings: TaskSettings


@dataclass(frozen=True)
class LetStmt(Node):
    """``let name = value``: binds a name for the rest of the enclosing block."""

    name: Identifier
    value: Expression


@dataclass(frozen=True)
class ForStmt(Node):
    """``for x in xs [if cond] { body }``: runs the body once per element."""

    variable: Identifier
    iterable: Expression
    condition: Expression | None
    body: tuple[Statement, ...]


@dataclass(frozen=True)
class IfStmt(Node):
    """``if cond { body } [else { otherwise }]``; ``otherwise`` is empty when there is no else."""

    test: Expression
    body: tuple[Statement, ...]
    otherwise: tuple[Statement, ...]


@dataclass(frozen=True)
class BuilderCall(Node):
    """``archive(c)``: runs a named ``builder`` definition, adding the tasks it builds."""

    name: Identifier
    args: tuple[Expression, ...]


Statement = TaskStmt | LetStmt | ForStmt | IfStmt | BuilderCall


# ---------------------------------------------------------------------------------------------------
# Declarations (top level)


@dataclass(frozen=True)
class Setting(Node):
    """``os = "linux"`` inside the pipeline block; ``timeout = 10m`` gives a ``Duration``."""

    name: Identifier
    value: Expression | Duration


@dataclass(frozen=True)
class PipelineDecl(Node):
    """``pipeline "name" { os = "linux" arch = "amd64" }``: name and settings
    (``os``, ``arch``, ``parallelism``, ``timeout``)."""

    name: StringLiteral
    settings: tuple[Setting, ...]


@dataclass(frozen=True)
class ServiceDecl(Node):
    """``service trello = catalog "trello" version "0.10.0"`` or ``service s = path "./bin/s"``.

    ``kind`` is ``"catalog"`` or ``"path"``; ``source`` is the catalog name or the path; ``version``
    may be None (the catalog's latest); ``schemas`` is an optional schema directory
    (``schemas "./schemas/s"``); ``image`` an optional container image for Kubernetes mode."""

    name: Identifier
    kind: str
    source: StringLiteral
    version: StringLiteral | None = None
    schemas: StringLiteral | None = None
    image: StringLiteral | None = None


@dataclass(frozen=True)
class ParamDecl(Node):
    """``param board: string = env("TRELLO_BOARD")``; ``default`` is None for a required param."""

    name: Identifier
    type: TypeRef
    default: Expression | None


@dataclass(frozen=True)
class Parameter(Node):
    """A typed parameter of a ``condition`` or ``builder`` definition."""

    name: Identifier
    type: TypeRef


@dataclass(frozen=True)
class ConditionDecl(Node):
    """``condition done(name: string) = task(name).finished(success) [if guard]``."""

    name: Identifier
    parameters: tuple[Parameter, ...]
    condition: ConditionExpr
    guard: Expression | None


@dataclass(frozen=True)
class BuilderDecl(Node):
    """``builder archive(card: object) { ... }``: a named, parameterised block of statements."""

    name: Identifier
    parameters: tuple[Parameter, ...]
    body: tuple[Statement, ...]


@dataclass(frozen=True)
class ReactionDecl(Node):
    """``on condition [if guard] { body }``."""

    condition: ConditionExpr
    guard: Expression | None
    body: tuple[Statement, ...]


Declaration = PipelineDecl | ServiceDecl | ParamDecl | ConditionDecl | BuilderDecl | ReactionDecl


@dataclass(frozen=True)
class Module(Node):
    """A whole `.oi` file."""

    declarations: tuple[Declaration, ...]


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree below and including ``node``, depth first, in source order.

    Iterative, so that deeply nested input cannot exhaust the Python stack."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(current.children())))
