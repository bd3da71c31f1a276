"""The registry of diagnostic codes: every code the compiler can report, with a one-line summary.

Codes are stable: tests, editors and CI scripts match on them. Ranges:

- ``E00xx`` input (encoding, size) and ``E01xx`` syntax — owned by ``oic.syntax``
- ``E02xx`` names and scopes, ``E03xx`` types and schemas, ``E04xx`` reactions and tasks — ``oic.sema``
- ``W0xxx`` warnings

The long explanation of a code lives in ``oic/explanations/<CODE>.md`` (``oic explain CODE``).
"""

from __future__ import annotations

from oic.records import Record, set_field


class Code(Record):
    """A diagnostic code: ``code`` (``E0101``), ``severity`` (``error`` or ``warning``), ``summary``."""

    __slots__ = ("code", "severity", "summary")

    code: str
    severity: str
    summary: str

    def __init__(self, code: str, severity: str, summary: str) -> None:
        set_field(self, "code", code)
        set_field(self, "severity", severity)
        set_field(self, "summary", summary)


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

register("E0001", "error", "file is not valid UTF-8")
register("E0002", "error", "file is too large")
register("E0003", "error", "file contains NUL bytes (binary file)")

register("E0101", "error", "unexpected token")
register("E0102", "error", "unexpected character")
register("E0103", "error", "unexpected end of file")
register("E0104", "error", "unterminated string")
register("E0105", "error", "invalid escape sequence")
register("E0106", "error", "invalid number or duration")
register("E0107", "error", "nesting too deep")
register("E0108", "error", "keyword used as a name")
register("E0109", "error", "repeated or misplaced clause")
register("E0110", "error", "too long (a length limit)")

# --- E02xx names, E03xx types and schemas, E04xx reactions and tasks (oic.sema) --------------------

register("E0201", "error", "undefined name")
register("E0202", "error", "undefined service")
register("E0203", "error", "unknown endpoint")
register("E0204", "error", "unknown standard-library function")
register("E0205", "error", "wrong number of arguments")
register("E0206", "error", "duplicate declaration")
register("E0207", "error", "undefined condition")
register("E0208", "error", "undefined builder")
register("E0209", "error", "missing or repeated pipeline block")
register("E0210", "error", "a built-in name cannot be redeclared")
register("E0211", "error", "unknown pipeline setting")
register("E0212", "error", "a builder or condition refers to itself")
register("E0213", "error", "unknown type name")
register("E0214", "error", "name not available here")

register("E0301", "error", "missing required argument field")
register("E0302", "error", "unknown argument field")
register("E0303", "error", "argument field has the wrong type")
register("E0304", "error", "value not allowed by the field's enum")
register("E0305", "error", "unknown field of a task's output")
register("E0306", "error", "unknown field")
register("E0307", "error", "operator applied to values of the wrong type")
register("E0308", "error", "function, condition or builder argument has the wrong type")
register("E0309", "error", "catalog version does not exist")
register("E0310", "error", "value has the wrong type")
register("E0311", "error", "invalid endpoint schema")
register("E0312", "error", "schema directory not found")
register("E0313", "error", "value cannot be indexed or has no fields")
register("E0314", "error", "a secret would leak into a task name")
register("E0315", "error", "value may be null here")
register("E0316", "error", "comparison can never be true")
register("E0317", "error", "constant value not allowed by the field's schema")
register("E0318", "error", "unknown catalog service")
register("E0319", "error", "a secret passed where it would stop being secret")

register("E0401", "error", "condition names a task no statement builds")
register("E0402", "error", "task built twice in one reaction")
register("E0403", "error", "non-reusable task with a fixed name built in a loop")
register("E0404", "error", "invalid retry count")
register("E0405", "error", "invalid duration")
register("E0406", "error", "invalid pipeline os")
register("E0407", "error", "invalid pipeline arch")
register("E0408", "error", "invalid pipeline parallelism")
register("E0409", "error", "empty task name")

# --- warnings ---------------------------------------------------------------------------------------

register("W0101", "warning", "a service's endpoints are untyped (no schema known)")
register("W0102", "warning", "unused service")
register("W0103", "warning", "unused param")
register("W0104", "warning", "reaction can never fire")
register("W0105", "warning", "a service could not be asked for its schemas")
register("W0106", "warning", "unused condition or builder")
register("W0107", "warning", "a secret param has a literal default")
register("W0108", "warning", "task may not have run when this code runs")
register("W0109", "warning", "reusable task may trigger itself without end")
register("W0110", "warning", "endpoint has no schema (call unchecked)")
register("W0111", "warning", "param or secret interpolated into a shell command string")
register("W0112", "warning", "a suppression comment names an error (errors cannot be suppressed)")
register("W0113", "warning", "a suppression comment names an unknown code")
register("W0114", "warning", "unused suppression")
register("W0115", "warning", "malformed or misplaced suppression comment")
