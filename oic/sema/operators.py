"""The result types of the operators, and which operand types they refuse.

Each rule mirrors the run-time helper of ``runtime.expressions`` and is checked member by member:
for operands of types ``A | B`` and ``C``, every pair (``A``, ``C``), (``B``, ``C``) must be one the
helper accepts, and the result is the union of the pairs' results. So an accepted operation never
fails at run time for its operands' types; it can still fail for their values (a division by zero).

``any`` is optimistic and never falsely precise: a pair with an ``any`` member is accepted when some
value could make it work, and its result is the only type that value could produce, or ``any`` when
several could (``any + any`` is ``any``, ``any + "x"`` a ``string``). A number computed from an
``any`` is ``any`` too (``any - 1``, ``-any``): it may be whole or not, and the checker has no type for
"a number of unknown wholeness" that would fit an ``integer`` field and a ``number`` one alike.

- ``+``: two numbers (``integer`` when both are), two strings (secret when either is), two lists
  (the union of their elements);
- ``- * / %``: two numbers (``integer`` for ``- * %`` of integers, ``number`` for ``/``);
- ``< <= > >=``: two numbers or two strings;
- ``in``: any element (null too) in a list, any key in an object, a string in a string;
- ``== != and or not``: any operands, a ``bool``;
- unary ``-``: a number.

A pair with a ``null`` member is refused with ``null_refused`` set, so the checker can say that the
value may be null (E0315) rather than that it has the wrong type (E0307).
"""

from __future__ import annotations

from oic.records import Record, set_field
from oic.sema import types as t

ARITHMETIC = ("-", "*", "/", "%")
ORDERING = ("<", "<=", ">", ">=")
ALWAYS_BOOL = ("==", "!=", "and", "or")


class Outcome(Record):
    """The result ``type`` of an operation, or (``type`` any) the operand members it refuses:
    ``refused`` names them for a message; ``null_refused`` when a refused member is ``null``."""

    __slots__ = ("type", "refused", "null_refused")

    type: t.Type
    refused: tuple[t.Type, t.Type] | None
    null_refused: bool

    def __init__(
        self, type: t.Type, refused: tuple[t.Type, t.Type] | None = None, null_refused: bool = False
    ) -> None:
        set_field(self, "type", type)
        set_field(self, "refused", refused)
        set_field(self, "null_refused", null_refused)

    @property
    def ok(self) -> bool:
        return self.refused is None


def _operand_members(value: t.Type) -> list[t.Type]:
    """The members an operand may be, enums spread into the types of their literals."""
    found: list[t.Type] = []
    for member in t.members(value):
        spread = (
            [t.literal_type(item) for item in member.values] if isinstance(member, t.EnumType) else [member]
        )
        found.extend(kind for kind in spread if kind not in found)
    return found


def binary(op: str, left: t.Type, right: t.Type) -> Outcome:
    """The outcome of ``left op right``."""
    if op in ALWAYS_BOOL:
        return Outcome(t.BOOL)
    results: list[t.Type] = []
    for left_member in _operand_members(left):
        for right_member in _operand_members(right):
            result = _pair(op, left_member, right_member)
            if result is None:
                null = isinstance(left_member, t.NullType) or isinstance(right_member, t.NullType)
                return Outcome(t.ANY, (left_member, right_member), null_refused=null)
            results.append(result)
    return Outcome(t.union(results))


def _pair(op: str, left: t.Type, right: t.Type) -> t.Type | None:
    """The result of ``op`` on one member of each operand (not a union), or None when refused."""
    unknown_left, unknown_right = isinstance(left, t.AnyType), isinstance(right, t.AnyType)
    if op == "+":
        return _plus(left, right, unknown_left, unknown_right)
    if op in ARITHMETIC:
        numbers = all(isinstance(side, (t.NumberType, t.AnyType)) for side in (left, right))
        if not numbers:
            return None
        if unknown_left or unknown_right:
            return t.ANY  # a number, whole or not: nothing is known, so it may go where either may
        whole = all(isinstance(side, t.NumberType) and side.integer for side in (left, right))
        return t.INTEGER if whole and op != "/" else t.NUMBER
    if op in ORDERING:
        if unknown_left or unknown_right:
            other = right if unknown_left else left
            return t.BOOL if isinstance(other, (t.NumberType, t.StringType, t.AnyType)) else None
        same = (isinstance(left, t.NumberType) and isinstance(right, t.NumberType)) or (
            isinstance(left, t.StringType) and isinstance(right, t.StringType)
        )
        return t.BOOL if same else None
    if op == "in":
        if isinstance(right, (t.AnyType, t.ListType, t.ObjectType)):
            return t.BOOL
        if isinstance(right, t.StringType):
            return t.BOOL if isinstance(left, (t.StringType, t.AnyType)) else None
        return None
    return None


def _plus(left: t.Type, right: t.Type, unknown_left: bool, unknown_right: bool) -> t.Type | None:
    secret = t.is_secret(left) or t.is_secret(right)
    if unknown_left and unknown_right:
        return t.SECRET_ANY if secret else t.ANY
    if unknown_left or unknown_right:
        known = right if unknown_left else left
        if isinstance(known, t.NumberType):
            return t.ANY  # a number, whole or not (as for the other operators on `any`)
        if isinstance(known, t.StringType):
            return t.SECRET if secret else t.STRING
        if isinstance(known, t.ListType):
            return t.ListType(t.SECRET_ANY if secret else t.ANY)
        return None
    if isinstance(left, t.NumberType) and isinstance(right, t.NumberType):
        return t.INTEGER if left.integer and right.integer else t.NUMBER
    if isinstance(left, t.StringType) and isinstance(right, t.StringType):
        return t.SECRET if left.secret or right.secret else t.STRING
    if isinstance(left, t.ListType) and isinstance(right, t.ListType):
        return t.ListType(t.union([left.element, right.element]))
    return None


def negate(operand: t.Type) -> Outcome:
    """The outcome of ``-operand``."""
    results: list[t.Type] = []
    for member in _operand_members(operand):
        if isinstance(member, t.NullType):
            return Outcome(t.ANY, (member, member), null_refused=True)
        if isinstance(member, t.AnyType):
            results.append(t.ANY)  # a number, whole or not
        elif isinstance(member, t.NumberType):
            results.append(member)
        else:
            return Outcome(t.ANY, (member, member))
    return Outcome(t.union(results))
