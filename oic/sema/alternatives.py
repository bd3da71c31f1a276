"""Endpoints whose arguments require one field out of several.

An ``arguments.json`` says so with a combinator whose options only name required fields::

    "oneOf": [{"required": ["Command"]}, {"required": ["Args"]}]

``oneOf`` means exactly one option (``exec.command`` takes ``Command`` or ``Args``, not both), ``anyOf``
at least one. Such a combinator constrains which fields a call gives, not what they hold, so the
arguments are still read as an object with typed fields (``types.from_schema`` asks
``only_requires``), and ``check_call_alternatives`` checks the constraint at each call: no option
given is E0301 (a required field is missing), two options given under ``oneOf`` is E0302 (the second
field is not allowed beside the first); a call with an unknown field gets only that error. Only
the top level of the arguments is read this way; a
nested object with such a combinator stays untyped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from oic.sema.reporter import Reporter
from oic.syntax import ast

_ANNOTATIONS = frozenset({"required", "description", "title", "$comment"})


def only_requires(options: Any) -> bool:
    """Whether combinator ``options`` only name required fields (and so constrain no field's type)."""
    return (
        isinstance(options, list)
        and bool(options)
        and all(
            isinstance(option, Mapping)
            and isinstance(option.get("required"), list)
            and set(option) <= _ANNOTATIONS
            and all(isinstance(name, str) for name in option["required"])
            for option in options
        )
    )


def required_alternatives(schema: Any) -> tuple[str, list[tuple[str, ...]]] | None:
    """``("oneOf" | "anyOf", [the required fields of each option])`` when ``schema`` has such a
    combinator at its top level, else None."""
    if not isinstance(schema, Mapping):
        return None
    for combinator in ("oneOf", "anyOf"):
        options: Any = schema.get(combinator)
        if only_requires(options):
            return combinator, [tuple(option["required"]) for option in options]
    return None


def check_call_alternatives(
    schema: Any, arguments: Sequence[ast.Argument], call: ast.ServiceCall, where: str, reporter: Reporter
) -> None:
    """Report a call to ``where`` that gives none of the alternatives ``schema`` requires, or (under
    ``oneOf``) more than one."""
    found = required_alternatives(schema)
    if found is None:
        return
    combinator, options = found
    given = {argument.name: argument for argument in arguments}
    properties = schema.get("properties")
    if isinstance(properties, Mapping) and any(name not in properties for name in given):
        return  # an unknown (most likely misspelt) field was reported: do not pile on
    satisfied = [option for option in options if all(name in given for name in option)]
    choices = " or ".join("`" + "`, `".join(option) + "`" for option in options)
    if not satisfied:
        reporter.report(call.span, "E0301", f"{where} needs {choices}", _purposes(schema, options))
        return
    if combinator == "oneOf" and len(satisfied) > 1:
        first, second = satisfied[0], satisfied[1]
        extra = next(name for name in second if name not in first)
        reporter.report(
            given[extra].name_span,
            "E0302",
            f"{where} takes {choices}, not both: `{extra}` cannot go with `{first[0]}`",
            _purposes(schema, options),
        )


def _purposes(schema: Mapping[str, Any], options: list[tuple[str, ...]]) -> str:
    """A hint from the fields' descriptions: ```Command``: a command line, run by /bin/sh -c; ...``."""
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return ""
    parts = []
    for option in options:
        for name in option:
            field = properties.get(name)
            description = field.get("description") if isinstance(field, Mapping) else None
            if isinstance(description, str) and description:
                parts.append(f"`{name}`: {description}")
    return "; ".join(parts)
