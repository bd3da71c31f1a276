"""The registry of diagnostic codes: every code the compiler can report, with a one-line summary.

Codes are stable: tests, editors and CI scripts match on them. Ranges:

- ``E00xx`` input (encoding, size) and ``E01xx`` syntax — owned by ``oic.syntax``
- ``E02xx`` names and scopes, ``E03xx`` types and schemas, ``E04xx`` reactions and tasks — ``oic.sema``
- ``W0xxx`` warnings

The long explanation of a code lives in ``oic/explanations/<CODE>.md`` (``oic explain CODE``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    """A diagnostic code: ``code`` (``E0101``), ``severity`` (``error`` or ``warning``), ``summary``."""

    code: str
    severity: str
    summary: str


_CODES: dict[str, Code] = {}


def register(code: str, severity: str, summary: str) -> Code:
    if code in _CODES:
        raise ValueError(f"diagnostic code {code} registered twice")
    entry = Code(code, severity, summary)
    _CODES[code] = entry
    return entry


def lookup(code: str) -> Code | None:
    return _CODES.get(code.upper())


def all_codes() -> list[Code]:
    return sorted(_CODES.values(), key=lambda c: c.code)


# --- E00xx input, E01xx syntax (oic.syntax) -------------------------------------------------------

# --- E02xx names, E03xx types and schemas, E04xx reactions and tasks (oic.sema) --------------------

# --- warnings ---------------------------------------------------------------------------------------
