"""Human wording for syntax errors: what was found, what was expected, and the common mistakes.

The parser hands over the unexpected token, the terminals the parser state would have accepted, and
the token before it. This module never shows a terminal name (``LSQB``): sets of terminals that mean
one thing to a person collapse into that thing ("an expression", "a condition", "a statement"), and
operators are left out of "expected" lists after a complete value, where they are noise.

Common mistakes get their own message, recognised from the unexpected token and the expected set
(more robust than matching exact LALR states, which shift as the grammar grows): `:` for `=` and the
reverse, `=` for `==`, a missing `=` after a task name, a task without a name, a missing `)`, a
statement outside a block, a number where a duration belongs, an interpolation where only a plain
string may stand.
"""

from __future__ import annotations

from collections.abc import Set

from oic.records import Record, set_field
from oic.syntax.lexer import DECLARATION_KEYWORDS as DECLARATION_KEYWORDS
from oic.syntax.lexer import HARD_KEYWORDS as HARD_KEYWORDS
from oic.syntax.lexer import PUNCTUATION, Token
from oic.syntax.lexer import SOFT_KEYWORDS as SOFT_KEYWORDS

_PUNCTUATION_NAMES = {terminal: symbol for symbol, terminal in PUNCTUATION.items()}

_EXPRESSION_START = frozenset(
    "NAME STRING ISTR_BEGIN NUMBER LSQB LBRACE LPAR MINUS NOT TRUE FALSE NULL PIPELINE".split()
)
_CONDITION_START = frozenset("ENGINE TASK NOT LPAR NAME".split())
_DECLARATION_START = frozenset("PIPELINE PARAM SERVICE CONDITION BUILDER ON".split())
_STATEMENT_START = frozenset("TASK LET FOR STMT_IF NAME".split())
_OPERATORS = frozenset(
    "PLUS MINUS STAR SLASH PERCENT EQEQ NOTEQ LESS LESSEQ MORE MOREEQ IN AND OR DOT LSQB IF".split()
)

_COMPARISONS = frozenset("EQEQ NOTEQ LESS LESSEQ MORE MOREEQ".split())

_NAMED = {
    "NAME": "a name",
    "STRING": "a string",
    "ISTR_BEGIN": "a string",
    "NUMBER": "a number",
    "DURATION": "a duration (like `30s`)",
    "STMT_IF": "`if`",
    "$END": "the end of the file",
}

# Phrases come out in this order, so hints read the same every time.
_ORDER = [
    "a declaration (`param`, `service`, `on`, ...)",
    "a statement (`task`, `let`, `for`, `if` or a builder call)",
    "a condition (`engine.started`, `task(...).finished`, ...)",
    "an expression",
    "a name",
    "a string",
    "a number",
    "a duration (like `30s`)",
]


class Wording(Record):
    """A syntax error as the user reads it: ``code``, ``message`` and ``hint``."""

    __slots__ = ("code", "message", "hint")

    code: str
    message: str
    hint: str

    def __init__(self, code: str, message: str, hint: str) -> None:
        set_field(self, "code", code)
        set_field(self, "message", message)
        set_field(self, "hint", hint)


def terminal_phrase(terminal: str) -> str:
    if terminal in _NAMED:
        return _NAMED[terminal]
    if terminal in _PUNCTUATION_NAMES:
        return f"`{_PUNCTUATION_NAMES[terminal]}`"
    return f"`{terminal.lower()}`"


def describe_token(token: Token) -> str:
    """``name `foo```, ``string``, ``number `3```, ``keyword `let```, ```)```, ``end of file``."""
    kind = token.type
    text = str(token)
    shown = text if len(text) <= 30 else text[:27] + "..."
    if kind == "$END":
        return "end of file"
    if kind == "NAME":
        return f"name `{shown}`"
    if kind in ("STRING", "ISTR_BEGIN"):
        return "string"
    if kind in ("ISTR_MIDDLE", "ISTR_END"):
        return "end of the interpolation"
    if kind in ("NUMBER", "DURATION"):
        return f"{kind.lower()} `{shown}`"
    if text in HARD_KEYWORDS:
        return f"keyword `{text}`"
    return f"`{shown}`"


def expected_phrase(expected: Set[str]) -> str:
    """``expected`` (terminal names) as an English list: "a string, a number, `[` or `{`"."""
    remaining = set(expected)
    phrases: list[str] = []
    if len(remaining & _DECLARATION_START) >= 4:
        remaining -= _DECLARATION_START
        phrases.append(_ORDER[0])
    if {"TASK", "LET", "FOR", "STMT_IF"} <= remaining:
        remaining -= _STATEMENT_START
        phrases.append(_ORDER[1])
    if {"ENGINE", "TASK"} <= remaining:
        remaining -= _CONDITION_START
        phrases.append(_ORDER[2])
    if len(remaining & _EXPRESSION_START) >= 6:
        remaining -= _EXPRESSION_START
        phrases.append(_ORDER[3])
    # After a complete value every operator could follow; listing them buries what is missing.
    if remaining - _OPERATORS or phrases:
        remaining -= _OPERATORS
    named = sorted({terminal_phrase(t) for t in remaining}, key=_phrase_key)
    phrases.extend(phrase for phrase in named if phrase not in phrases)
    if not phrases:
        return "something else"
    if len(phrases) > 8:
        phrases = phrases[:8] + ["..."]
    return phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " or " + phrases[-1]


def _phrase_key(phrase: str) -> tuple[int, str]:
    return (_ORDER.index(phrase), "") if phrase in _ORDER else (len(_ORDER), phrase)


def explain_unexpected(
    token: Token, expected: Set[str], previous: Token | None, unclosed: str | None, restart: bool = False
) -> Wording:
    """The wording for ``token`` arriving where only ``expected`` terminals may; ``previous`` is the
    token before it, ``unclosed`` describes a bracket the lexer saw left open (``"the `(` at 3:14"``);
    ``restart`` says the token is a declaration keyword starting a line (so the declaration before it
    is unfinished)."""
    kind = token.type
    text = str(token)
    found = describe_token(token)
    if previous is not None and previous.type == "NAME" and "LPAR" in expected and len(expected) > 1:
        expected = expected - {"LPAR"}  # "or call it" is never what a person missed after a name
    wanted = expected_phrase(expected)
    generic = Wording("E0101", f"unexpected {found}", f"expected {wanted}")

    if kind == "$END":
        hint = f"expected {wanted}"
        if unclosed:
            closer = {"{": "RBRACE", "(": "RPAR", "[": "RSQB"}.get(unclosed.split("`")[1], "")
            hint = (
                f"{unclosed} is never closed"
                if expected <= {closer}
                else f"{hint}; {unclosed} is never closed"
            )
        return Wording("E0103", "unexpected end of file", hint)
    if restart:
        hint = f"{unclosed} is not closed" if unclosed else f"expected {wanted}"
        return Wording("E0101", f"unfinished declaration before `{text}`", hint)
    if text in HARD_KEYWORDS and kind != "NAME" and "NAME" in expected and kind not in expected:
        return Wording(
            "E0108",
            f"`{text}` is a keyword and cannot be used as a name",
            f"choose another name, like `{text}_value`",
        )
    if previous is not None and previous.type == "TASK" and kind in ("EQUAL", "REUSABLE"):
        return Wording("E0101", "a task needs a name", 'write `task "name" = service.endpoint(...)`')
    if kind == "COLON" and "EQUAL" in expected and "COLON" not in expected:
        return Wording("E0101", "unexpected `:`", "use `=` here: `name = value`")
    if kind == "EQUAL" and "COLON" in expected and "EQUAL" not in expected:
        return Wording("E0101", "unexpected `=`", "use `:` here: `field: value`")
    if kind == "EQUAL" and "EQEQ" in expected:
        return Wording("E0101", "unexpected `=`", "to compare values write `==`; `=` only binds names")
    if "EQUAL" in expected and "REUSABLE" in expected:
        return Wording(
            "E0101",
            f"expected `=` after the task name, found {found}",
            'write `task "name" = service.endpoint(...)`',
        )
    if unclosed and kind in ("RBRACE", "RSQB", "RPAR", "ISTR_MIDDLE", "ISTR_END"):
        return Wording("E0101", f"unexpected {found}", f"{unclosed} is not closed; expected {wanted}")
    if kind in ("TASK", "LET", "FOR", "STMT_IF", "IF") and expected >= {"PARAM", "SERVICE", "ON"}:
        return Wording(
            "E0101",
            f"a `{text}` statement cannot stand at the top level",
            "statements belong in an `on ... { }` reaction or a `builder`",
        )
    if kind == "RBRACE" and expected >= {"PARAM", "SERVICE", "ON"}:
        return Wording("E0101", "unmatched `}`", "remove it, or open its block with `{`")
    if kind in _COMPARISONS and kind not in expected and "AND" in expected:
        return Wording("E0101", f"unexpected {found}", "comparisons do not chain: write `a < b and b < c`")
    if kind == "NUMBER" and "DURATION" in expected:
        return Wording("E0101", f"expected a duration, found {found}", f"give it a unit: `{text}s`")
    if kind == "DURATION" and "NUMBER" in expected:
        return Wording("E0101", f"expected a number, found {found}", "retry takes a count, like `retry 3`")
    if kind == "ISTR_BEGIN" and "STRING" in expected and "ISTR_BEGIN" not in expected:
        return Wording("E0101", "an interpolated string is not allowed here", "write a plain string")
    return generic
