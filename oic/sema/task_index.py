"""Every task statement of a file, with the names it can build.

A task name is *static* when it is a plain string literal (``task "fetch" = ...``); otherwise it is a
*pattern*: an interpolated string matches any text where its expressions are, and a name computed
some other way matches anything. The index answers "which statements can build a task called X?",
which types ``tasks["X"].output`` and lets conditions on unknown tasks be reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from oic.records import Record, set_field
from oic.syntax import ast


class TaskSite(Record):
    """One task statement: ``owner`` is ``("reaction", index)`` or ``("builder", name)``; ``in_loop``
    when it sits inside a ``for`` of its body; ``static_name`` the literal name or None;
    ``pattern`` the compiled pattern for any name."""

    __slots__ = ("statement", "owner", "in_loop", "static_name", "pattern", "position")

    statement: ast.TaskStmt
    owner: tuple[str, object]
    in_loop: bool
    static_name: str | None
    pattern: re.Pattern[str] | None  # None for a static name: compared as text, not as a pattern
    position: int  # order in the file

    def __init__(
        self,
        statement: ast.TaskStmt,
        owner: tuple[str, object],
        in_loop: bool,
        static_name: str | None,
        pattern: re.Pattern[str] | None,
        position: int = 0,
    ) -> None:
        set_field(self, "statement", statement)
        set_field(self, "owner", owner)
        set_field(self, "in_loop", in_loop)
        set_field(self, "static_name", static_name)
        set_field(self, "pattern", pattern)
        set_field(self, "position", position)

    def may_build(self, name: str) -> bool:
        if self.pattern is None:
            return self.static_name == name
        return self.pattern.fullmatch(name) is not None


def static_text(expression: ast.Expression | None, values: dict[str, str] | None = None) -> str | None:
    """The text of a string expression known without running anything: a literal, or an
    interpolation whose parts are literals or names given in ``values``."""
    if isinstance(expression, ast.StringLiteral):
        return expression.value
    if isinstance(expression, ast.Name) and values is not None and expression.name in values:
        return values[expression.name]
    if isinstance(expression, ast.InterpolatedString):
        pieces = [static_text(part, values) for part in expression.parts]
        if all(piece is not None for piece in pieces):
            return "".join(piece for piece in pieces if piece is not None)
    return None


def _literal_prefix(expression: ast.Expression) -> str:
    """The text every name ``expression`` may evaluate to starts with."""
    if isinstance(expression, ast.InterpolatedString) and expression.parts:
        first = expression.parts[0]
        return first.value if isinstance(first, ast.StringLiteral) else ""
    return ""


def name_pattern(expression: ast.Expression) -> re.Pattern[str]:
    """The names ``expression`` may evaluate to, as an anchored regular expression."""
    if isinstance(expression, ast.StringLiteral):
        return re.compile(re.escape(expression.value), re.DOTALL)
    if isinstance(expression, ast.InterpolatedString):
        text = "".join(
            re.escape(part.value) if isinstance(part, ast.StringLiteral) else ".*"
            for part in expression.parts
        )
        return re.compile(text, re.DOTALL)
    return re.compile(".*", re.DOTALL)


def statements_with_loops(
    body: tuple[ast.Statement, ...],
) -> Iterator[tuple[ast.Statement, ast.ForStmt | None]]:
    """Every statement of ``body`` and of the blocks inside it, in source order, with the innermost
    ``for`` it sits in (None outside loops). A loop over a stack rather than recursion: an ``else
    if`` chain nests in the AST as deep as it is long."""
    pending: list[tuple[Iterator[ast.Statement], ast.ForStmt | None]] = [(iter(body), None)]
    while pending:
        statements, loop = pending[-1]
        statement = next(statements, None)
        if statement is None:
            pending.pop()
            continue
        yield statement, loop
        if isinstance(statement, ast.ForStmt):
            pending.append((iter(statement.body), statement))
        elif isinstance(statement, ast.IfStmt):
            pending.append((iter((*statement.body, *statement.otherwise)), loop))


def _walk_statements(body: tuple[ast.Statement, ...], in_loop: bool) -> Iterator[tuple[ast.Statement, bool]]:
    """``statements_with_loops``, with whether each statement sits inside a loop (``in_loop``: the
    body itself does)."""
    for statement, loop in statements_with_loops(body):
        yield statement, in_loop or loop is not None


def _statements(body: tuple[ast.Statement, ...], in_loop: bool) -> Iterator[tuple[ast.TaskStmt, bool]]:
    for statement, looping in _walk_statements(body, in_loop):
        if isinstance(statement, ast.TaskStmt):
            yield statement, looping


def builder_calls(
    body: tuple[ast.Statement, ...], in_loop: bool = False
) -> Iterator[tuple[ast.BuilderCall, bool]]:
    """The builder calls of a body, with whether each sits inside a loop."""
    for statement, looping in _walk_statements(body, in_loop):
        if isinstance(statement, ast.BuilderCall):
            yield statement, looping


class TaskIndex:
    """All task statements of a module, searchable by the name a task would get."""

    def __init__(self, module: ast.Module) -> None:
        self.sites: list[TaskSite] = []
        # Static names are looked up in a dict; only the few pattern sites are matched one by one,
        # so a file with thousands of tasks is not checked in quadratic time.
        self._by_static_name: dict[str, list[TaskSite]] = {}
        self._patterned: list[TaskSite] = []
        # The pattern sites by the literal text their names start with ("archive-" for
        # "archive-${c.id}"), in a trie of characters ("" keys the sites whose prefix ends there):
        # a name is matched only against the patterns whose prefix starts it, so thousands of
        # patterned names looked up thousands of times stay linear. Answers are remembered per name.
        self._prefixes: dict[str, Any] = {}
        self._found: dict[str, list[TaskSite]] = {}
        reaction_number = 0
        for declaration in module.declarations:
            if isinstance(declaration, ast.ReactionDecl):
                self._add(declaration.body, ("reaction", reaction_number))
                reaction_number += 1
            elif isinstance(declaration, ast.BuilderDecl):
                self._add(declaration.body, ("builder", declaration.name.name))

    def _add(self, body: tuple[ast.Statement, ...], owner: tuple[str, object]) -> None:
        for statement, in_loop in _statements(body, False):
            static = static_text(statement.name)
            pattern = None if static is not None else name_pattern(statement.name)
            site = TaskSite(statement, owner, in_loop, static, pattern, len(self.sites))
            self.sites.append(site)
            if static is not None:
                self._by_static_name.setdefault(static, []).append(site)
            else:
                self._patterned.append(site)
                node = self._prefixes
                for character in _literal_prefix(statement.name):
                    node = node.setdefault(character, {})
                node.setdefault("", []).append(site)

    def builders_of(self, name: str) -> list[TaskSite]:
        """The statements that may build a task called ``name``, in file order."""
        found = self._found.get(name)
        if found is None:
            candidates = list(self._by_static_name.get(name, ()))
            node: dict[str, Any] = self._prefixes
            candidates.extend(site for site in node.get("", ()) if site.may_build(name))
            for character in name:
                node = node.get(character)  # type: ignore[assignment]
                if node is None:
                    break
                candidates.extend(site for site in node.get("", ()) if site.may_build(name))
            found = self._found[name] = sorted(candidates, key=lambda site: site.position)
        return list(found)

    def static_builders_of(self, name: str) -> list[TaskSite]:
        """The statements whose literal name is ``name``."""
        return list(self._by_static_name.get(name, ()))

    def static_names(self) -> frozenset[str]:
        return frozenset(site.static_name for site in self.sites if site.static_name is not None)
