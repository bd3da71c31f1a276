"""The standard-library functions a `.oi` expression may call, with their arity and types.

Each signature lists the parameter types (checked optimistically, like everything else) and computes
the result type from the argument types. String results of functions that copy text from their
arguments stay secret when an argument is a secret, so a secret cannot be laundered by ``lower()``.
"""

from __future__ import annotations

from collections.abc import Callable

from oic.records import Record, set_field
from oic.sema import types as t


class Signature(Record):
    """``parameters`` are the expected types of the first arguments; ``minimum`` of them are required;
    ``variadic`` allows any number of further ``any`` arguments; ``result`` maps argument types to the
    result type."""

    __slots__ = ("name", "parameters", "minimum", "result", "variadic")

    name: str
    parameters: tuple[t.Type, ...]
    minimum: int
    result: Callable[[list[t.Type]], t.Type]
    variadic: bool

    def __init__(
        self,
        name: str,
        parameters: tuple[t.Type, ...],
        minimum: int,
        result: Callable[[list[t.Type]], t.Type],
        variadic: bool = False,
    ) -> None:
        set_field(self, "name", name)
        set_field(self, "parameters", parameters)
        set_field(self, "minimum", minimum)
        set_field(self, "result", result)
        set_field(self, "variadic", variadic)

    def arity_text(self) -> str:
        if self.variadic:
            return f"at least {self.minimum}"
        if self.minimum == len(self.parameters):
            return str(self.minimum)
        return f"{self.minimum} to {len(self.parameters)}"


def _text(arguments: list[t.Type]) -> t.Type:
    return t.SECRET if any(t.carries_secret(argument) for argument in arguments) else t.STRING


def _decoded(arguments: list[t.Type]) -> t.Type:
    # What parse_json() gives: unknown, and secret when the text was.
    return t.SECRET_ANY if any(t.is_secret(argument) for argument in arguments) else t.ANY


def _fixed(result: t.Type) -> Callable[[list[t.Type]], t.Type]:
    return lambda _arguments: result


def _values(arguments: list[t.Type]) -> t.Type:
    target = arguments[0] if arguments else t.ANY
    if isinstance(target, t.ObjectType):
        return t.ListType(t.union([kind for _, kind in target.fields] + [target.extra]))
    return t.ListType(target) if isinstance(target, t.AnyType) else t.LIST


def _default(arguments: list[t.Type]) -> t.Type:
    return t.union([t.without_null(argument) for argument in arguments])


def _env(arguments: list[t.Type]) -> t.Type:
    # The variable's text, or the default (of any type) when it is unset.
    return t.union([t.STRING, *arguments[1:2]])


_CONTAINER = t.union([t.STRING, t.LIST, t.OBJECT])
# What number() converts (text is parsed; other values fail at run time).
_NUMBER_SOURCE = t.union([t.STRING, t.NUMBER, t.BOOL])

SIGNATURES: dict[str, Signature] = {
    signature.name: signature
    for signature in (
        Signature("env", (t.STRING, t.ANY), 1, _env),
        Signature("len", (_CONTAINER,), 1, _fixed(t.INTEGER)),
        Signature("json", (t.ANY,), 1, _text),
        Signature("parse_json", (t.STRING,), 1, _decoded),
        Signature("format", (t.STRING,), 1, _text, variadic=True),
        Signature("string", (t.ANY,), 1, _text),
        Signature("number", (_NUMBER_SOURCE,), 1, _fixed(t.NUMBER)),
        Signature("join", (t.LIST, t.STRING), 2, _text),
        Signature("split", (t.STRING, t.STRING), 2, lambda a: t.ListType(_text(a))),
        Signature("keys", (t.OBJECT,), 1, lambda a: t.ListType(_text(a))),
        Signature("values", (t.OBJECT,), 1, _values),
        Signature("lower", (t.STRING,), 1, _text),
        Signature("upper", (t.STRING,), 1, _text),
        Signature("trim", (t.STRING,), 1, _text),
        Signature("contains", (_CONTAINER, t.ANY), 2, _fixed(t.BOOL)),
        Signature("starts_with", (t.STRING, t.STRING), 2, _fixed(t.BOOL)),
        Signature("ends_with", (t.STRING, t.STRING), 2, _fixed(t.BOOL)),
        Signature("replace", (t.STRING, t.STRING, t.STRING), 3, _text),
        Signature("default", (t.ANY, t.ANY), 2, _default),
        Signature("range", (t.INTEGER,), 1, _fixed(t.ListType(t.INTEGER))),
    )
}
