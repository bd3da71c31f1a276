"""The SDK as a distribution of its own (oi-sdk): built offline from runtime/sdk-package, installed
into a fresh virtual environment that holds nothing but it and its own dependencies, and used there
to serve a scaffolded service that the test calls over real gRPC. The main distribution still builds,
without the SDK package's build files."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from packaging.requirements import Requirement

from runtime.model import Service as ServiceSpec
from runtime.services.client import GrpcConnection
from runtime.services.local import free_port
from tests.services.support import REPO_ROOT, wait_for_exit

pytestmark = pytest.mark.slow

SDK_PACKAGE = REPO_ROOT / "runtime" / "sdk-package"


def _pip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _wheel_metadata(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return archive.read(name).decode("utf-8")


@pytest.fixture(scope="module")
def sdk_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sdk-wheel")
    built = _pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(out), str(SDK_PACKAGE))
    assert built.returncode == 0, built.stderr
    (wheel,) = out.glob("oi_sdk-*.whl")
    return wheel


def _copy_distribution_closure(requirements: list[str], destination: Path) -> list[str]:
    """Copy the installed files of ``requirements`` and of everything they require (taken from this
    environment: nothing is downloaded) into ``destination``; return the distributions' names."""
    pending = [Requirement(text) for text in requirements]
    copied: list[str] = []
    while pending:
        requirement = pending.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        distribution = importlib.metadata.distribution(requirement.name)
        name = distribution.metadata["Name"].lower()
        if name in copied:
            continue
        copied.append(name)
        for file in distribution.files or []:
            if str(file).startswith(".."):
                continue  # scripts outside site-packages
            source = Path(str(distribution.locate_file(file)))
            if source.is_file():
                (destination / file).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, destination / file)
        pending.extend(Requirement(text) for text in distribution.requires or [])
    return sorted(copied)


@pytest.fixture(scope="module")
def sdk_venv(sdk_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with oi-sdk installed by pip, offline. Its dependencies come from
    this environment's installed files (a directory on the new environment's path), so pip checks
    the wheel's requirements against them without reaching any index."""
    root = tmp_path_factory.mktemp("sdk-venv")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    requirements = [
        line.split(": ", 1)[1]
        for line in _wheel_metadata(sdk_wheel).splitlines()
        if line.startswith("Requires-Dist: ")
    ]
    dependencies = root / "dependencies"
    copied = _copy_distribution_closure(requirements, dependencies)
    assert "grpcio" in copied and "oi" not in copied
    (site_packages,) = venv.glob("lib/python*/site-packages")
    (site_packages / "oi-sdk-dependencies.pth").write_text(f"{dependencies}\n", encoding="utf-8")
    python = venv / "bin" / "python"
    installed = _pip("--python", str(python), "install", "--no-index", "--no-cache-dir", str(sdk_wheel))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "Successfully installed oi-sdk" in installed.stdout
    return venv


def test_the_wheel_holds_the_sdk_and_not_the_engine(sdk_wheel: Path):
    with zipfile.ZipFile(sdk_wheel) as archive:
        names = set(archive.namelist())
        entry_points = archive.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert {
        "runtime/sdk.py",
        "runtime/serve.py",
        "runtime/services/client.py",
        "runtime/proto/service.proto",
    } <= names
    assert not any(name.startswith(("oic/", "runtime/catalog/", "runtime/kubernetes/")) for name in names)
    assert "runtime/engine.py" not in names and "runtime/sdk-package/build_sdk.py" not in names
    assert "oi-service = runtime.serve:main" in entry_points


def test_the_wheel_requires_what_oi_requires_of_those_libraries(sdk_wheel: Path):
    metadata = _wheel_metadata(sdk_wheel)
    import runtime

    assert f"Version: {runtime.__version__}" in metadata
    declared = [
        Requirement(line.split(": ", 1)[1])
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist: ")
    ]
    oi_requirements = {
        Requirement(text).name: Requirement(text) for text in importlib.metadata.requires("oi") or []
    }
    assert {"grpcio", "protobuf"} <= {requirement.name for requirement in declared}
    for requirement in declared:  # the same version ranges as the main distribution
        assert requirement.specifier == oi_requirements[requirement.name].specifier, requirement


def test_the_fresh_environment_has_the_sdk_and_nothing_of_oi(sdk_venv: Path):
    python = str(sdk_venv / "bin" / "python")
    modules = ("runtime.sdk", "runtime.engine", "oic", "lark")
    probe = f"import importlib.util as u; print([m for m in {modules!r} if u.find_spec(m)])"
    result = subprocess.run(
        [python, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
        cwd=sdk_venv,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['runtime.sdk']"


@pytest.fixture
def scaffolded(tmp_path: Path) -> Path:
    created = subprocess.run(
        [sys.executable, "-m", "oic", "new", "service", "greeter"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    return tmp_path


def _serve(command: list[str], cwd: Path) -> Iterator[GrpcConnection]:
    port = free_port()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), "PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    connection = GrpcConnection(ServiceSpec(alias="greeter", path="service.py"), f"127.0.0.1:{port}")
    try:
        try:
            grpc.channel_ready_future(connection.channel).result(timeout=60)
        except grpc.FutureTimeoutError:
            process.kill()
            output = process.communicate()[0].decode(errors="replace")
            pytest.fail(f"the service did not start:\n{output}")
        yield connection
    finally:
        connection.close()
        os.killpg(process.pid, signal.SIGTERM)
        assert wait_for_exit(process.pid, 30)
        process.wait()


@pytest.mark.parametrize("target", ["greeter/service.py", "greeter.service"])
def test_oi_service_serves_a_scaffolded_service_from_the_fresh_environment(
    sdk_venv: Path, scaffolded: Path, target: str
):
    log = scaffolded / "task.log"
    for connection in _serve([str(sdk_venv / "bin" / "oi-service"), target], scaffolded):
        connection.initialize(timeout=30)
        assert connection.call("greet", {"Name": "Ada"}, str(log), 30.0) == {"Greeting": "hello, Ada"}
    assert log.read_text(encoding="utf-8") == "greeting Ada\n"


def test_the_main_distribution_still_builds_without_the_sdk_build_files(tmp_path: Path):
    source = tmp_path / "source"
    ignored = shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "logs"
    )
    shutil.copytree(REPO_ROOT, source, ignore=ignored)
    built = _pip(
        "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(tmp_path / "out"), str(source)
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "out").glob("oi-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = archive.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert {"runtime/sdk.py", "runtime/serve.py", "runtime/engine.py", "oic/cli.py"} <= names
    assert not any("sdk-package" in name for name in names)
    assert "oic = oic.cli:main" in entry_points and "oi-service = runtime.serve:main" in entry_points
