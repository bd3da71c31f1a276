"""Values that conform to a JSON Schema, drawn from a seeded random source.

The typed services of the soundness harness answer each call with ``instance(returns_schema, rng)``:
required fields always, optional fields about half of the time, ``null`` where the schema allows it,
short lists (often empty), any option of an ``anyOf``. The draws cover exactly the vocabulary the
services' schemas use (``$ref`` into ``definitions``/``$defs``, ``enum``, ``const``, ``anyOf``/``oneOf``,
type lists, typed ``additionalProperties``, ``minimum``/``maximum``, ``maxItems``, ``format:
date-time``); a schema outside it raises, so a new schema cannot silently produce invalid answers.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping
from typing import Any

# Text the services put in strings: quotes, backslashes, interpolation-looking text, other scripts,
# empty text, words of the language. Values flow into interpolations, task names and logs.
TEXTS = (
    "",
    "a",
    "alpha",
    "Beta Gamma",
    "x,y,z",
    'say "hi"',
    "back\\slash",
    "${not.code}",
    "déjà vu",
    "日本",
    "tab\there",
    "line\nbreak",
    "if",
    "task",
    "*",
    "done",
    "  padded  ",
)
KEYS = ("k1", "in", "for", "spaced key", "ключ", "null", "x")
# The schema keywords the draws honour; any other makes ``instance`` refuse the schema.
KEYWORDS = frozenset(
    {
        "$schema", "title", "description", "$ref", "definitions", "$defs", "enum", "const", "anyOf", "oneOf",
        "type", "properties", "required", "additionalProperties", "items", "maxItems", "minimum", "maximum",
        "format", "writeOnly",
    }
)  # fmt: skip
DATE_TIMES = ("2024-05-01T12:00:00Z", "1999-12-31T23:59:59+01:00", "2030-01-01T00:00:00.5Z")


def seeded(*parts: Any) -> random.Random:
    """A random source determined by ``parts`` (JSON-encoded): the same call gets the same answer."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return random.Random(int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big"))


def instance(schema: Any, rng: random.Random, root: Mapping[str, Any] | None = None, depth: int = 0) -> Any:
    """A value valid against ``schema`` (resolved against ``root``, by default the schema itself)."""
    if (
        schema is True
        or schema == {}
        or (isinstance(schema, Mapping) and set(schema) <= {"$schema", "title"})
    ):
        return _free_value(rng, depth)
    if not isinstance(schema, Mapping) or not set(schema) <= KEYWORDS:
        raise ValueError(f"unsupported schema {schema!r}")
    if schema.get("format", "date-time") != "date-time":
        raise ValueError(f"unsupported format {schema['format']!r}")
    root = schema if root is None else root
    if "$ref" in schema:
        return instance(_resolve(root, schema["$ref"]), rng, root, depth + 1)
    if "enum" in schema:
        return rng.choice(schema["enum"])
    if "const" in schema:
        return schema["const"]
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            return instance(rng.choice(schema[combinator]), rng, root, depth + 1)
    declared = schema.get("type")
    if isinstance(declared, list):
        # null is drawn a third of the time when allowed, so that code reading it meets it often
        kinds = [kind for kind in declared if kind != "null"]
        if "null" in declared and (not kinds or rng.random() < 0.34):
            return None
        declared = rng.choice(kinds)
    if declared == "object" or (declared is None and "properties" in schema):
        return _object(schema, rng, root, depth)
    if declared == "array":
        count = rng.choice((0, 0, 1, 2, 3, 4))
        count = min(count, int(schema.get("maxItems", count)))
        return [instance(schema.get("items", {}), rng, root, depth + 1) for _ in range(count)]
    if declared == "string":
        if schema.get("format") == "date-time":
            return rng.choice(DATE_TIMES)
        return rng.choice(TEXTS)
    if declared == "integer":
        return rng.randint(int(schema.get("minimum", -3)), int(schema.get("maximum", 40)))
    if declared == "number":
        whole = rng.randint(-3, 40)
        return rng.choice((whole, whole + 0.5, float(whole), whole / 4))
    if declared == "boolean":
        return rng.random() < 0.5
    if declared == "null":
        return None
    raise ValueError(f"unsupported schema {dict(schema)!r}")


def _object(schema: Mapping[str, Any], rng: random.Random, root: Mapping[str, Any], depth: int) -> dict:
    required = set(schema.get("required", ()))
    value: dict[str, Any] = {}
    for name, field_schema in schema.get("properties", {}).items():
        if name in required or rng.random() < 0.5:
            value[name] = instance(field_schema, rng, root, depth + 1)
    additional = schema.get("additionalProperties")
    if isinstance(additional, Mapping):
        for key in rng.sample(KEYS, rng.randint(0, 3)):
            value.setdefault(key, instance(additional, rng, root, depth + 1))
    return value


def _free_value(rng: random.Random, depth: int) -> Any:
    """Any JSON value (for a schema that allows anything), kept small."""
    choices = ["string", "integer", "number", "boolean", "null"]
    if depth < 3:
        choices += ["array", "object"]
    kind = rng.choice(choices)
    if kind == "array":
        return [_free_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if kind == "object":
        return {key: _free_value(rng, depth + 1) for key in rng.sample(KEYS, rng.randint(0, 3))}
    return instance({"type": kind}, rng, None, depth)


def _resolve(root: Mapping[str, Any], reference: str) -> Any:
    if not reference.startswith("#/"):
        raise ValueError(f"unsupported $ref {reference!r}")
    current: Any = root
    for part in reference[2:].split("/"):
        current = current[part.replace("~1", "/").replace("~0", "~")]
    return current
