"""The tokenizer of `.oi` source text.

Why not Lark's own lexer: a string may contain ``${...}`` interpolations that contain strings that
contain interpolations, and no regular expression matches that nesting. This lexer keeps a stack of
open brackets and interpolations instead, and emits an interpolated string as a run of tokens the
grammar can parse with exact positions::

    "a ${x} b ${"c"} d"  ->  ISTR_BEGIN('"a ${')  NAME(x)  ISTR_MIDDLE('} b ${')  STRING('"c"')
                             ISTR_END('} d"')

A string without interpolation is one ``STRING`` token. Words come out as ``WORD`` tokens: whether a
word is a keyword or a name depends on the parser state, which the driver in ``oic.syntax.parser``
knows and this module does not.

Lexical problems (a stray character, a bad escape, an unterminated string, a malformed number,
nesting beyond ``MAX_BRACKETS``) are yielded in the token stream as ``LexError`` values, so the driver
reports them in order with parse errors; the stream goes on after them (except after a fatal one) so
the driver can skip to the next declaration and keep checking. Positions are 1-based and count code
points; only ``\\n`` ends a line (``oic.source`` normalises the others).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from oic.records import Record, set_field
from oic.source import Span
from oic.syntax.limits import MAX_BRACKETS

# Python refuses int() on more digits than this (CVE-2020-10735 mitigation): we refuse them first.
MAX_INT_DIGITS = 4000

PUNCTUATION = {
    "{": "LBRACE",
    "}": "RBRACE",
    "(": "LPAR",
    ")": "RPAR",
    "[": "LSQB",
    "]": "RSQB",
    ",": "COMMA",
    ":": "COLON",
    ".": "DOT",
    "=": "EQUAL",
    "=>": "ARROW",
    "==": "EQEQ",
    "!=": "NOTEQ",
    "<": "LESS",
    "<=": "LESSEQ",
    ">": "MORE",
    ">=": "MOREEQ",
    "+": "PLUS",
    "-": "MINUS",
    "*": "STAR",
    "/": "SLASH",
    "%": "PERCENT",
}

# The keywords (``oic.syntax.messages`` re-exports them). Whether a word is one depends on where it
# stands, which the parser decides: a hard keyword is never a name, a soft one is wherever a name fits.
HARD_KEYWORDS = frozenset(
    "pipeline param service condition builder on task let for if else in and or not true false null".split()
)
SOFT_KEYWORDS = frozenset(
    "catalog path version schemas image engine started finished reported success failed reusable timeout"
    " retry backoff".split()
)
DECLARATION_KEYWORDS = frozenset("pipeline param service condition builder on".split())

OPENERS = {"{": "}", "(": ")", "[": "]"}
CLOSERS = {"}": "{", ")": "(", "]": "["}
# The punctuation that is a token and nothing more (no bracket to track).
_SIMPLE_PUNCTUATION = {
    symbol: kind for symbol, kind in PUNCTUATION.items() if symbol not in OPENERS and symbol not in CLOSERS
}

DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}

# The lexer looks at the first character of a token to know what it is (a word, a number, a string,
# punctuation, white space, a comment): one dictionary lookup instead of a regular expression that
# tries every kind in turn, which cost as much as the rest of the work on a token.
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(
    r"(?P<number>[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)(?P<suffix>[A-Za-z_][A-Za-z0-9_]*)?"
)
_EXPONENT = re.compile(r"[eE]")
_SPACE = re.compile(r"[ \t\r\n]+")
_WORD_START, _DIGIT, _SPACE_START, _COMMENT, _QUOTE, _PUNCTUATION_START = range(6)
_FIRST_CHARACTER: dict[str, int] = {
    **dict.fromkeys("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_", _WORD_START),
    **dict.fromkeys("0123456789", _DIGIT),
    **dict.fromkeys(" \t\r\n", _SPACE_START),
    "#": _COMMENT,
    '"': _QUOTE,
    **dict.fromkeys("{}()[],:.=<>+-*/%!", _PUNCTUATION_START),
}
# Punctuation of two characters, by its first one (a lone ``!`` is no token).
_TWO_CHARACTER_STARTS = frozenset("=!<>")
# What may follow a space for the space to be more than the one between two tokens.
_SPACE_NEXT = frozenset({" ", "\t", "\r", "\n"})
_DECLARATION_LINE = re.compile(r"\n[ \t]*(?=(?:pipeline|param|service|condition|builder|on)\b)")
_JUNK = re.compile(r'[^\sA-Za-z0-9_#"{}()\[\],:.=<>+\-*/%]+')
_STRING_TEXT = re.compile(r'[^"\\$\n]+')
# The common strings, matched whole by the lexer's fast path: no escape, no line end, and ending in a
# closing quote or an interpolation. Anything else is scanned by ``Lexer._string``.
_SIMPLE_STRING = re.compile(r'"[^"\\$\n]*(?:\$(?!\{)[^"\\$\n]*)*(?:(?P<whole>")|(?P<begin>\$\{))')
_STRING_CONTINUATION = re.compile(r'\}[^"\\$\n]*(?:\$(?!\{)[^"\\$\n]*)*(?:(?P<end>")|(?P<middle>\$\{))')
_HEX = re.compile(r"\{([0-9A-Fa-f]{1,6})\}")

# Characters people type from other languages, and what to write instead.
_CHARACTER_HINTS = {
    "'": 'strings are written in double quotes: "text"',
    "!": "negation is written `not x`; inequality `!=`",
    "&": "write `and` to combine conditions or values",
    "|": "write `or` to combine conditions or values",
    ";": "statements need no separator: put the next one on its own line",
    "`": 'strings are written in double quotes: "text"',
    "\u2028": "this is an invisible line separator (U+2028): delete it",
    "\u00a0": "this is a non-breaking space (U+00A0): replace it with a plain space",
    "\ufeff": "this is a stray byte-order mark (U+FEFF): delete it",
}


class Token:
    """One token: ``type`` (a terminal name of ``grammar/oi.lark``, or ``WORD`` until the parser
    classifies it), ``value`` (the source text), offsets and 1-based positions (end exclusive)."""

    __slots__ = ("type", "value", "start_pos", "line", "column", "end_line", "end_column", "end_pos")

    def __init__(
        self,
        type: str,
        value: str,
        start_pos: int,
        line: int,
        column: int,
        end_line: int,
        end_column: int,
        end_pos: int,
    ) -> None:
        self.type = type
        self.value = value
        self.start_pos = start_pos
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column
        self.end_pos = end_pos

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"Token({self.type}, {self.value!r}, {self.line}:{self.column})"


class LexError(Record):
    """A lexical problem at ``span``: ``code`` (E01xx), ``message``, ``hint``; ``fatal`` when the rest
    of the file cannot be tokenized meaningfully (nesting beyond the limit)."""

    __slots__ = ("code", "message", "span", "hint", "fatal")

    code: str
    message: str
    span: Span
    hint: str
    fatal: bool

    def __init__(self, code: str, message: str, span: Span, hint: str = "", fatal: bool = False) -> None:
        set_field(self, "code", code)
        set_field(self, "message", message)
        set_field(self, "span", span)
        set_field(self, "hint", hint)
        set_field(self, "fatal", fatal)


class _Open:
    """An open bracket or interpolation on the lexer's stack: ``kind`` is ``{``, ``(``, ``[`` or ``${``
    (an interpolation); for ``${`` the ``quote_*`` fields locate the string's opening quote."""

    __slots__ = ("kind", "line", "column", "quote_line", "quote_column")

    def __init__(self, kind: str, line: int, column: int, quote_line: int = 0, quote_column: int = 0) -> None:
        self.kind = kind
        self.line = line
        self.column = column
        self.quote_line = quote_line
        self.quote_column = quote_column

    def __repr__(self) -> str:
        return f"_Open({self.kind!r}, {self.line}:{self.column})"


def describe_character(character: str) -> str:
    """``'x'`` for a printable character, ``U+0000`` otherwise (never prints a control character)."""
    if character.isprintable() and not character.isspace():
        return f"'{character}'"
    return f"U+{ord(character):04X}"


class Lexer:
    """Tokens of one source text; ``tokens()`` yields ``Token`` and ``LexError`` values.

    ``unclosed`` maps the start offset of a closing bracket that did not match the innermost open
    one to that opener, so a parse error at it can say which bracket is still open; ``stack`` holds the
    brackets open so far (at the end of the text: the ones never closed)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self.line = 1
        self.line_start = 0
        self.stack: list[_Open] = []
        self.unclosed: dict[int, _Open] = {}
        self._skip_requested = False
        # The comments met so far, as ``COMMENT`` tokens, when a caller asked for them (``scan``); None
        # on the parser's path, which has no use for them.
        self.comments: list[Token] | None = None

    def skip_to_next_declaration(self) -> None:
        """Continue (after the current token) at the next line that starts with a declaration
        keyword: the driver's recovery after an error. Strings and interpolations end with their
        line, so a line start is always outside them."""
        self._skip_requested = True

    def _jump_to_next_declaration(self) -> None:
        text = self.text
        match = _DECLARATION_LINE.search(text, self.position)
        stop = match.end() if match is not None else len(text)
        newline = text.rfind("\n", self.position, stop)
        if newline != -1:
            self.line += text.count("\n", self.position, stop)
            self.line_start = newline + 1
        self.position = stop
        self.stack.clear()

    def forget_brackets(self) -> None:
        """Drop the bracket stack: called when the driver resynchronises at a new declaration, whose
        nesting starts afresh whatever the broken one before it left open."""
        self.stack[:] = [entry for entry in self.stack if entry.kind == "${"]

    def _column(self, offset: int) -> int:
        return offset - self.line_start + 1

    def _token(self, kind: str, start: int, start_line: int, start_column: int) -> Token:
        return Token(
            kind,
            self.text[start : self.position],
            start,
            start_line,
            start_column,
            self.line,
            self._column(self.position),
            self.position,
        )

    def _point_span(self, start: int, end: int) -> Span:
        """The span of ``text[start:end]`` on the current line."""
        return Span(self.line, self._column(start), self.line, self._column(end))

    def tokens(self) -> Iterator[Token | LexError]:
        # The hot loop: the position, line and line start live in locals and are written back to
        # ``self`` before anything else (a helper, the driver between two tokens) may look at them.
        # Words, simple punctuation and brackets, and strings without escapes are handled inline;
        # everything rarer goes through the helpers below.
        text = self.text
        length = len(text)
        first_character = _FIRST_CHARACTER
        match_word = _WORD.match
        match_simple_string = _SIMPLE_STRING.match
        match_continuation = _STRING_CONTINUATION.match
        match_number = _NUMBER.match
        exponent = _EXPONENT.search
        stack = self.stack
        simple_punctuation = _SIMPLE_PUNCTUATION
        two_character_starts = _TWO_CHARACTER_STARTS
        position = self.position
        line = self.line
        line_start = self.line_start
        while position < length:
            if self._skip_requested:
                self._skip_requested = False
                self.position, self.line, self.line_start = position, line, line_start
                self._jump_to_next_declaration()
                position, line, line_start = self.position, self.line, self.line_start
                continue
            start = position
            character = text[start]
            kind_of_token = first_character.get(character)
            if kind_of_token == _WORD_START:
                position = match_word(text, start).end()  # type: ignore[union-attr]
                column = start - line_start + 1
                yield Token(
                    "WORD",
                    text[start:position],
                    start,
                    line,
                    column,
                    line,
                    column + position - start,
                    position,
                )
                continue
            if kind_of_token == _SPACE_START:
                if character == " " and text[start + 1 : start + 2] not in _SPACE_NEXT:
                    position += 1  # the one space between two tokens
                    continue
                end = _SPACE.match(text, start).end()  # type: ignore[union-attr]
                newlines = text.count("\n", start, end)
                if newlines:
                    if stack and any(entry.kind == "${" for entry in stack):
                        # An interpolation is part of its string's line: a newline inside means the
                        # string was never closed.
                        self.position, self.line, self.line_start = start, line, line_start
                        yield self._unterminated(stop=text.index("\n", start, end))
                        position, line, line_start = self.position, self.line, self.line_start
                        continue
                    line += newlines
                    line_start = text.rindex("\n", start, end) + 1
                position = end
                continue
            if kind_of_token == _PUNCTUATION_START:
                symbol = character
                if character in two_character_starts:
                    pair = text[start : start + 2]
                    if pair in PUNCTUATION:
                        symbol = pair
                    elif character == "!":
                        self.position, self.line, self.line_start = start, line, line_start
                        yield from self._unexpected_character()
                        position, line, line_start = self.position, self.line, self.line_start
                        continue
                kind = simple_punctuation.get(symbol)
                if kind is None:
                    # A bracket: the common cases (room to open one, the innermost one closed) here,
                    # the rest (nesting limits, mismatches, interpolations) in ``_punctuation``.
                    expected = CLOSERS.get(symbol)
                    if expected is None:
                        if len(stack) < MAX_BRACKETS:
                            stack.append(_Open(symbol, line, start - line_start + 1))
                            kind = PUNCTUATION[symbol]
                    elif stack:
                        top = stack[-1]
                        if top.kind == expected:
                            stack.pop()
                            kind = PUNCTUATION[symbol]
                        elif top.kind == "${" and symbol == "}":
                            rest = match_continuation(text, start)
                            if rest is not None:
                                stack.pop()
                                position = rest.end()
                                column = start - line_start + 1
                                end_column = column + position - start
                                if rest.lastgroup == "end":
                                    yield Token(
                                        "ISTR_END",
                                        rest.group(),
                                        start,
                                        line,
                                        column,
                                        line,
                                        end_column,
                                        position,
                                    )
                                    continue
                                stack.append(
                                    _Open("${", line, end_column - 2, top.quote_line, top.quote_column)
                                )
                                yield Token(
                                    "ISTR_MIDDLE",
                                    rest.group(),
                                    start,
                                    line,
                                    column,
                                    line,
                                    end_column,
                                    position,
                                )
                                continue
                if kind is not None:
                    position = start + len(symbol)
                    column = start - line_start + 1
                    yield Token(kind, symbol, start, line, column, line, column + position - start, position)
                    continue
                self.position, self.line, self.line_start = start, line, line_start
                yield from self._punctuation(symbol)
                position, line, line_start = self.position, self.line, self.line_start
                continue
            if kind_of_token == _QUOTE:
                simple = match_simple_string(text, start)
                if simple is not None and (simple.lastgroup == "whole" or len(stack) < MAX_BRACKETS):
                    position = simple.end()
                    column = start - line_start + 1
                    end_column = column + position - start
                    if simple.lastgroup == "whole":
                        yield Token("STRING", simple.group(), start, line, column, line, end_column, position)
                        continue
                    stack.append(_Open("${", line, end_column - 2, line, column))
                    yield Token("ISTR_BEGIN", simple.group(), start, line, column, line, end_column, position)
                    continue
                self.position, self.line, self.line_start = start, line, line_start
                yield from self._string(line, start - line_start + 1, begins=True)
                position, line, line_start = self.position, self.line, self.line_start
                continue
            if kind_of_token == _COMMENT:
                position = text.find("\n", start)
                if position < 0:
                    position = length
                if self.comments is not None:
                    column = start - line_start + 1
                    self.comments.append(
                        Token(
                            "COMMENT",
                            text[start:position],
                            start,
                            line,
                            column,
                            line,
                            column + position - start,
                            position,
                        )
                    )
                continue
            if kind_of_token == _DIGIT:
                number = match_number(text, start)
                end = number.end()  # type: ignore[union-attr]
                # A plain number of a few digits cannot be malformed: yield it here; the rest
                # (durations, exponents, thousands of digits, a bad suffix) goes to `_number`.
                if number.lastindex == 1 and end - start <= 300 and not exponent(text, start, end):  # type: ignore[union-attr]
                    column = start - line_start + 1
                    yield Token(
                        "NUMBER", text[start:end], start, line, column, line, column + end - start, end
                    )
                    position = end
                    continue
                self.position, self.line, self.line_start = start, line, line_start
                yield from self._number(number)  # type: ignore[arg-type]
                position, line, line_start = self.position, self.line, self.line_start
                continue
            self.position, self.line, self.line_start = start, line, line_start
            yield from self._unexpected_character()
            position, line, line_start = self.position, self.line, self.line_start
        self.position, self.line, self.line_start = position, line, line_start

    # -- pieces ---------------------------------------------------------------------------------

    def _unexpected_character(self) -> Iterator[LexError]:
        character = self.text[self.position]
        start = self.position
        # One report for a whole run of characters that start no token (binary junk, a pasted line
        # of symbols), so that skipping it costs one step.
        junk = _JUNK.match(self.text, start)
        self.position = junk.end() if junk is not None else start + 1
        hint = _CHARACTER_HINTS.get(character, "")
        if not hint and not character.isascii() and (character.isalpha() or character == "_"):
            hint = "names are ASCII letters, digits and `_`; put other text in a string"
        if character == "\x00":
            hint = "the file looks binary: NUL characters are not allowed"
        yield LexError(
            "E0102",
            f"unexpected character {describe_character(character)}",
            self._point_span(start, start + 1),
            hint,
        )

    def _number(self, match: re.Match[str]) -> Iterator[Token | LexError]:
        start = self.position
        digits = match.group("number")
        suffix = match.group("suffix")
        self.position = match.end()
        span = self._point_span(start, self.position)  # (only problems and durations come here)
        if suffix is None:
            problem = number_problem(digits)
            if problem:
                yield LexError("E0106", problem, span, "write a number between about -1e308 and 1e308")
                return
            yield self._token("NUMBER", start, self.line, self._column(start))
            return
        if suffix in DURATION_UNITS:
            problem = number_problem(digits)
            if problem:
                yield LexError("E0106", problem, span, "write a number between about -1e308 and 1e308")
                return
            yield self._token("DURATION", start, self.line, self._column(start))
            return
        shown = self.text[start : self.position]
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        yield LexError(
            "E0106",
            f"invalid number or duration `{shown}`",
            span,
            "a duration is a number followed by `ms`, `s`, `m` or `h` (`30s`, `1.5m`)",
        )

    def _punctuation(self, symbol: str) -> Iterator[Token | LexError]:
        start = self.position
        column = self._column(start)
        self.position += len(symbol)
        if symbol in OPENERS:
            if len(self.stack) >= MAX_BRACKETS:
                yield LexError(
                    "E0107",
                    f"brackets nested more than {MAX_BRACKETS} deep",
                    self._point_span(start, self.position),
                    "split the value into `let` bindings",
                    fatal=True,
                )
                return
            self.stack.append(_Open(symbol, self.line, column))
        elif symbol in CLOSERS:
            top = self.stack[-1] if self.stack else None
            if symbol == "}":
                brace = next((e for e in reversed(self.stack) if e.kind in ("{", "${")), None)
                if brace is not None and brace.kind == "${":
                    # The interpolation ends here, even if a `(` or `[` inside it was left open
                    # (the parser then reports that bracket).
                    if top is not brace and top is not None:
                        self.unclosed[start] = top
                    del self.stack[self.stack.index(brace) :]
                    yield from self._string(brace.quote_line, brace.quote_column, begins=False, start=start)
                    return
            if top is not None and top.kind == CLOSERS[symbol]:
                self.stack.pop()
            elif top is not None and top.kind != "${":
                self.unclosed[start] = top
        yield Token(
            PUNCTUATION[symbol],
            symbol,
            start,
            self.line,
            column,
            self.line,
            self._column(self.position),
            self.position,
        )

    def _string(
        self, quote_line: int, quote_column: int, *, begins: bool, start: int | None = None
    ) -> Iterator[Token | LexError]:
        """Scan string text from just after a ``"`` (``begins``) or a closing ``}`` of an
        interpolation up to the closing quote or the next ``${``."""
        text = self.text
        token_start = self.position if begins else start
        assert token_start is not None
        token_line = self.line
        token_column = self._column(token_start)
        if begins:
            self.position += 1
        position = self.position
        length = len(text)
        while True:
            chunk = _STRING_TEXT.match(text, position)
            if chunk is not None:
                position = chunk.end()
            if position >= length or text[position] == "\n":
                self.position = position
                yield self._unterminated(stop=position, quote=(quote_line, quote_column))
                return
            character = text[position]
            if character == '"':
                self.position = position + 1
                yield self._token("STRING" if begins else "ISTR_END", token_start, token_line, token_column)
                return
            if character == "$":
                if text.startswith("${", position):
                    self.position = position + 2
                    if len(self.stack) >= MAX_BRACKETS:
                        yield LexError(
                            "E0107",
                            f"interpolations nested more than {MAX_BRACKETS} deep",
                            self._point_span(position, position + 2),
                            fatal=True,
                        )
                        return
                    self.stack.append(
                        _Open("${", self.line, self._column(position), quote_line, quote_column)
                    )
                    kind = "ISTR_BEGIN" if begins else "ISTR_MIDDLE"
                    yield self._token(kind, token_start, token_line, token_column)
                    return
                position += 1
                continue
            # a backslash
            error = escape_problem(text, position)
            if error is not None:
                end = min(position + 2, length)
                self.position = position
                yield LexError(
                    "E0105",
                    error,
                    self._point_span(position, end),
                    r"the escapes are \n \t \r \\ \" \$ and \u{HEX}",
                )
            position += escape_length(text, position)

    def _unterminated(self, stop: int, quote: tuple[int, int] | None = None) -> LexError:
        """Report the string that is still open at ``stop`` (a newline or the end of the text), drop
        every bracket opened inside it, and continue in code after it."""
        if quote is None or any(entry.kind == "${" for entry in self.stack):
            outermost = next(entry for entry in self.stack if entry.kind == "${")
            quote = (outermost.quote_line, outermost.quote_column)
            del self.stack[self.stack.index(outermost) :]
        self.position = stop
        line, column = quote
        end_column = self._column(stop) if line == self.line else column + 1
        return LexError(
            "E0104",
            "unterminated string",
            Span(line, column, line, end_column),
            'close it with `"`; to put a line break in a string, write \\n',
        )


def scan(text: str) -> tuple[list[Token], list[Token]]:
    """The tokens and the comments of ``text``, for tools that rewrite source (``oic fmt``): the
    comments are ``COMMENT`` tokens, their value the text from ``#`` to the end of the line. Words stay
    ``WORD`` (only the parser knows which are keywords) and lexical problems are left out: the text is
    expected to have parsed cleanly."""
    lexer = Lexer(text)
    comments: list[Token] = []
    lexer.comments = comments
    tokens = [item for item in lexer.tokens() if type(item) is Token]
    return tokens, comments


def number_problem(digits: str) -> str:
    """Why a number literal cannot be represented ('' when it can)."""
    if "." in digits or "e" in digits or "E" in digits:
        mantissa = digits.split("e")[0].split("E")[0]
        if len(mantissa) > MAX_INT_DIGITS:
            return "number literal has too many digits"
        try:
            value = float(digits)
        except (ValueError, OverflowError):
            return "number literal is too large"
        if value in (float("inf"), float("-inf")):
            return "number literal is too large"
        return ""
    if len(digits) > MAX_INT_DIGITS:
        return "number literal has too many digits"
    return ""


def escape_length(text: str, position: int) -> int:
    """How many characters the escape at ``text[position]`` (a backslash) spans."""
    if text.startswith("\\u", position):
        match = _HEX.match(text, position + 2)
        if match is not None:
            return 2 + len(match.group())
    return 2 if position + 1 < len(text) and text[position + 1] != "\n" else 1


def escape_problem(text: str, position: int) -> str | None:
    """What is wrong with the escape at ``text[position]`` (a backslash), or None."""
    following = text[position + 1] if position + 1 < len(text) else ""
    if following in ("n", "t", "r", "\\", '"', "$"):
        return None
    if following == "u":
        match = _HEX.match(text, position + 2)
        if match is None:
            return r"invalid unicode escape: write \u{HEX} with 1 to 6 hex digits"
        value = int(match.group(1), 16)
        if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
            return f"`\\u{{{match.group(1)}}}` is not a unicode character"
        return None
    if following in ("", "\n"):
        return "a backslash at the end of a line"
    return f"invalid escape `\\{following}`" if following.isprintable() else "invalid escape"
