"""Where a service's endpoint schemas come from.

1. A built-in catalog service (``catalog "x"`` when oi ships ``x``) has the schemas oi ships
   (``runtime/catalog/x/schemas/``), and only those: the written version must be the one shipped, and
   no version means that one.
2. Any other service has its own ``init`` answer: a path service, or a catalog binary found in the
   services cache or a directory catalog (``catalog_lookup``; a name found nowhere is an error), is
   started once and asked (``service_init``: cached, ``.py`` files run with this interpreter).
3. A schema directory, ``schemas "dir"`` on the declaration or else ``<pipeline dir>/schemas/<alias>/``,
   laid out like the original catalog (``<endpoint>/arguments.json`` and ``<endpoint>/returns.json``;
   an ``endpoints/`` level in between is accepted), adds to the init answer or overrides it, per
   endpoint and per file: a directory holding only ``greet/returns.json`` keeps the init answer's
   ``greet/arguments.json``. When the service cannot be asked (not built yet, starting turned off) the
   directory alone types it, without a warning.

The result is the one map the checker checks against and the generated code hands to the engine, so
the engine validates exactly what the checker checked. An endpoint the map does not list is callable
on any service but a built-in one (``endpoints``). When nothing is known the service is untyped: every
value it takes or returns is ``any``, and one warning at its declaration says so.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oic.diagnostics import display_path
from oic.records import Record, set_field
from oic.sema import schema_verdicts
from oic.sema.program import EndpointSchemas, ResolvedService
from oic.sema.reporter import Reporter
from oic.syntax import ast

if TYPE_CHECKING:
    from oic.sema.service_init import InitAnswer

SCHEMA_FILES = ("arguments", "returns")


class SchemaOptions(Record):
    """``base_directory``: the pipeline file's directory (relative paths are resolved against it);
    ``use_cache``: read and write the init-answer cache; ``start_services``: allow starting a service
    to ask it for its schemas; ``refresh``: ask services again even when their answer is cached."""

    __slots__ = ("base_directory", "use_cache", "start_services", "refresh")

    base_directory: str
    use_cache: bool
    start_services: bool
    refresh: bool

    def __init__(
        self, base_directory: str, use_cache: bool = True, start_services: bool = True, refresh: bool = False
    ) -> None:
        set_field(self, "base_directory", base_directory)
        set_field(self, "use_cache", use_cache)
        set_field(self, "start_services", start_services)
        set_field(self, "refresh", refresh)


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
    declaration: ast.ServiceDecl,
    options: SchemaOptions,
    reporter: Reporter,
    target: tuple[str, str] = ("", ""),
) -> ResolvedService:
    """The declared service with its origin resolved and its endpoint schemas loaded. ``target``: the
    pipeline's os and arch ("" for this machine's), where a catalog binary must exist."""
    alias = declaration.name.name
    source_text = declaration.source.value
    image = declaration.image.value if declaration.image is not None else ""
    name = version = path = ""
    builtin = False
    schemas: dict[str, EndpointSchemas] = {}
    sources: list[str] = []
    warned = False  # one warning about a service's schemas is enough
    to_ask = ""
    untyped_because = "its arguments and outputs are unchecked"
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
                sources.append("builtin")
        else:
            from oic.sema.catalog_lookup import find_catalog_service

            version = written or ""
            found = find_catalog_service(declaration, sorted(catalog), target, reporter)
            to_ask, warned = found.binary, found.reported
            untyped_because = found.untyped_because or untyped_because
    else:
        path = str((Path(options.base_directory) / source_text).resolve())
        to_ask = path

    if not builtin:
        directory = _schema_directory(declaration, options, reporter)
        answer = _ask(to_ask, options) if to_ask else None
        if answer is not None and answer.schemas:
            schemas = _from_init_answer(answer.schemas, declaration, reporter)
            sources.append("init")
        if directory is not None:
            overlay = load_directory(directory, declaration, reporter)
            if overlay:
                schemas = merge_schemas(schemas, overlay)
                sources.append("directory")
        if answer is not None and answer.schemas is None and not warned:
            from oic.sema.service_init import DISABLED, MISSING

            quiet = directory is not None and answer.reason in (MISSING, DISABLED)
            if not quiet:
                warned = True
                reporter.report(
                    declaration.span,
                    "W0105",
                    f"cannot ask service {alias!r} for its schemas: {answer.problem}",
                    'its endpoints are unchecked; give a schema directory with `schemas "dir"` '
                    "or make the service runnable",
                )

    if not sources and not warned:
        reporter.report(
            declaration.span,
            "W0101",
            f"no schemas are known for service {alias!r}: {untyped_because}",
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
        schema_source="+".join(sources) if sources else None,
        declaration=declaration,
    )


def _ask(binary: str, options: SchemaOptions) -> InitAnswer:
    # Imported here: it brings subprocess, sockets and hashing, which only services to ask need.
    from oic.sema import service_init

    return service_init.read_init_schemas(
        binary, use_cache=options.use_cache, start=options.start_services, refresh=options.refresh
    )


def merge_schemas(
    answered: dict[str, EndpointSchemas], overlay: dict[str, EndpointSchemas]
) -> dict[str, EndpointSchemas]:
    """The init answer with a schema directory laid over it: per endpoint, each file the directory has
    replaces the answer's; the answer's other endpoints and files stay."""
    merged = dict(answered)
    for endpoint, given in overlay.items():
        base = merged.get(endpoint)
        if base is None:
            merged[endpoint] = given
            continue
        merged[endpoint] = EndpointSchemas(
            given.arguments if given.arguments is not None else base.arguments,
            given.returns if given.returns is not None else base.returns,
        )
    return merged


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
