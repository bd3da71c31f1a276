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

from collections.abc import Iterator, Mapping

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
    positions = {name: position for position, name in enumerate(params)}
    for name, declaration in params.items():
        if declaration.default is not None:
            scope = declared.child(place="a param default")
            scope.unavailable = _NotYetDeclared(name, positions)
            _check_default(name, declaration.default, param_types[name], scope, expressions, reporter)
        declared.bindings[name] = Binding(name, param_types[name], "param", declaration.name.span)
    return declared


class _NotYetDeclared(Mapping[str, tuple[str, str]]):
    """The params a default may not use: its own param and every param declared after it, with the
    message and hint for each. Computed on lookup, from each param's position, so that checking the
    defaults of n params costs n lookups, not n * n entries written ahead of them."""

    def __init__(self, param: str, positions: dict[str, int]) -> None:
        self._param = param
        self._positions = positions

    def __getitem__(self, name: str) -> tuple[str, str]:
        if name == self._param:
            return (f"the default of param {name!r} cannot use {name!r} itself", "")
        if self._positions.get(name, -1) > self._positions[self._param]:
            return (
                f"param {name!r} is declared after {self._param!r}: a default may use only the params "
                "declared before it",
                f"move the declaration of {name!r} above {self._param!r}",
            )
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        own = self._positions[self._param]
        return (name for name, position in self._positions.items() if position >= own)

    def __len__(self) -> int:
        return len(self._positions) - self._positions[self._param]


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
