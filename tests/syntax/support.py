"""Shared helpers of the syntax tests: parse snippets, compare ASTs without their spans."""

from __future__ import annotations

import dataclasses
from typing import Any

from oic.diagnostics import Diagnostic
from oic.source import SourceFile, Span
from oic.syntax import ast
from oic.syntax.parser import parse

NOWHERE = Span(0, 0, 0, 0)


def parse_ok(text: str) -> ast.Module:
    """The module of ``text``, which must parse without any diagnostic."""
    module, found = parse(SourceFile("test.oi", text))
    assert found == [], "\n".join(f"{d.span.line}:{d.span.column} {d.code} {d.message}" for d in found)
    assert module is not None
    return module


def parse_errors(text: str) -> list[Diagnostic]:
    """The diagnostics of ``text``, which must have at least one."""
    _module, found = parse(SourceFile("test.oi", text))
    assert found, f"expected a diagnostic for {text!r}"
    return found


def unspanned(value: Any) -> Any:
    """``value`` with every span (``span``, ``name_span``, ``key_span``) replaced by ``NOWHERE``."""
    if isinstance(value, tuple):
        return tuple(unspanned(item) for item in value)
    if not isinstance(value, ast.Node):
        return value
    changes = {}
    for field in dataclasses.fields(value):
        current = getattr(value, field.name)
        changes[field.name] = NOWHERE if isinstance(current, Span) else unspanned(current)
    return dataclasses.replace(value, **changes)


def expression(text: str) -> Any:
    """The AST of one expression, without spans (parsed as a param default)."""
    module = parse_ok(f"param x: any = {text}\n")
    declaration = module.declarations[0]
    assert isinstance(declaration, ast.ParamDecl)
    return unspanned(declaration.default)


def statements(text: str) -> tuple[Any, ...]:
    """The statements of a reaction body, without spans."""
    module = parse_ok(f"on engine.started {{\n{text}\n}}\n")
    reaction = module.declarations[0]
    assert isinstance(reaction, ast.ReactionDecl)
    return unspanned(reaction.body)  # type: ignore[no-any-return]


def condition(text: str) -> Any:
    module = parse_ok(f"on {text} {{ }}\n")
    reaction = module.declarations[0]
    assert isinstance(reaction, ast.ReactionDecl)
    return unspanned(reaction.condition)


# Short constructors for expected trees (spans are NOWHERE, as ``unspanned`` makes them).
def name(value: str) -> ast.Name:
    return ast.Name(NOWHERE, value)


def ident(value: str) -> ast.Identifier:
    return ast.Identifier(NOWHERE, value)


def string(value: str) -> ast.StringLiteral:
    return ast.StringLiteral(NOWHERE, value)


def number(value: int | float) -> ast.NumberLiteral:
    return ast.NumberLiteral(NOWHERE, value)


def binary(op: str, left: Any, right: Any) -> ast.Binary:
    return ast.Binary(NOWHERE, op, left, right)


def member(target: Any, field: str) -> ast.Member:
    return ast.Member(NOWHERE, target, field, NOWHERE)
