"""The build backend (PEP 517) of ``oi-sdk``: the service SDK as a distribution of its own.

``oi-sdk`` holds the modules of the ``runtime`` package that a service needs, and nothing of the
engine: ``runtime.sdk`` (writing a service), ``runtime.serve`` (the ``oi-service`` command) and
``runtime.services.client`` (calling a service from its tests), with every ``runtime`` module they
import, found by following their imports, so the set cannot fall behind the code. The protocol's
``.proto`` files come along. Its version is the runtime's (``runtime.__version__``), and its
dependencies are the main distribution's requirements on the libraries those modules import, with
the same version ranges (read from the repository's ``pyproject.toml``).

The backend uses the standard library only, so it builds offline and needs no build dependencies::

    pip wheel --no-deps --no-build-isolation -w dist runtime/sdk-package

In the repository it reads the modules from the ``runtime`` package beside it; an sdist it writes
carries a copy of them (and of the requirements it read) under ``src/``, and builds from that.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import json
import os
import re
import tarfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

NAME = "oi-sdk"
ROOT_MODULES = ("runtime.sdk", "runtime.serve", "runtime.services.client")
DATA_FILES = ("runtime/proto/service.proto", "runtime/proto/engine.proto")
# The libraries the SDK's modules import, by distribution name.
DEPENDENCY_NAMES = ("grpcio", "protobuf", "jsonschema", "fastjsonschema")
WHEEL = "Wheel-Version: 1.0\nGenerator: oi-sdk build_sdk\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
ENTRY_POINTS = "[console_scripts]\noi-service = runtime.serve:main\n"
SUMMARY = "The oi service SDK: write a gRPC service that oi pipelines (and Open Integration) can call."
REQUIRES_PYTHON = ">=3.10"

_HERE = Path(__file__).resolve().parent
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_REQUIREMENTS_COPY = "requirements.json"


class SdkBuildError(Exception):
    """The SDK cannot be built from these sources; the message says why."""


# -- where the sources are ----------------------------------------------------------------------------


def _source_root() -> Path:
    """The directory holding the ``runtime`` package: ``src/`` in an sdist, else the repository."""
    unpacked = _HERE / "src"
    return unpacked if (unpacked / "runtime").is_dir() else _HERE.parent.parent


def _version(root: Path) -> str:
    text = (root / "runtime" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if match is None:
        raise SdkBuildError("runtime/__init__.py declares no __version__")
    return match.group(1)


def _requirements(root: Path) -> list[str]:
    """The main distribution's requirements on ``DEPENDENCY_NAMES``, version ranges included."""
    copy = _HERE / "src" / _REQUIREMENTS_COPY
    if root == _HERE / "src" and copy.is_file():
        return list(json.loads(copy.read_text(encoding="utf-8")))
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    block = re.search(r"^dependencies = \[(.*?)^\]", text, re.MULTILINE | re.DOTALL)
    if block is None:
        raise SdkBuildError("pyproject.toml has no [project] dependencies list")
    requirements = re.findall(r'^\s*"([^"]+)"', block.group(1), re.MULTILINE)
    wanted = []
    for requirement in requirements:
        name = re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0]
        if _normalize(name) in {_normalize(dependency) for dependency in DEPENDENCY_NAMES}:
            wanted.append(requirement)
    return wanted


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# -- which files ----------------------------------------------------------------------------------------


def module_files(root: Path, roots: Iterable[str] = ROOT_MODULES) -> list[str]:
    """The files (relative, ``/``-separated) of ``roots`` and of every ``runtime`` module they import
    at run time (imports under ``if TYPE_CHECKING`` do not count), with the packages' ``__init__``."""
    files: set[str] = set()
    pending = list(roots)
    seen: set[str] = set()
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        parts = module.split(".")
        for end in range(1, len(parts)):
            package_init = "/".join([*parts[:end], "__init__.py"])
            if (root / package_init).is_file():
                files.add(package_init)
                pending.append(".".join(parts[:end]))
        relative = _module_file(root, parts)
        if relative is None:
            continue  # a name imported from a package (``from runtime.proto import service_pb2`` is a module)
        files.add(relative)
        tree = ast.parse((root / relative).read_bytes(), filename=relative)
        for imported in _runtime_imports(tree):
            pending.append(imported)
    return sorted(files)


def _module_file(root: Path, parts: list[str]) -> str | None:
    for candidate in ("/".join(parts) + ".py", "/".join([*parts, "__init__.py"])):
        if (root / candidate).is_file():
            return candidate
    return None


def _runtime_imports(tree: ast.Module) -> list[str]:
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for statement in node.orelse:
                visit(statement)
            return
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names if alias.name.split(".")[0] == "runtime")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] == "runtime":
                found.append(node.module)
                found.extend(f"{node.module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _package_files(root: Path) -> list[str]:
    return sorted(set(module_files(root)) | {name for name in DATA_FILES if (root / name).is_file()})


# -- metadata -----------------------------------------------------------------------------------------


def _metadata(root: Path) -> str:
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {NAME}",
        f"Version: {_version(root)}",
        f"Summary: {SUMMARY}",
        "License: Apache-2.0",
        f"Requires-Python: {REQUIRES_PYTHON}",
        *(f"Requires-Dist: {requirement}" for requirement in _requirements(root)),
        "Description-Content-Type: text/markdown",
        "",
        (_HERE / "README.md").read_text(encoding="utf-8"),
    ]
    return "\n".join(lines)


def _wheel_name(root: Path) -> str:
    return f"{NAME.replace('-', '_')}-{_version(root)}"


# -- the PEP 517 hooks ------------------------------------------------------------------------------


def get_requires_for_build_wheel(config_settings: object = None) -> list[str]:
    return []


def get_requires_for_build_sdist(config_settings: object = None) -> list[str]:
    return []


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: object = None) -> str:
    root = _source_root()
    info = Path(metadata_directory) / f"{_wheel_name(root)}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(_metadata(root), encoding="utf-8")
    (info / "entry_points.txt").write_text(ENTRY_POINTS, encoding="utf-8")
    return info.name


def build_wheel(
    wheel_directory: str, config_settings: object = None, metadata_directory: str | None = None
) -> str:
    root = _source_root()
    base = _wheel_name(root)
    info = f"{base}.dist-info"
    contents: list[tuple[str, bytes]] = [(name, (root / name).read_bytes()) for name in _package_files(root)]
    contents += [
        (f"{info}/METADATA", _metadata(root).encode("utf-8")),
        (f"{info}/WHEEL", WHEEL.encode("utf-8")),
        (f"{info}/entry_points.txt", ENTRY_POINTS.encode("utf-8")),
        (f"{info}/top_level.txt", b"runtime\n"),
    ]
    record = "".join(f"{name},sha256={_digest(data)},{len(data)}\n" for name, data in contents)
    record += f"{info}/RECORD,,\n"
    file_name = f"{base}-py3-none-any.whl"
    os.makedirs(wheel_directory, exist_ok=True)
    with zipfile.ZipFile(Path(wheel_directory) / file_name, "w", compression=zipfile.ZIP_DEFLATED) as wheel:
        for name, data in [*contents, (f"{info}/RECORD", record.encode("utf-8"))]:
            entry = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            entry.external_attr = 0o644 << 16
            wheel.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED)
    return file_name


def build_sdist(sdist_directory: str, config_settings: object = None) -> str:
    root = _source_root()
    base = _wheel_name(root)
    members: list[tuple[str, bytes]] = [
        (name, (_HERE / name).read_bytes()) for name in ("pyproject.toml", "build_sdk.py", "README.md")
    ]
    members += [(f"src/{name}", (root / name).read_bytes()) for name in _package_files(root)]
    members.append((f"src/{_REQUIREMENTS_COPY}", json.dumps(_requirements(root)).encode("utf-8")))
    members.append(("PKG-INFO", _metadata(root).encode("utf-8")))
    file_name = f"{base}.tar.gz"
    os.makedirs(sdist_directory, exist_ok=True)
    with tarfile.open(Path(sdist_directory) / file_name, "w:gz", format=tarfile.PAX_FORMAT) as archive:
        for name, data in members:
            entry = tarfile.TarInfo(f"{base}/{name}")
            entry.size = len(data)
            entry.mode = 0o644
            archive.addfile(entry, io.BytesIO(data))
    return file_name


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
