"""Decoding literal tokens into the values they denote, once, in one place.

The lexer has already rejected malformed literals (``oic.syntax.lexer``), so these functions assume
well-formed input; they still never raise, returning a harmless value for anything unexpected, because
the parse-tree-to-AST step must not fail.
"""

from __future__ import annotations

import re

from oic.syntax.lexer import DURATION_UNITS, MAX_INT_DIGITS

_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "$": "$"}
_ESCAPE = re.compile(r"\\(u\{([0-9A-Fa-f]{1,6})\}|.)", re.DOTALL)


def _replace_escape(match: re.Match[str]) -> str:
    hex_digits = match.group(2)
    if hex_digits is not None:
        value = int(hex_digits, 16)
        return chr(value) if value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF else "\ufffd"
    return _SIMPLE_ESCAPES.get(match.group(1), match.group(1))


def decode_text(raw: str) -> str:
    """The characters denoted by string text between delimiters (escapes resolved)."""
    if "\\" not in raw:
        return raw
    return _ESCAPE.sub(_replace_escape, raw)


def number_value(text: str) -> int | float:
    """``3`` -> 3, ``2.5`` -> 2.5, ``1e3`` -> 1000.0 (an int only without fraction or exponent)."""
    try:
        if "." in text or "e" in text or "E" in text:
            return float(text)
        if len(text) > MAX_INT_DIGITS:
            return 0
        return int(text)
    except (ValueError, OverflowError):
        return 0


def duration_seconds(text: str) -> float:
    """``500ms`` -> 0.5, ``2m`` -> 120.0, ``1.5s`` -> 1.5."""
    for unit in ("ms", "s", "m", "h"):
        if text.endswith(unit):
            number = text[: -len(unit)]
            if number and not number[-1].isalpha():
                value = number_value(number)
                return float(value) * DURATION_UNITS[unit]
    return 0.0
