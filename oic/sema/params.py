"""Param declarations: the scope each default is checked in, and what a default must be.

The binary binds params one at a time in declaration order (a ``--param`` flag, else the environment,
else the default), so a default may read the params declared *before* it and nothing else that
depends on the run: a param declared after it, or the param itself, is E0214, as are ``event``,
``tasks`` and ``pipeline``. A default must fit the param's type (E0310), and a default derived from a
secret makes a param that must be declared ``secret`` (or ``list[secret]``) (E0319), or the secret
would lose its taint. The binary redacts every string of a param whose type holds a secret, inside
lists too.
"""

from __future__ import annotations

from oic.sema import types as t
from oic.sema.expressions import ExpressionChecker
from oic.sema.reporter import Reporter
from oic.sema.resolve import Binding, Scope
from oic.syntax import ast


def check_param_defaults(
    params: dict[str, ast.ParamDecl],
    param_types: dict[str, t.Type],
    expressions: ExpressionChecker,
    reporter: Reporter,
) -> Scope:
    """Check every default; returns the scope with every param bound, for the rest of the file."""
    declared = Scope(runtime_values=False)
    names = list(params)
    for position, name in enumerate(names):
        declaration = params[name]
        if declaration.default is not None:
            scope = declared.child(place="a param default")
            scope.unavailable[name] = (f"the default of param {name!r} cannot use {name!r} itself", "")
            for later in names[position + 1 :]:
                scope.unavailable[later] = (
                    f"param {later!r} is declared after {name!r}: a default may use only the params "
                    "declared before it",
                    f"move the declaration of {later!r} above {name!r}",
                )
            _check_default(name, declaration.default, param_types[name], scope, expressions, reporter)
        declared.bindings[name] = Binding(name, param_types[name], "param", declaration.name.span)
    return declared


def _check_default(
    name: str,
    default: ast.Expression,
    expected: t.Type,
    scope: Scope,
    expressions: ExpressionChecker,
    reporter: Reporter,
) -> None:
    actual = expressions.type_of(default, scope)
    if not t.compatible(actual, expected):
        reporter.report(
            default.span,
            "E0310",
            f"the default of param {name!r} is {actual.describe()}, but the param is {expected.describe()}",
        )
    elif t.carries_secret(actual) and not t.carries_secret(expected):
        reporter.report(
            default.span,
            "E0319",
            f"the default of param {name!r} is derived from a secret, but the param is {expected.describe()}",
            "declare the param `secret`, so that its value stays redacted and out of task names",
        )
    if t.is_secret(expected) and isinstance(default, (ast.StringLiteral, ast.InterpolatedString)):
        if not t.is_secret(actual):
            reporter.report(
                default.span,
                "W0107",
                f"secret param {name!r} has a literal default, which is stored in the built binary",
                f'read it from the environment instead: `= env("{name.upper()}")`',
            )
