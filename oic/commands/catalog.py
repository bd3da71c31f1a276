"""`oic catalog`: what the built-in services offer, and running one by hand.

``oic catalog`` lists the services with their versions and endpoints; ``oic catalog show NAME`` or
``NAME.ENDPOINT`` prints every field of the arguments and the returns (dotted paths for nested
objects, ``[]`` for list items), which is what one needs to write a task; ``oic catalog serve NAME``
runs one service standalone on ``--port`` (or ``$PORT``), e.g. to try it from another engine.

Only the schema files are read to list and show, so nothing of the runtime is imported but the
catalog's index; ``serve`` imports the one service it runs.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from typing import Any

from oic import exit_codes
from runtime import catalog

SCHEMA_KINDS = ("arguments", "returns")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "catalog",
        help="list, describe and serve the built-in services",
        description="List the built-in services, show an endpoint's fields, or serve one service.",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.add_parser("list", help="list services, versions and endpoints (the default)")
    show = actions.add_parser("show", help="print the fields of a service's endpoints")
    show.add_argument("target", metavar="NAME[.ENDPOINT]", help="a service, or one of its endpoints")
    show.add_argument("--format", choices=("text", "json"), default=argparse.SUPPRESS, help="output format")
    serve = actions.add_parser("serve", help="run one service standalone until interrupted")
    serve.add_argument("name", metavar="NAME", help="the service to serve")
    serve.add_argument("--port", type=int, help="port to listen on (default: $PORT)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.action == "show":
        return _show(args.target, args.format)
    if args.action == "serve":
        return _serve(args.name, args.port)
    return _list(args.format)


# -- list -------------------------------------------------------------------------------------------------


def _list(output_format: str) -> int:
    rows = [(name, version, catalog.endpoints(name)) for name, version in sorted(catalog.BUILTIN.items())]
    if output_format == "json":
        listing = [{"name": n, "version": v, "endpoints": e} for n, v, e in rows]
        print(json.dumps(listing, indent=2))
        return exit_codes.OK
    width = max(len(name) for name, _, _ in rows)
    print(f"{'SERVICE':<{width}}  VERSION  ENDPOINTS")
    for name, version, endpoints in rows:
        print(f"{name:<{width}}  {version:<7}  {', '.join(endpoints)}")
    print('\nUse one with: service NAME = catalog "SERVICE"; see its fields with: oic catalog show SERVICE')
    return exit_codes.OK


# -- show -------------------------------------------------------------------------------------------------


def _show(target: str, output_format: str) -> int:
    name, _, endpoint = target.partition(".")  # catalog names have no dot
    if name not in catalog.BUILTIN:
        return _unknown("service", name, sorted(catalog.BUILTIN))
    endpoints = catalog.endpoints(name)
    if endpoint and endpoint not in endpoints:
        return _unknown(f"endpoint of {name}", endpoint, endpoints)
    chosen = [endpoint] if endpoint else endpoints
    schemas = {ep: {kind: _load(name, ep, kind) for kind in SCHEMA_KINDS} for ep in chosen}
    if output_format == "json":
        print(json.dumps({"service": name, "version": catalog.BUILTIN[name], "endpoints": schemas}, indent=2))
        return exit_codes.OK
    from oic.sema.alternatives import required_alternatives

    for index, ep in enumerate(chosen):
        if index:
            print()
        arguments = schemas[ep]["arguments"]
        print(f"{name}.{ep}  ({name} {catalog.BUILTIN[name]})")
        if arguments.get("description"):
            print(f"  {arguments['description']}")
        for kind in SCHEMA_KINDS:
            print(f"\n  {kind}:")
            _print_fields(list(describe_fields(schemas[ep][kind])))
            alternatives = required_alternatives(schemas[ep][kind])
            if alternatives is not None:
                how = "exactly one" if alternatives[0] == "oneOf" else "at least one"
                choices = " or ".join(", ".join(option) for option in alternatives[1])
                print(f"    (give {how} of: {choices})")
    return exit_codes.OK


def _load(name: str, endpoint: str, kind: str) -> dict[str, Any]:
    path = catalog.schema_dir(name) / endpoint / f"{kind}.json"
    loaded = json.loads(path.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else {}


def _unknown(what: str, given: str, known: list[str]) -> int:
    close = difflib.get_close_matches(given, known, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else f"; known: {', '.join(known)}"
    print(f"oic: error: no {what} '{given}'{hint}", file=sys.stderr)
    return exit_codes.USAGE


def type_name(schema: Any) -> str:
    """A schema's type as the language spells it: ``string``, ``list[object]``, ``string | null``."""
    if not isinstance(schema, dict):
        return "any"
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(type_name({**schema, "type": k}) for k in kind)
    if kind == "array":
        return f"list[{type_name(schema.get('items', {}))}]"
    if kind == "boolean":
        return "bool"
    if kind == "integer":
        return "number"
    if kind == "null":
        return "null"
    if isinstance(kind, str):
        return kind
    return "any"


def describe_fields(schema: Any, prefix: str = "") -> Any:
    """Yield ``(path, type, required, secret, description)`` for every field, depth first."""
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        yield from describe_fields(schema["items"], prefix + "[]")
        return
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return
    required = set(schema.get("required") or [])
    for field, sub in properties.items():
        path = f"{prefix}.{field}" if prefix else field
        sub = sub if isinstance(sub, dict) else {}
        description = str(sub.get("description", ""))
        if isinstance(sub.get("enum"), list):
            description = f"{description} (one of: {', '.join(map(str, sub['enum']))})".strip()
        yield path, type_name(sub), field in required, sub.get("writeOnly") is True, description
        nested = sub.get("items") if sub.get("type") == "array" else sub
        if isinstance(nested, dict) and isinstance(nested.get("properties"), dict):
            yield from describe_fields(nested, path + ("[]" if sub.get("type") == "array" else ""))


def _print_fields(fields: list[tuple[str, str, bool, bool, str]]) -> None:
    if not fields:
        print("    (no fields)")
        return
    path_width = max(len(f[0]) for f in fields)
    type_width = max(len(f[1]) for f in fields)
    for path, kind, required, secret, description in fields:
        flags = "required" if required else "optional"
        if secret:
            flags += ", secret"
        print(f"    {path:<{path_width}}  {kind:<{type_width}}  {flags:<16}  {description}".rstrip())


# -- serve ------------------------------------------------------------------------------------------------


def _serve(name: str, port: int | None) -> int:
    if name not in catalog.BUILTIN:
        return _unknown("service", name, sorted(catalog.BUILTIN))
    if port is not None:
        os.environ["PORT"] = str(port)
    if not os.environ.get("PORT", "").isdigit():
        print("oic: error: no port: give --port N or set PORT", file=sys.stderr)
        return exit_codes.USAGE
    service = catalog.load_service(name)
    service.serve()
    return exit_codes.OK
