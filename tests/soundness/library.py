"""The standard library the generator may call: the runtime's own table of functions.

Read from ``runtime.stdlib`` (the one declaration of every function) when the runtime has it, else
from the table ``runtime.expressions`` keeps. ``GENERATED`` lists the functions the generator knows
how to call safely; a function in the runtime's table outside it is reported by the tests, so that a
new function cannot go uncovered.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

GENERATED = frozenset(
    {
        "env", "len", "json", "parse_json", "format", "string", "number", "join", "split", "keys",
        "values", "lower", "upper", "trim", "contains", "starts_with", "ends_with", "replace",
        "default", "range", "quote",
    }
)  # fmt: skip


def runtime_functions() -> frozenset[str]:
    """The names of the functions the runtime's standard-library table declares."""
    try:
        module: Any = importlib.import_module("runtime.stdlib")
    except ImportError:
        module = None
    if module is not None:
        for attribute in ("FUNCTIONS", "STANDARD_LIBRARY", "LIBRARY", "TABLE"):
            names = _names(getattr(module, attribute, None))
            if names:
                return names
    from runtime.expressions import STANDARD_LIBRARY

    return frozenset(STANDARD_LIBRARY)


def _names(table: Any) -> frozenset[str]:
    if isinstance(table, dict):
        return frozenset(str(name) for name in table)
    if isinstance(table, Iterable) and not isinstance(table, (str, bytes)):
        return frozenset(str(item.name) for item in table if hasattr(item, "name"))
    return frozenset()


def usable_functions() -> frozenset[str]:
    """The functions generated programs call: those of the runtime the generator knows."""
    return runtime_functions() & GENERATED
