"""Names and places of catalog binaries, without downloading anything.

A catalog binary is named ``NAME-VERSION-OS-ARCH`` (Go's names for OS and architecture). The engine
looks for it in the services cache (``~/.open-integration/services/``, ``OI_SERVICES_CACHE``), then in
the catalog ``OI_CATALOG`` (a directory or an http(s) URL; ``runtime.catalog.resolve`` downloads from
there). ``local_binaries`` lists what the cache and a directory catalog hold, so that ``oic check``
can tell, offline and with the engine's own rules, whether a catalog service exists.

This module is light on purpose (no urllib, no gRPC): the compiler imports it.
"""

from __future__ import annotations

import os
import platform
import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

CATALOG_ENV = "OI_CATALOG"
CACHE_ENV = "OI_SERVICES_CACHE"
CHECKSUM_SUFFIX = ".sha256"
# Temporary downloads in the cache start with this (``runtime.catalog.resolve``).
PARTIAL_PREFIX = ".partial-"
# A directory holding more entries than this is not read to the end (a catalog is a few hundred).
MAX_LISTED = 10_000


def host_os() -> str:
    return {"linux": "linux", "darwin": "darwin", "win32": "windows"}.get(sys.platform, sys.platform)


def host_arch() -> str:
    machine = platform.machine().lower()
    return {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "i386": "386"}.get(
        machine, machine
    )


def binary_name(name: str, version: str, os_name: str | None = None, arch: str | None = None) -> str:
    return f"{name}-{version}-{os_name or host_os()}-{arch or host_arch()}"


def cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured else Path.home() / ".open-integration" / "services"


def catalog_location() -> str:
    """The configured catalog: a directory, an http(s) URL, or "" (none)."""
    return os.environ.get(CATALOG_ENV, "")


def is_url(location: str) -> bool:
    return urllib.parse.urlsplit(location).scheme in ("http", "https")


def catalog_directory(location: str) -> Path:
    """The directory a non-URL catalog location names (a path, or a ``file://`` URL)."""
    return Path(urllib.parse.urlsplit(location).path if location.startswith("file://") else location)


@dataclass(frozen=True)
class CatalogBinary:
    """A binary found in the cache or a directory catalog, with its name split into its parts."""

    name: str
    version: str
    os: str
    arch: str
    path: Path


def parse_binary_name(file_name: str) -> tuple[str, str, str, str] | None:
    """``(name, version, os, arch)`` of ``NAME-VERSION-OS-ARCH`` (split from the right: a name may hold
    dashes, as ``google-spreadsheet``), or None for a file that is no catalog binary."""
    if file_name.startswith(".") or file_name.endswith(CHECKSUM_SUFFIX):
        return None
    parts = file_name.rsplit("-", 3)
    if len(parts) != 4 or not all(parts):
        return None
    name, version, os_name, arch = parts
    return name, version, os_name, arch


def local_binaries(location: str | None = None) -> list[CatalogBinary]:
    """The catalog binaries in the services cache and, when ``location`` (default: ``OI_CATALOG``) is
    a directory, in that catalog; a URL catalog is not asked (see ``runtime.catalog.resolve``)."""
    catalog = catalog_location() if location is None else location
    directories = [cache_dir()]
    if catalog and not is_url(catalog):
        directories.append(catalog_directory(catalog))
    found: list[CatalogBinary] = []
    for directory in directories:
        try:
            entries = os.scandir(directory)
        except OSError:
            continue
        with entries:
            for count, entry in enumerate(entries):
                if count >= MAX_LISTED:
                    break
                parsed = parse_binary_name(entry.name)
                try:
                    regular = entry.is_file()
                except OSError:
                    continue
                if parsed is not None and regular:
                    found.append(CatalogBinary(*parsed, path=Path(entry.path)))
    return found
