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
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from runtime.conditions import Condition, ConditionLike, TaskFinished, failure_atoms
from runtime.conditions import evaluate as evaluate_condition
from runtime.model import STATUS_NONE, status_word

if TYPE_CHECKING:
    from runtime.state import State

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
    """A copy of ``params`` where the named (secret) params are ``Secret``: a string value, and every
    string inside a list or object value (a ``list[secret]`` param), so that indexing keeps it secret."""
    marked = dict(params)
    for name in names:
        if name in marked:
            marked[name] = _marked(marked[name])
    return marked


def _marked(value: Any) -> Any:
    if isinstance(value, str):
        return make_secret(value)
    if isinstance(value, list):
        return [_marked(item) for item in value]
    if isinstance(value, dict):
        return {key: _marked(item) for key, item in value.items()}
    return value


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


def get_optional_member(value: Any, name: str, site: Site) -> Any:
    """``value.name`` for a field the schema makes optional: null when the object lacks it, and the
    same errors as ``get_member`` when ``value`` is not an object."""
    if isinstance(value, dict) and name not in value:
        return None
    return get_member(value, name, site)


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


class TasksView:
    """``tasks``: ``tasks["fetch"]`` is the record of task ``fetch`` in this run, an object with

    - ``status``: the language's word for the state of its latest run: ``"waiting"`` (built, not
      started), ``"running"``, ``"success"``, ``"failed"``, or ``"none"`` when no run of it was built
      (``runtime.model.status_word``: state.yaml keeps the original's ``Success`` / ``failed``);
    - ``output``: the decoded output of its latest *finished* run when that run succeeded, else null;
    - ``error``: the error of its latest finished run when that run failed, else ``""``;
    - ``arguments``: the recorded arguments of its latest started run, else null.

    A record is never an error, whether the task ran or not: a reaction fired by a failure of ``a``
    may read ``tasks["b"]`` when ``b`` never ran. Looked up lazily, so building the view costs
    nothing."""

    def __init__(self, state: State) -> None:
        self._state = state

    def task(self, name: Any, site: Site) -> dict[str, Any]:
        if not isinstance(name, str):
            raise PipelineError(site, f"tasks are looked up by name (a string), not {kind_of(name)}")
        state = self._state
        latest = state.task(name)
        finished = state.latest_finished(name)
        started = state.latest_started(name)
        label = f"task '{name}'"
        output = _decoded(finished.output) if finished is not None and finished.succeeded else None
        view = Labelled(
            output=Labelled.wrap(output, f"the output of {label}"),
            status=STATUS_NONE if latest is None else status_word(latest.state, latest.status),
            error=finished.error if finished is not None and finished.failed else "",
            arguments=Labelled.wrap(
                _arguments(started.arguments) if started is not None else None, f"the arguments of {label}"
            ),
        )
        view.label = label
        return view


def tasks_value(state: State) -> TasksView:
    """``tasks`` for the state being reacted to."""
    return TasksView(state)


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
    """``on COND if GUARD``: ``COND`` restricted to the events where ``guard(event, state)`` held.

    The guard is evaluated only on an event that both satisfies and triggers ``COND``: on the
    ``task.reported`` event of ``task("x").reported("progress") if event.payload.data.percent > 50``,
    never on a later event whose payload has no ``data``. Its result is remembered until the next
    event that triggers ``COND``: while ``COND`` is satisfied but not triggered (an operand of an
    ``and`` waiting for another operand), the guarded condition is satisfied exactly when the guard
    held at the event that last triggered ``COND``. A guarded condition is thus triggered when
    ``COND`` is triggered and the guard holds.

    The remembered result belongs to one reaction's condition object (the generated code builds one
    per reaction), and is kept current because the engine asks every reaction's condition on every
    event, and the combinators ask every operand (they never stop at the first answer)."""

    def __init__(self, condition: ConditionLike, guard: Callable[[Any, Any], bool]) -> None:
        self.condition = condition
        self.guard = guard
        self._held = False

    def evaluate(self, event: Any, state: Any) -> tuple[bool, bool]:
        satisfied, triggered = evaluate_condition(self.condition, event, state)
        if triggered:
            # An event that triggers COND without satisfying it (one operand of an ``and``) also
            # replaces the remembered result: the guard did not hold "at" it.
            self._held = satisfied and bool(self.guard(event, state))
            return self._held, self._held
        return satisfied and self._held, False

    def satisfied(self, state: Any) -> bool:
        """Without an event: ``COND`` satisfied and the guard held when ``COND`` was last triggered."""
        if isinstance(self.condition, Condition):
            return self._held and self.condition.satisfied(state)
        raise TypeError("a guarded plain function condition needs the event: call evaluate()")

    def triggered(self, event: Any, state: Any) -> bool:
        return self.evaluate(event, state)[1]

    def failure_atoms(self) -> Iterator[TaskFinished]:
        return failure_atoms(self.condition)

    def __repr__(self) -> str:
        return f"guarded({self.condition!r})"


def guarded(condition: ConditionLike, guard: Callable[[Any, Any], bool]) -> Condition:
    """``condition`` restricted to the events and states where ``guard(event, state)`` holds."""
    return Guarded(condition, guard)
