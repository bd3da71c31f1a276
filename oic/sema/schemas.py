"""Where a service's endpoint schemas come from, tried in order:

1. the built-in catalog, for ``catalog "x"`` when oi ships ``x`` (``runtime/catalog/x/schemas/``); the
   written version must be the one shipped, and no version means that one;
2. a schema directory: ``schemas "dir"`` on the declaration, else ``<pipeline dir>/schemas/<alias>/``,
   laid out like the original catalog: ``<endpoint>/arguments.json`` and ``<endpoint>/returns.json``
   (an ``endpoints/`` level in between is accepted);
3. for a path service, the service's own ``init`` answer (``service_init``: started once, cached).

When none applies the service is untyped: every value it takes or returns is ``any``, and one warning
at its declaration says so.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from oic.diagnostics import display_path
from oic.records import Record, set_field
from oic.sema import schema_verdicts
from oic.sema.program import EndpointSchemas, ResolvedService
from oic.sema.reporter import Reporter
from oic.syntax import ast

SCHEMA_FILES = ("arguments", "returns")


class SchemaOptions(Record):
    """``base_directory``: the pipeline file's directory (relative paths are resolved against it);
    ``use_cache``: read and write the init-answer cache; ``start_services``: allow starting a path
    service to ask it for its schemas."""

    __slots__ = ("base_directory", "use_cache", "start_services")

    base_directory: str
    use_cache: bool
    start_services: bool

    def __init__(self, base_directory: str, use_cache: bool = True, start_services: bool = True) -> None:
        set_field(self, "base_directory", base_directory)
        set_field(self, "use_cache", use_cache)
        set_field(self, "start_services", start_services)


def builtin_catalog() -> dict[str, str]:
    """The built-in services, name -> version (empty when the catalog is not installed)."""
    try:
        from runtime import catalog
    except ImportError:
        return {}
    builtin = getattr(catalog, "BUILTIN", None)
    return dict(builtin) if isinstance(builtin, dict) else {}


def builtin_schema_directory(name: str) -> Path | None:
    try:
        from runtime import catalog
    except ImportError:
        return None
    locate = getattr(catalog, "schema_dir", None)
    if callable(locate):
        try:
            return Path(locate(name))
        except (LookupError, ValueError, OSError):
            return None
    candidate = Path(catalog.__file__).parent / name / "schemas"
    return candidate if candidate.is_dir() else None


def resolve_service(
    declaration: ast.ServiceDecl, options: SchemaOptions, reporter: Reporter
) -> ResolvedService:
    """The declared service with its origin resolved and its endpoint schemas loaded."""
    alias = declaration.name.name
    source_text = declaration.source.value
    image = declaration.image.value if declaration.image is not None else ""
    name = version = path = ""
    builtin = False
    schemas: dict[str, EndpointSchemas] = {}
    origin: str | None = None
    typed_elsewhere = False
    if declaration.kind == "catalog":
        name = source_text
        catalog = builtin_catalog()
        written = declaration.version.value if declaration.version is not None else None
        if name in catalog:
            builtin = True
            version = catalog[name]
            if written is not None and written != version:
                reporter.report(
                    declaration.version.span if declaration.version is not None else declaration.span,
                    "E0309",
                    f"the built-in catalog has no version {written!r} of service {name!r}",
                    f"available versions: {version}; leave out `version` to use it",
                )
            directory = builtin_schema_directory(name)
            if directory is not None and directory.is_dir():
                schemas = load_directory(directory, declaration, reporter)
                origin = "builtin"
        else:
            version = written or ""
    else:
        path = str((Path(options.base_directory) / source_text).resolve())

    if origin is None:
        directory = _schema_directory(declaration, options, reporter)
        if directory is not None:
            schemas = load_directory(directory, declaration, reporter)
            origin = "directory"

    if origin is None and declaration.kind == "path":
        # Imported here: it brings subprocess, sockets and hashing, which only path services need.
        from oic.sema import service_init

        answer = service_init.read_init_schemas(
            path, use_cache=options.use_cache, start=options.start_services
        )
        if answer.schemas is None:
            typed_elsewhere = True  # one warning per service: this one replaces "untyped"
            reporter.report(
                declaration.span,
                "W0105",
                f"cannot ask service {alias!r} for its schemas: {answer.problem}",
                'its endpoints are unchecked; give a schema directory with `schemas "dir"` '
                "or make the binary runnable",
            )
        elif answer.schemas:
            schemas = _from_init_answer(answer.schemas, declaration, reporter)
            origin = "init"

    if origin is None and not typed_elsewhere:
        reporter.report(
            declaration.span,
            "W0101",
            f"no schemas are known for service {alias!r}: its arguments and outputs are unchecked",
            f"add a schema directory `schemas/{alias}/<endpoint>/arguments.json` next to the pipeline, "
            'or `schemas "dir"` on the service',
        )
    return ResolvedService(
        alias=alias,
        kind=declaration.kind,
        name=name,
        version=version,
        path=path,
        builtin=builtin,
        image=image,
        schemas=schemas,
        schema_source=origin,
        declaration=declaration,
    )


def _schema_directory(
    declaration: ast.ServiceDecl, options: SchemaOptions, reporter: Reporter
) -> Path | None:
    if declaration.schemas is not None:
        directory = Path(options.base_directory) / declaration.schemas.value
        if not directory.is_dir():
            reporter.report(
                declaration.schemas.span,
                "E0312",
                f"schema directory {declaration.schemas.value!r} not found",
                f"looked for {display_path(str(directory))}; paths are relative to the pipeline file",
            )
            return None
        return directory
    conventional = Path(options.base_directory) / "schemas" / declaration.name.name
    return conventional if conventional.is_dir() else None


def load_directory(
    directory: Path, declaration: ast.ServiceDecl, reporter: Reporter
) -> dict[str, EndpointSchemas]:
    """The endpoints found in ``directory`` (one sub-directory each), with their parsed schemas."""
    if (directory / "endpoints").is_dir():
        directory = directory / "endpoints"
    endpoints: dict[str, EndpointSchemas] = {}
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError as error:
        reporter.report(
            declaration.span, "E0311", f"cannot read schema directory {directory}: {error.strerror}"
        )
        return endpoints
    for entry in entries:
        if not entry.is_dir():
            continue
        parsed: dict[str, dict[str, Any] | None] = {}
        for kind in SCHEMA_FILES:
            file = Path(entry.path) / f"{kind}.json"
            if not file.is_file():
                parsed[kind] = None
                continue
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                reporter.report(declaration.span, "E0311", f"cannot read schema {file}: {error}")
                parsed[kind] = None
                continue
            parsed[kind] = _parse_schema(text, display_path(str(file)), declaration, reporter)
        if parsed["arguments"] is not None or parsed["returns"] is not None or _has_schema_file(entry.path):
            endpoints[entry.name] = EndpointSchemas(parsed["arguments"], parsed["returns"])
    return endpoints


def _has_schema_file(path: str) -> bool:
    return any((Path(path) / f"{kind}.json").is_file() for kind in SCHEMA_FILES)


def _from_init_answer(
    answer: dict[str, str], declaration: ast.ServiceDecl, reporter: Reporter
) -> dict[str, EndpointSchemas]:
    """The endpoints of a service's ``init`` answer. Keys are read by the engine's own reading
    (``schema_key``): a key it does not read (the original's ``types/...``) is skipped here too."""
    # Imported here, like service_init: only path services that answered need it.
    from runtime.services.schemas import schema_key

    collected: dict[str, dict[str, dict[str, Any] | None]] = {}
    for key in sorted(answer):
        parsed = schema_key(key)
        if parsed is None:
            continue
        endpoint, kind = parsed
        schema = _parse_schema(answer[key], f"{endpoint}/{kind}.json (from init)", declaration, reporter)
        collected.setdefault(endpoint, {"arguments": None, "returns": None})[kind] = schema
    return {
        endpoint: EndpointSchemas(kinds["arguments"], kinds["returns"])
        for endpoint, kinds in collected.items()
    }


def _parse_schema(
    text: str, where: str, declaration: ast.ServiceDecl, reporter: Reporter
) -> dict[str, Any] | None:
    import json

    try:
        schema = json.loads(text)
    except json.JSONDecodeError as error:
        position = f" at line {error.lineno} column {error.colno}"
        reporter.report(
            declaration.span,
            "E0311",
            f"invalid JSON in schema {where}{position}: {error.msg}",
            "fix the schema file; the service cannot be checked until it parses",
        )
        return None
    except ValueError as error:
        position = ""
        detail = str(error)
        reporter.report(
            declaration.span,
            "E0311",
            f"invalid JSON in schema {where}{position}: {detail}",
            "fix the schema file; the service cannot be checked until it parses",
        )
        return None
    except RecursionError:
        reporter.report(declaration.span, "E0311", f"schema {where} is nested too deeply")
        return None
    if not isinstance(schema, dict):
        reporter.report(
            declaration.span, "E0311", f"schema {where} is not a JSON object (a JSON Schema is an object)"
        )
        return None
    # The engine's validator refuses a schema that breaks its draft's metaschema: so does the checker.
    problem = schema_verdicts.STORE.schema_problem(schema)
    if problem is not None:
        invalid = "not a valid JSON Schema: "
        if problem.startswith(invalid):
            message = f"schema {where} is not a valid JSON Schema: {problem[len(invalid) :]}"
        else:
            message = f"schema {where}: {problem}"
        reporter.report(
            declaration.span,
            "E0311",
            message,
            "the engine would refuse this schema and the service with it; fix the schema",
        )
        return None
    return schema
