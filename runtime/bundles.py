"""Path services a pipeline binary carries: the archive ``oic build`` embeds, and unpacking it.

The archive is a zip file. Each embedded directory's files sit under a directory of their own, named
by position (``0/``, ``1/``, ...), and ``services.json`` maps every service alias to the path of its
entry file inside the archive (``{"greeter": "0/service.py"}``); services that share a directory
share its copy. Files keep their
executable bit. Entries are written in a fixed order with a fixed timestamp, so the same files always
make the same archive (and the same binary).

At run time the binary unpacks the archive once, into a directory that goes away with the run, and
runs each service from there: its files lie beside it as they did on the build machine, so a service
that reads ``Path(__file__).parent / "schemas"`` finds them.

This module stays import-light (standard library only): ``oic`` uses it to write archives, and the
launcher to read them.
"""

from __future__ import annotations

import io
import json
import os
import posixpath
import stat
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "services.json"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


class BundleError(Exception):
    """The archive is damaged or cannot be unpacked; the message is one line for the user."""


@dataclass(frozen=True)
class EmbeddedService:
    """One service to embed: its ``alias``, the directory ``root`` its files are taken from, the
    ``entry`` file (relative to ``root``, ``/``-separated) and the ``files`` to carry (relative to
    ``root``, ``/``-separated, the entry among them)."""

    alias: str
    root: Path
    entry: str
    files: tuple[str, ...]


def pack(services: Sequence[EmbeddedService]) -> bytes:
    """The archive carrying ``services``."""
    buffer = io.BytesIO()
    manifest: dict[str, str] = {}
    prefixes: dict[Path, str] = {}
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for service in services:
            packed = service.root in prefixes
            prefix = prefixes.setdefault(service.root, str(len(prefixes)))
            manifest[service.alias] = f"{prefix}/{service.entry}"
            if packed:
                continue
            for relative in sorted(service.files):
                source = service.root / relative
                info = zipfile.ZipInfo(f"{prefix}/{relative}", date_time=_FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                executable = os.access(source, os.X_OK)
                info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
                archive.writestr(info, source.read_bytes())
        info = zipfile.ZipInfo(MANIFEST, date_time=_FIXED_TIME)
        archive.writestr(info, json.dumps(manifest, sort_keys=True))
    return buffer.getvalue()


def aliases(data: bytes) -> list[str]:
    """The aliases of the services an archive carries. Raises ``BundleError``."""
    with _open(data) as archive:
        return sorted(_manifest(archive))


def unpack(data: bytes, destination: str | os.PathLike[str]) -> dict[str, str]:
    """Unpack the archive into ``destination`` (which must exist); return each alias's entry file
    (absolute path). Raises ``BundleError`` for a damaged archive."""
    root = os.path.abspath(destination)
    with _open(data) as archive:
        manifest = _manifest(archive)
        try:
            for info in archive.infolist():
                if info.filename == MANIFEST or info.is_dir():
                    continue
                target = _inside(root, info.filename)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with archive.open(info) as source, open(target, "wb") as output:
                    while chunk := source.read(1 << 20):
                        output.write(chunk)
                mode = (info.external_attr >> 16) & 0o777
                os.chmod(target, 0o755 if mode & 0o100 else 0o644)
        except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as error:
            raise BundleError(f"cannot unpack the embedded services into {root}: {error}") from None
    return {alias: _inside(root, entry) for alias, entry in manifest.items()}


def _open(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as error:
        raise BundleError(f"the embedded services are damaged ({error}); rebuild the binary") from None


def _manifest(archive: zipfile.ZipFile) -> Mapping[str, str]:
    try:
        manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
    except (KeyError, ValueError, zipfile.BadZipFile) as error:
        raise BundleError(f"the embedded services are damaged ({error}); rebuild the binary") from None
    if not isinstance(manifest, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in manifest.items()
    ):
        raise BundleError("the embedded services are damaged (bad manifest); rebuild the binary")
    return manifest


def _inside(root: str, name: str) -> str:
    """The path of archive member ``name`` under ``root``; a name that would leave it is refused."""
    normal = posixpath.normpath(name)
    if normal.startswith(("/", "../")) or normal == ".." or "\\" in name or "\0" in name:
        raise BundleError(f"the embedded services are damaged (bad file name {name!r}); rebuild the binary")
    return os.path.join(root, *normal.split("/"))
