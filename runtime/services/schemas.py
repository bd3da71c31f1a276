"""Endpoint schemas: parse a service's schema map, validate values, find and redact secret fields.

A service describes its endpoints with a map like the protocol's ``InitResponse.jsonSchemas``:
``ENDPOINT/arguments.json`` and ``ENDPOINT/returns.json`` to JSON Schema text (the original catalog
sent ``endpoints/ENDPOINT/...``; the prefix is accepted). An empty map means the service is untyped.

Validation runs on every call, so validators are built once per distinct schema text (cached by
digest, shared by all services and threads): a compiled fastjsonschema function for drafts 4, 6 and 7
(the common case, and many times faster), else a reused ``jsonschema`` validator (newer drafts, or a
schema fastjsonschema cannot compile). Either way a failure becomes one line that names the JSON path
of the offending field: ``arguments: $.Auth.Token: must be string``.

Fields marked secret (``"writeOnly": true`` or ``"format": "password"``) never have their values put
into a message; ``secret_paths`` and ``redact`` let the engine hide them in state files and logs.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import fastjsonschema

from runtime.redact import ANY, MASK, mask_secret_fields
from runtime.services.base import ServiceError

ARGUMENTS = "arguments"
RETURNS = "returns"
REDACTED = MASK

_FAST_DRAFTS = (
    "http://json-schema.org/draft-04/schema",
    "http://json-schema.org/draft-06/schema",
    "http://json-schema.org/draft-07/schema",
)
_KEY_PATTERN = re.compile(r"^(?:endpoints/)?(?P<endpoint>[^/]+)/(?P<kind>arguments|returns)\.json$")
_MAX_MESSAGE = 300


class SchemaError(ServiceError):
    """A schema map or a schema in it is malformed (bad key, not JSON, not a valid JSON Schema)."""


class ValidationFailed(ServiceError):
    """A value broke its schema; the message is ``WHAT: $.path: reason`` and holds no secret value."""


@dataclass(frozen=True)
class Violation:
    """One schema violation: ``path`` in JSONPath form (``$.cards[2].id``) and a ``reason`` without the
    offending value when that value is secret."""

    path: str
    reason: str

    def describe(self, what: str) -> str:
        return f"{what}: {self.path}: {self.reason}"


class Validator:
    """Validates values against one schema; built once per schema text by ``validator_for``."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self._check = _compile(schema, secret_paths(schema))

    def violation(self, value: Any) -> Violation | None:
        """The first violation of ``value``, or None when it is valid."""
        violation = self._check(value)
        if violation is None:
            return None
        reason = violation.reason
        if len(reason) > _MAX_MESSAGE:
            reason = reason[: _MAX_MESSAGE - 3] + "..."
        return Violation(violation.path, reason)

    def validate(self, value: Any, what: str) -> None:
        """Raise ``ValidationFailed`` naming ``what`` (``arguments``, ``payload``) and the path."""
        violation = self.violation(value)
        if violation is not None:
            raise ValidationFailed(violation.describe(what))


@dataclass(frozen=True)
class EndpointSchemas:
    """The schemas of one endpoint (None = not given) and their validators."""

    endpoint: str
    arguments: Validator | None = None
    returns: Validator | None = None


@dataclass(frozen=True)
class ServiceSchemas:
    """A service's endpoints by name. ``typed`` is False for an empty map: calls go unvalidated."""

    endpoints: Mapping[str, EndpointSchemas]

    @property
    def typed(self) -> bool:
        return bool(self.endpoints)

    def get(self, endpoint: str) -> EndpointSchemas | None:
        return self.endpoints.get(endpoint)

    def names(self) -> list[str]:
        return sorted(self.endpoints)


def parse_schema_map(schema_map: Mapping[str, str]) -> ServiceSchemas:
    """Parse an ``InitResponse``-style map into per-endpoint validators. Raises ``SchemaError``."""
    texts: dict[str, dict[str, str]] = {}
    for key, text in schema_map.items():
        match = _KEY_PATTERN.match(key)
        if match is None:
            raise SchemaError(
                f"unexpected schema key {key!r}: "
                "expected 'ENDPOINT/arguments.json' or 'ENDPOINT/returns.json'"
            )
        texts.setdefault(match["endpoint"], {})[match["kind"]] = text
    endpoints: dict[str, EndpointSchemas] = {}
    for endpoint, kinds in texts.items():
        validators: dict[str, Validator | None] = {ARGUMENTS: None, RETURNS: None}
        for kind, text in kinds.items():
            try:
                validators[kind] = validator_for(text)
            except SchemaError as error:
                raise SchemaError(f"{endpoint}/{kind}.json: {error}") from None
        endpoints[endpoint] = EndpointSchemas(endpoint, validators[ARGUMENTS], validators[RETURNS])
    return ServiceSchemas(endpoints)


_cache: dict[str, Validator] = {}
_cache_lock = threading.Lock()


def validator_for(schema: str | Mapping[str, Any]) -> Validator:
    """The validator of ``schema`` (JSON text or a decoded object), built once per distinct schema."""
    text = schema if isinstance(schema, str) else json.dumps(schema, sort_keys=True)
    digest = hashlib.sha256(text.encode()).hexdigest()
    with _cache_lock:
        cached = _cache.get(digest)
    if cached is not None:
        return cached
    if isinstance(schema, str):
        try:
            decoded = json.loads(schema)
        except ValueError as error:
            raise SchemaError(f"not valid JSON: {error}") from None
    else:
        decoded = schema
    if isinstance(decoded, bool):
        decoded = {} if decoded else {"not": {}}
    if not isinstance(decoded, Mapping):
        raise SchemaError("a JSON Schema must be an object")
    validator = Validator(decoded)
    with _cache_lock:
        return _cache.setdefault(digest, validator)


# ---------------------------------------------------------------------------------------------------
# Compiling: fastjsonschema first, jsonschema as the fallback.

_Check = Callable[[Any], "Violation | None"]


def _compile(schema: Mapping[str, Any], secrets: list[tuple[str, ...]]) -> _Check:
    declared = str(schema.get("$schema", "")).rstrip("#")
    if not declared or declared in _FAST_DRAFTS:
        try:
            return _fast_check(fastjsonschema.compile(dict(schema), handlers=_NO_REMOTE_REFS), secrets)
        except Exception:  # noqa: BLE001 - any compile failure (bad regex, unsupported keyword) falls back
            pass
    return _jsonschema_check(schema, secrets)


def _refuse_remote(uri: str) -> Any:
    raise SchemaError(f"remote $ref {uri!r} is not fetched: inline the referenced schema")


_NO_REMOTE_REFS = {"http": _refuse_remote, "https": _refuse_remote, "ftp": _refuse_remote}


def _fast_check(compiled: Callable[[Any], Any], secrets: list[tuple[str, ...]]) -> _Check:
    def check(value: Any) -> Violation | None:
        try:
            compiled(value)
        except fastjsonschema.JsonSchemaValueException as error:
            return _translate_fast(error, secrets)
        return None

    return check


def _translate_fast(
    error: fastjsonschema.JsonSchemaValueException, secrets: list[tuple[str, ...]]
) -> Violation:
    name = error.name or "data"
    path = "$" + name[len("data") :] if name.startswith("data") else name
    definition = error.definition if isinstance(error.definition, Mapping) else {}
    value = error.value
    if error.rule == "required" and isinstance(value, Mapping):
        missing = [key for key in definition.get("required", ()) if key not in value]
        if missing:
            return Violation(_child(path, missing[0]), "required field is missing")
    if error.rule == "additionalProperties" and isinstance(value, Mapping):
        extra = _unknown_fields(definition, value)
        if extra:
            return Violation(_child(path, extra[0]), "unknown field")
    reason = (error.message or "")[len(name) :].strip() or "is invalid"
    # fastjsonschema's reasons quote the schema, not the value: only a failure inside a secret field
    # (whose rule, such as a pattern, could hint at the value) is reduced to the rule's name.
    if _is_secret(definition) or _inside_secret(tuple(error.path[1:]), secrets):
        reason = _rule_only(error.rule)
    return Violation(path, reason)


def _jsonschema_check(schema: Mapping[str, Any], secrets: list[tuple[str, ...]]) -> _Check:
    # Imported here: jsonschema takes longer to import than the rest of a service's start-up, and it
    # is needed only for the drafts and schemas fastjsonschema cannot compile.
    import jsonschema

    validator_class = jsonschema.validators.validator_for(schema)
    try:
        validator_class.check_schema(schema)
    except jsonschema.SchemaError as error:
        raise SchemaError(f"not a valid JSON Schema: {error.message}") from None
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)

    def check(value: Any) -> Violation | None:
        try:
            error = jsonschema.exceptions.best_match(validator.iter_errors(value))
        except Exception as failure:  # noqa: BLE001 - an unresolvable $ref surfaces only while validating
            return Violation("$", f"cannot be checked: the schema is broken ({failure})")
        if error is None:
            return None
        path = "$" + "".join(_step(part) for part in error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, Mapping):
            missing = [key for key in error.validator_value if key not in error.instance]
            if missing:
                return Violation(_child(path, missing[0]), "required field is missing")
        if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
            extra = _unknown_fields(error.schema, error.instance)
            if extra:
                return Violation(_child(path, extra[0]), "unknown field")
        # jsonschema's messages quote the failing value: when that value is, holds or is inside a
        # secret field, only the rule's name is kept.
        subschema = error.schema if isinstance(error.schema, Mapping) else {}
        location = tuple(str(part) for part in error.absolute_path)
        if _is_secret(subschema) or _inside_secret(location, secrets) or _holds_secret(location, secrets):
            reason = _rule_only(str(error.validator))
        else:
            reason = error.message
        return Violation(path, reason)

    return check


def _unknown_fields(definition: Mapping[str, Any], value: Mapping[str, Any]) -> list[str]:
    known = set(definition.get("properties", {}))
    patterns = list(definition.get("patternProperties", {}))
    return sorted(key for key in value if key not in known and not any(re.search(p, key) for p in patterns))


def _rule_only(rule: str | None) -> str:
    return f"breaks the schema's {rule!r} rule" if rule else "is invalid"


def _step(part: str | int) -> str:
    if isinstance(part, int):
        return f"[{part}]"
    return f".{part}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", part) else f"[{json.dumps(part)}]"


def _child(path: str, key: str) -> str:
    return path + _step(key)


# ---------------------------------------------------------------------------------------------------
# Secrets.


def _is_secret(schema: Mapping[str, Any]) -> bool:
    return schema.get("writeOnly") is True or schema.get("format") == "password"


def secret_paths(schema: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """Paths (tuples of keys; ``ANY`` for every item or member) of the fields ``schema`` marks secret.

    Follows ``properties``, ``items``, ``additionalProperties``, ``patternProperties`` (as ``ANY``),
    ``allOf``/``anyOf``/``oneOf`` and local ``$ref``s (``#/definitions/...``, ``#/$defs/...``)."""
    found: list[tuple[str, ...]] = []
    _collect_secrets(schema, schema, (), found, depth=0)
    return sorted(set(found))


def _collect_secrets(
    node: Any, root: Mapping[str, Any], prefix: tuple[str, ...], found: list[tuple[str, ...]], depth: int
) -> None:
    if not isinstance(node, Mapping) or depth > 32:  # the depth bound stops recursive $refs
        return
    if _is_secret(node):
        found.append(prefix)
        return
    reference = node.get("$ref")
    if isinstance(reference, str) and reference.startswith("#/"):
        target: Any = root
        for part in reference[2:].split("/"):
            key = part.replace("~1", "/").replace("~0", "~")
            target = target.get(key) if isinstance(target, Mapping) else None
        _collect_secrets(target, root, prefix, found, depth + 1)
    for key, child in (node.get("properties") or {}).items():
        _collect_secrets(child, root, (*prefix, key), found, depth + 1)
    for child in (node.get("patternProperties") or {}).values():
        _collect_secrets(child, root, (*prefix, ANY), found, depth + 1)
    _collect_secrets(node.get("additionalProperties"), root, (*prefix, ANY), found, depth + 1)
    items = node.get("items")
    for child in items if isinstance(items, list) else [items]:
        _collect_secrets(child, root, (*prefix, ANY), found, depth + 1)
    for combinator in ("allOf", "anyOf", "oneOf"):
        for child in node.get(combinator) or ():
            _collect_secrets(child, root, prefix, found, depth + 1)


def _step_matches(pattern: str, key: str) -> bool:
    return pattern == ANY or pattern == key


def _inside_secret(location: tuple[str, ...], secrets: list[tuple[str, ...]]) -> bool:
    """Whether ``location`` is a secret field or lies inside one."""
    return any(
        len(secret) <= len(location) and all(map(_step_matches, secret, location)) for secret in secrets
    )


def _holds_secret(location: tuple[str, ...], secrets: list[tuple[str, ...]]) -> bool:
    """Whether the value at ``location`` contains a secret field."""
    return any(
        len(secret) > len(location) and all(map(_step_matches, secret, location)) for secret in secrets
    )


def redact(value: Any, paths: list[tuple[str, ...]]) -> Any:
    """A copy of ``value`` with the values at ``paths`` (from ``secret_paths``) replaced by ``***``
    (``runtime.redact.mask_secret_fields``, the one redaction mechanism)."""
    return mask_secret_fields(value, paths)
