"""Expressions and conditions of the AST -> Python expressions on ``runtime.expressions`` helpers.

Each construct becomes one call whose meaning is defined at run time by the helper, with the site of
the construct as an argument, so that a failure names the `.oi` position: ``a.b`` becomes
``get_member(A, 'b', SITES[4])`` (``get_optional_member`` where the checker found the field optional:
null when absent), ``a + b`` becomes ``add(A, B, SITES[5])``. Only constructs whose
meaning is plain Python stay plain: list and object literals, ``x if c else y`` (with ``truthy(c)``),
comprehensions (over ``iterate(xs, site)``).

A flat chain (``a + b - c``, ``x.a[0].b``) becomes one ``fold`` with a step per link, and ``a and b
and c`` one Python ``and``: the generated code nests only where the `.oi` code nests, which keeps it
within CPython's limits (see ``oic.syntax.limits``).

User names never appear as Python identifiers: a ``let``, a loop variable, a definition parameter is
looked up in the ``Scope`` and denoted by its synthesized name; a param is ``params['name']``, with
the name as a string literal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oic.codegen.markers import PyCode, PyName, join, literal, name
from oic.codegen.scope import CodegenError, ImportSet, NameAllocator, Scope, SiteTable
from oic.source import Span
from oic.syntax import ast
from runtime import stdlib

# Binary operators whose helper takes (left, right, site).
_CHECKED_OPERATORS = {
    "+": "add",
    "-": "subtract",
    "*": "multiply",
    "/": "divide",
    "%": "modulo",
    "<": "less",
    "<=": "less_equal",
    ">": "greater",
    ">=": "greater_equal",
}

# Task statuses as the language writes them -> the runtime's constants.
_STATUS_CONSTANTS = {"success": "TASK_STATUS_SUCCESS", "failed": "TASK_STATUS_FAILED"}


@dataclass
class ModuleContext:
    """What every part of one generated module shares: identifiers, imports, sites, and the
    program-level names (params, named conditions and builders) mapped to generated code."""

    allocator: NameAllocator
    imports: ImportSet
    sites: SiteTable
    params: frozenset[str]
    pipeline_value: PyName
    condition_functions: dict[str, PyName] = field(default_factory=dict)
    builder_functions: dict[str, PyName] = field(default_factory=dict)
    # Ids of the field reads the checker found may miss their field (``CheckedProgram.optional_reads``).
    optional_reads: frozenset[int] = frozenset()


class ExpressionCompiler:
    """Compiles expressions and conditions within one ``ModuleContext``."""

    def __init__(self, context: ModuleContext) -> None:
        self.context = context

    def use(self, exported_name: str) -> PyName:
        return self.context.imports.use(exported_name)

    def site(self, span: Span) -> PyCode:
        return self.context.sites.site(span)

    # -- expressions --------------------------------------------------------------------------------

    def expression(self, node: ast.Expression, scope: Scope) -> PyCode:
        method = getattr(self, f"_expr_{type(node).__name__}", None)
        if method is None:
            raise CodegenError(f"cannot generate code for expression {type(node).__name__}")
        code: PyCode = method(node, scope)
        return code

    def _expr_StringLiteral(self, node: ast.StringLiteral, scope: Scope) -> PyCode:
        return literal(node.value)

    def _expr_NumberLiteral(self, node: ast.NumberLiteral, scope: Scope) -> PyCode:
        return literal(node.value)

    def _expr_BoolLiteral(self, node: ast.BoolLiteral, scope: Scope) -> PyCode:
        return literal(bool(node.value))

    def _expr_NullLiteral(self, node: ast.NullLiteral, scope: Scope) -> PyCode:
        return literal(None)

    def _expr_InterpolatedString(self, node: ast.InterpolatedString, scope: Scope) -> PyCode:
        parts = [self.expression(part, scope) for part in node.parts]
        return self.call_helper("interpolate", *parts)

    def _expr_ListExpr(self, node: ast.ListExpr, scope: Scope) -> PyCode:
        return PyCode("[" + join(", ", [self.expression(item, scope) for item in node.items]).text + "]")

    def _expr_ObjectExpr(self, node: ast.ObjectExpr, scope: Scope) -> PyCode:
        entries = [
            PyCode(f"{literal(entry.key).text}: {self.expression(entry.value, scope).text}")
            for entry in node.fields
        ]
        return PyCode("{" + join(", ", entries).text + "}")

    def _expr_Name(self, node: ast.Name, scope: Scope) -> PyCode:
        local = scope.lookup(node.name)
        if local is not None:
            return local
        if node.name in self.context.params:
            return PyCode(f"params[{literal(node.name).text}]")
        if scope.runtime_values:
            if node.name == "event":
                return self.call_helper("event_value", name("event"))
            if node.name == "tasks":
                return self.call_helper("tasks_value", name("state"))
            if node.name == "pipeline":
                return self.context.pipeline_value
        raise CodegenError(f"unresolved name at line {node.span.line}, column {node.span.column}")

    def _expr_Member(self, node: ast.Member, scope: Scope) -> PyCode:
        return self._chain(node, scope)

    def _expr_Index(self, node: ast.Index, scope: Scope) -> PyCode:
        return self._chain(node, scope)

    def _chain(self, node: ast.Binary | ast.Member | ast.Index, scope: Scope) -> PyCode:
        """A flat chain (``ast.chain_links``): one link is one helper call, ``add(A, B, SITES[1])``;
        more are one ``fold(A, (add, B, SITES[1]), (subtract, C, SITES[2]), ...)``, flat however
        long the chain, with the site of each link as its own."""
        base, links = ast.chain_links(node)
        value = self.expression(base, scope)
        steps = [self._step(link, scope) for link in links]
        if len(steps) == 1:
            helper, operand, site = steps[0]
            return self.call_helper(helper, value, operand, site)
        folded = [
            PyCode(f"({self.use(helper).text}, {operand.text}, {site.text})")
            for helper, operand, site in steps
        ]
        return self.call_helper("fold", value, *folded)

    def _step(self, link: ast.Binary | ast.Member | ast.Index, scope: Scope) -> tuple[str, PyCode, PyCode]:
        """The helper, operand and site of one link of a chain."""
        optional = id(link) in self.context.optional_reads
        if isinstance(link, ast.Member):
            member = "get_optional_member" if optional else "get_member"
            return member, literal(link.name), self.site(link.name_span)
        if isinstance(link, ast.Index):
            if optional and isinstance(link.index, ast.StringLiteral):
                # An optional field read by its quoted name: null when absent, as `a.b` would be.
                return "get_optional_member", literal(link.index.value), self.site(link.index.span)
            return "get_index", self.expression(link.index, scope), self.site(link.index.span)
        helper = _CHECKED_OPERATORS.get(link.op)
        if helper is None:
            raise CodegenError(f"unknown operator at line {link.span.line}, column {link.span.column}")
        return helper, self.expression(link.right, scope), self.site(link.span)

    def _expr_Call(self, node: ast.Call, scope: Scope) -> PyCode:
        function = stdlib.FUNCTIONS_BY_NAME.get(node.function.name)
        if function is None:
            raise CodegenError(f"unknown function at line {node.span.line}, column {node.span.column}")
        if not function.accepts(len(node.args)):
            raise CodegenError(
                f"wrong number of arguments at line {node.span.line}, column {node.span.column}"
            )
        arguments = [self.expression(argument, scope) for argument in node.args]
        return self.call_helper(function.helper, self.site(node.function.span), *arguments)

    def _expr_Unary(self, node: ast.Unary, scope: Scope) -> PyCode:
        operand = self.expression(node.operand, scope)
        if node.op == "not":
            return PyCode(f"(not {self._as_test(node.operand, operand).text})")
        if node.op == "-":
            return self.call_helper("negate", operand, self.site(node.span))
        raise CodegenError(f"unknown unary operator at line {node.span.line}")

    def _expr_Binary(self, node: ast.Binary, scope: Scope) -> PyCode:
        if node.op in ("and", "or"):
            # One Python `and`/`or` for the whole chain: `(A and B and C)`, flat however long.
            base, links = ast.chain_links(node)
            operands = [base, *[link.right for link in links]]  # type: ignore[union-attr]
            tests = [self.test(operand, scope) for operand in operands]
            return PyCode("(" + join(f" {node.op} ", tests).text + ")")
        if node.op in _CHECKED_OPERATORS:
            return self._chain(node, scope)
        left = self.expression(node.left, scope)
        right = self.expression(node.right, scope)
        if node.op == "==":
            return self.call_helper("equal", left, right)
        if node.op == "!=":
            return self.call_helper("not_equal", left, right)
        if node.op == "in":
            return self.call_helper("is_in", left, right, self.site(node.span))
        raise CodegenError(f"unknown operator at line {node.span.line}, column {node.span.column}")

    def _expr_Conditional(self, node: ast.Conditional, scope: Scope) -> PyCode:
        test = self.test(node.test, scope)
        then = self.expression(node.then, scope)
        otherwise = self.expression(node.otherwise, scope)
        return PyCode(f"({then.text} if {test.text} else {otherwise.text})")

    def _comprehension_head(
        self,
        variable: ast.Identifier,
        iterable: ast.Expression,
        condition: ast.Expression | None,
        scope: Scope,
    ) -> tuple[Scope, str]:
        source = self.call_helper("iterate", self.expression(iterable, scope), self.site(iterable.span))
        loop_name = self.context.allocator.fresh("item")
        inner = scope.child()
        inner.bind(variable.name, loop_name)
        head = f" for {loop_name.text} in {source.text}"
        if condition is not None:
            head += f" if {self.test(condition, inner).text}"
        return inner, head

    def _expr_ListComprehension(self, node: ast.ListComprehension, scope: Scope) -> PyCode:
        inner, head = self._comprehension_head(node.variable, node.iterable, node.condition, scope)
        element = self.expression(node.element, inner)
        return PyCode(f"[{element.text}{head}]")

    def _expr_ObjectComprehension(self, node: ast.ObjectComprehension, scope: Scope) -> PyCode:
        inner, head = self._comprehension_head(node.variable, node.iterable, node.condition, scope)
        key = self.call_helper("object_key", self.expression(node.key, inner), self.site(node.key.span))
        value = self.expression(node.value, inner)
        return PyCode(f"{{{key.text}: {value.text}{head}}}")

    def truth(self, value: PyCode) -> PyCode:
        """``value`` as a Python bool by the language's truthiness."""
        return self.call_helper("truthy", value)

    def test(self, node: ast.Expression, scope: Scope) -> PyCode:
        """``node`` as a Python bool; comparisons and logic already are one, so they are not wrapped."""
        value = self.expression(node, scope)
        if _is_boolean(node):
            return value
        return self.truth(value)

    def _as_test(self, node: ast.Expression, value: PyCode) -> PyCode:
        return value if _is_boolean(node) else self.truth(value)

    def call_helper(self, helper: str, *arguments: PyCode) -> PyCode:
        return PyCode(f"{self.use(helper).text}({join(', ', list(arguments)).text})")

    # -- conditions -----------------------------------------------------------------------------------

    def condition(self, node: ast.ConditionExpr, scope: Scope) -> PyCode:
        """The code that builds the ``runtime.conditions`` object for ``node`` (evaluated once, when the
        pipeline is built: task names may depend on params and definition parameters only)."""
        if isinstance(node, ast.EngineStarted):
            return self.use("engine_started")
        if isinstance(node, ast.TaskCondition):
            task = self.call_helper("task_name", self.expression(node.task, scope), self.site(node.task.span))
            if node.kind == "started":
                return self.call_helper("task_started", task)
            if node.kind == "finished" and node.status is None:
                return self.call_helper("task_finished", task)
            if node.kind == "finished" and node.status in _STATUS_CONSTANTS:
                return self.call_helper(
                    "task_finished_with_status", task, self.use(_STATUS_CONSTANTS[node.status])
                )
            if node.kind == "reported" and node.event_name is not None:
                event_name = self.expression(node.event_name, scope)
                return self.call_helper("task_event_reported", task, event_name)
            raise CodegenError(f"unknown task condition at line {node.span.line}, column {node.span.column}")
        if isinstance(node, ast.ConditionRef):
            function = self.context.condition_functions.get(node.name.name)
            if function is None:
                raise CodegenError(f"unknown condition at line {node.span.line}, column {node.span.column}")
            arguments = [self.expression(argument, scope) for argument in node.args]
            return PyCode(f"{function.text}({join(', ', [name('params'), *arguments]).text})")
        if isinstance(node, ast.AllOf):
            return self.call_helper("all_of", *[self.condition(operand, scope) for operand in node.operands])
        if isinstance(node, ast.AnyOf):
            return self.call_helper("any_of", *[self.condition(operand, scope) for operand in node.operands])
        if isinstance(node, ast.NotCondition):
            return self.call_helper("not_", self.condition(node.operand, scope))
        raise CodegenError(f"cannot generate code for condition {type(node).__name__}")

    def guarded(self, condition: PyCode, guard: ast.Expression | None, scope: Scope) -> PyCode:
        """``condition``, wrapped so that it holds only when ``guard`` does (evaluated per event)."""
        if guard is None:
            return condition
        guard_scope = scope.child(runtime_values=True)
        test = self.test(guard, guard_scope)
        return self.call_helper("guarded", condition, PyCode(f"lambda event, state: {test.text}"))


_BOOLEAN_OPERATORS = frozenset(("and", "or", "==", "!=", "<", "<=", ">", ">=", "in"))


def _is_boolean(node: ast.Expression) -> bool:
    """Whether the code for ``node`` always yields a Python bool."""
    if isinstance(node, ast.Binary):
        return node.op in _BOOLEAN_OPERATORS
    if isinstance(node, ast.Unary):
        return node.op == "not"
    return isinstance(node, ast.BoolLiteral)
