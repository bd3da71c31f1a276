"""Parsing `.oi` text into an AST, with every syntax problem as a positioned diagnostic.

The pieces: ``oic.syntax.lexer`` makes tokens, Lark's LALR(1) tables for ``grammar/oi.lark`` drive
the parse, and the callbacks of ``oic.syntax.build_ast`` build AST nodes as rules are reduced. This
module feeds the tokens to the parser one at a time, which lets it

- decide per token whether a word is a keyword or a name from what the parser state accepts (so
  ``x.timeout``, ``{path: p}`` and ``Verb: "GET"`` work although ``timeout`` and ``path`` are
  keywords elsewhere, and ``let x = y`` followed by an ``if`` statement is not read as ``y if ...``);
- recover after an error: the rest of the broken declaration is skipped up to the next line that
  starts with a declaration keyword, where parsing starts afresh. Only the first error of each
  declaration is reported, so one mistake never produces a cascade of guesses.

The tables come from ``oic.syntax.tables``: computed by Lark once per grammar version, cached on disk,
and loaded without importing Lark.
"""

from __future__ import annotations

import threading
from typing import Any

from oic import diagnostics as diag
from oic.diagnostics import Diagnostic
from oic.source import SourceFile, Span
from oic.syntax import ast, tables
from oic.syntax.build_ast import AstBuilder, token_span
from oic.syntax.lexer import Lexer, LexError, Token
from oic.syntax.messages import DECLARATION_KEYWORDS, HARD_KEYWORDS, SOFT_KEYWORDS, explain_unexpected
from oic.syntax.reader import UnreadableSource, read_source

# Beyond this many syntax errors in one file, the rest are noise.
MAX_SYNTAX_ERRORS = 25

_KEYWORD_TERMINALS = {word: word.upper() for word in HARD_KEYWORDS | SOFT_KEYWORDS}
_FIELD_OPENERS = frozenset({"LBRACE", "LPAR", "COMMA"})


class _Tables:
    """The compiled LALR tables (``oic.syntax.tables``) bound to the one ``AstBuilder``:
    ``actions[state][terminal]`` is ``(True, next_state)`` for a shift or ``(False, (size,
    nonterminal, callback))`` for a reduction; ``gotos[state][nonterminal]`` is the state after a
    reduction."""

    def __init__(self) -> None:
        data = tables.load_data()
        self.builder = AstBuilder()
        reductions = [(rule[0], rule[1], tables.make_callback(rule, self.builder)) for rule in data["rules"]]
        self.start_state: int = data["start"]
        self.actions: dict[int, dict[str, tuple[bool, Any]]] = {
            state: {
                terminal: (True, argument) if is_shift else (False, reductions[argument])
                for terminal, (is_shift, argument) in entries.items()
            }
            for state, entries in data["actions"].items()
        }
        self.gotos: dict[int, dict[str, int]] = data["gotos"]
        self.terminals = sorted({terminal for actions in self.actions.values() for terminal in actions})

    def accepts(self, stack: list[int], terminal: str) -> bool:
        """Whether ``terminal`` would be shifted (after any reductions) from the state ``stack``."""
        stack = list(stack)
        while True:
            entry = self.actions[stack[-1]].get(terminal)
            if entry is None:
                return False
            is_shift, argument = entry
            if is_shift:
                return True
            size, origin, _callback = argument
            if origin == "start":
                return True
            if size:
                del stack[-size:]
            goto = self.gotos[stack[-1]].get(origin)
            if goto is None:
                return False
            stack.append(goto)


_tables: _Tables | None = None
_lock = threading.Lock()


def _get_tables() -> _Tables:
    global _tables
    if _tables is None:
        _tables = _Tables()
    return _tables


def parse(source: SourceFile) -> tuple[ast.Module | None, list[Diagnostic]]:
    """The module of ``source`` and its syntax diagnostics.

    With no errors, the module holds every declaration. With errors, it holds the declarations that
    parsed completely (so later stages can still check them); it is None only when nothing can be
    trusted (nesting beyond the limits). Never raises for any input text."""
    with _lock:
        tables = _get_tables()
        tables.builder.reset(source)
        try:
            return _Parse(source, tables).run()
        except RecursionError:
            span = Span.point(1, 1)
            return None, [diag.make(source, span, "E0107", "input nested too deeply to analyse")]


class _Parse:
    """One parse of one file: the token loop, word classification and error recovery."""

    def __init__(self, source: SourceFile, tables: _Tables) -> None:
        self.source = source
        self.tables = tables
        self.lexer = Lexer(source.text)
        self.diagnostics: list[Diagnostic] = []
        self.fatal = False

    def run(self) -> tuple[ast.Module | None, list[Diagnostic]]:
        tables = self.tables
        actions = tables.actions
        stack = [tables.start_state]
        values: list[Any] = []
        skipping = False
        previous: Token | None = None
        text = self.source.text
        for item in self.lexer.tokens():
            if type(item) is LexError:
                if not skipping or item.fatal:
                    self._report(item.span, item.code, item.message, item.hint)
                    if not skipping:
                        self._salvage(stack, values)
                        self.lexer.skip_to_next_declaration()
                    skipping = True
                if item.fatal:
                    self.fatal = True
                    break
                continue
            token: Token = item  # type: ignore[assignment]
            first_on_line = previous is None or token.line != previous.end_line
            if skipping:
                if token.type == "WORD" and first_on_line and token.value in DECLARATION_KEYWORDS:
                    skipping = False
                    stack, values = [tables.start_state], []
                    self.lexer.forget_brackets()
                else:
                    previous = token
                    continue
            if token.type == "WORD":
                token.type = self._classify(token, actions[stack[-1]], previous, first_on_line, text)
            failed_at = self._feed(token, stack, values)
            if failed_at is not None:
                restart = first_on_line and token.value in DECLARATION_KEYWORDS and len(failed_at) > 1
                self._unexpected(token, failed_at, previous, restart)
                self._salvage(stack, values)
                skipping = True
                if restart:
                    # The broken declaration ends where the next one visibly begins.
                    stack, values = [tables.start_state], []
                    self.lexer.forget_brackets()
                    token.type = self._classify(token, actions[stack[-1]], previous, True, text)
                    skipping = self._feed(token, stack, values) is not None
                if skipping:
                    self.lexer.skip_to_next_declaration()
            if skipping and len(self.diagnostics) >= MAX_SYNTAX_ERRORS:
                break
            previous = token
        if not skipping and not self.fatal:
            self._finish(stack, values, previous)
        builder = tables.builder
        self.diagnostics.extend(builder.diagnostics)
        if self.fatal or builder.too_deep:
            return None, self.diagnostics
        end = self._end_token()
        module_span = Span(1, 1, end.line, end.column)
        return ast.Module(module_span, tuple(builder.declarations)), self.diagnostics

    def _feed(self, token: Token, stack: list[int], values: list[Any]) -> list[int] | None:
        """Shift ``token`` after the reductions it calls for and return None; or, when the grammar
        does not allow it here, undo those reductions (they must not shape the error message, and
        the declarations completed before the token are still to be salvaged) and return the state
        stack."""
        actions, gotos = self.tables.actions, self.tables.gotos
        kind = token.type
        undo: list[tuple[list[int], list[Any] | None]] = []  # per reduction: states, values it popped
        while True:
            entry = actions[stack[-1]].get(kind)
            if entry is None:
                for popped_states, popped_values in reversed(undo):
                    stack.pop()
                    stack.extend(popped_states)
                    if popped_values is not None:
                        values.pop()
                        values.extend(popped_values)
                return stack
            is_shift, argument = entry
            if is_shift:
                stack.append(argument)
                values.append(token)
                return None
            size, origin, callback = argument
            if callback is tables.first:
                # A `?rule` passing its one child through (most reductions): the value stays.
                popped = [stack.pop()]
                stack.append(gotos[stack[-1]][origin])
                undo.append((popped, None))
                continue
            if size:
                children = values[-size:]
                del values[-size:]
                popped = stack[-size:]
                del stack[-size:]
            else:
                children, popped = [], []
            values.append(callback(children))
            stack.append(gotos[stack[-1]][origin])
            undo.append((popped, children))

    def _salvage(self, stack: list[int], values: list[Any]) -> None:
        """After an error, complete the declarations that were complete before the bad token (the
        parser only reduces one when it sees what follows it): feed an end of file and keep whatever
        reduces. The builder records each declaration as it is reduced."""
        end = self._end_token()
        try:
            self._feed(end, stack, values)
        except (KeyError, IndexError):  # the stacks of a broken parse: nothing more to keep
            pass

    def _finish(self, stack: list[int], values: list[Any], previous: Token | None) -> None:
        """Feed the end of the file: reduce what is complete, or report what is missing."""
        tables = self.tables
        end = self._end_token()
        before = list(stack)
        while True:
            entry = tables.actions[stack[-1]].get("$END")
            if entry is None or entry[0]:
                self._unexpected(end, before, previous)
                return
            size, origin, callback = entry[1]
            if size:
                children = values[-size:]
                del values[-size:]
                del stack[-size:]
            else:
                children = []
            values.append(callback(children))
            if origin == "start":
                return
            stack.append(tables.gotos[stack[-1]][origin])

    def _classify(
        self, token: Token, actions: dict[str, Any], previous: Token | None, first_on_line: bool, text: str
    ) -> str:
        """The terminal a word is in this parser state: a keyword where the state takes it, else a
        name where a name fits (member names, object keys and call fields may be keywords)."""
        word = token.value
        keyword = _KEYWORD_TERMINALS.get(word)
        if keyword is None:
            return "NAME"
        if word == "if" and ("STMT_IF" in actions or "IF" in actions):
            statement, conditional = "STMT_IF" in actions, "IF" in actions
            if statement and conditional:
                return "STMT_IF" if first_on_line else "IF"
            return "STMT_IF" if statement else "IF"
        if keyword in actions:
            return keyword
        if "NAME" not in actions:
            return keyword
        if word in SOFT_KEYWORDS:
            return "NAME"
        if previous is not None and (
            previous.type == "DOT"
            or (previous.type in _FIELD_OPENERS and _colon_follows(text, token.end_pos))
        ):
            return "NAME"
        return keyword

    def _unexpected(
        self, token: Token, stack: list[int], previous: Token | None, restart: bool = False
    ) -> None:
        """Report ``token``, unexpected after ``stack``. The terminals the failing state lists are not
        used: LALR merges the lookaheads of similar states, so they include terminals from unrelated
        contexts; simulating each terminal from the stack before the token gives the true set."""
        expected = {terminal for terminal in self.tables.terminals if self.tables.accepts(stack, terminal)}
        opener = self.lexer.unclosed.get(token.start_pos)
        if (token.type == "$END" or restart) and self.lexer.stack:
            opener = self.lexer.stack[-1]
        unclosed = None
        if opener is not None:
            kind = "string interpolation `${`" if opener.kind == "${" else f"`{opener.kind}`"
            unclosed = f"the {kind} at {opener.line}:{opener.column}"
        wording = explain_unexpected(token, expected, previous, unclosed, restart)
        self._report(token_span(token), wording.code, wording.message, wording.hint)

    def _report(self, span: Span, code: str, message: str, hint: str = "") -> None:
        self.diagnostics.append(diag.make(self.source, span, code, message, hint))

    def _end_token(self) -> Token:
        text = self.source.text
        line = text.count("\n") + 1
        column = len(text) - (text.rfind("\n") + 1) + 1
        return Token("$END", "", len(text), line, column, line, column, len(text))


def _colon_follows(text: str, position: int | None) -> bool:
    """Whether the next character after ``position`` that is not a space or tab is ``:``."""
    if position is None:
        return False
    length = len(text)
    while position < length and text[position] in " \t":
        position += 1
    return position < length and text[position] == ":"


__all__ = ["UnreadableSource", "parse", "parse_text", "read_source"]


def parse_text(text: str, path: str = "<string>") -> tuple[ast.Module | None, list[Diagnostic]]:
    """``parse`` for text in memory (tests, editors sending unsaved buffers)."""
    return parse(SourceFile(path, text))
