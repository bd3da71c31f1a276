"""A quick test that a value is certainly valid, for the schemas most endpoints have.

The engine validates every call's arguments and payload, and a service its arguments. jsonschema
takes 20 to 50 microseconds for a small object (it builds a validator object per subschema it
descends into), more than the rest of the engine's work on a task. Most schemas use a handful of
keywords (``type``, ``properties``, ``required``, ``additionalProperties``, ``items``,
``minLength``...), whose meaning is simple and the same in every draft from 4 on; for them,
``compile_shortcut`` builds a plain Python test.

The shortcut only ever *accepts*: when it says True the value is valid, and jsonschema is not asked;
when it says False, or when the schema has a keyword it does not handle, jsonschema decides, and
its verdict and message are the only ones there are. So the shortcut never changes a verdict, as
long as it accepts nothing jsonschema refuses: it is conservative where the drafts or jsonschema's
rules are subtle (a float such as ``1.0`` is never an integer to it, an ``enum`` accepts only
identical strings), and ``tests/services/test_shortcut.py`` checks it against jsonschema over
many generated schemas and values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from runtime.services.formats import FORMATS

Test = Callable[[Any], bool]

# Keywords that assert nothing (annotations, and containers of subschemas used only by reference).
_IGNORED = frozenset(
    (
        "$schema",
        "$id",
        "$comment",
        "title",
        "description",
        "default",
        "examples",
        "readOnly",
        "writeOnly",
        "deprecated",
        "definitions",
        "$defs",
    )
)
# Drafts whose meaning of the handled keywords is the one below (draft 3 differs; draft 4's
# exclusiveMinimum and exclusiveMaximum are booleans, so it is handled without them).
_DRAFTS = {
    "http://json-schema.org/draft-04/schema": 4,
    "http://json-schema.org/draft-06/schema": 6,
    "http://json-schema.org/draft-07/schema": 7,
    "https://json-schema.org/draft/2019-09/schema": 2019,
    "https://json-schema.org/draft/2020-12/schema": 2020,
}
_DEPTH_LIMIT = 32


class _Unsupported(Exception):
    pass


def compile_shortcut(schema: Mapping[str, Any], draft_uri: str) -> Test | None:
    """The quick test for ``schema`` of the draft ``draft_uri`` (its metaschema's id), or None when
    the schema uses a keyword the shortcut does not handle."""
    draft = _DRAFTS.get(draft_uri.rstrip("#"))
    if draft is None:
        return None
    try:
        return _compile(schema, draft, 0)
    except _Unsupported:
        return None


def _compile(schema: Any, draft: int, depth: int) -> Test:
    if schema is True:
        return _accept
    if not isinstance(schema, Mapping) or depth > _DEPTH_LIMIT:
        raise _Unsupported
    tests: list[Test] = []
    for keyword, argument in schema.items():
        if keyword in _IGNORED:
            continue
        build = _KEYWORDS.get(keyword)
        if build is None or (draft == 4 and keyword in ("exclusiveMinimum", "exclusiveMaximum")):
            raise _Unsupported
        if keyword in ("additionalProperties", "patternProperties"):
            continue  # read together with properties below
        tests.append(build(argument, schema, draft, depth))
    if "additionalProperties" in schema and "properties" not in schema:
        tests.append(_properties({}, schema, draft, depth))
    if "patternProperties" in schema:
        raise _Unsupported
    if not tests:
        return _accept
    if len(tests) == 1:
        return tests[0]
    return lambda value: all(test(value) for test in tests)


def _accept(value: Any) -> bool:
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# A value that is certainly of each JSON type in every draft from 4 on (a float is never taken for
# an integer: jsonschema's answer for 1.0 depends on the draft).
_TYPES: dict[str, Test] = {
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "number": _is_number,
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
}


def _type(argument: Any, schema: Any, draft: int, depth: int) -> Test:
    names = argument if isinstance(argument, list) else [argument]
    if not names or not all(isinstance(name, str) and name in _TYPES for name in names):
        raise _Unsupported
    checks = [_TYPES[name] for name in names]
    if len(checks) == 1:
        return checks[0]
    return lambda value: any(check(value) for check in checks)


def _properties(argument: Any, schema: Any, draft: int, depth: int) -> Test:
    if not isinstance(argument, Mapping):
        raise _Unsupported
    known = {str(name): _compile(sub, draft, depth + 1) for name, sub in argument.items()}
    additional = schema.get("additionalProperties", True)
    other: Test | None
    if additional is True:
        other = _accept
    elif additional is False:
        other = None
    else:
        other = _compile(additional, draft, depth + 1)

    def test(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for key, item in value.items():
            check = known.get(key, other)
            if check is None or not check(item):
                return False
        return True

    return test


def _required(argument: Any, schema: Any, draft: int, depth: int) -> Test:
    if not isinstance(argument, list) or not all(isinstance(name, str) for name in argument):
        raise _Unsupported
    names = tuple(argument)
    return lambda value: not isinstance(value, dict) or all(name in value for name in names)


def _items(argument: Any, schema: Any, draft: int, depth: int) -> Test:
    if not isinstance(argument, Mapping) and argument is not True:
        raise _Unsupported  # the array form (tuples) and `false`
    check = _compile(argument, draft, depth + 1)
    return lambda value: not isinstance(value, list) or all(check(item) for item in value)


def _count(argument: Any) -> int:
    if isinstance(argument, bool) or not isinstance(argument, int) or argument < 0:
        raise _Unsupported
    return argument


def _min_length(argument: Any, schema: Any, draft: int, depth: int) -> Test:
    least = _count(argument)
    return lambda value: not isinstance(value, str) or len(value) >= least


def _max_length(argument: Any, schema: Any, draft: int, depth: int) -> Test:
    most = _count(argument)
    return lambda value: not isinstance(value, str) or len(value) <= most


def _min_items(argument: Any, schema: Any, draft: int, depth: int) -> Test:
    least = _count(argument)
    return lambda value: not isinstance(value, list) or len(value) >= least


def _max_items(argument: Any, schema: Any, draft: int, depth: int) -> Test:
    most = _count(argument)
    return lambda value: not isinstance(value, list) or len(value) <= most


def _bound(argument: Any) -> int | float:
    if not _is_number(argument):
        raise _Unsupported
    return argument  # type: ignore[no-any-return]


def _minimum(argument: Any, schema: Any, draft: int, depth: int) -> Test:
    least = _bound(argument)
    return lambda value: not _is_number(value) or value >= least


def _maximum(argument: Any, schema: Any, draft: int, depth: int) -> Test:
    most = _bound(argument)
    return lambda value: not _is_number(value) or value <= most


def _exclusive_minimum(argument: Any, schema: Any, draft: int, depth: int) -> Test:
    least = _bound(argument)
    return lambda value: not _is_number(value) or value > least


def _exclusive_maximum(argument: Any, schema: Any, draft: int, depth: int) -> Test:
    most = _bound(argument)
    return lambda value: not _is_number(value) or value < most


def _pattern(argument: Any, schema: Any, draft: int, depth: int) -> Test:
    if not isinstance(argument, str):
        raise _Unsupported
    search = re.compile(argument).search
    return lambda value: not isinstance(value, str) or search(value) is not None


def _enum(argument: Any, schema: Any, draft: int, depth: int) -> Test:
    if not isinstance(argument, list):
        raise _Unsupported
    # Only strings are compared here: jsonschema's equality of numbers, bools and containers has
    # rules of its own (1 == 1.0, true != 1), and those values go to it.
    strings = frozenset(item for item in argument if isinstance(item, str))
    return lambda value: isinstance(value, str) and value in strings


def _required_choice(exactly_one: bool) -> Callable[[Any, Any, int, int], Test]:
    """``oneOf``/``anyOf`` whose options only require fields (``exec.command``'s "``Command`` or
    ``Args``"): a ``required`` test is exact, so the number of options an object satisfies is
    known, and so is the verdict. A value that is no object satisfies every option (``required``
    constrains objects only). Other combinators are left to jsonschema."""

    def build(argument: Any, schema: Any, draft: int, depth: int) -> Test:
        if not isinstance(argument, list) or not argument:
            raise _Unsupported
        options: list[tuple[str, ...]] = []
        for option in argument:
            names = option.get("required") if isinstance(option, Mapping) else None
            if not isinstance(names, list) or set(option) - _IGNORED - {"required"}:
                raise _Unsupported
            if not all(isinstance(name, str) for name in names):
                raise _Unsupported
            options.append(tuple(names))

        def test(value: Any) -> bool:
            if isinstance(value, dict):
                satisfied = sum(all(name in value for name in names) for names in options)
            else:
                satisfied = len(options)
            return satisfied == 1 if exactly_one else satisfied >= 1

        return test

    return build


def _format(argument: Any, schema: Any, draft: int, depth: int) -> Test:
    check = FORMATS.get(argument) if isinstance(argument, str) else None
    if check is None:
        return _accept  # a format oi does not check, under every draft
    return lambda value: not isinstance(value, str) or check(value)


_KEYWORDS: dict[str, Callable[[Any, Any, int, int], Test]] = {
    "type": _type,
    "properties": _properties,
    "additionalProperties": _properties,
    "patternProperties": _properties,
    "required": _required,
    "items": _items,
    "minLength": _min_length,
    "maxLength": _max_length,
    "minItems": _min_items,
    "maxItems": _max_items,
    "minimum": _minimum,
    "maximum": _maximum,
    "exclusiveMinimum": _exclusive_minimum,
    "exclusiveMaximum": _exclusive_maximum,
    "pattern": _pattern,
    "enum": _enum,
    "format": _format,
    "oneOf": _required_choice(exactly_one=True),
    "anyOf": _required_choice(exactly_one=False),
}
