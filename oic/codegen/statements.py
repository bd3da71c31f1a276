"""Statements of reaction and builder bodies -> lines of Python.

A body runs with ``params``, ``event``, ``state`` and ``tasks_list`` in scope and appends the tasks it
builds to ``tasks_list``:

- ``let x = e`` -> ``let_3 = E`` (a fresh identifier per binding, so shadowing in an inner block can
  never overwrite an outer binding);
- ``for x in xs if c { ... }`` -> ``for loop_1 in iterate(XS, SITES[n]):`` + ``if not truthy(C): continue``;
- ``if c { ... } else if d { ... } else { ... }`` -> ``if truthy(C):`` / ``elif truthy(D):`` / ``else:``;
- ``task ...`` -> ``tasks_list.append(Task(TaskMetadata(...), TaskSpec(...)))`` with the arguments
  computed now, from the event and state being reacted to;
- a builder call -> ``builder_2(params, event, state, tasks_list, ARGS)``.
"""

from __future__ import annotations

from collections.abc import Sequence

from oic.codegen.expressions import ExpressionCompiler
from oic.codegen.markers import PyCode, join, literal
from oic.codegen.scope import CodegenError, Scope
from oic.sema.program import ResolvedService
from oic.syntax import ast

INDENT = "    "


class BodyCompiler:
    """Compiles statement blocks; ``services`` resolves the alias a task statement names."""

    def __init__(self, expressions: ExpressionCompiler, services: dict[str, ResolvedService]) -> None:
        self.expressions = expressions
        self.services = services

    def block(self, statements: tuple[ast.Statement, ...], scope: Scope, depth: int) -> list[PyCode]:
        """The lines of ``statements`` indented ``depth`` levels; ``pass`` when there are none."""
        lines: list[PyCode] = []
        for statement in statements:
            lines.extend(self.statement(statement, scope, depth))
        if not lines:
            lines.append(self._line(depth, "pass"))
        return lines

    def statement(self, node: ast.Statement, scope: Scope, depth: int) -> list[PyCode]:
        if isinstance(node, ast.LetStmt):
            value = self.expressions.expression(node.value, scope)
            variable = self.expressions.context.allocator.fresh("let")
            scope.bind(node.name.name, variable)
            return [self._line(depth, f"{variable.text} = {value.text}")]
        if isinstance(node, ast.ForStmt):
            return self._for(node, scope, depth)
        if isinstance(node, ast.IfStmt):
            return self._if(node, scope, depth)
        if isinstance(node, ast.TaskStmt):
            return self._task(node, scope, depth)
        if isinstance(node, ast.BuilderCall):
            function = self.expressions.context.builder_functions.get(node.name.name)
            if function is None:
                raise CodegenError(f"unknown builder at line {node.span.line}, column {node.span.column}")
            arguments = [self.expressions.expression(argument, scope) for argument in node.args]
            fixed = "params, event, state, tasks_list"
            rest = "".join(f", {argument.text}" for argument in arguments)
            return [self._line(depth, f"{function.text}({fixed}{rest})")]
        raise CodegenError(f"cannot generate code for statement {type(node).__name__}")

    def _if(self, node: ast.IfStmt, scope: Scope, depth: int) -> list[PyCode]:
        """An ``if`` and its ``else if`` chain (``ast.if_chain``) as one ``if``/``elif``/``else``."""
        lines: list[PyCode] = []
        branches, otherwise = ast.if_chain(node)
        for number, branch in enumerate(branches):
            test = self.expressions.test(branch.test, scope)
            lines.append(self._line(depth, f"{'elif' if number else 'if'} {test.text}:"))
            lines.extend(self.block(branch.body, scope.child(), depth + 1))
        if otherwise:
            lines.append(self._line(depth, "else:"))
            lines.extend(self.block(otherwise, scope.child(), depth + 1))
        return lines

    def _for(self, node: ast.ForStmt, scope: Scope, depth: int) -> list[PyCode]:
        expressions = self.expressions
        source = expressions.call_helper(
            "iterate", expressions.expression(node.iterable, scope), expressions.site(node.iterable.span)
        )
        variable = expressions.context.allocator.fresh("loop")
        inner = scope.child()
        inner.bind(node.variable.name, variable)
        lines = [self._line(depth, f"for {variable.text} in {source.text}:")]
        if node.condition is not None:
            test = expressions.test(node.condition, inner)
            lines.append(self._line(depth + 1, f"if not {test.text}:"))
            lines.append(self._line(depth + 2, "continue"))
        lines.extend(self.block(node.body, inner, depth + 1))
        return lines

    def _task(self, node: ast.TaskStmt, scope: Scope, depth: int) -> list[PyCode]:
        expressions = self.expressions
        service = self.services.get(node.call.service.name)
        if service is None:
            raise CodegenError(f"unknown service at line {node.span.line}, column {node.span.column}")
        task_name = expressions.call_helper(
            "task_name", expressions.expression(node.name, scope), expressions.site(node.name.span)
        )
        settings = node.settings
        timeout = literal(float(settings.timeout.seconds)) if settings.timeout is not None else literal(None)
        attempts = 1 + (int(settings.retries.value) if settings.retries is not None else 0)
        backoff = float(settings.backoff.seconds) if settings.backoff is not None else 0.0
        retry_policy = expressions.use("RetryPolicy").text
        retry = PyCode(f"{retry_policy}(attempts={literal(attempts).text}, backoff={literal(backoff).text})")
        reusable = literal(bool(node.reusable))
        metadata = PyCode(
            f"{expressions.use('TaskMetadata').text}({task_name.text}, reusable={reusable.text}, "
            f"timeout={timeout.text}, retry={retry.text})"
        )
        argument_lines = [
            self._line(
                depth + 2,
                f"{expressions.use('Argument').text}({literal(argument.name).text}, "
                f"{expressions.expression(argument.value, scope).text}),",
            )
            for argument in node.call.arguments
        ]
        alias, endpoint = literal(service.alias), literal(node.call.endpoint.name)
        spec_head = f"{expressions.use('TaskSpec').text}({alias.text}, {endpoint.text}, "
        lines = [
            self._line(depth, f"tasks_list.append({expressions.use('Task').text}("),
            self._line(depth + 1, f"{metadata.text},"),
        ]
        if argument_lines:
            lines.append(self._line(depth + 1, spec_head + "("))
            lines.extend(argument_lines)
            lines.append(self._line(depth + 1, ")),"))
        else:
            lines.append(self._line(depth + 1, spec_head + "()),"))
        lines.append(self._line(depth, "))"))
        return lines

    @staticmethod
    def _line(depth: int, text: str) -> PyCode:
        return PyCode(INDENT * depth + text)


def parameters(names: Sequence[PyCode]) -> PyCode:
    """A parameter list: ``params, local_0, local_1``."""
    return join(", ", names)
