"""Value records: what ``@dataclass(frozen=True)`` gives, without its cost at import time.

``@dataclass`` writes the source of each class's ``__init__``, ``__eq__``, ``__hash__``, ``__repr__``
and ``__setattr__`` and compiles it with ``exec`` every time the module is imported: about a
millisecond per class, which across the compiler's few dozen value classes cost more than checking a
typical file. A ``Record`` is a plain class with ``__slots__`` and a hand-written ``__init__``; this
base supplies the rest once, driven by the class's field names:

- the fields are the ``__slots__`` of the class after those of its bases, in order (``_fields``), and
  ``__init__`` takes exactly them, in that order (checked when the class is made);
- equality (same class, equal fields), hashing and ordering use every field except those listed in
  ``_uncompared``; ``repr`` shows every field, as a dataclass does;
- assigning or deleting a field raises ``dataclasses.FrozenInstanceError``; ``__init__`` sets fields
  with ``object.__setattr__`` (``set_field`` below);
- ``dataclasses.fields``, ``dataclasses.replace`` and ``dataclasses.asdict`` work on records (the
  ``Field`` objects they read are made on first use, so that checking a file never imports
  ``dataclasses``, which imports ``inspect`` and more), and copying and pickling rebuild a record
  through its constructor.

A record that must stay mutable sets ``_frozen = False``: it then has no hash, like a plain
``@dataclass``.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import dataclasses

# Sets a field of a record under construction (a frozen record's own ``__setattr__`` refuses).
set_field = object.__setattr__


def _init_parameters(cls: type[Record]) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """The parameters of ``cls.__init__`` after ``self`` and their defaults; they must be the fields."""
    init = cls.__init__
    # A decorated ``__init__`` (``functools.wraps``; mutation testing wraps every function so) is
    # read through the function it wraps.
    init = getattr(init, "__wrapped__", init)
    code = getattr(init, "__code__", None)
    if code is None:  # a base without fields of its own, like ``object``'s ``__init__``
        if cls._fields:
            raise TypeError(f"{cls.__qualname__} has fields, so it needs an __init__ that takes them")
        return (), ()
    parameters = code.co_varnames[1 : code.co_argcount]
    if parameters != cls._fields:
        raise TypeError(
            f"{cls.__qualname__}.__init__ must take the fields ({', '.join(cls._fields)}) in order"
        )
    return parameters, init.__defaults__ or ()


def _dataclass_fields(cls: type[Record]) -> dict[str, dataclasses.Field[Any]]:
    """What ``dataclasses`` reads to treat ``cls`` as a dataclass: one ``Field`` per field, with its
    annotation and its default (taken from ``__init__``)."""
    import dataclasses

    parameters, defaults = _init_parameters(cls)
    first_default = len(parameters) - len(defaults)
    annotations: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        annotations.update(klass.__dict__.get("__annotations__", {}))
    result: dict[str, dataclasses.Field[Any]] = {}
    for index, name in enumerate(parameters):
        field: dataclasses.Field[Any] = (
            dataclasses.field(default=defaults[index - first_default])
            if index >= first_default
            else dataclasses.field()
        )
        field.name = name
        field.type = annotations.get(name, "Any")
        field.compare = name not in cls._uncompared
        field.kw_only = False  # type: ignore[assignment]
        field._field_type = dataclasses._FIELD  # type: ignore[attr-defined]
        result[name] = field
    return result


class Record:
    """Base of value classes; see the module docstring for what a subclass declares."""

    __slots__ = ()

    _fields: ClassVar[tuple[str, ...]] = ()
    _uncompared: ClassVar[frozenset[str]] = frozenset()
    _compared: ClassVar[tuple[str, ...]] = ()
    _frozen: ClassVar[bool] = True
    __match_args__: ClassVar[tuple[str, ...]] = ()
    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        fields: list[str] = []
        for base in reversed(cls.__mro__):
            # ``__dict__`` in ``__slots__`` gives a record a place for private caches, not a field.
            fields += [name for name in base.__dict__.get("__slots__", ()) if not name.startswith("__")]
        cls._fields = tuple(fields)
        cls._compared = tuple(name for name in cls._fields if name not in cls._uncompared)
        cls.__match_args__ = cls._fields  # type: ignore[misc]
        _init_parameters(cls)  # a mistake in a record's definition shows when its module is imported
        if not _defines_own_key(cls):
            cls._key = _key_function(cls._compared)  # type: ignore[method-assign]
        if not cls._frozen:
            cls.__setattr__ = object.__setattr__  # type: ignore[assignment, method-assign]
            cls.__delattr__ = object.__delattr__  # type: ignore[assignment, method-assign]
            cls.__hash__ = None  # type: ignore[assignment]

    def _key(self) -> tuple[Any, ...]:
        """The compared fields' values, in order (each subclass gets a faster one of its own)."""
        return tuple([getattr(self, name) for name in self._compared])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()  # type: ignore[attr-defined, no-any-return]

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({shown})"

    def __setattr__(self, name: str, value: Any) -> None:
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), tuple([getattr(self, name) for name in self._fields]))

    def _replace(self, **changes: Any) -> Any:
        """A copy with some fields changed (``dataclasses.replace`` without importing it)."""
        return type(self)(*[changes.pop(name, getattr(self, name)) for name in self._fields], **changes)


def _key_function(compared: tuple[str, ...]) -> Any:
    """``_key`` for a record class: its compared fields read by one ``attrgetter`` (C code), not a
    Python loop; records are compared and hashed in the checker's inner loops (types, spans,
    diagnostics)."""
    if len(compared) >= 2:
        getter = attrgetter(*compared)

        def key(self: Record) -> tuple[Any, ...]:
            return getter(self)  # type: ignore[no-any-return]

    elif compared:
        one = attrgetter(compared[0])

        def key(self: Record) -> tuple[Any, ...]:
            return (one(self),)

    else:

        def key(self: Record) -> tuple[Any, ...]:
            return ()

    key.generated = True  # type: ignore[attr-defined]
    return key


def _defines_own_key(cls: type) -> bool:
    """Whether ``cls`` or a base below ``Record`` defines ``_key`` by hand (a key that is not just
    its fields, such as an enum's set of values), which a generated one must not hide."""
    for klass in cls.__mro__:
        if klass is Record:
            return False
        own = klass.__dict__.get("_key")
        if own is not None and not getattr(own, "generated", False):
            return True
    return False


class _DataclassFields:
    """``Record.__dataclass_fields__``: made for each class the first time ``dataclasses`` asks (kept
    here rather than on the class, where a base's would hide its subclasses')."""

    def __init__(self) -> None:
        self.by_class: dict[type, dict[str, dataclasses.Field[Any]]] = {}

    def __get__(self, instance: object, owner: type[Record]) -> dict[str, dataclasses.Field[Any]]:
        fields = self.by_class.get(owner)
        if fields is None:
            fields = self.by_class[owner] = _dataclass_fields(owner)
        return fields


Record.__dataclass_fields__ = _DataclassFields()  # type: ignore[assignment]


class OrderedRecord(Record):
    """A record that also sorts, by its compared fields in order (``@dataclass(order=True)``)."""

    __slots__ = ()

    def __lt__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() < other._key()  # type: ignore[attr-defined, no-any-return]

    def __le__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() <= other._key()  # type: ignore[attr-defined, no-any-return]

    def __gt__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() > other._key()  # type: ignore[attr-defined, no-any-return]

    def __ge__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() >= other._key()  # type: ignore[attr-defined, no-any-return]
