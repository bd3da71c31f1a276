"""The standard library of `.oi` expressions, declared once.

Every function a `.oi` expression may call is one ``Function`` in ``FUNCTIONS``. The compiler reads
the table to type-check calls (``oic/sema/stdlib.py``) and to name the helper a call compiles to
(``std_<name>``, ``oic/codegen``); ``runtime/stdlib_functions.py`` holds the implementations under
those names and ``runtime/exported.py`` exports them; the standard-library table of
``docs/language.md`` is generated from it. So this module stays light: it imports nothing of the
runtime, and the compiler reads it without loading the engine.

The vocabulary of the table:

- a parameter's type is one of ``TYPE_NAMES`` or several joined by ``|`` (``string|list|object``);
  ``any`` accepts every value, ``null`` included; the other names do not accept ``null``;
- ``fewest`` is the number of required arguments; the others may be left out from the end;
  ``variadic`` allows any number of further arguments of any type after the parameters;
- ``result`` is a type name (``list[string]`` and ``list[integer]`` too) or one of
  ``RESULT_RULES``, a rule that computes the result's type from the arguments' types;
- ``secret`` says how secrets flow through the function: ``DERIVED`` (the strings of the result are
  computed from the arguments' text, so when any argument holds a secret, they are secret),
  ``KEPT`` (the result is made of the arguments' own values, and a secret among them stays one), or
  ``NONE`` (the result holds no text of the arguments).
"""

from __future__ import annotations

TYPE_NAMES = ("any", "string", "number", "integer", "bool", "list", "object")
# Result rules: the type of the result, computed from the types of the arguments.
RESULT_RULES = {
    "object-values": "a list of the object's values (typed by its fields)",
    "first-or-second": "the first argument's type without `null`, or the second's",
}
DERIVED = "derived"
KEPT = "kept"
NONE = "none"


class Parameter:
    """A parameter: its ``name`` (shown in the reference) and its ``type`` (see the module docstring)."""

    __slots__ = ("name", "type")

    def __init__(self, name: str, type: str) -> None:
        self.name = name
        self.type = type


class Function:
    """A standard-library function; the fields are described in the module docstring. (Plain
    classes, not named tuples or dataclasses: ``oic check`` reads this table at every start.)"""

    __slots__ = ("name", "parameters", "fewest", "result", "secret", "description", "variadic")

    def __init__(
        self,
        name: str,
        parameters: tuple[Parameter, ...],
        fewest: int,
        result: str,
        secret: str,
        description: str,
        variadic: bool = False,
    ) -> None:
        self.name = name
        self.parameters = parameters
        self.fewest = fewest
        self.result = result
        self.secret = secret
        self.description = description
        self.variadic = variadic

    def __repr__(self) -> str:
        return f"Function({self.usage()})"

    @property
    def most(self) -> int | None:
        """The most arguments a call may give; None when there is no limit."""
        return None if self.variadic else len(self.parameters)

    @property
    def helper(self) -> str:
        """The name of the implementation, exported by ``runtime.exported`` to generated code."""
        return f"std_{self.name}"

    def accepts(self, count: int) -> bool:
        """Whether a call with ``count`` arguments has the right number of them."""
        most = self.most
        return self.fewest <= count and (most is None or count <= most)

    def usage(self) -> str:
        """How a call is written in the reference: ``env(name[, default])``, ``format(template,
        values...)``."""
        text = ", ".join(parameter.name for parameter in self.parameters[: self.fewest])
        optional = self.parameters[self.fewest :]
        if optional:
            rest = "".join(f"[, {parameter.name}" for parameter in optional) + "]" * len(optional)
            text = f"{text}{rest}" if text else rest[2:]
        if self.variadic:
            text += ", values..."
        return f"{self.name}({text})"


def _function(
    name: str,
    parameters: str,
    fewest: int,
    result: str,
    secret: str,
    description: str,
    variadic: bool = False,
) -> Function:
    """A ``Function`` from ``"name: type, name: type"``: the table below stays one line per fact."""
    declared = tuple(
        Parameter(*(part.strip() for part in item.split(":"))) for item in parameters.split(",") if item
    )
    return Function(name, declared, fewest, result, secret, description, variadic)


FUNCTIONS: tuple[Function, ...] = (
    _function(
        "env",
        "name: string, default: string",
        1,
        "string",
        DERIVED,
        "the environment variable `name` at run time; `default` when it is unset (without one, an "
        "unset variable fails the run)",
    ),
    _function(
        "len", "value: string|list|object", 1, "integer", NONE, "the length of a string, list or object"
    ),
    _function("json", "value: any", 1, "string", DERIVED, "`value` encoded as compact JSON text"),
    _function("parse_json", "text: string", 1, "any", DERIVED, "the value the JSON text `text` denotes"),
    _function(
        "format",
        "template: string",
        1,
        "string",
        DERIVED,
        "`template` with each `{}` replaced by the next value as text (`{{` and `}}` are braces)",
        variadic=True,
    ),
    _function(
        "string",
        "value: any",
        1,
        "string",
        DERIVED,
        '`value` as text: a string as it is, `null` as `""`, anything else as JSON',
    ),
    _function(
        "number",
        "value: string|number|bool",
        1,
        "number",
        NONE,
        "`value` as a number: a numeral's value, `true` as 1, `false` as 0",
    ),
    _function(
        "join",
        "items: list, separator: string",
        1,
        "string",
        DERIVED,
        "the items as text, joined by `separator` (default: nothing between them)",
    ),
    _function(
        "split",
        "text: string, separator: string",
        2,
        "list[string]",
        DERIVED,
        "the pieces of `text` between occurrences of `separator`",
    ),
    _function("keys", "value: object", 1, "list[string]", KEPT, "the keys of an object, in order"),
    _function("values", "value: object", 1, "object-values", KEPT, "the values of an object, in order"),
    _function("lower", "text: string", 1, "string", DERIVED, "`text` in lower case"),
    _function("upper", "text: string", 1, "string", DERIVED, "`text` in upper case"),
    _function("trim", "text: string", 1, "string", DERIVED, "`text` without white space at either end"),
    _function(
        "contains",
        "container: string|list|object, item: any",
        2,
        "bool",
        NONE,
        "whether a string contains the text `item`, a list the element, an object the key",
    ),
    _function(
        "starts_with", "text: string, prefix: string", 2, "bool", NONE, "whether `text` begins with `prefix`"
    ),
    _function(
        "ends_with", "text: string, suffix: string", 2, "bool", NONE, "whether `text` ends with `suffix`"
    ),
    _function(
        "replace",
        "text: string, old: string, new: string",
        3,
        "string",
        DERIVED,
        "`text` with every `old` replaced by `new`",
    ),
    _function(
        "default",
        "value: any, fallback: any",
        2,
        "first-or-second",
        KEPT,
        "`value`, or `fallback` when `value` is null",
    ),
    _function("range", "count: number", 1, "list[integer]", NONE, "the list `[0, 1, ..., count - 1]`"),
    _function(
        "quote",
        "text: string",
        1,
        "string",
        DERIVED,
        "`text` quoted for a POSIX shell (`sh`): one word that the shell reads back as exactly `text`",
    ),
)

FUNCTIONS_BY_NAME: dict[str, Function] = {function.name: function for function in FUNCTIONS}
