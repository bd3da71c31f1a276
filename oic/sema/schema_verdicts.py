"""What the schema validator said about the questions `oic check` asks, remembered across runs.

The checker asks the runtime's validator (``runtime/services/schemas.py``, on the ``jsonschema``
library) two kinds of question: is a schema it loaded a valid JSON Schema, and does a constant
argument value satisfy its field's schema. Importing that library takes longer than checking a
1,000-line file, while the questions are few and mostly the same from one check to the next (the
catalog's schemas, the pipeline's literals). So each answer is kept in
``<cache>/schema-verdicts-<environment>.json`` (the cache directory of ``oic.syntax.tables``),
keyed by the exact question: the schema's canonical JSON text, the field and the value's JSON text.
Questions are asked of the canonical text, so an answer does not depend on whether it came from the
file or from the validator.

An answer is only as good as the code that gave it: the file records the path, size and
modification time of every module involved (jsonschema's, the validator's, the format policy's,
this one's) and is ignored when any of them changed. One file per Python environment (its prefix
and this module's location name it), so that two environments with different libraries never read
each other's answers. An unreadable or unwritable cache only means asking the validator.

Without the disk (``use_disk(False)``: ``oic check`` with the schema cache off) only the answers
computed in this process are used.
"""

from __future__ import annotations

import json
import os
import sys
import zlib
from pathlib import Path
from typing import Any

# Bump when the layout of the file changes.
FILE_FORMAT = 1
# Bounds on the file: the oldest questions go first.
MAX_SCHEMAS = 1_000
MAX_CONSTANTS_PER_SCHEMA = 2_000
# The modules whose code decides an answer: the file is ignored when any of them changed.
PROVENANCE_MODULES = (
    "jsonschema",
    "jsonschema.validators",
    "jsonschema._keywords",
    "jsonschema._format",
    "referencing._core",
    "runtime.services.schemas",
    "runtime.services.formats",
    __name__,
)

# A constant's violation: the keys and positions of the path inside the value, and the text
# ``$.Count: 0 is less than the minimum of 1``.
ConstantViolation = tuple[tuple[Any, ...], str]


class _Entry:
    """The answers about one schema: ``problem`` (None: valid) and its constants' violations."""

    __slots__ = ("problem", "constants")

    def __init__(self, problem: str | None, constants: dict[str, Any] | None = None) -> None:
        self.problem = problem
        self.constants: dict[str, Any] = constants if constants is not None else {}


class VerdictStore:
    """The answers of this process (``computed``) and those read from the disk (``remembered``)."""

    def __init__(self) -> None:
        self.computed: dict[str, _Entry] = {}
        self.remembered: dict[str, _Entry] | None = None  # None: not read yet
        self.disk = True
        self.dirty = False

    def use_disk(self, disk: bool) -> None:
        self.disk = disk

    # -- the questions -----------------------------------------------------------------------------

    def schema_problem(self, schema: Any) -> str | None:
        """Why ``schema`` is not a valid JSON Schema, or None when it is."""
        text = _canonical(schema)
        if text is None:
            return "it is nested too deeply"
        return self._entry(text).problem

    def constant_violation(self, schema: Any, field: str, value: Any) -> ConstantViolation | None:
        """How ``value`` breaks what ``schema`` says about field ``field``, or None (also when the
        schema is invalid: that is reported once, as the schema's problem)."""
        text, value_text = _canonical(schema), _canonical(value)
        if text is None or value_text is None:
            return None
        entry = self._entry(text)
        if entry.problem is not None:
            return None
        key = f"{field}\n{value_text}"
        if key not in entry.constants:
            entry.constants[key] = _ask_constant(text, field, value_text)
            _bound(entry.constants, MAX_CONSTANTS_PER_SCHEMA)
            self.dirty = True
        found = entry.constants[key]
        return None if found is None else (tuple(found[0]), str(found[1]))

    def _entry(self, text: str) -> _Entry:
        entry = self.computed.get(text)
        if entry is not None:
            return entry
        if self.disk:
            if self.remembered is None:
                self.remembered = _read(_cache_path())
            entry = self.remembered.get(text)
        if entry is None:
            entry = _Entry(_ask_schema(text))
            self.dirty = True
        self.computed[text] = entry
        _bound(self.computed, MAX_SCHEMAS)
        return entry

    # -- the file ----------------------------------------------------------------------------------

    def save(self) -> None:
        """Write the answers when this process computed new ones and may use the disk."""
        if not (self.disk and self.dirty):
            return
        merged = dict(self.remembered or {})
        merged.update(self.computed)
        while len(merged) > MAX_SCHEMAS:
            del merged[next(iter(merged))]
        data = {
            "format": FILE_FORMAT,
            "provenance": _provenance(),
            "schemas": {text: [entry.problem, entry.constants] for text, entry in merged.items()},
        }
        _write(_cache_path(), json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        self.remembered = merged
        self.dirty = False


STORE = VerdictStore()


def _canonical(value: Any) -> str | None:
    try:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except (RecursionError, ValueError, TypeError):
        return None


def _bound(entries: dict[str, Any], limit: int) -> None:
    while len(entries) > limit:
        del entries[next(iter(entries))]


def _ask_schema(text: str) -> str | None:
    # Imported here: jsonschema comes with it, and it is needed only for questions not answered yet.
    from runtime.services.schemas import SchemaError, validator_for

    try:
        validator_for(text)
    except SchemaError as error:
        return str(error)
    except RecursionError:
        return "it is nested too deeply"
    return None


def _ask_constant(text: str, field: str, value_text: str) -> list[Any] | None:
    from runtime.services.schemas import validator_for

    try:
        violation = validator_for(text).field_violation(field, json.loads(value_text))
    except RecursionError:
        return None
    if violation is None or violation.schema_broken:
        return None
    return [list(violation.steps), f"{violation.path}: {violation.reason}"]


def _cache_path() -> Path:
    from oic.syntax.tables import cache_directory

    environment = f"{FILE_FORMAT}\n{sys.prefix}\n{sys.version_info[:2]}\n{__file__}"
    return cache_directory() / f"schema-verdicts-{zlib.crc32(environment.encode()):08x}.json"


def _provenance() -> list[list[Any]]:
    """(path, size, modification time) of each module that decides an answer, as loaded now."""
    found = []
    for name in PROVENANCE_MODULES:
        path = getattr(sys.modules.get(name), "__file__", None)
        if path:
            try:
                status = os.stat(path)
            except OSError:
                continue
            found.append([path, status.st_size, status.st_mtime_ns])
    return found


def _read(path: Path) -> dict[str, _Entry]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != FILE_FORMAT:
            return {}
        provenance = data["provenance"]
        if not provenance:
            return {}
        for recorded_path, size, modified in provenance:
            status = os.stat(recorded_path)
            if (status.st_size, status.st_mtime_ns) != (size, modified):
                return {}
        return {
            text: _Entry(problem, dict(constants)) for text, (problem, constants) in data["schemas"].items()
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def _write(path: Path, text: str) -> None:
    """Write atomically (concurrent `oic` runs may race), and never fail."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        try:
            temporary.unlink()
        except OSError:
            pass
