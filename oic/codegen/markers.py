"""Marker types: the only things code generation may put into generated Python.

A user's text must never become code. So generated code is assembled only from three kinds of pieces:

- ``PyLiteral``: the ``repr()`` of a *checked* value of a whitelisted type (``str``, ``int``, finite
  ``float``, ``bool``, ``None``, and lists/tuples/dicts of those, compared by exact type so that no
  subclass can bring its own ``__repr__``). ``repr`` of a ``str`` escapes quotes, backslashes, newlines,
  NUL, U+2028 and every other non-printable character, so the literal denotes exactly the value.
- ``PyName``: an identifier the generator synthesized (``let_3``, ``loop_1``), checked against a strict
  pattern and never derived from a user's name.
- ``PyCode``: code composed by the generator from constant fragments and the two above.

The templates receive only these types; their ``finalize`` hook (see ``render.py``) rejects a plain
``str``, so a mistake that would paste user text into the module fails loudly instead.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


class UnsafeValue(ValueError):
    """A value that cannot be turned into a literal safely (an internal error of the compiler)."""


@dataclass(frozen=True)
class PyCode:
    """A piece of generated Python (an expression, or statement lines joined by newlines)."""

    text: str

    def __str__(self) -> str:
        return self.text


class PyLiteral(PyCode):
    """The ``repr`` of a whitelisted value; build it with ``literal``."""


class PyName(PyCode):
    """A synthesized identifier; build it with ``name``."""


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,79}\Z")


def name(identifier: str) -> PyName:
    """A generator-chosen identifier. Only ASCII letters, digits and ``_``, never a keyword-like
    dunder; callers pass constants or ``prefix_<number>``."""
    if not _IDENTIFIER.match(identifier) or identifier.startswith("__"):
        raise UnsafeValue(f"not a safe generated identifier: {identifier!r}")
    return PyName(identifier)


def literal(value: Any) -> PyLiteral:
    """The Python literal denoting ``value`` exactly."""
    return PyLiteral(_literal_text(value, depth=0))


# Deeply nested values would make the generated line unreadable and could hit the parser's limits.
_MAX_DEPTH = 64


def _literal_text(value: Any, depth: int) -> str:
    if depth > _MAX_DEPTH:
        raise UnsafeValue("value nested too deeply for a literal")
    kind = type(value)
    if value is None or kind is bool:
        return repr(value)
    if kind is str:
        return repr(value)
    if kind is int:
        try:
            return repr(value)
        except ValueError as error:  # more digits than int->str conversion allows
            raise UnsafeValue(f"integer too large for a literal: {error}") from None
    if kind is float:
        if math.isnan(value):
            return "float('nan')"
        if math.isinf(value):
            return "float('inf')" if value > 0 else "-float('inf')"
        return repr(value)
    if kind is tuple:
        items = [_literal_text(item, depth + 1) for item in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if kind is list:
        return "[" + ", ".join(_literal_text(item, depth + 1) for item in value) + "]"
    if kind is dict:
        entries = []
        for key, item in value.items():
            if type(key) is not str:
                raise UnsafeValue(f"dict key of type {type(key).__name__} in a literal")
            entries.append(f"{_literal_text(key, depth + 1)}: {_literal_text(item, depth + 1)}")
        return "{" + ", ".join(entries) + "}"
    raise UnsafeValue(f"value of type {kind.__name__} cannot be a literal")


def join(separator: str, parts: Sequence[PyCode]) -> PyCode:
    """Parts joined by a constant separator (``", "``)."""
    return PyCode(separator.join(part.text for part in parts))


def call(function: PyName, *arguments: PyCode) -> PyCode:
    """``function(arg, ...)``."""
    return PyCode(f"{function.text}({', '.join(argument.text for argument in arguments)})")
