from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime.catalog.resolve import binary_name, locate_service_binary
from runtime.model import Service
from runtime.services.base import RunContext, ServiceStartError
from runtime.services.local import LocalRunner
from tests.fakes.catalog import FakeCatalog

BINARY = b"#!/bin/sh\necho I am the tool\n" + b"#" * 5000 + b"\n"
SERVICE = Service(alias="tool", name="tool", version="1.2.3")
FILE_NAME = binary_name("tool", "1.2.3")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("OI_SERVICES_CACHE", str(directory))
    monkeypatch.delenv("OI_CATALOG", raising=False)
    return directory


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "catalog"
    directory.mkdir()
    (directory / FILE_NAME).write_bytes(BINARY)
    (directory / f"{FILE_NAME}.sha256").write_text(f"{hashlib.sha256(BINARY).hexdigest()}  {FILE_NAME}\n")
    return directory


@pytest.fixture
def catalog_server() -> Iterator[FakeCatalog]:
    with FakeCatalog() as server:
        server.files[FILE_NAME] = BINARY
        server.files[f"{FILE_NAME}.sha256"] = hashlib.sha256(BINARY).hexdigest().encode()
        yield server


def leftovers(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def test_directory_catalog_installs_a_verified_executable(cache: Path, catalog_dir: Path) -> None:
    path = Path(locate_service_binary(SERVICE, str(catalog_dir)))
    assert path == cache / FILE_NAME
    assert path.read_bytes() == BINARY and os.access(path, os.X_OK)
    assert leftovers(cache) == [FILE_NAME]


def test_http_catalog_downloads_with_its_checksum(cache: Path, catalog_server: FakeCatalog) -> None:
    path = Path(locate_service_binary(SERVICE, catalog_server.url + "/"))
    assert path.read_bytes() == BINARY
    assert [r.path for r in catalog_server.requests] == [f"/{FILE_NAME}.sha256", f"/{FILE_NAME}"]


def test_catalog_location_from_the_environment(
    cache: Path, catalog_server: FakeCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OI_CATALOG", catalog_server.url)
    assert Path(locate_service_binary(SERVICE)).read_bytes() == BINARY


def test_checksum_mismatch_is_rejected_and_nothing_is_cached(
    cache: Path, catalog_server: FakeCatalog
) -> None:
    catalog_server.files[FILE_NAME] = BINARY + b"tampered"
    with pytest.raises(ServiceStartError, match="does not match its published checksum"):
        locate_service_binary(SERVICE, catalog_server.url)
    assert leftovers(cache) == []


def test_a_partial_download_is_never_reused(cache: Path, catalog_server: FakeCatalog) -> None:
    del catalog_server.files[f"{FILE_NAME}.sha256"]  # without a checksum, only the length can tell
    catalog_server.truncate.add(FILE_NAME)
    with pytest.raises(ServiceStartError, match="stopped after .* To fix this, run again"):
        locate_service_binary(SERVICE, catalog_server.url)
    assert leftovers(cache) == []
    catalog_server.truncate.clear()
    assert Path(locate_service_binary(SERVICE, catalog_server.url)).read_bytes() == BINARY


def test_cache_hit_does_not_ask_the_catalog(cache: Path, catalog_server: FakeCatalog) -> None:
    first = locate_service_binary(SERVICE, catalog_server.url)
    asked = len(catalog_server.requests)
    catalog_server.files.clear()
    assert locate_service_binary(SERVICE, catalog_server.url) == first
    assert len(catalog_server.requests) == asked


def test_missing_binary_lists_what_the_catalog_has(cache: Path, catalog_dir: Path) -> None:
    other = Service(alias="tool", name="tool", version="9.9.9")
    with pytest.raises(
        ServiceStartError, match=rf"has no {binary_name('tool', '9.9.9')} \(it has: {FILE_NAME}\)"
    ):
        locate_service_binary(other, str(catalog_dir))


def test_missing_binary_on_http(cache: Path, catalog_server: FakeCatalog) -> None:
    with pytest.raises(ServiceStartError, match="has no nothing-1.0.0"):
        locate_service_binary(Service(alias="n", name="nothing", version="1.0.0"), catalog_server.url)


def test_no_version_and_no_catalog_say_what_to_do(cache: Path) -> None:
    with pytest.raises(ServiceStartError, match='write version "X.Y.Z"'):
        locate_service_binary(Service(alias="tool", name="tool"))
    with pytest.raises(ServiceStartError, match="set OI_CATALOG to a directory or URL"):
        locate_service_binary(SERVICE)


def test_the_local_runner_starts_a_service_from_a_catalog(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A catalog binary that is really the built-in exec service under another name.
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    script = f"#!/bin/sh\ncd {Path.cwd()}\nexec {sys.executable} -m runtime.catalog exec\n"
    (catalog / binary_name("shell", "0.9.0")).write_text(script)
    monkeypatch.setenv("OI_CATALOG", str(catalog))
    runner = LocalRunner(ready_timeout=60.0)
    try:
        connections = runner.start(
            [Service(alias="sh", name="shell", version="0.9.0")],
            RunContext("r1", str(tmp_path / "logs"), "tok"),
        )
        result = connections["sh"].call("command", {"Command": "echo from the catalog"}, "", 30.0)
    finally:
        runner.stop()
    assert result["Stdout"] == "from the catalog\n"
    assert (cache / binary_name("shell", "0.9.0")).is_file()
