"""Catalog services that oi does not ship are looked up where the engine will find them (the services
cache, the ``OI_CATALOG`` directory), offline: a name found nowhere is E0318, a found binary is asked
for its schemas like a path service, and a URL catalog is not reached (a warning says so)."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from oic.frontend import check_file
from oic.sema import service_init
from runtime.catalog.names import binary_name

ROOT = Path(__file__).resolve().parents[2]
SERVICE_SOURCE = Path(__file__).with_name("schema_service.py")

PIPELINE = """pipeline "p" {}
service greeter = catalog "NAME" version "1.0.0"
on engine.started {
  task "hello" = greeter.greet(Nam: "x")
}
"""


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """An empty services cache and an empty catalog directory, configured."""
    cache, catalog = tmp_path / "services", tmp_path / "catalog"
    cache.mkdir()
    catalog.mkdir()
    monkeypatch.setenv("OI_SERVICES_CACHE", str(cache))
    monkeypatch.setenv("OI_CATALOG", str(catalog))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("OI_TEST_START_LOG", str(tmp_path / "starts.log"))
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.setattr(service_init, "_ANSWERS", {})
    return cache, catalog


def publish(directory: Path, name: str) -> Path:
    binary = directory / binary_name(name, "1.0.0")
    binary.write_text(f"#!{sys.executable}\n" + SERVICE_SOURCE.read_text(encoding="utf-8"), encoding="utf-8")
    binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
    return binary


def check(tmp_path: Path, name: str) -> list[tuple[str, str]]:
    (tmp_path / "pipeline.oi").write_text(PIPELINE.replace("NAME", name), encoding="utf-8")
    result = check_file(tmp_path / "pipeline.oi")
    return [(d.code, d.message + " / " + (d.hint or "")) for d in result.diagnostics]


def test_a_binary_in_the_catalog_directory_is_asked_for_its_schemas(
    places: tuple[Path, Path], tmp_path: Path
) -> None:
    publish(places[1], "greeter")
    assert [code for code, _ in check(tmp_path, "greeter")] == ["E0302"]  # typed by its init answer


def test_a_binary_in_the_services_cache_is_asked_for_its_schemas(
    places: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OI_CATALOG")
    publish(places[0], "greeter")
    assert [code for code, _ in check(tmp_path, "greeter")] == ["E0302"]


def test_a_misspelt_name_is_an_error_with_a_hint_over_the_catalog_names(
    places: tuple[Path, Path], tmp_path: Path
) -> None:
    publish(places[1], "greeter")
    ((code, text),) = check(tmp_path, "greter")
    assert code == "E0318"
    assert "did you mean `greeter`?" in text


def test_a_url_catalog_is_not_reached_and_says_so(
    places: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OI_CATALOG", "https://catalog.invalid/services")
    ((code, text),) = check(tmp_path, "greeter")
    assert code == "W0101"
    assert "https://catalog.invalid/services, which oic check does not reach" in text


def test_a_url_catalog_service_already_cached_is_asked(
    places: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OI_CATALOG", "https://catalog.invalid/services")
    publish(places[0], "greeter")
    assert [code for code, _ in check(tmp_path, "greeter")] == ["E0302"]


def test_a_url_catalog_service_still_needs_a_version(
    places: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OI_CATALOG", "https://catalog.invalid/services")
    (tmp_path / "pipeline.oi").write_text(
        PIPELINE.replace('"NAME" version "1.0.0"', '"greeter"'), encoding="utf-8"
    )
    result = check_file(tmp_path / "pipeline.oi")
    assert [d.code for d in result.diagnostics] == ["E0309"]


def test_a_binary_for_another_machine_is_typed_by_a_schema_directory(
    places: tuple[Path, Path], tmp_path: Path
) -> None:
    (places[1] / "greeter-1.0.0-windows-arm64").write_text("not for this machine", encoding="utf-8")
    arguments = tmp_path / "schemas" / "greeter" / "greet" / "arguments.json"
    arguments.parent.mkdir(parents=True)
    arguments.write_text('{"type": "object", "properties": {"Name": {"type": "string"}}}', encoding="utf-8")
    pipeline = PIPELINE.replace("NAME", "greeter").replace("{}", '{\n  os = "windows"\n  arch = "arm64"\n}')
    (tmp_path / "pipeline.oi").write_text(pipeline, encoding="utf-8")
    result = check_file(tmp_path / "pipeline.oi")
    assert [d.code for d in result.diagnostics] == ["E0302"]  # typed by the directory, no W0101


def test_a_catalog_binary_without_the_exec_bit_is_not_run_at_check_time(
    places: tuple[Path, Path], tmp_path: Path
) -> None:
    binary = publish(places[1], "greeter")
    binary.chmod(0o644)
    ((code, text),) = check(tmp_path, "greeter")
    assert code == "W0101"
    assert "is not executable, so oic check cannot ask it" in text
    assert not (tmp_path / "starts.log").exists()
