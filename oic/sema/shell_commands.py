"""Warning W0111: a param, or text made from one, inside the command line that ``exec.command`` gives
to ``/bin/sh -c``.

The shell reads its command line as code: with ``Command: "echo ${greeting}"``, the value
``$(id -un)`` for ``greeting`` runs ``id``. A param comes from whoever runs the pipeline, so a param
(a secret param too, which a shell command line also shows in the process list) that is part of a
``Command`` is reported, with the ways out: ``Args``, the program and its arguments as a list, which
runs no shell, or ``quote(...)``, which makes the value one shell word.

What counts is a value that carries a param's text: the param itself, a ``let`` or loop variable
bound to one, a builder parameter that some call passes one to, and anything computed from those
that keeps their text (interpolation, ``+``, ``format``, ``join``, ``json``, members and elements...).
Numbers and booleans cannot change a command line and are not reported, nor is a ``Command`` that
is a param's value as a whole (``Command: build_command``: the pipeline runs the command line it is
given, as intended). The check runs over every reaction and builder after the bodies are checked.
"""

from __future__ import annotations

from oic.records import Record, set_field
from oic.sema import types as t
from oic.sema.reporter import Reporter
from oic.sema.resolve import Declarations
from oic.source import Span
from oic.syntax import ast
from runtime import stdlib

SHELL_SERVICE = "exec"
SHELL_ENDPOINT = "command"
SHELL_FIELD = "Command"
# Functions whose result carries no text of their arguments into a command line: those the standard
# library's table says hold none (len, contains, ...), env (its result is the environment's, not its
# argument's), and quote (its result is one shell word that reads back as its argument).
_NO_TEXT = frozenset(
    {function.name for function in stdlib.FUNCTIONS if function.secret == stdlib.NONE} | {"env", "quote"}
)
# Functions whose result is made of their arguments' own values (default, keys, values): a param's
# value stays whole.
_PASS_THROUGH = frozenset(function.name for function in stdlib.FUNCTIONS if function.secret == stdlib.KEPT)


class Origin(Record):
    """The param a value carries text from; ``whole``: the value is that param's value (or a part of
    it) as it is, not text made by combining it with other text."""

    __slots__ = ("param", "secret", "whole")

    param: str
    secret: bool
    whole: bool

    def __init__(self, param: str, secret: bool, whole: bool) -> None:
        set_field(self, "param", param)
        set_field(self, "secret", secret)
        set_field(self, "whole", whole)


def _join(origins: list[Origin | None], whole: bool) -> Origin | None:
    found = [origin for origin in origins if origin is not None]
    if not found:
        return None
    secret = next((origin for origin in found if origin.secret), None)
    first = secret or found[0]
    return Origin(first.param, first.secret, whole and all(origin.whole for origin in found))


Environment = dict[str, "Origin | None"]


class ShellCommandCheck:
    """Walks every reaction and builder of one file and reports W0111."""

    def __init__(self, table: Declarations, reporter: Reporter) -> None:
        self.table = table
        self.reporter = reporter
        self._builder_inputs: dict[str, list[Origin | None]] = {
            name: [None] * len(builder.parameters) for name, builder in table.builders.items()
        }
        self._reports: dict[tuple[int, int], tuple[Span, Origin]] = {}

    def run(self) -> None:
        # What builder parameters may carry grows with every pass until no call adds anything; each
        # pass can only add, so this ends after at most one pass per builder parameter.
        limit = 1 + sum(len(inputs) for inputs in self._builder_inputs.values())
        for _ in range(limit):
            before = {name: list(inputs) for name, inputs in self._builder_inputs.items()}
            self._walk_all()
            if before == self._builder_inputs:
                break
        for span, origin in sorted(self._reports.values(), key=lambda item: (item[0].line, item[0].column)):
            self._report(span, origin)

    def _walk_all(self) -> None:
        for reaction in self.table.reactions:
            self._block(reaction.body, {})
        for name, builder in self.table.builders.items():
            environment: Environment = {
                parameter.name.name: origin
                for parameter, origin in zip(builder.parameters, self._builder_inputs[name], strict=True)
            }
            self._block(builder.body, environment)

    # -- statements ----------------------------------------------------------------------------------

    def _block(self, body: tuple[ast.Statement, ...], outer: Environment) -> None:
        environment = dict(outer)
        for statement in body:
            if isinstance(statement, ast.LetStmt):
                environment[statement.name.name] = self._origin(statement.value, environment)
            elif isinstance(statement, ast.TaskStmt):
                self._task(statement.call, environment)
            elif isinstance(statement, ast.ForStmt):
                inner = dict(environment)
                inner[statement.variable.name] = self._origin(statement.iterable, environment)
                self._block(statement.body, inner)
            elif isinstance(statement, ast.IfStmt):
                self._block(statement.body, environment)
                self._block(statement.otherwise, environment)
            elif isinstance(statement, ast.BuilderCall):
                self._builder_call(statement, environment)

    def _builder_call(self, call: ast.BuilderCall, environment: Environment) -> None:
        inputs = self._builder_inputs.get(call.name.name)
        if inputs is None or len(inputs) != len(call.args):
            return  # reported by the body checker
        for position, argument in enumerate(call.args):
            origin = self._origin(argument, environment)
            if origin is not None:
                merged = _join([inputs[position], origin], whole=True)
                if merged != inputs[position]:
                    inputs[position] = merged

    def _task(self, call: ast.ServiceCall, environment: Environment) -> None:
        service = self.table.services.get(call.service.name)
        if service is None or service.kind != "catalog" or service.name != SHELL_SERVICE:
            return
        if call.endpoint.name != SHELL_ENDPOINT:
            return
        for argument in call.arguments:
            if argument.name != SHELL_FIELD:
                continue
            origins = self._origins(argument.value, environment)
            origin = origins.get(id(argument.value))
            if origin is not None and not origin.whole:
                span = _tainted_part(argument.value, origins)
                self._reports[(span.line, span.column)] = (span, origin)

    # -- expressions ---------------------------------------------------------------------------------

    def _origin(self, expression: ast.Expression, environment: Environment) -> Origin | None:
        return self._origins(expression, environment).get(id(expression))

    def _origins(self, expression: ast.Expression, environment: Environment) -> dict[int, Origin | None]:
        """The origin of ``expression`` and of each expression inside it, by ``id``. Iterative, so
        that long flat chains (``a + b + ... + z``) need no deep recursion."""
        results: dict[int, Origin | None] = {}
        stack: list[tuple[ast.Expression, bool]] = [(expression, False)]
        while stack:
            node, expanded = stack.pop()
            if isinstance(node, (ast.ListComprehension, ast.ObjectComprehension)):
                # Comprehensions nest only as deep as the checker's nesting limit allows.
                inner = dict(environment)
                inner[node.variable.name] = self._origin(node.iterable, environment)
                produced = (
                    [node.element] if isinstance(node, ast.ListComprehension) else [node.key, node.value]
                )
                results[id(node)] = _join([self._origin(part, inner) for part in produced], whole=False)
                continue
            children = _children(node)
            if children and not expanded:
                stack.append((node, True))
                stack.extend((child, False) for child in children)
                continue
            results[id(node)] = self._combine(
                node, [results.get(id(child)) for child in children], environment
            )
        return results

    def _combine(
        self, node: ast.Expression, inner: list[Origin | None], environment: Environment
    ) -> Origin | None:
        if isinstance(node, ast.Name):
            if node.name in environment:
                return environment[node.name]
            return self._param(node.name)
        if isinstance(node, (ast.Member, ast.Index)):
            return inner[0] if inner else None
        if isinstance(node, ast.InterpolatedString):
            return _join(inner, whole=len(node.parts) == 1)
        if isinstance(node, ast.Conditional):
            return _join(inner, whole=True)
        if isinstance(node, ast.Binary):
            return _join(inner, whole=False) if node.op == "+" else None
        if isinstance(node, ast.Call):
            name = node.function.name
            if name in _NO_TEXT:
                return None
            return _join(inner, whole=name in _PASS_THROUGH)
        if isinstance(node, (ast.ListExpr, ast.ObjectExpr)):
            return _join(inner, whole=False)
        return None  # literals, unary minus and not

    def _param(self, name: str) -> Origin | None:
        declaration = self.table.params.get(name)
        if declaration is None:
            return None  # event, tasks, pipeline, or an undefined name (reported elsewhere)
        if declaration.type.name not in t.WRITTEN_TYPE_NAMES:
            return None  # an unknown type (reported elsewhere): its values are not known
        kind = self.table.param_types.get(name, t.ANY)
        if not _can_carry_text(kind):
            return None
        return Origin(name, t.is_secret(kind), whole=True)

    def _report(self, span: Span, origin: Origin) -> None:
        if origin.secret:
            message = (
                f"secret param {origin.param!r} is interpolated into a shell command line, which the shell "
                "reads as code and the process list shows to every local user"
            )
        else:
            message = (
                f"param {origin.param!r} is interpolated into a shell command line, which the shell reads "
                "as code: a value such as $(id -un) would run"
            )
        hint = (
            "run the program without a shell: `Args: [program, arguments...]` passes each element as it "
            "is; or quote the value for the shell: `quote(...)`"
        )
        self.reporter.report(span, "W0111", message, hint)


def _children(node: ast.Expression) -> list[ast.Expression]:
    """The expressions whose text can flow into ``node``'s value (an index or a test cannot)."""
    if isinstance(node, ast.InterpolatedString):
        return list(node.parts)
    if isinstance(node, ast.ListExpr):
        return list(node.items)
    if isinstance(node, ast.ObjectExpr):
        return [field.value for field in node.fields]
    if isinstance(node, (ast.Member, ast.Index)):
        return [node.target]
    if isinstance(node, ast.Call):
        return list(node.args)
    if isinstance(node, ast.Binary):
        return [node.left, node.right]
    if isinstance(node, ast.Conditional):
        return [node.then, node.otherwise]
    return []


def _tainted_part(expression: ast.Expression, origins: dict[int, Origin | None]) -> Span:
    """The innermost part of ``expression`` that brings a param's text into it, for the caret."""
    node = expression
    while True:
        tainted = [child for child in _children(node) if origins.get(id(child)) is not None]
        if not tainted or isinstance(node, (ast.Member, ast.Index)):
            return node.span
        node = tainted[0]


def _can_carry_text(kind: t.Type) -> bool:
    if isinstance(kind, (t.NumberType, t.BoolType)):
        return False
    if isinstance(kind, t.ListType):
        return _can_carry_text(kind.element)
    return True


def check_shell_commands(table: Declarations, reporter: Reporter) -> None:
    """Report W0111 for every ``exec.command`` whose ``Command`` carries a param's text."""
    ShellCommandCheck(table, reporter).run()
