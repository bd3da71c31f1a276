"""What the generator keeps track of while it walks a program: names, scopes and source sites.

- ``NameAllocator`` hands out synthesized identifiers (``let_0``, ``loop_1``): numbered per prefix in the
  order the generator meets the constructs, so the output is deterministic (golden files) and no
  identifier is ever derived from a user's name.
- ``Scope`` maps the names a user wrote (``cards``) to the code that denotes them (``let_3``,
  ``params['board']``), innermost binding first.
- ``SiteTable`` collects the ``(file, line, column)`` positions that runtime helpers put in front of
  their error messages; generated code refers to them as ``SITES[n]``.
- ``ImportSet`` records which exported runtime names the module uses, so it imports exactly those.
"""

from __future__ import annotations

from oic.codegen.markers import PyCode, PyName, literal, name
from oic.source import Span


class CodegenError(Exception):
    """The generator met something the checker should have rejected, or produced invalid Python: an
    internal error of the compiler, reported in one line."""


class NameAllocator:
    """Synthesized identifiers, numbered per prefix."""

    def __init__(self) -> None:
        self._counters: dict[str, int] = {}

    def fresh(self, prefix: str) -> PyName:
        number = self._counters.get(prefix, 0)
        self._counters[prefix] = number + 1
        return name(f"{prefix}_{number}")


class ImportSet:
    """The names from ``runtime.exported`` the generated module uses, in first-use order."""

    def __init__(self, allowed: frozenset[str]) -> None:
        self._allowed = allowed
        self._used: dict[str, None] = {}

    def use(self, exported_name: str) -> PyName:
        if exported_name not in self._allowed:
            raise CodegenError(f"generated code may not use {exported_name!r}: not in runtime.exported")
        self._used[exported_name] = None
        return name(exported_name)

    def names(self) -> list[PyName]:
        return [name(used) for used in sorted(self._used)]


class SiteTable:
    """Source positions for runtime error messages; identical positions share one entry."""

    def __init__(self, file_name: str) -> None:
        self._file_name = file_name
        self._index: dict[tuple[int, int], int] = {}
        self.entries: list[tuple[str, int, int]] = []

    def site(self, span: Span) -> PyCode:
        """``SITES[n]`` for the start of ``span``."""
        key = (span.line, span.column)
        index = self._index.get(key)
        if index is None:
            index = len(self.entries)
            self._index[key] = index
            self.entries.append((self._file_name, span.line, span.column))
        return PyCode(f"SITES[{literal(index).text}]")

    def literals(self) -> list[PyCode]:
        return [literal(entry) for entry in self.entries]


class Scope:
    """User names visible at one point of a body, mapped to the code that denotes them.

    ``runtime_values`` says whether ``event``, ``tasks`` and ``pipeline`` exist here: they do in reaction
    and builder bodies and in guards (functions of ``event`` and ``state``), not where a condition
    object is built or a param default is computed."""

    def __init__(self, parent: Scope | None = None, *, runtime_values: bool | None = None) -> None:
        self._parent = parent
        self._bindings: dict[str, PyCode] = {}
        inherited = parent.runtime_values if parent is not None else False
        self.runtime_values: bool = inherited if runtime_values is None else runtime_values

    def child(self, *, runtime_values: bool | None = None) -> Scope:
        return Scope(self, runtime_values=runtime_values)

    def bind(self, user_name: str, code: PyCode) -> None:
        self._bindings[user_name] = code

    def lookup(self, user_name: str) -> PyCode | None:
        scope: Scope | None = self
        while scope is not None:
            found = scope._bindings.get(user_name)
            if found is not None:
                return found
            scope = scope._parent
        return None
