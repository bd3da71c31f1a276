"""The implementations of the standard library that ``runtime/stdlib.py`` declares.

Each function is ``std_<name>`` and takes the call's site first, then the language's arguments (the
compiler checked their number). ``@implements`` binds a function to its declaration and applies the
declared secret rule: the result of a ``DERIVED`` function is made secret (every string in it) when
any argument holds a secret, so the implementations below compute plain values and a secret cannot
be laundered through any of them. ``HELPERS`` maps every declared helper name to its function; a
declaration without an implementation fails here, at import.

Argument types are checked again at run time (a value typed ``any`` by the checker may be anything):
a wrong one raises ``PipelineError`` naming the function and what it takes.
"""

from __future__ import annotations

import functools
import json
import math
import os
import shlex
from collections.abc import Callable
from typing import Any, TypeVar

from runtime.expressions import (
    PipelineError,
    Secret,
    Site,
    _as_position,
    _quote,
    is_in,
    kind_of,
    make_secret,
    render,
)
from runtime.stdlib import DERIVED, FUNCTIONS, FUNCTIONS_BY_NAME

_Implementation = TypeVar("_Implementation", bound=Callable[..., Any])
_implemented: dict[str, Callable[..., Any]] = {}


def implements(name: str) -> Callable[[_Implementation], _Implementation]:
    """Bind the decorated ``std_<name>`` to the declaration of ``name`` and apply its secret rule."""
    declaration = FUNCTIONS_BY_NAME[name]

    def bind(function: _Implementation) -> _Implementation:
        if function.__name__ != declaration.helper:
            raise RuntimeError(f"{function.__name__} implements {name!r}: name it {declaration.helper}")
        helper = _propagating(function) if declaration.secret == DERIVED else function
        _implemented[declaration.helper] = helper
        return helper  # type: ignore[return-value]

    return bind


def _propagating(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def helper(site: Site, *arguments: Any) -> Any:
        result = function(site, *arguments)
        if any(_holds_secret(argument) for argument in arguments):
            return _as_secret(result)
        return result

    return helper


def _holds_secret(value: Any) -> bool:
    """Whether ``value`` is a secret or contains one (in a list, as an object's key or value)."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, Secret):
            return True
        if isinstance(current, list):
            stack.extend(current)
        elif isinstance(current, dict):
            stack.extend(current.keys())
            stack.extend(current.values())
    return False


def _as_secret(value: Any) -> Any:
    """``value`` with every string in it made a secret."""
    if isinstance(value, str):
        return make_secret(value)
    if isinstance(value, list):
        return [_as_secret(item) for item in value]
    if isinstance(value, dict):
        return {_as_secret(key): _as_secret(item) for key, item in value.items()}
    return value


# ---------------------------------------------------------------------------------------------------
# The functions, in the order of the table.


@implements("env")
def std_env(site: Site, name: Any, *fallback: Any) -> Any:
    """``env(name[, default])``: an environment variable; without a default, a missing one is an error."""
    _want_str("env", name, site)
    value = os.environ.get(name)
    if value is not None:
        return value
    if fallback:
        return fallback[0]
    raise PipelineError(site, f"environment variable {_quote(name)} is not set (give env() a default)")


@implements("len")
def std_len(site: Site, value: Any) -> int:
    if isinstance(value, (str, list, dict)):
        return len(value)
    raise PipelineError(site, f"len() takes a string, a list or an object, not {kind_of(value)}")


@implements("json")
def std_json(site: Site, value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError as error:
        raise PipelineError(site, f"json(): {error}") from None


@implements("parse_json")
def std_parse_json(site: Site, text: Any) -> Any:
    _want_str("parse_json", text, site)
    try:
        return json.loads(text)
    except ValueError as error:
        raise PipelineError(site, f"parse_json(): not valid JSON: {error}") from None


@implements("format")
def std_format(site: Site, template: Any, *args: Any) -> str:
    """``format("{} of {}", a, b)``: each ``{}`` takes the next argument, rendered as text; ``{{`` and
    ``}}`` are literal braces."""
    _want_str("format", template, site)
    pieces: list[str] = []
    remaining = list(args)
    index = 0
    while index < len(template):
        pair = template[index : index + 2]
        if pair in ("{{", "}}"):
            pieces.append(pair[0])
            index += 2
        elif pair == "{}":
            if not remaining:
                raise PipelineError(
                    site, f"format(): more '{{}}' placeholders than the {len(args)} arguments"
                )
            pieces.append(render(remaining.pop(0)))
            index += 2
        else:
            pieces.append(template[index])
            index += 1
    if remaining:
        raise PipelineError(site, f"format(): {len(remaining)} argument(s) left over without a '{{}}'")
    return "".join(pieces)


@implements("string")
def std_string(site: Site, value: Any) -> str:
    return render(value)


@implements("number")
def std_number(site: Site, value: Any) -> int | float:
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            result = float(text)
        except ValueError:
            raise PipelineError(site, f"number(): {_quote(value)} is not a number") from None
        if not math.isfinite(result):
            raise PipelineError(site, f"number(): {_quote(value)} is not a finite number")
        return result
    raise PipelineError(site, f"number() takes a string, a number or a bool, not {kind_of(value)}")


@implements("join")
def std_join(site: Site, items: Any, separator: Any = "") -> str:
    _want_list("join", items, site)
    _want_str("join", separator, site)
    return separator.join(render(item) for item in items)


@implements("split")
def std_split(site: Site, text: Any, separator: Any) -> list[str]:
    _want_str("split", text, site)
    _want_str("split", separator, site)
    if not separator:
        raise PipelineError(site, "split(): the separator must not be empty")
    return text.split(separator)


@implements("keys")
def std_keys(site: Site, value: Any) -> list[str]:
    _want_object("keys", value, site)
    return list(value.keys())


@implements("values")
def std_values(site: Site, value: Any) -> list[Any]:
    _want_object("values", value, site)
    return list(value.values())


@implements("lower")
def std_lower(site: Site, text: Any) -> str:
    _want_str("lower", text, site)
    return str(text).lower()


@implements("upper")
def std_upper(site: Site, text: Any) -> str:
    _want_str("upper", text, site)
    return str(text).upper()


@implements("trim")
def std_trim(site: Site, text: Any) -> str:
    _want_str("trim", text, site)
    return str(text).strip()


@implements("contains")
def std_contains(site: Site, container: Any, item: Any) -> bool:
    return is_in(item, container, site)


@implements("starts_with")
def std_starts_with(site: Site, text: Any, prefix: Any) -> bool:
    _want_str("starts_with", text, site)
    _want_str("starts_with", prefix, site)
    return bool(text.startswith(prefix))


@implements("ends_with")
def std_ends_with(site: Site, text: Any, suffix: Any) -> bool:
    _want_str("ends_with", text, site)
    _want_str("ends_with", suffix, site)
    return bool(text.endswith(suffix))


@implements("replace")
def std_replace(site: Site, text: Any, old: Any, new: Any) -> str:
    for value in (text, old, new):
        _want_str("replace", value, site)
    if not old:
        raise PipelineError(site, "replace(): the text to replace must not be empty")
    return str(text).replace(old, new)


@implements("default")
def std_default(site: Site, value: Any, fallback: Any) -> Any:
    """``default(x, fallback)``: ``x`` unless it is null."""
    return fallback if value is None else value


# Bounds the lists range() builds, so that a typo cannot exhaust memory.
RANGE_LIMIT = 1_000_000


@implements("range")
def std_range(site: Site, count: Any) -> list[int]:
    position = _as_position(count, site)
    if position < 0:
        raise PipelineError(site, f"range() needs a count of 0 or more, not {position}")
    if position > RANGE_LIMIT:
        raise PipelineError(site, f"range() is limited to {RANGE_LIMIT} elements, not {position}")
    return list(range(position))


@implements("quote")
def std_quote(site: Site, text: Any) -> str:
    """``quote(s)``: ``shlex.quote``, which a POSIX shell reads back as exactly ``s``. A NUL character
    cannot be part of a command line at all, so it is refused rather than quoted."""
    _want_str("quote", text, site)
    if "\0" in text:
        raise PipelineError(site, "quote(): the text holds a NUL character, which no shell command can carry")
    return shlex.quote(str(text))


def _want_str(function: str, value: Any, site: Site) -> None:
    if not isinstance(value, str):
        raise PipelineError(site, f"{function}() takes a string here, not {kind_of(value)}")


def _want_list(function: str, value: Any, site: Site) -> None:
    if not isinstance(value, list):
        raise PipelineError(site, f"{function}() takes a list here, not {kind_of(value)}")


def _want_object(function: str, value: Any, site: Site) -> None:
    if not isinstance(value, dict):
        raise PipelineError(site, f"{function}() takes an object, not {kind_of(value)}")


# Every declared function's helper, by its exported name (a missing implementation is a KeyError here).
HELPERS: dict[str, Callable[..., Any]] = {
    function.helper: _implemented[function.helper] for function in FUNCTIONS
}
