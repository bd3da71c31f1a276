"""Endpoint schemas: parse a service's schema map, validate values, find and redact secret fields.

A service describes its endpoints with a map like the protocol's ``InitResponse.jsonSchemas``:
``ENDPOINT/arguments.json`` and ``ENDPOINT/returns.json`` to JSON Schema text (the original catalog
sent ``endpoints/ENDPOINT/...``; the prefix is accepted). ``schema_key`` is the one reading of those
keys, for the compiler and the engine alike: any other key (the original's ``types/...``) is skipped.
An empty map means the service is untyped.

One validator for everything: the ``jsonschema`` library, for every draft it knows (a schema without
``$schema`` is read as draft 7, the draft of the original catalog), with one ``format`` policy for
all of them (``runtime/services/formats.py``: a fixed set of formats checked by oi's own code, every
other format ignored) and no fetching of remote ``$ref``s. The engine's client, the SDK and
``oic check`` (which validates schemas against their metaschema and constant arguments against their
field's schema) all go through ``Validator``, so a value gets the same verdict and the same message
everywhere. A schema that breaks its metaschema is refused with ``SchemaError``.

Validation runs on every call, so validators are built once per distinct schema text (cached by
digest, shared by all services and threads). A value is first tested by the schema's shortcut
(``runtime/services/shortcut.py``: a plain Python test that only ever accepts, for the common
keywords), then, when that does not accept it, by jsonschema, which decides; its errors are
gathered only for a value that fails. A failure becomes one line that names the JSON path
of the offending field: ``arguments: $.Auth.Token: 12 is not of type 'string'``.

Fields marked secret (``"writeOnly": true`` or ``"format": "password"``) never have their values put
into a message; ``secret_paths`` and ``redact`` let the engine hide them in state files and logs.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from runtime.redact import ANY, MASK, mask_secret_fields
from runtime.services.base import ServiceError
from runtime.services.shortcut import compile_shortcut

ARGUMENTS = "arguments"
RETURNS = "returns"
REDACTED = MASK

# The draft of a schema that does not say (``$schema``): the draft of the original catalog's schemas.
DEFAULT_DRAFT = "http://json-schema.org/draft-07/schema#"
_KEY_PATTERN = re.compile(r"(?:endpoints/)?(?P<endpoint>[^/]+)/(?P<kind>arguments|returns)\.json\Z")
_MAX_MESSAGE = 300


class SchemaError(ServiceError):
    """A schema is malformed: not JSON, not an object, or not a valid JSON Schema of its draft."""


class ValidationFailed(ServiceError):
    """A value broke its schema; the message is ``WHAT: $.path: reason`` and holds no secret value."""


@dataclass(frozen=True)
class Violation:
    """One schema violation: ``path`` in JSONPath form (``$.cards[2].id``) and a ``reason`` without the
    offending value when that value is secret. ``steps`` are the keys and positions of ``path``;
    ``schema_broken`` says that the schema itself could not be applied (an unresolvable ``$ref``, or a
    schema found invalid only when a value first needed it)."""

    path: str
    reason: str
    steps: tuple[str | int, ...] = ()
    schema_broken: bool = False

    def describe(self, what: str) -> str:
        return f"{what}: {self.path}: {self.reason}"


class Validator:
    """Validates values against one schema; built once per schema text by ``validator_for``.

    ``check_now`` (the default) checks the schema against its draft's metaschema at once and raises
    ``SchemaError`` when it is not a valid JSON Schema. Without it, jsonschema is loaded only when a
    value needs it (one the shortcut does not accept), and an invalid schema then makes that value
    fail with the schema's problem: for a service, whose schemas the engine and ``oic check`` check
    anyway, and which then starts without loading jsonschema at all as long as its calls are valid."""

    def __init__(self, schema: Mapping[str, Any], check_now: bool = True) -> None:
        self.schema = schema
        self._secrets = secret_paths(schema)
        self._library_validator: Any = _library_validator(schema) if check_now else None
        self._certainly_valid = compile_shortcut(schema, _draft_of(schema))

    def _validator(self) -> Any:
        if self._library_validator is None:
            self._library_validator = _library_validator(self.schema)
        return self._library_validator

    def violation(self, value: Any) -> Violation | None:
        """The first violation of ``value``, or None when it is valid."""
        if self._certainly_valid is not None and self._certainly_valid(value):
            return None
        try:
            validator = self._validator()
        except SchemaError as error:
            return Violation("$", f"cannot be checked: the schema is broken ({error})", schema_broken=True)
        return _first_violation(validator, value, (), self._secrets)

    def field_violation(self, field: str, value: Any) -> Violation | None:
        """The first violation by ``value`` of what the schema says about field ``field`` of the
        object it describes (``properties``, ``patternProperties``, ``additionalProperties``, through
        ``allOf`` and local ``$ref``s), with the path starting at the field: ``$.Count``. Parts that
        depend on other fields (``if``, ``anyOf``, ``dependentSchemas``...) are not asked, so that a
        value checked alone is never refused for what the other fields could make right."""
        for subschema in _field_schemas(self.schema, self.schema, field, depth=0):
            found = _first_violation(
                self._validator().evolve(schema=subschema), value, (field,), self._secrets
            )
            if found is not None:
                return found
        return None

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


def schema_key(key: str) -> tuple[str, str] | None:
    """The endpoint and the kind (``arguments`` or ``returns``) a schema-map key names:
    ``ENDPOINT/arguments.json`` or ``ENDPOINT/returns.json``, with or without a leading
    ``endpoints/``. None for any other key (the original's ``types/...``): such keys are skipped, by
    the compiler and the engine alike."""
    match = _KEY_PATTERN.match(key)
    return None if match is None else (match["endpoint"], match["kind"])


def parse_schema_map(schema_map: Mapping[str, str], *, check_now: bool = True) -> ServiceSchemas:
    """Parse an ``InitResponse``-style map into per-endpoint validators; keys ``schema_key`` does not
    read are skipped. Raises ``SchemaError`` for a schema that is not JSON or (with ``check_now``, see
    ``Validator``) not a valid schema."""
    texts: dict[str, dict[str, str]] = {}
    for key, text in schema_map.items():
        parsed = schema_key(key)
        if parsed is not None:
            endpoint, kind = parsed
            texts.setdefault(endpoint, {})[kind] = text
    endpoints: dict[str, EndpointSchemas] = {}
    for endpoint, kinds in texts.items():
        validators: dict[str, Validator | None] = {ARGUMENTS: None, RETURNS: None}
        for kind, text in kinds.items():
            try:
                validators[kind] = validator_for(text, check_now=check_now)
            except SchemaError as error:
                raise SchemaError(f"{endpoint}/{kind}.json: {error}") from None
        endpoints[endpoint] = EndpointSchemas(endpoint, validators[ARGUMENTS], validators[RETURNS])
    return ServiceSchemas(endpoints)


_cache: dict[str, Validator] = {}
_cache_lock = threading.Lock()


def validator_for(schema: str | Mapping[str, Any], *, check_now: bool = True) -> Validator:
    """The validator of ``schema`` (JSON text or a decoded object), built once per distinct schema;
    ``check_now`` as for ``Validator`` (a cached validator built without it is checked then)."""
    text = schema if isinstance(schema, str) else json.dumps(schema, sort_keys=True)
    digest = hashlib.sha256(text.encode()).hexdigest()
    with _cache_lock:
        cached = _cache.get(digest)
    if cached is not None:
        if check_now:
            cached._validator()
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
    validator = Validator(decoded, check_now=check_now)
    with _cache_lock:
        return _cache.setdefault(digest, validator)


# ---------------------------------------------------------------------------------------------------
# The library behind the validators. jsonschema is imported on first use: it takes longer to import
# than the rest of a service's start-up, and `oic check` needs it only for schemas it has not seen.

_library: dict[str, Any] = {}


def _library_parts() -> dict[str, Any]:
    """jsonschema, its format checker with oi's formats, and a registry that retrieves nothing."""
    if not _library:
        import jsonschema
        import referencing

        from runtime.services.formats import FORMATS

        checker = jsonschema.FormatChecker(formats=())
        for name, check in FORMATS.items():
            checker.checks(name)(_strings_only(check))
        _library.update(jsonschema=jsonschema, formats=checker, registry=referencing.Registry())
    return _library


def _strings_only(check: Callable[[str], bool]) -> Callable[[Any], bool]:
    return lambda instance: not isinstance(instance, str) or check(instance)


def _draft_of(schema: Mapping[str, Any]) -> str:
    declared = schema.get("$schema")
    return declared if isinstance(declared, str) else DEFAULT_DRAFT


def _library_validator(schema: Mapping[str, Any]) -> Any:
    """The jsonschema validator of ``schema``'s draft, after checking ``schema`` against the draft's
    metaschema (with oi's formats: a ``pattern`` must be a valid regex, and so on)."""
    library = _library_parts()
    jsonschema = library["jsonschema"]
    default = jsonschema.validators.validator_for({"$schema": DEFAULT_DRAFT})
    declared = schema.get("$schema")
    if declared is not None:
        known = isinstance(declared, str) and jsonschema.validators.validator_for(schema, default=None)
        if not known:
            raise SchemaError(
                f"unknown $schema {declared!r}: oi validates drafts 3, 4, 6, 7, 2019-09 and 2020-12 "
                "(leave $schema out for draft 7)"
            )
    validator_class = jsonschema.validators.validator_for(schema, default=default)
    meta_class = jsonschema.validators.validator_for(validator_class.META_SCHEMA, default=validator_class)
    meta_validator = meta_class(validator_class.META_SCHEMA, format_checker=library["formats"])
    try:
        error = jsonschema.exceptions.best_match(meta_validator.iter_errors(schema))
    except RecursionError:
        raise SchemaError("not a valid JSON Schema: it is nested too deeply") from None
    if error is not None:
        where = "".join(_step(part) for part in error.absolute_path)
        location = f"at {where[1:] if where.startswith('.') else where}: " if where else ""
        raise SchemaError(f"not a valid JSON Schema: {location}{_shortened(error.message)}")
    return validator_class(schema, format_checker=library["formats"], registry=library["registry"])


def _first_violation(
    validator: Any, value: Any, prefix: tuple[str, ...], secrets: list[tuple[str, ...]]
) -> Violation | None:
    jsonschema = _library_parts()["jsonschema"]
    try:
        if validator.is_valid(value):
            return None
        error = jsonschema.exceptions.best_match(validator.iter_errors(value))
    except Exception as failure:  # noqa: BLE001 - an unresolvable $ref surfaces only while validating
        reason = f"cannot be checked: the schema is broken ({_shortened(str(failure))})"
        return Violation("$", reason, schema_broken=True)
    if error is None:
        return None
    steps = (*prefix, *error.absolute_path)
    path = "$" + "".join(_step(part) for part in steps)
    if error.validator == "required" and isinstance(error.instance, Mapping):
        missing = [key for key in error.validator_value if key not in error.instance]
        if missing:
            return Violation(_child(path, missing[0]), "required field is missing", (*steps, missing[0]))
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        extra = _unknown_fields(error.schema, error.instance)
        if extra:
            return Violation(_child(path, extra[0]), "unknown field", (*steps, extra[0]))
    # jsonschema's messages quote the failing value: when that value is, holds or is inside a secret
    # field, only the rule's name is kept.
    subschema = error.schema if isinstance(error.schema, Mapping) else {}
    location = tuple(str(part) for part in steps)
    if _is_secret(subschema) or _inside_secret(location, secrets) or _holds_secret(location, secrets):
        return Violation(path, _rule_only(str(error.validator)), steps)
    return Violation(path, _shortened(error.message), steps)


def _shortened(reason: str) -> str:
    return reason if len(reason) <= _MAX_MESSAGE else reason[: _MAX_MESSAGE - 3] + "..."


def _field_schemas(node: Any, root: Mapping[str, Any], field: str, depth: int) -> Iterator[Any]:
    """The subschemas that apply to field ``field`` of an object that ``node`` describes."""
    if not isinstance(node, Mapping) or depth > 32:  # the depth bound stops recursive $refs
        return
    reference = node.get("$ref")
    if isinstance(reference, str) and reference.startswith("#"):
        yield from _field_schemas(_local_target(root, reference), root, field, depth + 1)
    properties = node.get("properties")
    matched = False
    if isinstance(properties, Mapping) and field in properties:
        matched = True
        yield properties[field]
    patterns = node.get("patternProperties")
    if isinstance(patterns, Mapping):
        for pattern, subschema in patterns.items():
            if re.search(pattern, field):
                matched = True
                yield subschema
    additional = node.get("additionalProperties")
    if not matched and isinstance(additional, Mapping):
        yield additional
    for member in node.get("allOf") or ():
        yield from _field_schemas(member, root, field, depth + 1)


def _local_target(root: Mapping[str, Any], reference: str) -> Any:
    target: Any = root
    for part in reference[1:].split("/"):
        if not part:
            continue
        key = part.replace("~1", "/").replace("~0", "~")
        target = target.get(key) if isinstance(target, Mapping) else None
    return target


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
