"""What a test proves: the knowledge gained where a test is known to be true, or false.

``prove(test, values)`` returns two ``Proof``s, for the test true and for it false. The checker uses
them where a test guards code: the branches of ``if`` and of ``x if c else y``, the right operand of
``and`` (runs only when the left is true) and ``or`` (only when it is false), the filter of a loop
or a comprehension, and a reaction's guard. The rules:

- ``tasks["b"].status == "success"`` proves that b's latest finished run succeeded; ``"failed"``
  that it failed; ``"running"`` that a run started. ``!=`` proves the same when false.
- ``p != null`` proves the path ``p`` (a ``let`` name, a loop variable, a param, ``event`` or
  ``tasks["b"]``, followed by ``.field`` or ``["field"]``) is not null; ``p == null`` when false; a
  bare ``p`` used as a test proves it when true (null is false).
- ``a and b`` true proves what each proves true; false, what both prove false (``or`` the other
  way round); ``not a`` swaps.

Anything else proves nothing. Tests are read as written, without evaluating anything, which is
sound because values never change while one reaction or guard runs.
"""

from __future__ import annotations

from oic.sema.knowledge import FAILED, NOTHING, STARTED, SUCCESS, Facts, Path, Proof, TaskKey
from oic.sema.task_index import static_text
from oic.syntax import ast

# Status words and what a test that a task's status is that word proves.
_STATUS_LEVELS = {"success": SUCCESS, "failed": FAILED, "running": STARTED}


def task_key(expression: ast.Expression, values: dict[str, TaskKey] | None) -> TaskKey | None:
    """The task a name expression denotes, when it is known without running anything: a literal
    (or an interpolation of literals and known values), or a definition parameter in ``values``."""
    if isinstance(expression, ast.Name) and values is not None and expression.name in values:
        return values[expression.name]
    texts = {name: key for name, key in (values or {}).items() if isinstance(key, str)}
    return static_text(expression, texts)


def task_read(expression: ast.Expression) -> ast.Expression | None:
    """The name expression of ``tasks[NAME]``, or None when ``expression`` is not such a read."""
    if (
        isinstance(expression, ast.Index)
        and isinstance(expression.target, ast.Name)
        and expression.target.name == "tasks"
    ):
        return expression.index
    return None


def path_of(expression: ast.Expression, values: dict[str, TaskKey] | None = None) -> Path | None:
    """The path ``expression`` reads, or None when it reads something else (a call, an operator)."""
    fields: list[str] = []
    current = expression
    while True:
        name = task_read(current)
        if name is not None:
            key = task_key(name, values)
            return None if key is None else (("tasks", key), *reversed(fields))
        if isinstance(current, ast.Member):
            fields.append(current.name)
            current = current.target
        elif isinstance(current, ast.Index) and isinstance(current.index, ast.StringLiteral):
            fields.append(current.index.value)
            current = current.target
        elif isinstance(current, ast.Name):
            if current.name == "tasks":
                return None
            builtin = current.name in ("event", "pipeline")
            root: tuple[str, ...] = (current.name,) if builtin else ("name", current.name)
            return (root, *reversed(fields))
        else:
            return None


def prove(
    test: ast.Expression,
    values: dict[str, TaskKey] | None = None,
    memo: dict[int, tuple[Proof, Proof]] | None = None,
) -> tuple[Proof, Proof]:
    """What ``test`` proves when true, and when false. ``memo`` (by node) keeps the proofs of the
    `and`/`or` chains proven so far: the checker proves each link's left side in turn, innermost
    first, and with it each proof extends the one before instead of walking the chain again (a chain
    may be as long as the file). A node is always proven with the same ``values``, as it is typed in
    one scope."""
    if isinstance(test, ast.Unary) and test.op == "not":
        when_true, when_false = prove(test.operand, values, memo)
        return when_false, when_true
    if isinstance(test, ast.Binary):
        if test.op in ("and", "or"):
            # A flat chain `a and b and c` is folded from the left, without recursing down the chain,
            # from the longest part of it already proven.
            operands, known = _chain(test, test.op, memo)
            if known is None:
                when_true, when_false = prove(operands[0], values, memo)
                operands = operands[1:]
            else:
                when_true, when_false = known
            for operand in operands:
                right_true, right_false = prove(operand, values, memo)
                # The right operand runs only when the left one did not decide: `a and b` is false
                # when a is false, or when a is true and b false.
                if test.op == "and":
                    when_true, when_false = (
                        when_true.join(right_true),
                        when_false.meet(when_true.join(right_false)),
                    )
                else:
                    when_true, when_false = (
                        when_true.meet(when_false.join(right_true)),
                        when_false.join(right_false),
                    )
            if memo is not None:
                memo[id(test)] = (when_true, when_false)
            return when_true, when_false
        if test.op in ("==", "!="):
            equal = _prove_equal(test.left, test.right, values) or _prove_equal(test.right, test.left, values)
            if equal is None:
                return NOTHING, NOTHING
            when_equal, when_unequal = equal
            return (when_equal, when_unequal) if test.op == "==" else (when_unequal, when_equal)
        return NOTHING, NOTHING
    path = path_of(test, values)
    if path is not None:
        return Proof(non_null=frozenset({path})), NOTHING
    return NOTHING, NOTHING


def _chain(
    test: ast.Binary, op: str, memo: dict[int, tuple[Proof, Proof]] | None
) -> tuple[list[ast.Expression], tuple[Proof, Proof] | None]:
    """The operands of a left-leaning chain of ``op``: ``((a and b) and c)`` -> ``[a, b, c]``; or,
    when a left part of it was proven already (in ``memo``), that part's proofs and the operands
    after it: ``[c]`` and the proofs of ``a and b``."""
    operands: list[ast.Expression] = []
    current: ast.Expression = test
    while isinstance(current, ast.Binary) and current.op == op:
        if memo is not None and current is not test and id(current) in memo:
            operands.reverse()
            return operands, memo[id(current)]
        operands.append(current.right)
        current = current.left
    operands.append(current)
    operands.reverse()
    return operands, None


def _prove_equal(
    side: ast.Expression, literal: ast.Expression, values: dict[str, TaskKey] | None
) -> tuple[Proof, Proof] | None:
    """What ``side == literal`` proves when equal and when not, or None when nothing."""
    if isinstance(literal, ast.NullLiteral):
        path = path_of(side, values)
        if path is None:
            return None
        return NOTHING, Proof(non_null=frozenset({path}))
    if isinstance(literal, ast.StringLiteral) and isinstance(side, ast.Member) and side.name == "status":
        name = task_read(side.target)
        level = _STATUS_LEVELS.get(literal.value)
        key = task_key(name, values) if name is not None else None
        if key is None or level is None:
            return None
        return Proof(facts=Facts({key: level})), NOTHING
    return None
