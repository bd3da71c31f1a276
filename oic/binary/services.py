"""What a pipeline binary embeds of its path services, so that it runs where they are not installed.

Every ``path`` service is embedded unless ``oic build --no-embed ALIAS`` keeps it out. A service
carries the directory that holds its file, with everything under it except what is never part of a
program: version control and cache directories, virtual environments (a directory named ``.venv`` or
``venv``, or any directory holding a ``pyvenv.cfg``), ``node_modules``, ``logs`` directories (runs
write there), the build's own output directory, and compiled Python files. Symbolic links to files
are followed; links to directories are not. All embedded services together may hold at most
``MAX_FILES`` files and ``MAX_BYTES`` bytes: past that the build fails and says what to do.

At run time the binary unpacks them and runs each from there: a ``.py`` file on the binary's own
interpreter (which carries the SDK: the target needs no Python), any other file as an executable.
``--service-path ALIAS=PATH`` still runs another program instead.

What an embedded Python service may import is checked by ``oic.binary.service_imports``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from runtime.bundles import EmbeddedService

MAX_BYTES = 64 * 1000 * 1000  # shown as "64.0 MB" in messages
MAX_FILES = 5000
SKIPPED_DIRECTORIES = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        "node_modules",
        "logs",
    }
)
SKIPPED_SUFFIXES = (".pyc", ".pyo")
SKIPPED_FILES = frozenset({".DS_Store"})


class EmbedError(Exception):
    """A path service cannot be embedded; the message is one line that says what to do."""


@dataclass(frozen=True)
class ServicePlan:
    """What the build does with one path service: ``embedded`` (then ``service`` says which files)
    or not, and ``path``, the service's file on this machine."""

    alias: str
    path: Path
    embedded: bool
    service: EmbeddedService | None = None
    size: int = 0

    @property
    def python(self) -> bool:
        return self.path.suffix == ".py"

    def describe(self) -> str:
        """One line for the build's output."""
        if not self.embedded or self.service is None:
            return (
                f"service {self.alias!r}: not embedded (--no-embed): the binary runs {self.path}; "
                f"give it --service-path {self.alias}=PATH where the service lives elsewhere"
            )
        count = len(self.service.files)
        how = (
            f"served by the binary's own Python from {self.service.entry}"
            if self.python
            else f"run as {self.service.entry} from where the binary unpacks it"
        )
        return (
            f"service {self.alias!r}: embedded {shown(self.service.root)}/ "
            f"({count} file{'s' if count != 1 else ''}, {_size(self.size)}), {how}"
        )


def plan(
    path_services: Mapping[str, str], not_embedded: Iterable[str], output_dir: Path
) -> list[ServicePlan]:
    """A plan for each path service (alias -> absolute path of its file). Raises ``EmbedError``."""
    kept_out = set(not_embedded)
    unknown = sorted(kept_out - set(path_services))
    if unknown:
        known = ", ".join(sorted(path_services)) or "none"
        raise EmbedError(
            f"--no-embed {unknown[0]}: not a path service of this pipeline (path services: {known})"
        )
    plans: list[ServicePlan] = []
    total_bytes = total_files = 0
    skipped = {os.path.realpath(output_dir)}
    counted: set[Path] = set()  # directories two services share travel once
    for alias, text in sorted(path_services.items()):
        path = Path(text)
        if alias in kept_out:
            plans.append(ServicePlan(alias, path, embedded=False))
            continue
        service, size = _collect(alias, path, skipped)
        if service.root not in counted:
            counted.add(service.root)
            total_bytes += size
            total_files += len(service.files)
        if total_bytes > MAX_BYTES or total_files > MAX_FILES:
            raise EmbedError(_too_big(alias, service, size))
        plans.append(ServicePlan(alias, path, embedded=True, service=service, size=size))
    return plans


def _collect(alias: str, path: Path, skipped: set[str]) -> tuple[EmbeddedService, int]:
    what = f"service {alias!r}"
    remedy = f"or build without it: `oic build --no-embed {alias}` (then the binary needs --service-path)"
    if not path.exists():
        raise EmbedError(f"{what}: {path} does not exist: build the service first, {remedy}")
    if not path.is_file():
        raise EmbedError(f"{what}: {path} is not a file: a path service names the program to run")
    if path.suffix != ".py" and not os.access(path, os.X_OK):
        raise EmbedError(f"{what}: {path} is not executable: run chmod +x on it, {remedy}")
    root = path.parent
    files: list[str] = []
    size = 0
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = sorted(
            name
            for name in subdirectories
            if name not in SKIPPED_DIRECTORIES
            and not os.path.isfile(os.path.join(directory, name, "pyvenv.cfg"))
            and os.path.realpath(os.path.join(directory, name)) not in skipped
        )
        for name in sorted(names):
            full = os.path.join(directory, name)
            if name in SKIPPED_FILES or name.endswith(SKIPPED_SUFFIXES) or not os.path.isfile(full):
                continue
            try:
                size += os.path.getsize(full)
            except OSError as error:
                raise EmbedError(f"{what}: cannot read {full}: {error.strerror or error}") from None
            if not os.access(full, os.R_OK):
                raise EmbedError(f"{what}: cannot read {full}: permission denied")
            files.append(Path(full).relative_to(root).as_posix())
            if len(files) > MAX_FILES or size > MAX_BYTES:
                service = EmbeddedService(alias, root, path.name, tuple(files))
                raise EmbedError(_too_big(alias, service, size))
    return EmbeddedService(alias, root, path.name, tuple(files)), size


def _too_big(alias: str, service: EmbeddedService, size: int) -> str:
    by_top: dict[str, int] = {}
    for relative in service.files:
        top = relative.split("/", 1)[0]
        try:
            by_top[top] = by_top.get(top, 0) + (service.root / relative).stat().st_size
        except OSError:
            continue
    largest = sorted(by_top.items(), key=lambda item: -item[1])[:3]
    parts = ", ".join(f"{name} ({_size(bytes_)})" for name, bytes_ in largest)
    return (
        f"service {alias!r}: {shown(service.root)} holds more than a binary embeds "
        f"({len(service.files)}+ files, {_size(size)}+; at most {MAX_FILES} files and {_size(MAX_BYTES)} "
        f"for all services); the largest parts: {parts}. Move the service into a directory of its own, "
        f"or build without it: `oic build --no-embed {alias}` (then the binary needs --service-path)"
    )


def shown(path: Path) -> str:
    """``path`` relative to the working directory when it lies under it, else as it is."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


def _size(count: int) -> str:
    if count < 1000:
        return f"{count} B"
    if count < 1000 * 1000:
        return f"{count / 1000:.1f} kB"
    return f"{count / 1000 / 1000:.1f} MB"
