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

import _thread
import gc
from typing import Any

from oic import diagnostics as diag
from oic.diagnostics import Diagnostic
from oic.source import SourceFile, Span
from oic.syntax import ast, tables
from oic.syntax.build_ast import AstBuilder, token_span
from oic.syntax.lexer import DECLARATION_KEYWORDS, HARD_KEYWORDS, SOFT_KEYWORDS, Lexer, LexError, Token
from oic.syntax.reader import UnreadableSource, read_source

# Beyond this many syntax errors in one file, the rest are noise.
MAX_SYNTAX_ERRORS = 25

_KEYWORD_TERMINALS = {word: word.upper() for word in HARD_KEYWORDS | SOFT_KEYWORDS}
_FIELD_OPENERS = frozenset({"LBRACE", "LPAR", "COMMA"})
_first = tables.first
_NO_SOURCE = SourceFile("<none>", "")


class _Tables:
    """The compiled LALR tables (``oic.syntax.tables``) in the shape the driver's loop reads fastest,
    bound to the one ``AstBuilder``: ``actions[state][terminal]`` is an int, ``>= 0`` to shift and go to
    that state, ``< 0`` to reduce by rule ``~value``; ``rules[index]`` is ``(size, nonterminal,
    callback)``; ``gotos[state][nonterminal]`` is the state after a reduction."""

    def __init__(self) -> None:
        data = tables.load_data()
        self.builder = AstBuilder()
        self.rules: list[tuple[int, str, Any]] = [
            (rule[0], rule[1], tables.make_callback(rule, self.builder)) for rule in data["rules"]
        ]
        self.start_state: int = data["start"]
        state_count = max(data["actions"]) + 1
        self.actions: list[dict[str, int]] = [{} for _ in range(state_count)]
        for state, entries in data["actions"].items():
            self.actions[state] = {
                terminal: argument if is_shift else ~argument
                for terminal, (is_shift, argument) in entries.items()
            }
        self.gotos: list[dict[str, int]] = [{} for _ in range(state_count)]
        for state, entries in data["gotos"].items():
            self.gotos[state] = entries
        self.terminals = sorted({terminal for actions in self.actions for terminal in actions})
        # (state below, top state, terminal) -> the top state after the run of pass-through
        # reductions (``?rule: child``) that terminal calls for there: most of the reductions of an
        # expression (atom -> postfix -> ... -> expr), done in one step once seen.
        self.passes: dict[tuple[int, int, str], int] = {}

    def pass_through(self, below: int, top: int, terminal: str) -> int:
        """The top state after the pass-through reductions ``terminal`` calls for from ``top`` (with
        ``below`` under it); remembered in ``passes``."""
        actions, rules, gotos, first = self.actions, self.rules, self.gotos, tables.first
        state = top
        while True:
            action = actions[state].get(terminal)
            if action is None or action >= 0:
                break
            _size, origin, callback = rules[~action]
            if callback is not first:
                break
            state = gotos[below][origin]
        self.passes[(below, top, terminal)] = state
        return state

    def accepts(self, stack: list[int], terminal: str) -> bool:
        """Whether ``terminal`` would be shifted (after any reductions) from the state ``stack``."""
        stack = list(stack)
        while True:
            action = self.actions[stack[-1]].get(terminal)
            if action is None:
                return False
            if action >= 0:
                return True
            size, origin, _callback = self.rules[~action]
            if origin == "start":
                return True
            if size:
                del stack[-size:]
            goto = self.gotos[stack[-1]].get(origin)
            if goto is None:
                return False
            stack.append(goto)


_tables: _Tables | None = None
# One parse at a time shares the tables' builder. (``_thread``'s lock is ``threading.Lock`` without
# importing ``threading``, which costs more than a small file's parse.)
_lock = _thread.allocate_lock()


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
    # Parsing allocates hundreds of thousands of objects and frees few: the cyclic garbage collector,
    # which runs every few hundred allocations, would spend a third of the time walking them for
    # cycles the parser never makes. It is paused for the parse (and then left as it was).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with _lock:
            tables = _get_tables()
            tables.builder.reset(source)
            try:
                return _Parse(source, tables).run()
            except RecursionError:
                span = Span.point(1, 1)
                return None, [diag.make(source, span, "E0107", "input nested too deeply to analyse")]
            finally:
                # The builder outlives the parse: it must not keep this file's tree alive.
                tables.builder.reset(_NO_SOURCE)
    finally:
        if collecting:
            gc.enable()


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
        keyword_terminals = _KEYWORD_TERMINALS
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
            kind = token.type
            if skipping:
                first_on_line = previous is None or token.line != previous.end_line
                if kind == "WORD" and first_on_line and token.value in DECLARATION_KEYWORDS:
                    skipping = False
                    stack, values = [tables.start_state], []
                    self.lexer.forget_brackets()
                else:
                    previous = token
                    continue
            if kind == "WORD":
                if token.value in keyword_terminals:
                    first_on_line = previous is None or token.line != previous.end_line
                    kind = self._classify(token, actions[stack[-1]], previous, first_on_line, text)
                else:
                    kind = "NAME"
                token.type = kind
            action = actions[stack[-1]].get(kind)
            if action is not None and action >= 0:  # a plain shift, the most common step
                stack.append(action)
                values.append(token)
                previous = token
                continue
            failed_at = self._feed(token, stack, values)
            if failed_at is not None:
                first_on_line = previous is None or token.line != previous.end_line
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
        tables = self.tables
        actions = tables.actions
        kind = token.type
        action = actions[stack[-1]].get(kind)
        if action is not None and action >= 0:
            stack.append(action)
            values.append(token)
            return None
        # Reductions come first. They must be undone if the token does not fit: copying the stacks
        # beforehand would cost their depth for every token (quadratic on a long right-recursive
        # chain), so what the reductions change below the lowest point they reached so far (`low`)
        # is kept instead, one segment each time that point moves down, and put back.
        depth = low = len(stack)
        kept: list[tuple[list[int], list[Any]]] = []
        rules, gotos, passes, first = tables.rules, tables.gotos, tables.passes, _first
        while action is not None:
            if action >= 0:
                stack.append(action)
                values.append(token)
                return None
            size, origin, callback = rules[~action]
            if callback is first:
                # A `?rule` passing its one child through: the value stays, only the top state moves.
                if depth - 1 < low:
                    low = depth - 1
                    kept.append((stack[low:], values[low - 1 :]))
                below = stack[-2]
                moved = passes.get((below, stack[-1], kind))
                stack[-1] = moved if moved is not None else tables.pass_through(below, stack[-1], kind)
            else:
                if size:
                    if depth - size < low:
                        kept.append((stack[depth - size : low], values[depth - size - 1 : low - 1]))
                        low = depth - size
                    children = values[-size:]
                    del values[-size:]
                    del stack[-size:]
                else:
                    children = []
                values.append(callback(children))
                stack.append(gotos[stack[-1]][origin])
                depth += 1 - size
            action = actions[stack[-1]].get(kind)
        del stack[low:]
        del values[low - 1 :]
        for states, items in reversed(kept):
            stack.extend(states)
            values.extend(items)
        return stack

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
            action = tables.actions[stack[-1]].get("$END")
            if action is None or action >= 0:
                self._unexpected(end, before, previous)
                return
            size, origin, callback = tables.rules[~action]
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
        self, token: Token, actions: dict[str, int], previous: Token | None, first_on_line: bool, text: str
    ) -> str:
        """The terminal a word is in this parser state: a keyword where the state takes it, else a
        name where a name fits (member names, object keys and call fields may be keywords)."""
        word = token.value
        keyword = _KEYWORD_TERMINALS.get(word)
        if keyword is None:
            return "NAME"
        if (
            previous is not None
            and previous.type in _FIELD_OPENERS
            and "NAME" in actions
            and _next_character(text, token.end_pos) == ":"
        ):
            return "NAME"  # an object key or a call field: `{for: 1}`, `s.e(if: x)`
        if word == "if" and ("STMT_IF" in actions or "IF" in actions):
            statement, conditional = "STMT_IF" in actions, "IF" in actions
            if statement and conditional:
                return "STMT_IF" if first_on_line else "IF"
            return "STMT_IF" if statement else "IF"
        if keyword in actions:
            # Where a soft keyword and a name both fit, a `(` after the word makes it a name: no
            # keyword is followed by one where a name could stand (`timeout(1)` calls a builder on
            # the line after a task statement, `on engine()` uses a condition named `engine`).
            if word in SOFT_KEYWORDS and "NAME" in actions and _next_character(text, token.end_pos) == "(":
                return "NAME"
            return keyword
        if "NAME" not in actions:
            return keyword
        if word in SOFT_KEYWORDS or (previous is not None and previous.type == "DOT"):
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
        from oic.syntax.messages import explain_unexpected  # only a file with a syntax error needs it

        wording = explain_unexpected(token, expected, previous, unclosed, restart)
        self._report(token_span(token), wording.code, wording.message, wording.hint)

    def _report(self, span: Span, code: str, message: str, hint: str = "") -> None:
        self.diagnostics.append(diag.make(self.source, span, code, message, hint))

    def _end_token(self) -> Token:
        text = self.source.text
        line = text.count("\n") + 1
        column = len(text) - (text.rfind("\n") + 1) + 1
        return Token("$END", "", len(text), line, column, line, column, len(text))


def _next_character(text: str, position: int) -> str:
    """The first character at or after ``position`` that is not white space or in a comment ('' at
    the end of the text)."""
    length = len(text)
    while position < length:
        character = text[position]
        if character == "#":
            newline = text.find("\n", position)
            if newline < 0:
                return ""
            position = newline
        elif character not in " \t\n":
            return character
        position += 1
    return ""


__all__ = ["UnreadableSource", "parse", "parse_text", "read_source"]


def parse_text(text: str, path: str = "<string>") -> tuple[ast.Module | None, list[Diagnostic]]:
    """``parse`` for text in memory (tests, editors sending unsaved buffers)."""
    return parse(SourceFile(path, text))
