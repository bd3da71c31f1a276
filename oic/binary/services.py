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

A Python service may import the standard library as far as the base carries it, the SDK and the
runtime's dependencies, and modules in its own directory. ``check_python_imports`` asks the base
itself (``--oi-find-modules``) whether it can import what the service's files import, so that a
missing module fails the build, not the run on another machine. The base's answers are kept beside
it, so a rebuild asks only about modules no earlier build asked about.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from runtime.bundles import EmbeddedService
from runtime.launcher import FIND_MODULES_FLAG

MAX_BYTES = 64 * 1024 * 1024
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
_FIND_MODULES_TIMEOUT = 120.0


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
            f"service {self.alias!r}: embedded {_shown(self.service.root)}/ "
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
    for alias, text in sorted(path_services.items()):
        path = Path(text)
        if alias in kept_out:
            plans.append(ServicePlan(alias, path, embedded=False))
            continue
        service, size = _collect(alias, path, skipped)
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
    shown = ", ".join(f"{name} ({_size(bytes_)})" for name, bytes_ in largest)
    return (
        f"service {alias!r}: {_shown(service.root)} holds more than a binary embeds "
        f"({len(service.files)}+ files, {_size(size)}+; at most {MAX_FILES} files and {_size(MAX_BYTES)} "
        f"for all services); the largest parts: {shown}. Move the service into a directory of its own, "
        f"or build without it: `oic build --no-embed {alias}` (then the binary needs --service-path)"
    )


# -- what an embedded Python service imports --------------------------------------------------------


@dataclass(frozen=True)
class ImportSite:
    """A module a service's file imports: ``module`` (dotted), where (``file`` relative to the
    service's directory, ``line``)."""

    module: str
    file: str
    line: int


def imported_modules(service: EmbeddedService) -> list[ImportSite]:
    """The modules from outside its directory that the service's entry file imports, directly or
    through the modules of its directory it imports (so a test file beside it that imports pytest
    does not count), except imports that are optional by design (inside a ``try`` that catches
    ``ImportError``) or for type checkers only (under ``if TYPE_CHECKING``)."""
    files = set(service.files)
    local = {relative.split("/", 1)[0].split(".", 1)[0] for relative in service.files}
    sites: list[ImportSite] = []
    pending = [service.entry]
    seen = set(pending)
    while pending:
        relative = pending.pop()
        for node in _required_imports(_parse(service, relative)):
            for module, local_candidates in _targets(node, relative):
                if module and module.split(".", 1)[0] not in local and module != "__future__":
                    sites.append(ImportSite(module, relative, node.lineno))
                    continue
                for candidate in local_candidates:
                    if candidate in files and candidate not in seen:
                        seen.add(candidate)
                        pending.append(candidate)
    return sorted(sites, key=lambda site: (site.file, site.line, site.module))


def _parse(service: EmbeddedService, relative: str) -> ast.Module:
    try:
        return ast.parse((service.root / relative).read_bytes(), filename=relative)
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None) or 1
        raise EmbedError(
            f"service {service.alias!r}: {_shown(service.root / relative)}:{line}: not valid Python: "
            f"{getattr(error, 'msg', error)}"
        ) from None
    except OSError as error:
        raise EmbedError(f"service {service.alias!r}: cannot read {relative}: {error}") from None


def _targets(node: ast.Import | ast.ImportFrom, importer: str) -> list[tuple[str, list[str]]]:
    """What one import statement in file ``importer`` names: each module's dotted name ("" for a
    relative import) and the files of the service's directory it may load."""
    if isinstance(node, ast.Import):
        return [(alias.name, _module_files(alias.name.split("."))) for alias in node.names]
    if node.level:
        package = importer.split("/")[:-1]
        if node.level > 1:
            package = package[: len(package) - (node.level - 1)]
        parts = package + (node.module.split(".") if node.module else [])
        return [
            (
                "",
                _module_files(parts)
                + [f for alias in node.names for f in _module_files([*parts, alias.name])],
            )
        ]
    module = node.module or ""
    parts = module.split(".")
    return [
        (
            module,
            _module_files(parts) + [f for alias in node.names for f in _module_files([*parts, alias.name])],
        )
    ]


def _module_files(parts: list[str]) -> list[str]:
    """The files that importing module ``parts`` may run: each package's ``__init__.py`` on the way,
    and the module itself as a file or a package."""
    files = ["/".join([*parts[:end], "__init__.py"]) for end in range(1, len(parts))]
    name = "/".join(parts)
    return [*files, f"{name}.py", f"{name}/__init__.py"]


def _required_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
            return
        if isinstance(node, ast.Try) and any(_catches_import_error(handler) for handler in node.handlers):
            for handler in node.handlers:
                visit(handler)
            for statement in node.orelse + node.finalbody:
                visit(statement)
            return
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for statement in node.orelse:
                visit(statement)
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names = {node.id if isinstance(node, ast.Name) else getattr(node, "attr", "") for node in caught}
    return bool(names & {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def check_python_imports(plans: list[ServicePlan], base: Path, answers: Path | None = None) -> None:
    """Fail when an embedded Python service imports a module the base cannot import. Runs the base
    (which must be for this machine) for the modules ``answers`` (a JSON file of earlier answers of
    this very base, kept when given) does not know. Raises ``EmbedError``."""
    imports = [
        (entry.alias, entry.service, site)
        for entry in plans
        if entry.embedded and entry.python and entry.service is not None
        for site in imported_modules(entry.service)
    ]
    if not imports:
        return
    identity = _identity(base)
    known = _read_answers(answers, identity)
    unknown = sorted({site.module for _, _, site in imports} - set(known))
    if unknown:
        missing = _ask_base(base, unknown)
        known.update({name: name not in missing for name in unknown})
        _write_answers(answers, identity, known)
    for alias, service, site in imports:
        if not known[site.module]:
            top = site.module.split(".", 1)[0]
            raise EmbedError(
                f"service {alias!r}: {_shown(service.root / site.file)}:{site.line} imports {site.module}, "
                f"which the pipeline binary does not carry. Put the package into the service's directory "
                f"(pure-Python packages: `pip install --target {_shown(service.root)} {top}`), or build "
                f"without the service: `oic build --no-embed {alias}` (then the binary needs --service-path)"
            )


def _ask_base(base: Path, names: list[str]) -> set[str]:
    """The names among ``names`` that the base cannot import (it prints them as a JSON list)."""
    # Nothing from this environment (PYTHONPATH above all) may change what the base finds.
    passed = ("PATH", "HOME", "LANG", "TMPDIR")
    environment = {name: os.environ[name] for name in passed if name in os.environ}
    try:
        answer = subprocess.run(
            [str(base), FIND_MODULES_FLAG, *names],
            env=environment,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=_FIND_MODULES_TIMEOUT,
            check=False,
        )
        return set(json.loads(answer.stdout.strip().splitlines()[-1]))
    except (OSError, subprocess.TimeoutExpired, ValueError, IndexError) as error:
        raise EmbedError(f"could not ask the base {base} which modules it carries: {error}") from None


def _identity(base: Path) -> list[int]:
    """What tells one base file from another at the same path (a base copied over a placed one)."""
    try:
        status = base.stat()
    except OSError:
        return []
    return [status.st_size, status.st_mtime_ns, status.st_ino]


def _read_answers(path: Path | None, identity: list[int]) -> dict[str, bool]:
    if path is None:
        return {}
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: ask the base again
    if (
        not isinstance(saved, dict)
        or saved.get("base") != identity
        or not isinstance(saved.get("modules"), dict)
    ):
        return {}  # another base's answers
    return {name: found for name, found in saved["modules"].items() if isinstance(found, bool)}


def _write_answers(path: Path | None, identity: list[int], answers: dict[str, bool]) -> None:
    if path is None:
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        text = json.dumps({"base": identity, "modules": answers}, sort_keys=True, indent=1)
        temporary.write_text(text + "\n", encoding="utf-8")
        os.replace(temporary, path)  # whole or not at all, whatever another build does at the same time
    except OSError:
        temporary.unlink(missing_ok=True)  # a cache that cannot be written only costs time


def _shown(path: Path) -> str:
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
