"""The types a param may be declared with, and which values each one admits: one table for the
compiler (which types the names) and the binary (which parses ``--param`` values).

A written type is a name of ``WRITTEN_PARAM_TYPES`` (``int`` is a synonym of ``integer``), or
``list[T]`` with ``T`` a written type. The generated code passes the *canonical* text of the type
(``integer``, ``list[integer]``) to the runtime, which checks a value given on the command line or in
the environment with ``admits``, so that a param's value always has the type the checker assumed.

This module imports nothing: the compiler reads it without loading the engine.
"""

from __future__ import annotations

from typing import Any

# Written name -> canonical name.
WRITTEN_PARAM_TYPES: dict[str, str] = {
    "string": "string",
    "secret": "secret",
    "number": "number",
    "integer": "integer",
    "int": "integer",
    "bool": "bool",
    "list": "list",
    "object": "object",
    "any": "any",
}

CANONICAL_PARAM_TYPES = tuple(dict.fromkeys(WRITTEN_PARAM_TYPES.values()))


def canonical(name: str, element: str | None = None) -> str | None:
    """The canonical text of the written type ``name`` (with the canonical ``element`` text for
    ``list[T]``); None when ``name`` is not a type."""
    kind = WRITTEN_PARAM_TYPES.get(name)
    if kind is None:
        return None
    if kind == "list" and element is not None:
        return f"list[{element}]"
    return kind


def split_list(type_text: str) -> str | None:
    """The element type of ``list[T]``, or None when ``type_text`` is not a typed list."""
    if type_text.startswith("list[") and type_text.endswith("]"):
        return type_text[len("list[") : -1]
    return None


def admits(type_text: str, value: Any) -> bool:
    """Whether the JSON value ``value`` has the canonical type ``type_text``."""
    element = split_list(type_text)
    if element is not None:
        return isinstance(value, list) and all(admits(element, item) for item in value)
    if type_text in ("string", "secret"):
        return isinstance(value, str)
    if type_text == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if type_text == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_text == "bool":
        return isinstance(value, bool)
    if type_text == "list":
        return isinstance(value, list)
    if type_text == "object":
        return isinstance(value, dict)
    return type_text == "any"
