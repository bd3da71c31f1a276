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

The tables are built from the grammar once and cached on disk (Lark's ``cache=``) in the user's cache
directory; an unwritable cache directory only costs the build time.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lark
from lark import Token
from lark.exceptions import UnexpectedToken
from lark.lexer import Lexer as _LarkLexer
from lark.parsers.lalr_analysis import Shift
from lark.parsers.lalr_parser_state import ParseConf, ParserState

from oic import diagnostics as diag
from oic.diagnostics import Diagnostic
from oic.source import SourceFile, Span
from oic.syntax import ast
from oic.syntax.build_ast import AstBuilder, token_span
from oic.syntax.lexer import Lexer, LexError
from oic.syntax.messages import DECLARATION_KEYWORDS, HARD_KEYWORDS, SOFT_KEYWORDS, explain_unexpected

GRAMMAR_PATH = Path(__file__).resolve().parent.parent.parent / "grammar" / "oi.lark"

# Beyond this many syntax errors in one file, the rest are noise.
MAX_SYNTAX_ERRORS = 25

_KEYWORD_TERMINALS = {word: word.upper() for word in HARD_KEYWORDS | SOFT_KEYWORDS}
_FIELD_OPENERS = frozenset({"LBRACE", "LPAR", "COMMA"})


class _NoLexer(_LarkLexer):
    """Lark insists on a lexer class; tokens come from ``oic.syntax.lexer`` instead."""

    def __init__(self, lexer_conf: Any) -> None:
        pass

    def lex(self, lexer_state: Any, parser_state: Any) -> Iterator[Token]:
        raise NotImplementedError("oi tokens come from oic.syntax.lexer")


def cache_directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "oi"


class _Tables:
    """The LALR parse table and the callbacks bound to the one ``AstBuilder``."""

    def __init__(self) -> None:
        grammar = GRAMMAR_PATH.read_text(encoding="utf-8")
        self.builder = AstBuilder()
        options: dict[str, Any] = dict(parser="lalr", lexer=_NoLexer, keep_all_tokens=True)
        digest = hashlib.sha256(f"{grammar}{lark.__version__}{sys.version_info[:2]}".encode()).hexdigest()[:16]
        cache_file = cache_directory() / f"grammar-{digest}.lark"
        try:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            options["cache"] = str(cache_file)
        except OSError:
            pass
        parser = lark.Lark(grammar, transformer=self.builder, **options)
        inner = parser.parser.parser.parser  # type: ignore[union-attr]  # frontend -> LALR_Parser -> _Parser
        self.table = inner.parse_table
        self.callbacks = inner.callbacks
        self.terminals_in_table = sorted(
            {terminal for actions in self.table.states.values() for terminal in actions if terminal.isupper()}
        )

    def state(self, with_callbacks: bool = True) -> ParserState:
        conf = ParseConf(self.table, self.callbacks if with_callbacks else {}, "start")
        return ParserState(conf, None)  # type: ignore[arg-type]


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
        states = self.tables.table.states
        state = self.tables.state()
        skipping = False
        previous: Token | None = None
        text = self.source.text
        for item in self.lexer.tokens():
            if isinstance(item, LexError):
                if not skipping or item.fatal:
                    self._report(item.span, item.code, item.message, item.hint)
                    skipping = True
                if item.fatal:
                    self.fatal = True
                    break
                continue
            token = item
            first_on_line = previous is None or token.line != previous.end_line
            if skipping:
                if token.type == "WORD" and first_on_line and str(token) in DECLARATION_KEYWORDS:
                    skipping = False
                    state = self.tables.state()
                    self.lexer.forget_brackets()
                else:
                    previous = token
                    continue
            if token.type == "WORD":
                token.type = self._classify(token, states[state.position], previous, first_on_line, text)
            before = state.state_stack[:]  # the reductions a failing token triggers are not kept
            try:
                state.feed_token(token)
            except UnexpectedToken:
                self._unexpected(token, self._acceptable(before), previous)
                skipping = True
                if len(self.diagnostics) >= MAX_SYNTAX_ERRORS:
                    break
            previous = token
        if not skipping and not self.fatal:
            end = self._end_token()
            before = state.state_stack[:]
            try:
                state.feed_token(end, True)
            except UnexpectedToken:
                self._unexpected(end, self._acceptable(before), previous)
        builder = self.tables.builder
        self.diagnostics.extend(builder.diagnostics)
        if self.fatal or builder.too_deep:
            return None, self.diagnostics
        lines = text.split("\n")
        module_span = Span(1, 1, len(lines), len(lines[-1]) + 1)
        return ast.Module(module_span, tuple(builder.declarations)), self.diagnostics

    def _classify(
        self, token: Token, actions: dict[str, Any], previous: Token | None, first_on_line: bool, text: str
    ) -> str:
        """The terminal a word is in this parser state: a keyword where the state takes it, else a
        name where a name fits (member names, object keys and call fields may be keywords)."""
        word = str(token)
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
            previous.type == "DOT" or (previous.type in _FIELD_OPENERS and _colon_follows(text, token.end_pos))
        ):
            return "NAME"
        return keyword

    def _acceptable(self, stack: list[Any]) -> set[str]:
        """The terminals the parser would accept after ``stack``. The failing state's own action keys
        are not enough: LALR merges lookaheads of similar states, so after the reductions an unexpected
        token triggers, that state may list terminals from unrelated contexts."""
        return {terminal for terminal in self.tables.terminals_in_table if _accepts(self.tables, stack, terminal)}

    def _unexpected(self, token: Token, expected: set[str], previous: Token | None) -> None:
        opener = self.lexer.unclosed.get(token.start_pos) if token.start_pos is not None else None
        if token.type == "$END" and self.lexer.stack:
            opener = self.lexer.stack[-1]
        unclosed = None
        if opener is not None:
            kind = "string interpolation `${`" if opener.kind == "${" else f"`{opener.kind}`"
            unclosed = f"the {kind} at {opener.line}:{opener.column}"
        wording = explain_unexpected(token, expected, previous, unclosed)
        self._report(token_span(token), wording.code, wording.message, wording.hint)

    def _report(self, span: Span, code: str, message: str, hint: str = "") -> None:
        self.diagnostics.append(diag.make(self.source, span, code, message, hint))

    def _end_token(self) -> Token:
        text = self.source.text
        line = text.count("\n") + 1
        column = len(text) - (text.rfind("\n") + 1) + 1
        return Token("$END", "", len(text), line, column, line, column, len(text))


def _accepts(tables: _Tables, stack: list[Any], terminal: str) -> bool:
    """Whether ``terminal`` would be shifted (after any reductions) from the state ``stack``."""
    states = tables.table.states
    stack = list(stack)
    while True:
        action = states[stack[-1]].get(terminal)
        if action is None:
            return False
        kind, argument = action
        if kind is Shift:
            return True
        size = len(argument.expansion)
        if size:
            del stack[-size:]
        goto = states[stack[-1]].get(argument.origin.name)
        if goto is None:
            return False
        if terminal == "$END" and argument.origin.name == "start":
            return True
        stack.append(goto[1])


def _colon_follows(text: str, position: int | None) -> bool:
    """Whether the next character after ``position`` that is not a space or tab is ``:``."""
    if position is None:
        return False
    length = len(text)
    while position < length and text[position] in " \t":
        position += 1
    return position < length and text[position] == ":"


def parse_text(text: str, path: str = "<string>") -> tuple[ast.Module | None, list[Diagnostic]]:
    """``parse`` for text in memory (tests, editors sending unsaved buffers)."""
    return parse(SourceFile(path, text))
