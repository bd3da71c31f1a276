"""The signatures of the standard-library functions, read from the runtime's table.

``runtime/stdlib.py`` declares every function once, in a small vocabulary of type names; this module
maps that vocabulary to the checker's types. Each ``Signature`` lists the parameter types (checked
like every other value: soundly, except for ``any``) and computes the result type from the argument
types. A
function whose result is *derived* from its arguments' text returns secret strings when an argument
holds a secret (anywhere inside it), so a secret cannot be laundered by ``lower()`` or ``json()``.
"""

from __future__ import annotations

from collections.abc import Callable

from oic.records import Record, set_field
from oic.sema import types as t
from runtime import stdlib


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


_NAMED_TYPES: dict[str, t.Type] = {
    "any": t.ANY,
    "string": t.STRING,
    "number": t.NUMBER,
    "integer": t.INTEGER,
    "bool": t.BOOL,
    "list": t.LIST,
    "object": t.OBJECT,
    "list[string]": t.ListType(t.STRING),
    "list[integer]": t.ListType(t.INTEGER),
}


def type_named(text: str) -> t.Type:
    """The checker's type for a type of the table's vocabulary (``string|list|object``)."""
    return t.union([_NAMED_TYPES[name.strip()] for name in text.split("|")])


def _as_secret(value: t.Type) -> t.Type:
    """``value`` with its strings secret (what a derived result becomes when an argument is secret)."""
    if isinstance(value, t.AnyType):
        return t.SECRET_ANY
    if isinstance(value, t.StringType):
        return t.SECRET
    if isinstance(value, t.ListType):
        return t.ListType(_as_secret(value.element))
    if isinstance(value, t.UnionType):
        return t.union([_as_secret(option) for option in value.options])
    return value


def _object_values(arguments: list[t.Type]) -> t.Type:
    target = arguments[0] if arguments else t.ANY
    if isinstance(target, t.ObjectType):
        return t.ListType(t.union([kind for _, kind in target.fields] + [target.extra]))
    return t.ListType(target) if isinstance(target, t.AnyType) else t.LIST


def _first_or_second(arguments: list[t.Type]) -> t.Type:
    if len(arguments) < 2:
        return t.ANY
    # The first argument's non-null values, or the fallback (all of it: the fallback may be null).
    # A first argument that can only be null gives just the fallback.
    first = [
        member for member in t.members(t.without_null(arguments[0])) if not isinstance(member, t.NullType)
    ]
    return t.union([*first, arguments[1]])


_RESULT_RULES: dict[str, Callable[[list[t.Type]], t.Type]] = {
    "object-values": _object_values,
    "first-or-second": _first_or_second,
}


def _result(function: stdlib.Function) -> Callable[[list[t.Type]], t.Type]:
    rule = _RESULT_RULES.get(function.result)
    if rule is None:
        fixed = type_named(function.result)
        rule = lambda _arguments: fixed  # noqa: E731 - a constant result, named by the table
    if function.secret == stdlib.NONE:
        return rule
    # DERIVED: the result's strings are computed from the arguments' text. KEPT: the result is made of
    # the arguments' own values (an object's keys, its values, a default), which keep their secrets;
    # typed by the rule alone they could lose it (the keys of a secret object are list[string]), so
    # both are secret whenever an argument holds a secret: the checker may over-approximate a secret,
    # never miss one.
    plain = rule

    def derived(arguments: list[t.Type]) -> t.Type:
        result = plain(arguments)
        if function.name == "keys" and arguments and _keys_are_listed(arguments[0]):
            return result  # the listed field names, written in the file or its schemas: no secret
        return _as_secret(result) if any(t.carries_secret(argument) for argument in arguments) else result

    return derived


def _keys_are_listed(value: t.Type) -> bool:
    """Whether every key an object of this type can have is a listed field name (an object literal,
    a closed schema): then its keys are text of the program, whatever secrets its values hold. A map
    (an object comprehension, typed ``additionalProperties``) may have keys made from a secret."""
    members = t.members(t.without_null(value))
    return all(isinstance(member, t.ObjectType) and member.closed for member in members)


def signature_of(function: stdlib.Function) -> Signature:
    """The checker's signature of a function of the table."""
    return Signature(
        function.name,
        tuple(type_named(parameter.type) for parameter in function.parameters),
        function.fewest,
        _result(function),
        variadic=function.variadic,
    )


SIGNATURES: dict[str, Signature] = {function.name: signature_of(function) for function in stdlib.FUNCTIONS}
