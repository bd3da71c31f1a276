"""Constant task arguments, checked against their field's schema before anything runs.

The type checker knows what a schema's types allow; the schema may say more: a ``format``
(``date-time``, ``uri``...), a ``pattern``, a ``minimum``, a ``minLength``... The engine checks all of
it before every call, so an argument whose value is known at compile time is checked here with the
same validator (``runtime/services/schemas.py``, asked through ``schema_verdicts``): a value the
engine would refuse is error E0317 at the value, with the validator's reason. A constant is a
literal (a string without interpolation, a number, possibly negated, ``true``, ``false``, ``null``)
or a list or object of constants.
"""

from __future__ import annotations

from typing import Any

from oic.sema.reporter import Reporter
from oic.sema.schema_verdicts import STORE
from oic.syntax import ast

# Deeper values are left to the engine: the parser's nesting limit is lower anyway.
_MAX_DEPTH = 256
_CONSTANT_NODES = (
    ast.StringLiteral,
    ast.NumberLiteral,
    ast.BoolLiteral,
    ast.NullLiteral,
    ast.Unary,
    ast.ListExpr,
    ast.ObjectExpr,
)


class _NotConstant(Exception):
    pass


def constant_value(expression: ast.Expression) -> tuple[bool, Any]:
    """``(True, value)`` when ``expression`` is a constant, else ``(False, None)``."""
    if not isinstance(expression, _CONSTANT_NODES):  # most arguments: answered without a walk
        return False, None
    try:
        return True, _value(expression, 0)
    except _NotConstant:
        return False, None


def _value(expression: ast.Expression, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise _NotConstant
    if isinstance(expression, (ast.StringLiteral, ast.NumberLiteral, ast.BoolLiteral)):
        return expression.value
    if isinstance(expression, ast.NullLiteral):
        return None
    if (
        isinstance(expression, ast.Unary)
        and expression.op == "-"
        and isinstance(expression.operand, ast.NumberLiteral)
    ):
        return -expression.operand.value
    if isinstance(expression, ast.ListExpr):
        return [_value(item, depth + 1) for item in expression.items]
    if isinstance(expression, ast.ObjectExpr):
        return {entry.key: _value(entry.value, depth + 1) for entry in expression.fields}
    raise _NotConstant


def check_constant_argument(
    reporter: Reporter,
    reported_before: int,
    arguments_schema: dict[str, Any],
    where: str,
    argument: ast.Argument,
) -> None:
    """Report E0317 when ``argument``'s value is a constant that ``arguments_schema`` refuses for its
    field. Nothing is checked when the type checker reported a problem with the argument already
    (``reporter`` holds more than ``reported_before`` diagnostics): one mistake, one error."""
    if len(reporter.diagnostics) > reported_before:
        return
    constant, value = constant_value(argument.value)
    if not constant:
        return
    violation = STORE.constant_violation(arguments_schema, argument.name, value)
    if violation is None:
        return
    steps, text = violation
    reporter.report(
        _part_at(argument.value, steps[1:]).span,
        "E0317",
        f"{where} would refuse this value: {text}",
        "the engine checks every call's arguments against the endpoint's schema before sending it",
    )


def _part_at(expression: ast.Expression, steps: tuple[Any, ...]) -> ast.Expression:
    """The part of a constant that a violation's path points to (as deep as the path can be followed)."""
    for step in steps:
        if (
            isinstance(expression, ast.ListExpr)
            and isinstance(step, int)
            and 0 <= step < len(expression.items)
        ):
            expression = expression.items[step]
        elif isinstance(expression, ast.ObjectExpr) and isinstance(step, str):
            matching = [entry.value for entry in expression.fields if entry.key == step]
            if not matching:
                break
            expression = matching[-1]
        else:
            break
    return expression
