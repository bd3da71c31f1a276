"""What an embedded Python service imports, and whether the base binary carries it.

A Python service embedded in a pipeline binary runs on the base's interpreter, so it may import the
standard library as far as the base carries it, the SDK and the runtime's dependencies, and modules
in its own directory. ``check_python_imports`` follows the imports of the service's entry file
through the modules of its directory (a test file beside it that nothing imports does not count;
imports inside ``try`` blocks that catch ``ImportError``, and under ``if TYPE_CHECKING``, are
optional), and asks the base itself (``BASE --oi-find-modules NAME...``) whether it can import each
module from elsewhere: a missing one fails the build with the file and line, not the run on another
machine. The base's answers are kept beside it, so a rebuild asks only about modules no earlier build
asked about.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from oic.binary.services import EmbedError, ServicePlan, shown
from runtime.bundles import EmbeddedService
from runtime.launcher import FIND_MODULES_FLAG

_FIND_MODULES_TIMEOUT = 120.0


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
            f"service {service.alias!r}: {shown(service.root / relative)}:{line}: not valid Python: "
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
                f"service {alias!r}: {shown(service.root / site.file)}:{site.line} imports {site.module}, "
                f"which the pipeline binary does not carry. Put the package into the service's directory "
                f"(pure-Python packages: `pip install --target {shown(service.root)} {top}`), or build "
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
