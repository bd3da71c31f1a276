"""Find the binary of a catalog service that oi does not serve itself.

A catalog is a directory or an http(s) URL holding binaries named ``NAME-VERSION-OS-ARCH`` (Go's
names for OS and architecture: ``linux``/``darwin``, ``amd64``/``arm64``), each optionally with a
``NAME-VERSION-OS-ARCH.sha256`` beside it. Binaries are cached under ``~/.open-integration/services/``
(``OI_SERVICES_CACHE`` overrides it) and a cached binary is used without asking the catalog.

A binary enters the cache only whole and verified: it is written to a temporary file in the cache
directory, checked against the catalog's checksum when there is one, made executable, and then
renamed into place. An interrupted download therefore leaves at most a stray temporary file, never a
truncated binary that a later run would execute.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from runtime.catalog.names import (
    CACHE_ENV,
    CATALOG_ENV,
    PARTIAL_PREFIX,
    binary_name,
    cache_dir,
    catalog_directory,
    host_arch,
    host_os,
    is_url,
    parse_binary_name,
)
from runtime.model import Service
from runtime.services.base import ServiceStartError

__all__ = [
    "CACHE_ENV",
    "CATALOG_ENV",
    "binary_name",
    "cache_dir",
    "clear_partials",
    "host_arch",
    "host_os",
    "locate_service_binary",
]

DOWNLOAD_TIMEOUT = 60.0
_CHUNK = 1 << 16
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def locate_service_binary(service: Service, location: str | None = None) -> str:
    """The path of an executable for catalog service ``service`` (downloading it into the cache if
    needed). ``location``: the catalog (directory or http(s) URL); default ``$OI_CATALOG``.
    Raises ``ServiceStartError`` with a one-line message that says what to do."""
    who = f"service {service.alias!r} (catalog {service.name!r})"
    if not service.name:
        raise ServiceStartError(f"service {service.alias!r} names no catalog service")
    if not service.version:
        raise ServiceStartError(
            f"{who}: no version given, and only oi's built-in services have a known latest version. "
            f'To fix this, write version "X.Y.Z" in the service declaration'
        )
    file_name = binary_name(service.name, service.version)
    cached = cache_dir() / file_name
    if cached.is_file() and os.access(cached, os.X_OK):
        return str(cached)
    catalog = location or os.environ.get(CATALOG_ENV, "")
    if not catalog:
        raise ServiceStartError(
            f"{who}: {file_name} is not in the cache ({cache_dir()}) and no catalog is set. "
            f"To fix this, set {CATALOG_ENV} to a directory or URL holding {file_name}"
        )
    try:
        cache_dir().mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ServiceStartError(
            f"{who}: cannot create the cache {cache_dir()}: {error.strerror or error}"
        ) from None
    if is_url(catalog):
        _install(who, file_name, cached, _http_source(who, catalog, file_name))
    else:
        _install(who, file_name, cached, _directory_source(who, catalog, file_name))
    return str(cached)


class _Source:
    """Where a binary comes from: its byte stream and its expected checksum (None = none published)."""

    def __init__(
        self, describe: str, opener: contextlib.AbstractContextManager[IO[bytes]], sha256: str | None
    ):
        self.describe = describe
        self.opener = opener
        self.sha256 = sha256


def _parse_checksum(who: str, text: str, origin: str) -> str:
    first = text.split()[0] if text.split() else ""
    if not _SHA256.fullmatch(first):
        raise ServiceStartError(
            f"{who}: {origin} does not hold a SHA-256 checksum. To fix this, republish it"
        )
    return first.lower()


def _directory_source(who: str, catalog: str, file_name: str) -> _Source:
    directory = catalog_directory(catalog)
    if not directory.is_dir():
        raise ServiceStartError(
            f"{who}: the catalog {directory} is not a directory. To fix this, correct {CATALOG_ENV}"
        )
    binary = directory / file_name
    if not binary.is_file():
        raise ServiceStartError(
            f"{who}: the catalog {directory} has no {file_name}{_available(directory, file_name)}"
        )
    checksum_file = directory / f"{file_name}.sha256"
    checksum = None
    if checksum_file.is_file():
        checksum = _parse_checksum(
            who, checksum_file.read_text(encoding="utf-8", errors="replace"), str(checksum_file)
        )
    return _Source(str(binary), open(binary, "rb"), checksum)


def _available(directory: Path, file_name: str) -> str:
    wanted = parse_binary_name(file_name)
    others = sorted(
        entry.name
        for entry in directory.iterdir()
        if wanted is not None and (parsed := parse_binary_name(entry.name)) and parsed[0] == wanted[0]
    )
    return f" (it has: {', '.join(others)})" if others else ""


def _http_get(url: str) -> IO[bytes]:
    request = urllib.request.Request(url, headers={"User-Agent": "oi-catalog"})
    return urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT)  # type: ignore[no-any-return]


def _http_source(who: str, catalog: str, file_name: str) -> _Source:
    base = catalog.rstrip("/") + "/"
    url = base + urllib.parse.quote(file_name)
    checksum = None
    try:
        with _http_get(url + ".sha256") as answer:
            checksum = _parse_checksum(who, answer.read(4096).decode("utf-8", "replace"), url + ".sha256")
    except urllib.error.HTTPError as error:
        if error.code != 404:
            raise ServiceStartError(f"{who}: {url}.sha256 answered {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        raise ServiceStartError(f"{who}: cannot reach the catalog {catalog}: {_reason(error)}") from None
    try:
        stream = _http_get(url)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            raise ServiceStartError(
                f"{who}: the catalog {catalog} has no {file_name}. To fix this, check the name and version"
            ) from None
        raise ServiceStartError(f"{who}: {url} answered {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        raise ServiceStartError(f"{who}: cannot reach the catalog {catalog}: {_reason(error)}") from None
    return _Source(url, contextlib.closing(stream), checksum)  # type: ignore[arg-type]


def _reason(error: Exception) -> str:
    reason = getattr(error, "reason", None) or error
    return str(reason)


def _install(who: str, file_name: str, target: Path, source: _Source) -> None:
    with _partial_file(target.parent) as (partial_path, partial):
        digest = hashlib.sha256()
        try:
            with source.opener as stream:
                expected_length = _content_length(stream)
                written = 0
                for chunk in iter(lambda: stream.read(_CHUNK), b""):
                    digest.update(chunk)
                    partial.write(chunk)
                    written += len(chunk)
        except http.client.IncompleteRead as error:
            raise ServiceStartError(
                f"{who}: the download of {source.describe} stopped after {written + len(error.partial)} "
                "bytes. To fix this, run again"
            ) from None
        except (OSError, urllib.error.URLError, http.client.HTTPException) as error:
            raise ServiceStartError(
                f"{who}: downloading {source.describe} failed: {_reason(error)}"
            ) from None
        if expected_length is not None and written != expected_length:
            raise ServiceStartError(
                f"{who}: the download of {source.describe} stopped after {written} of "
                f"{expected_length} bytes. To fix this, run again"
            )
        if source.sha256 is not None and digest.hexdigest() != source.sha256:
            raise ServiceStartError(
                f"{who}: {file_name} does not match its published checksum (expected {source.sha256}, "
                f"got {digest.hexdigest()}); it was not installed. "
                "To fix this, republish the binary or its .sha256"
            )
        partial.flush()
        os.fsync(partial.fileno())
        os.chmod(partial_path, 0o755)
        os.replace(partial_path, target)


def _content_length(stream: IO[bytes]) -> int | None:
    headers = getattr(stream, "headers", None)  # an HTTP response has them, a file does not
    value = headers.get("Content-Length") if headers is not None else None
    return int(value) if value and value.isdigit() else None


@contextlib.contextmanager
def _partial_file(directory: Path) -> Iterator[tuple[Path, IO[bytes]]]:
    handle = tempfile.NamedTemporaryFile(dir=directory, prefix=PARTIAL_PREFIX, delete=False)  # noqa: SIM115
    path = Path(handle.name)
    try:
        with handle:
            yield path, handle
    finally:
        if path.exists():  # not renamed into place: failed or interrupted
            with contextlib.suppress(OSError):
                path.unlink()


def clear_partials(directory: Path | None = None) -> int:
    """Remove leftover temporary downloads (from killed runs); returns how many were removed."""
    removed = 0
    for leftover in (directory or cache_dir()).glob(f"{PARTIAL_PREFIX}*"):
        with contextlib.suppress(OSError):
            leftover.unlink()
            removed += 1
    return removed
