"""Finding or freezing the base binary a pipeline is embedded into.

A base depends only on the runtime, not on any pipeline, so it is frozen once per key: runtime
version, Python version, target OS and architecture, and a digest of the runtime's files (so an edited
runtime never runs from a stale base). Bases live under one root directory:

- ``$OI_BASE_DIR`` when set, else ``$XDG_CACHE_HOME/oi/bases``, else ``~/.cache/oi/bases``;
- ``<root>/<key>/oi-base``: frozen on this machine (with ``oi-base.json`` and ``freeze.log`` beside it,
  and ``oi-base.modules.json``, the modules embedded Python services asked it about);
- ``<root>/<os>-<arch>/oi-base``: a base frozen elsewhere and copied here, for targets this machine
  cannot freeze (PyInstaller does not cross-compile).

Freezing takes a lock (``<root>/<key>.lock``) so two builds never freeze the same base at once; the
second waits and then reuses the first's. The binary is frozen in a temporary directory under the root
and moved into place with an atomic rename, so a base that exists is always complete.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import runtime
from oic.binary import freeze
from oic.binary.targets import Target, host

RECIPE_VERSION = "4"  # bump when the freeze recipe changes, to invalidate existing bases
MANIFEST_NAME = "oi-base.json"


class BaseError(Exception):
    """No usable base binary; the message says what to do."""


@dataclass(frozen=True)
class BaseChoice:
    """The base a build uses: ``path``, and ``origin``: ``"given"`` (--base), ``"cached"`` (frozen
    earlier), ``"placed"`` (copied into ``<root>/<os>-<arch>/``) or ``"frozen"`` (frozen just now)."""

    path: Path
    origin: str


def bases_root(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get("OI_BASE_DIR"):
        return Path(env["OI_BASE_DIR"]).expanduser()
    cache = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "oi" / "bases"


def runtime_digest() -> str:
    """A digest of every file of the ``runtime`` package (sources and data, not caches)."""
    package = Path(runtime.__file__).resolve().parent
    digest = hashlib.sha256(RECIPE_VERSION.encode())
    for path in sorted(package.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo"):
            continue
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def base_key(target: Target) -> str:
    python = f"py{sys.version_info.major}{sys.version_info.minor}"
    return f"{runtime.__version__}-{python}-{target.slug}-{runtime_digest()[:16]}"


def binary_name(target: Target) -> str:
    return freeze.BASE_NAME + (".exe" if target.os == "windows" else "")


def cached_base_path(target: Target, root: Path | None = None) -> Path:
    return (root or bases_root()) / base_key(target) / binary_name(target)


def placed_base_path(target: Target, root: Path | None = None) -> Path:
    return (root or bases_root()) / target.slug / binary_name(target)


def find_base(target: Target, explicit: str | None = None, root: Path | None = None) -> BaseChoice | None:
    """The base to use for ``target`` without freezing, or None when freezing is needed."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise BaseError(f"--base {explicit}: no such file (pass the path of an oi base binary)")
        return BaseChoice(path, "given")
    cached = cached_base_path(target, root)
    if cached.is_file():
        return BaseChoice(cached, "cached")
    placed = placed_base_path(target, root)
    if placed.is_file():
        return BaseChoice(placed, "placed")
    return None


def require_freezable(target: Target, root: Path | None = None) -> None:
    """Raise ``BaseError`` (saying what to do) when ``target`` is not this machine's."""
    here = host()
    if target == here:
        return
    placed = placed_base_path(target, root)
    raise BaseError(
        f"the pipeline targets {target} but this machine is {here}, and PyInstaller cannot build for "
        f"another OS or architecture; no base binary for {target} was found. To fix this: on a {target} "
        f"machine run `oic build --base-only -o DIR`, copy DIR/oi-base-{target.slug} here to {placed} "
        f"(or pass --base PATH to `oic build`), then build again"
    )


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` across processes (a no-op where ``fcntl`` is missing)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_base(
    target: Target,
    *,
    root: Path | None = None,
    rebuild: bool = False,
    echo: Callable[[str], None] | None = None,
) -> BaseChoice:
    """The cached base for ``target`` (this machine), frozen first when there is none (or ``rebuild``).
    Raises ``BaseError`` for another machine's target and ``freeze.FreezeError`` when PyInstaller fails."""
    require_freezable(target, root)
    root = root or bases_root()
    final = cached_base_path(target, root)
    if not rebuild and final.is_file():
        return BaseChoice(final, "cached")
    root.mkdir(parents=True, exist_ok=True)
    with _lock(root / f"{final.parent.name}.lock"):
        if not rebuild and final.is_file():  # another build froze it while we waited
            return BaseChoice(final, "cached")
        final.parent.mkdir(parents=True, exist_ok=True)
        work_dir = Path(tempfile.mkdtemp(prefix=".freeze-", dir=root))
        try:
            log_path = final.parent / "freeze.log"
            frozen = freeze.freeze(work_dir, target.os, log_path, echo)
            manifest = {
                "key": final.parent.name,
                "runtime_version": runtime.__version__,
                "python": ".".join(map(str, sys.version_info[:3])),
                "os": target.os,
                "arch": target.arch,
                "frozen_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            }
            (final.parent / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
            os.chmod(frozen, 0o755)
            os.replace(frozen, final)
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)
    return BaseChoice(final, "frozen")
