"""oi's built-in service catalog: the services of the original catalog, rewritten on the SDK.

Each service lives in ``runtime/catalog/<package>/``: ``service.py`` (an SDK ``service`` object) and
``schemas/<endpoint>/arguments.json|returns.json``. The compiler reads only the schema files (through
``schema_dir``/``endpoints``/``schemas``), so importing this module is cheap and never imports a
service; ``load_service`` imports one service by name when it is about to be served.

Catalog names may contain a hyphen (``google-spreadsheet``) that a Python package name cannot, so
callers go through ``package_name``/``schema_dir`` instead of building paths themselves.
"""

from __future__ import annotations

import importlib
import pathlib
from typing import Any

# Built-in services by catalog name, with the version this release of oi serves.
BUILTIN: dict[str, str] = {
    "exec": "0.1.0",
    "github": "0.1.0",
    "google-spreadsheet": "0.1.0",
    "http": "0.1.0",
    "jira": "0.1.0",
    "slack": "0.1.0",
    "trello": "0.1.0",
}

_CATALOG_DIR = pathlib.Path(__file__).resolve().parent


class UnknownBuiltinService(LookupError):
    """The name is not one of ``BUILTIN``; the message lists the names that are."""


def _check_name(name: str) -> None:
    if name not in BUILTIN:
        known = ", ".join(sorted(BUILTIN))
        raise UnknownBuiltinService(f"'{name}' is not a built-in service (built-in services: {known})")


def package_name(name: str) -> str:
    """The Python package (directory) under ``runtime.catalog`` that holds service ``name``."""
    _check_name(name)
    return name.replace("-", "_")


def schema_dir(name: str) -> pathlib.Path:
    """The directory holding ``<endpoint>/arguments.json`` and ``<endpoint>/returns.json`` of ``name``."""
    return _CATALOG_DIR / package_name(name) / "schemas"


def endpoints(name: str) -> list[str]:
    """The endpoints of built-in service ``name``, sorted."""
    directory = schema_dir(name)
    return sorted(entry.name for entry in directory.iterdir() if (entry / "arguments.json").is_file())


def schemas(name: str) -> dict[str, str]:
    """Every schema of ``name`` as JSON text, keyed like the protocol's ``InitResponse``
    (``ENDPOINT/arguments.json``, ``ENDPOINT/returns.json``)."""
    directory = schema_dir(name)
    texts: dict[str, str] = {}
    for endpoint in endpoints(name):
        for file_name in ("arguments.json", "returns.json"):
            path = directory / endpoint / file_name
            if path.is_file():
                texts[f"{endpoint}/{file_name}"] = path.read_text(encoding="utf-8")
    return texts


def load_service(name: str) -> Any:
    """Import built-in service ``name`` and return its SDK ``service`` object."""
    module = importlib.import_module(f"runtime.catalog.{package_name(name)}.service")
    return module.service
