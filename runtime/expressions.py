"""The value semantics of `.oi` expressions, called by generated pipeline modules.

Generated code stays small and readable because every operation whose meaning differs from Python's
goes through a helper here: ``get_member(value, "cards", SITES[3])`` instead of ``value["cards"]``.
Values are JSON values: ``str``, ``int``, ``float``, ``bool``, ``None``, ``list`` and ``dict``.

Every helper takes a *site*: the ``(file, line, column)`` of the `.oi` construct it evaluates, taken from
the ``SITES`` table the generated module declares. Every failure raises ``PipelineError`` whose message
starts with that position (``pipeline.oi:12:5: no field 'cards' in the output of task 'fetch' ...``), so
a user never sees a line number of generated Python.

Type rules, in short:

- ``+`` adds numbers, concatenates two strings or two lists, merges two objects (right wins);
  ``- * / %`` take numbers only; ``/`` of two ints gives an int when exact, else a float; bools are
  not numbers.
- ``== !=`` compare deeply (``1 == 1.0``, but ``true != 1``); ``< <= > >=`` compare two numbers or two
  strings; ``in`` looks for an element of a list, a key of an object or a substring of a string.
- Truthiness (``if``, ``and``, ``or``, ``not``, guards): ``null``, ``false``, ``0``, ``""``, ``[]`` and
  ``{}`` are false, everything else is true.
- Rendering as text (interpolation, ``string(x)``): strings as they are, ``null`` as ``""``, anything
  else as compact JSON.

Secrets: a param of type ``secret`` arrives as a ``Secret`` (a ``str`` subclass; the generated ``build``
marks them). Any string built from a secret by interpolation, ``+`` or a string function is a ``Secret``
too and is announced to the ``on_secret`` listeners: the engine's redactor already masks a secret
wherever it occurs inside a longer text (``"Bearer ${token}"``), and a listener lets it also learn values
it could not recognise, such as ``upper(token)``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from runtime.conditions import Condition, ConditionLike
from runtime.conditions import evaluate as evaluate_condition
from runtime.model import TASK_STATUS_FAILED, TASK_STATUS_SUCCESS

Site = tuple[str, int, int]


class PipelineError(Exception):
    """An expression failed at run time. ``site`` is the `.oi` position, ``detail`` the problem; the
    message is ``file:line:column: detail``, ready to show as one line."""

    def __init__(self, site: Site, detail: str) -> None:
        super().__init__(f"{site[0]}:{site[1]}:{site[2]}: {detail}")
        self.site = site
        self.detail = detail


# ---------------------------------------------------------------------------------------------------
# Secrets


class Secret(str):
    """A string that must never be written anywhere in clear; derived strings stay ``Secret``."""

    __slots__ = ()


_secret_listeners: list[Callable[[str], None]] = []


def on_secret(listener: Callable[[str], None]) -> Callable[[], None]:
    """Call ``listener(text)`` for every secret value created from now on (the engine's redactor,
    e.g. ``on_secret(redactor.add)``); returns a function that removes the listener."""
    _secret_listeners.append(listener)

    def remove() -> None:
        if listener in _secret_listeners:
            _secret_listeners.remove(listener)

    return remove


def make_secret(text: str) -> Secret:
    """``text`` as a ``Secret``, announced to the ``on_secret`` listeners."""
    secret = text if isinstance(text, Secret) else Secret(text)
    if secret:
        for listener in list(_secret_listeners):
            listener(str(secret))
    return secret


def mark_secrets(params: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """A copy of ``params`` where the string values of the named (secret) params are ``Secret``."""
    marked = dict(params)
    for name in names:
        value = marked.get(name)
        if isinstance(value, str):
            marked[name] = make_secret(value)
    return marked


def _is_secret(*values: Any) -> bool:
    return any(isinstance(value, Secret) for value in values)


def _text_result(text: str, *sources: Any) -> str:
    """``text``, as a ``Secret`` when any source was one."""
    return make_secret(text) if _is_secret(*sources) else text


# ---------------------------------------------------------------------------------------------------
# Describing values in messages


class Labelled(dict):  # type: ignore[type-arg]
    """An object that knows what it is (``the output of task 'fetch'``), so that a missing field can be
    reported in the user's terms. Behaves exactly like a ``dict`` otherwise (JSON, equality)."""

    label: str = "the object"

    @staticmethod
    def wrap(value: Any, label: str) -> Any:
        if isinstance(value, dict):
            labelled = Labelled(value)
            labelled.label = label
            return labelled
        return value


def kind_of(value: Any) -> str:
    """The language's name for the type of ``value`` (``a number``, ``null``, ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "a value of an unknown type"


def _field_list(value: Mapping[str, Any], limit: int = 12) -> str:
    names = [str(name) for name in value]
    if not names:
        return "it has no fields"
    shown = ", ".join(names[:limit])
    more = f", ... ({len(names) - limit} more)" if len(names) > limit else ""
    return f"fields: {shown}{more}"


def _quote(text: str, limit: int = 60) -> str:
    """A user string for a message: quoted, shortened, control characters escaped."""
    shown = text if len(text) <= limit else text[:limit] + "..."
    return json.dumps(shown, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------------
# Access


def get_member(value: Any, name: str, site: Site) -> Any:
    """``value.name``: a field of an object."""
    if isinstance(value, dict):
        if name in value:
            child = value[name]
            if isinstance(value, Labelled) and not isinstance(child, Labelled):
                return Labelled.wrap(child, f"field '{name}' of {value.label}")
            return child
        where = value.label if isinstance(value, Labelled) else "the object"
        raise PipelineError(site, f"no field '{name}' in {where} ({_field_list(value)})")
    raise PipelineError(site, f"cannot read field '{name}' of {kind_of(value)}")


def get_index(value: Any, index: Any, site: Site) -> Any:
    """``value[index]``: a list element by position (negative counts from the end), an object field by
    key, a character of a string."""
    if isinstance(value, TasksView):
        return value.task(index, site)
    if isinstance(value, dict):
        if not isinstance(index, str):
            raise PipelineError(site, f"an object is indexed by a string, not {kind_of(index)}")
        return get_member(value, index, site)
    if isinstance(value, (list, str)):
        position = _as_position(index, site)
        if -len(value) <= position < len(value):
            return value[position]
        raise PipelineError(
            site, f"index {position} is out of range for {kind_of(value)} of length {len(value)}"
        )
    raise PipelineError(site, f"cannot index {kind_of(value)}")


def _as_position(index: Any, site: Site) -> int:
    if isinstance(index, bool) or not isinstance(index, (int, float)):
        raise PipelineError(site, f"a list is indexed by a number, not {kind_of(index)}")
    if isinstance(index, float):
        if not index.is_integer():
            raise PipelineError(site, f"a list index must be a whole number, not {index}")
        return int(index)
    return index


def iterate(value: Any, site: Site) -> list[Any]:
    """The elements ``for`` loops and comprehensions walk: a list's items or an object's keys."""
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return list(value.keys())
    raise PipelineError(site, f"cannot loop over {kind_of(value)}; expected a list or an object")


def object_key(value: Any, site: Site) -> str:
    """A computed key of an object comprehension: must be a string."""
    if isinstance(value, str):
        return value
    raise PipelineError(site, f"an object key must be a string, not {kind_of(value)}")


def task_name(value: Any, site: Site) -> str:
    """The name of a task being built: a non-empty string."""
    if not isinstance(value, str):
        raise PipelineError(site, f"a task name must be a string, not {kind_of(value)}")
    if not value:
        raise PipelineError(site, "a task name must not be empty")
    return str(value)


# ---------------------------------------------------------------------------------------------------
# Operators


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def truthy(value: Any) -> bool:
    """Whether ``value`` counts as true in ``if``, ``and``, ``or``, ``not`` and guards."""
    if value is None or value is False:
        return False
    if value is True:
        return True
    if _is_number(value):
        return value != 0
    if isinstance(value, (str, list, dict)):
        return len(value) > 0
    return True


def add(left: Any, right: Any, site: Site) -> Any:
    """``left + right``."""
    if _is_number(left) and _is_number(right):
        return _number(left + right, site)
    if isinstance(left, str) and isinstance(right, str):
        return _text_result(left + right, left, right)
    if isinstance(left, list) and isinstance(right, list):
        return left + right
    if isinstance(left, dict) and isinstance(right, dict):
        return {**left, **right}
    hint = (
        " (build text with interpolation or string(x))"
        if isinstance(left, str) or isinstance(right, str)
        else ""
    )
    raise PipelineError(site, f"cannot add {kind_of(left)} and {kind_of(right)}{hint}")


def fold(value: Any, *steps: tuple[Callable[[Any, Any, Site], Any], Any, Site]) -> Any:
    """A flat left-associative chain: ``a + b - c`` is ``fold(A, (add, B, SITES[1]), (subtract, C,
    SITES[2]))`` and ``x.a[0]`` is ``fold(X, (get_member, 'a', SITES[3]), (get_index, 0, SITES[4]))``.

    Each step applies its helper to the value so far, its operand and its own site, as the nested
    calls ``subtract(add(A, B, ...), C, ...)`` would, so a failure names the `.oi` position of its
    step; the generated code stays flat however long the chain (a nested call per link would exceed
    CPython's 200 nested parentheses). The operands are evaluated before the first step applies:
    expressions have no side effects, so only which of two failures is reported can differ."""
    for helper, operand, site in steps:
        value = helper(value, operand, site)
    return value


def _numbers(op: str, left: Any, right: Any, site: Site) -> None:
    if not (_is_number(left) and _is_number(right)):
        raise PipelineError(site, f"'{op}' needs two numbers, not {kind_of(left)} and {kind_of(right)}")


def _number(result: int | float, site: Site) -> int | float:
    if isinstance(result, float) and not math.isfinite(result):
        raise PipelineError(site, "the result is too large for a number")
    return result


def subtract(left: Any, right: Any, site: Site) -> int | float:
    _numbers("-", left, right, site)
    return _number(left - right, site)


def multiply(left: Any, right: Any, site: Site) -> int | float:
    _numbers("*", left, right, site)
    return _number(left * right, site)


def divide(left: Any, right: Any, site: Site) -> int | float:
    _numbers("/", left, right, site)
    if right == 0:
        raise PipelineError(site, "division by zero")
    if isinstance(left, int) and isinstance(right, int) and left % right == 0:
        return left // right
    return _number(left / right, site)


def modulo(left: Any, right: Any, site: Site) -> int | float:
    _numbers("%", left, right, site)
    if right == 0:
        raise PipelineError(site, "modulo by zero")
    return _number(left % right, site)


def negate(value: Any, site: Site) -> int | float:
    if not _is_number(value):
        raise PipelineError(site, f"'-' needs a number, not {kind_of(value)}")
    return -value


def equal(left: Any, right: Any) -> bool:
    """Deep equality of JSON values: numbers by value, bools only equal bools."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if _is_number(left) and _is_number(right):
        return bool(left == right)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(equal(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(equal(left[key], right[key]) for key in left)
    if type(left) is not type(right) and not (isinstance(left, str) and isinstance(right, str)):
        return False
    return bool(left == right)


def not_equal(left: Any, right: Any) -> bool:
    return not equal(left, right)


def _ordered(op: str, left: Any, right: Any, site: Site) -> None:
    if (_is_number(left) and _is_number(right)) or (isinstance(left, str) and isinstance(right, str)):
        return
    raise PipelineError(
        site, f"'{op}' compares two numbers or two strings, not {kind_of(left)} and {kind_of(right)}"
    )


def less(left: Any, right: Any, site: Site) -> bool:
    _ordered("<", left, right, site)
    return bool(left < right)


def less_equal(left: Any, right: Any, site: Site) -> bool:
    _ordered("<=", left, right, site)
    return bool(left <= right)


def greater(left: Any, right: Any, site: Site) -> bool:
    _ordered(">", left, right, site)
    return bool(left > right)


def greater_equal(left: Any, right: Any, site: Site) -> bool:
    _ordered(">=", left, right, site)
    return bool(left >= right)


def is_in(item: Any, container: Any, site: Site) -> bool:
    """``item in container``."""
    if isinstance(container, list):
        return any(equal(item, element) for element in container)
    if isinstance(container, dict):
        return isinstance(item, str) and item in container
    if isinstance(container, str):
        if not isinstance(item, str):
            raise PipelineError(site, f"'in' a string looks for a string, not {kind_of(item)}")
        return item in container
    raise PipelineError(
        site, f"'in' needs a list, an object or a string on its right, not {kind_of(container)}"
    )


# ---------------------------------------------------------------------------------------------------
# Text


def _to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def render(value: Any) -> str:
    """``value`` as text: strings as is, null as "", everything else as compact JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _to_json(value)


def interpolate(*parts: Any) -> str:
    """The value of ``"text ${expr} text"``: the parts rendered and joined. A secret part makes the
    whole string a secret."""
    return _text_result("".join(render(part) for part in parts), *parts)


# ---------------------------------------------------------------------------------------------------
# Built-in values: event, tasks, pipeline


def event_value(event: Any) -> dict[str, Any]:
    """``event``: ``{name, id, payload}`` of the event being handled."""
    metadata = getattr(event, "metadata", None)
    name = getattr(metadata, "name", "")
    view = Labelled(
        name=name,
        id=getattr(metadata, "id", ""),
        payload=Labelled.wrap(dict(getattr(event, "payload", {}) or {}), f"the payload of event '{name}'"),
    )
    view.label = "the event"
    return view


def pipeline_value(name: str) -> dict[str, Any]:
    """``pipeline``: ``{name}``."""
    view = Labelled(name=name)
    view.label = "pipeline"
    return view


# state.yaml keeps the original engine's status strings; the language speaks as its conditions do.
_LANGUAGE_STATUS = {TASK_STATUS_SUCCESS: "success", TASK_STATUS_FAILED: "failed"}


class TasksView:
    """``tasks``: ``tasks["fetch"]`` is the latest run of task ``fetch`` as an object with ``output``
    (decoded JSON), ``status`` (``"success"``/``"failed"``, the words of ``finished(success)``;
    ``""`` until it finishes), ``error`` and ``arguments``. Looked up lazily, so building the view
    costs nothing."""

    def __init__(self, state: Any) -> None:
        self._state = state

    def task(self, name: Any, site: Site) -> dict[str, Any]:
        if not isinstance(name, str):
            raise PipelineError(site, f"tasks are looked up by name (a string), not {kind_of(name)}")
        run = _latest_run(self._state, name)
        if run is None:
            raise PipelineError(site, f"task {_quote(name)} has not run (yet) in this run of the pipeline")
        label = f"task '{name}'"
        view = Labelled(
            output=Labelled.wrap(_decoded(getattr(run, "output", None)), f"the output of {label}"),
            status=_LANGUAGE_STATUS.get(getattr(run, "status", "") or "", ""),
            error=getattr(run, "error", "") or "",
            arguments=Labelled.wrap(_arguments(getattr(run, "arguments", None)), f"the arguments of {label}"),
        )
        view.label = label
        return view


def tasks_value(state: Any) -> TasksView:
    """``tasks`` for the state being reacted to."""
    return TasksView(state)


def _latest_run(state: Any, name: str) -> Any:
    lookup = getattr(state, "task", None)
    return lookup(name) if callable(lookup) else None


def _decoded(output: Any) -> Any:
    if isinstance(output, (str, bytes)):
        try:
            return json.loads(output)
        except ValueError:
            return output
    return output


def _arguments(arguments: Any) -> Any:
    if isinstance(arguments, Mapping):
        return dict(arguments)
    if isinstance(arguments, (list, tuple)):
        # A sequence of model Arguments: key -> value.
        return {getattr(item, "key", str(i)): _argument_value(item) for i, item in enumerate(arguments)}
    return _decoded(arguments)


def _argument_value(item: Any) -> Any:
    getter = getattr(item, "get_value", None)
    return getter() if callable(getter) else item


# ---------------------------------------------------------------------------------------------------
# Guards


class Guarded(Condition):
    """``on COND if GUARD``: ``COND`` that holds only while ``guard(event, state)`` is true.

    The guard is an expression over the event and the state, so it is evaluated in ``evaluate`` (which
    the engine and the combinators call with the event), and only once the inner condition is
    satisfied: a guard reading ``tasks["fetch"].output`` runs only after ``fetch`` finished. Without an
    event (``satisfied(state)`` alone) only the inner condition is asked."""

    def __init__(self, condition: ConditionLike, guard: Callable[[Any, Any], bool]) -> None:
        self.condition = condition
        self.guard = guard

    def evaluate(self, event: Any, state: Any) -> tuple[bool, bool]:
        satisfied, triggered = evaluate_condition(self.condition, event, state)
        if not satisfied:
            return False, triggered
        holds = bool(self.guard(event, state))
        return holds, triggered and holds

    def satisfied(self, state: Any) -> bool:
        if isinstance(self.condition, Condition):
            return self.condition.satisfied(state)
        raise TypeError("a guarded plain function condition needs the event: call evaluate()")

    def triggered(self, event: Any, state: Any) -> bool:
        return self.evaluate(event, state)[1]

    def __repr__(self) -> str:
        return f"guarded({self.condition!r})"


def guarded(condition: ConditionLike, guard: Callable[[Any, Any], bool]) -> Condition:
    """``condition`` restricted to the events and states where ``guard(event, state)`` holds."""
    return Guarded(condition, guard)


# ---------------------------------------------------------------------------------------------------
# The standard library. Each function takes the call's site first, then the language's arguments.


def std_env(site: Site, name: Any, *fallback: Any) -> Any:
    """``env(name[, default])``: an environment variable; without a default, a missing one is an error."""
    _want_str("env", name, site)
    value = os.environ.get(name)
    if value is not None:
        return value
    if fallback:
        return fallback[0]
    raise PipelineError(site, f"environment variable {_quote(name)} is not set (give env() a default)")


def std_len(site: Site, value: Any) -> int:
    if isinstance(value, (str, list, dict)):
        return len(value)
    raise PipelineError(site, f"len() takes a string, a list or an object, not {kind_of(value)}")


def std_json(site: Site, value: Any) -> str:
    try:
        text = _to_json(value)
    except ValueError as error:
        raise PipelineError(site, f"json(): {error}") from None
    return _text_result(text, *_strings_in(value))


def std_parse_json(site: Site, text: Any) -> Any:
    _want_str("parse_json", text, site)
    try:
        return json.loads(text)
    except ValueError as error:
        raise PipelineError(site, f"parse_json(): not valid JSON: {error}") from None


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
    return _text_result("".join(pieces), template, *args)


def std_string(site: Site, value: Any) -> str:
    return _text_result(render(value), value)


def std_number(site: Site, value: Any) -> int | float:
    if _is_number(value):
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
    if isinstance(value, bool):
        return 1 if value else 0
    raise PipelineError(site, f"number() takes a string, a number or a bool, not {kind_of(value)}")


def std_join(site: Site, items: Any, separator: Any = "") -> str:
    _want_list("join", items, site)
    _want_str("join", separator, site)
    return _text_result(separator.join(render(item) for item in items), separator, *items)


def std_split(site: Site, text: Any, separator: Any) -> list[str]:
    _want_str("split", text, site)
    _want_str("split", separator, site)
    if not separator:
        raise PipelineError(site, "split(): the separator must not be empty")
    return [_text_result(piece, text) for piece in text.split(separator)]


def std_keys(site: Site, value: Any) -> list[str]:
    _want_object("keys", value, site)
    return list(value.keys())


def std_values(site: Site, value: Any) -> list[Any]:
    _want_object("values", value, site)
    return list(value.values())


def std_lower(site: Site, text: Any) -> str:
    _want_str("lower", text, site)
    return _text_result(text.lower(), text)


def std_upper(site: Site, text: Any) -> str:
    _want_str("upper", text, site)
    return _text_result(text.upper(), text)


def std_trim(site: Site, text: Any) -> str:
    _want_str("trim", text, site)
    return _text_result(text.strip(), text)


def std_contains(site: Site, container: Any, item: Any) -> bool:
    return is_in(item, container, site)


def std_starts_with(site: Site, text: Any, prefix: Any) -> bool:
    _want_str("starts_with", text, site)
    _want_str("starts_with", prefix, site)
    return text.startswith(prefix)


def std_ends_with(site: Site, text: Any, suffix: Any) -> bool:
    _want_str("ends_with", text, site)
    _want_str("ends_with", suffix, site)
    return text.endswith(suffix)


def std_replace(site: Site, text: Any, old: Any, new: Any) -> str:
    for value in (text, old, new):
        _want_str("replace", value, site)
    if not old:
        raise PipelineError(site, "replace(): the text to replace must not be empty")
    return _text_result(text.replace(old, new), text, new)


def std_default(site: Site, value: Any, fallback: Any) -> Any:
    """``default(x, fallback)``: ``x`` unless it is null."""
    return fallback if value is None else value


# Bounds the lists range() builds, so that a typo cannot exhaust memory.
RANGE_LIMIT = 1_000_000


def std_range(site: Site, count: Any) -> list[int]:
    position = _as_position(count, site)
    if position < 0:
        raise PipelineError(site, f"range() needs a count of 0 or more, not {position}")
    if position > RANGE_LIMIT:
        raise PipelineError(site, f"range() is limited to {RANGE_LIMIT} elements, not {position}")
    return list(range(position))


def _want_str(function: str, value: Any, site: Site) -> None:
    if not isinstance(value, str):
        raise PipelineError(site, f"{function}() takes a string here, not {kind_of(value)}")


def _want_list(function: str, value: Any, site: Site) -> None:
    if not isinstance(value, list):
        raise PipelineError(site, f"{function}() takes a list here, not {kind_of(value)}")


def _want_object(function: str, value: Any, site: Site) -> None:
    if not isinstance(value, dict):
        raise PipelineError(site, f"{function}() takes an object, not {kind_of(value)}")


def _strings_in(value: Any) -> Iterator[Any]:
    """Every string inside a JSON value (to learn whether a secret went into it)."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            yield current
        elif isinstance(current, list):
            stack.extend(current)
        elif isinstance(current, dict):
            stack.extend(current.values())


# The standard library by its name in the language: (function, fewest arguments, most arguments).
STANDARD_LIBRARY: dict[str, tuple[Callable[..., Any], int, int]] = {
    "env": (std_env, 1, 2),
    "len": (std_len, 1, 1),
    "json": (std_json, 1, 1),
    "parse_json": (std_parse_json, 1, 1),
    "format": (std_format, 1, 64),
    "string": (std_string, 1, 1),
    "number": (std_number, 1, 1),
    "join": (std_join, 1, 2),
    "split": (std_split, 2, 2),
    "keys": (std_keys, 1, 1),
    "values": (std_values, 1, 1),
    "lower": (std_lower, 1, 1),
    "upper": (std_upper, 1, 1),
    "trim": (std_trim, 1, 1),
    "contains": (std_contains, 2, 2),
    "starts_with": (std_starts_with, 2, 2),
    "ends_with": (std_ends_with, 2, 2),
    "replace": (std_replace, 3, 3),
    "default": (std_default, 2, 2),
    "range": (std_range, 1, 1),
}
