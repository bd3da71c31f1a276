"""What a binary embeds of its path services, without freezing: the choice of files, the import scan,
the archive and its place in the payload."""

from __future__ import annotations

import io
import os
import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from oic.binary import embed, service_imports, services
from runtime import bundles, launcher, program
from runtime.launcher import Payload, read_payload
from runtime.model import Pipeline, PipelineMetadata, PipelineSpec, Service


def _write(path: Path, text: str = "x", mode: int = 0o644) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


@pytest.fixture
def service_dir(tmp_path: Path) -> Path:
    root = tmp_path / "greeter"
    _write(root / "service.py", "import helper\nfrom pkg import tool\n")
    _write(root / "helper.py", "import json\n")
    _write(root / "pkg" / "__init__.py", "")
    _write(root / "pkg" / "tool.py", "from . import deep\n")
    _write(root / "pkg" / "deep.py", "import csv\n")
    _write(root / "schemas" / "greet" / "arguments.json", "{}")
    _write(root / "run.sh", "#!/bin/sh\n", 0o755)
    _write(root / "test_service.py", "import pytest\n")
    for skipped in (".git/config", "__pycache__/service.cpython-311.pyc", ".venv/lib/x.py", "logs/log"):
        _write(root / skipped)
    _write(root / "env-any-name" / "pyvenv.cfg")  # a virtual environment under any name
    _write(root / "env-any-name" / "lib" / "big.py")
    _write(root / "stale.pyc")
    return root


def test_a_service_carries_its_directory_without_caches_and_environments(service_dir: Path, tmp_path: Path):
    (plan,) = services.plan({"greeter": str(service_dir / "service.py")}, (), tmp_path / "dist")
    assert plan.embedded and plan.python and plan.service is not None
    assert plan.service.entry == "service.py"
    assert sorted(plan.service.files) == [
        "helper.py",
        "pkg/__init__.py",
        "pkg/deep.py",
        "pkg/tool.py",
        "run.sh",
        "schemas/greet/arguments.json",
        "service.py",
        "test_service.py",
    ]
    assert plan.describe().startswith(f"service 'greeter': embedded {service_dir}/ (8 files, ")
    assert plan.describe().endswith("served by the binary's own Python from service.py")


def test_the_build_output_directory_is_never_embedded(tmp_path: Path):
    _write(tmp_path / "service.py")
    _write(tmp_path / "out" / "old-binary", "binary")
    (plan,) = services.plan({"s": str(tmp_path / "service.py")}, (), tmp_path / "out")
    assert plan.service is not None and plan.service.files == ("service.py",)


def test_not_embedded_services_are_planned_as_such(service_dir: Path, tmp_path: Path):
    (plan,) = services.plan({"greeter": str(service_dir / "service.py")}, ["greeter"], tmp_path)
    assert not plan.embedded and plan.service is None
    assert "not embedded (--no-embed)" in plan.describe() and "--service-path greeter=PATH" in plan.describe()


def test_no_embed_of_an_unknown_alias_is_refused(service_dir: Path, tmp_path: Path):
    with pytest.raises(services.EmbedError, match=r"--no-embed gretter: not a path service .*greeter"):
        services.plan({"greeter": str(service_dir / "service.py")}, ["gretter"], tmp_path)


def test_a_missing_or_not_executable_service_says_what_to_do(tmp_path: Path):
    with pytest.raises(services.EmbedError, match="does not exist: build the service first.*--no-embed x"):
        services.plan({"x": str(tmp_path / "nothing")}, (), tmp_path / "dist")
    _write(tmp_path / "tool", "#!/bin/sh\n", 0o644)
    with pytest.raises(services.EmbedError, match="is not executable: run chmod \\+x"):
        services.plan({"x": str(tmp_path / "tool")}, (), tmp_path / "dist")


def test_past_the_size_cap_the_build_fails_naming_the_largest_parts(tmp_path: Path):
    root = tmp_path / "svc"
    _write(root / "service.py")
    data = root / "data" / "dump.bin"
    data.parent.mkdir()
    with open(data, "wb") as handle:  # sparse: no disk is used
        handle.truncate(services.MAX_BYTES + 1)
    with pytest.raises(services.EmbedError) as caught:
        services.plan({"s": str(root / "service.py")}, (), tmp_path / "dist")
    message = str(caught.value)
    assert "holds more than a binary embeds" in message and "data (64.0 MB)" in message
    assert "--no-embed s" in message and "directory of its own" in message


def test_imports_are_followed_from_the_entry_file_only(service_dir: Path, tmp_path: Path):
    (plan,) = services.plan({"greeter": str(service_dir / "service.py")}, (), tmp_path / "dist")
    assert plan.service is not None
    found = {(site.module, site.file, site.line) for site in service_imports.imported_modules(plan.service)}
    # pytest is imported only by the test file, which the service never imports.
    assert found == {("json", "helper.py", 1), ("csv", "pkg/deep.py", 1)}


def test_optional_and_type_checking_imports_are_not_required(tmp_path: Path):
    _write(
        tmp_path / "service.py",
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "try:\n    import ujson as json\nexcept ImportError:\n    import json\n"
        "if TYPE_CHECKING:\n    import mypy_extensions\n"
        "def later():\n    import email.mime.text\n",
    )
    (plan,) = services.plan({"s": str(tmp_path / "service.py")}, (), tmp_path / "dist")
    assert plan.service is not None
    modules = [site.module for site in service_imports.imported_modules(plan.service)]
    assert modules == ["typing", "json", "email.mime.text"]


def test_a_syntax_error_in_a_service_file_fails_the_build_with_its_place(tmp_path: Path):
    _write(tmp_path / "service.py", "import json\ndef broken(:\n")
    (plan,) = services.plan({"s": str(tmp_path / "service.py")}, (), tmp_path / "dist")
    assert plan.service is not None
    with pytest.raises(services.EmbedError, match=r"service.py:2: not valid Python"):
        service_imports.imported_modules(plan.service)


# -- the archive ------------------------------------------------------------------------------------


def test_the_archive_round_trips_with_executable_bits(service_dir: Path, tmp_path: Path):
    (plan,) = services.plan({"greeter": str(service_dir / "service.py")}, (), tmp_path / "dist")
    assert plan.service is not None
    data = bundles.pack([plan.service])
    assert bundles.pack([plan.service]) == data  # the same files make the same archive
    assert bundles.aliases(data) == ["greeter"]
    destination = tmp_path / "unpacked"
    destination.mkdir()
    entries = bundles.unpack(data, destination)
    entry = Path(entries["greeter"])
    assert entry.read_text() == (service_dir / "service.py").read_text()
    assert (entry.parent / "schemas" / "greet" / "arguments.json").read_text() == "{}"
    assert stat.S_IMODE((entry.parent / "run.sh").stat().st_mode) == 0o755
    assert stat.S_IMODE(entry.stat().st_mode) == 0o644


@pytest.mark.parametrize("data", [b"", b"not a zip", b"PK\x05\x06" + b"\0" * 18])
def test_a_damaged_archive_is_one_clear_error(data: bytes, tmp_path: Path):
    with pytest.raises(bundles.BundleError, match="rebuild the binary"):
        bundles.unpack(data, tmp_path)


def test_an_archive_naming_a_file_outside_its_directory_is_refused(tmp_path: Path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../escaped", "x")
        archive.writestr(bundles.MANIFEST, '{"s": "0/service.py"}')
    target = tmp_path / "in"
    target.mkdir()
    with pytest.raises(bundles.BundleError, match="bad file name"):
        bundles.unpack(buffer.getvalue(), target)
    assert not (tmp_path / "escaped").exists()


# -- the payload ------------------------------------------------------------------------------------


@pytest.fixture
def small_executable(tmp_path: Path) -> Path:
    source = shutil.which("true")
    assert source is not None
    copy = tmp_path / "base"
    shutil.copyfile(source, copy)
    os.chmod(copy, 0o755)
    return copy


def test_the_services_archive_rides_in_the_payload_and_is_read_only_on_demand(
    small_executable: Path, tmp_path: Path
):
    archive = b"PK-archive-bytes" * 100
    destination = embed.write_binary(
        small_executable, Payload("module = 1\n", {"pipeline": "p"}, archive), tmp_path / "p"
    )
    payload = read_payload(destination)
    assert payload == Payload("module = 1\n", {"pipeline": "p"}, b"", services_size=len(archive))
    assert launcher.read_services(destination) == archive
    assert launcher.base_size(destination) == small_executable.stat().st_size


def test_a_binary_of_the_first_payload_layout_is_still_read(small_executable: Path):
    module, provenance = b"old = 1\n", b'{"pipeline": "old"}'
    trailer = len(module).to_bytes(8, "little") + len(provenance).to_bytes(8, "little") + launcher.MAGIC_V1
    size = small_executable.stat().st_size
    with open(small_executable, "ab") as handle:
        handle.write(module + provenance + trailer)
    assert read_payload(small_executable) == Payload("old = 1\n", {"pipeline": "old"})
    assert launcher.read_services(small_executable) == b""
    assert launcher.base_size(small_executable) == size


def test_the_bases_answers_about_modules_are_kept_and_asked_again_only_for_new_ones(tmp_path: Path):
    calls = tmp_path / "calls"
    base = _write(
        tmp_path / "oi-base",
        f'#!/bin/sh\necho "$@" >> {calls}\nprintf \'["not_there"]\\n\'\n',
        0o755,
    )
    answers = tmp_path / "oi-base.modules.json"
    root = tmp_path / "svc"
    _write(root / "service.py", "import json\n")
    (plan,) = services.plan({"s": str(root / "service.py")}, (), tmp_path / "dist")
    service_imports.check_python_imports([plan], base, answers)
    service_imports.check_python_imports([plan], base, answers)
    assert calls.read_text().splitlines() == ["--oi-find-modules json"]  # asked once

    _write(root / "service.py", "import json\nimport csv\nimport not_there\n")
    (plan,) = services.plan({"s": str(root / "service.py")}, (), tmp_path / "dist")
    with pytest.raises(services.EmbedError, match="service.py:3 imports not_there"):
        service_imports.check_python_imports([plan], base, answers)
    assert calls.read_text().splitlines()[1:] == ["--oi-find-modules csv not_there"]  # only the new ones

    os.utime(base, ns=(1, 1))  # another base at the same path: its own answers
    with pytest.raises(services.EmbedError):
        service_imports.check_python_imports([plan], base, answers)
    assert calls.read_text().splitlines()[2:] == ["--oi-find-modules csv json not_there"]


def test_a_damaged_services_archive_is_one_clear_error_when_a_run_unpacks_it(
    small_executable: Path, tmp_path: Path
):
    binary = embed.write_binary(
        small_executable, Payload("module = 1\n", {"pipeline": "p"}, b"not a zip archive"), tmp_path / "p"
    )
    with pytest.raises(bundles.BundleError, match="damaged.*rebuild the binary"):
        launcher.unpack_services(str(binary))
    truncated = tmp_path / "truncated"
    truncated.write_bytes(binary.read_bytes()[-launcher.TRAILER_SIZE :])
    with pytest.raises(bundles.BundleError, match="truncated"):
        launcher.unpack_services(str(truncated))


# -- the run: which services run from where they are unpacked ---------------------------------------


def _pipeline(*services: Service) -> Pipeline:
    return Pipeline(PipelineMetadata("p"), PipelineSpec(services=services))


def test_a_run_points_embedded_services_at_their_unpacked_files_except_overridden_ones(
    monkeypatch: pytest.MonkeyPatch,
):
    unpacks: list[int] = []

    def unpack() -> dict[str, str]:
        unpacks.append(1)
        return {"greeter": "/run/0/service.py", "tool": "/run/1/tool"}

    monkeypatch.setattr(program, "_embedded_services", unpack)
    pipeline = _pipeline(
        Service("shell", name="exec", builtin=True),
        Service("greeter", path="/build/greeter/service.py"),
        Service("tool", path="/build/tool/tool"),
    )
    applied = program._apply_embedded_services(pipeline, {"tool": "/opt/tool"})
    assert [service.path for service in applied.spec.services] == [
        "",
        "/run/0/service.py",
        "/build/tool/tool",
    ]
    assert unpacks == [1]
    # Every path service pointed elsewhere: nothing is unpacked.
    program._apply_embedded_services(pipeline, {"tool": "/opt/tool", "greeter": "/opt/g.py"})
    assert unpacks == [1]


def test_a_run_whose_services_cannot_be_unpacked_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch):
    def unpack() -> dict[str, str]:
        raise bundles.BundleError("the embedded services are damaged (bad zip); rebuild the binary")

    monkeypatch.setattr(program, "_embedded_services", unpack)
    with pytest.raises(program.UsageError, match="damaged"):
        program._apply_embedded_services(_pipeline(Service("greeter", path="/build/s.py")), {})


def test_services_that_share_a_directory_share_its_copy(tmp_path: Path):
    root = tmp_path / "tools"
    _write(root / "first.py", "import json\n")
    _write(root / "second.py", "import csv\n")
    _write(root / "data.bin", "x" * 1000)
    plans = services.plan({"a": str(root / "first.py"), "b": str(root / "second.py")}, (), tmp_path / "dist")
    data = bundles.pack([plan.service for plan in plans if plan.service is not None])
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert sorted(names) == ["0/data.bin", "0/first.py", "0/second.py", bundles.MANIFEST]
    destination = tmp_path / "unpacked"
    destination.mkdir()
    entries = bundles.unpack(data, destination)
    assert entries == {"a": str(destination / "0" / "first.py"), "b": str(destination / "0" / "second.py")}
