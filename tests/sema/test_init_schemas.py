"""A path service's schemas come from its own ``init`` answer, and the answer is cached by the
binary's digest: checking twice starts the service once."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from oic.frontend import check_file
from oic.sema import service_init

ROOT = Path(__file__).resolve().parents[2]
SERVICE_SOURCE = Path(__file__).with_name("schema_service.py")

PIPELINE = """pipeline "p" {}
service greeter = path "./bin/greeter"
on engine.started {
  task "hello" = greeter.greet(Nam: "x")
}
on task("hello").finished(success) {
  task "again" = greeter.greet(Name: tasks["hello"].output.Greting)
}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A pipeline next to ``bin/greeter``, a user cache in ``tmp_path``, and a start log."""
    binary = tmp_path / "bin" / "greeter"
    binary.parent.mkdir()
    binary.write_text(f"#!{sys.executable}\n" + SERVICE_SOURCE.read_text(encoding="utf-8"), encoding="utf-8")
    binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
    (tmp_path / "pipeline.oi").write_text(PIPELINE, encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("OI_TEST_START_LOG", str(tmp_path / "starts.log"))
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    # the in-process memory of answers would hide the disk cache this test is about
    monkeypatch.setattr(service_init, "_ANSWERS", {})
    return tmp_path


def starts(project: Path) -> int:
    log = project / "starts.log"
    return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


def codes(result: object) -> list[tuple[int, str]]:
    return sorted((d.span.line, d.code) for d in result.diagnostics)  # type: ignore[attr-defined]


def test_init_answer_types_the_calls(project: Path) -> None:
    result = check_file(project / "pipeline.oi")
    assert codes(result) == [(4, "E0302"), (7, "E0305")], result.diagnostics
    assert starts(project) == 1


def test_second_check_reads_the_cache_and_does_not_start_the_service(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = check_file(project / "pipeline.oi")
    assert starts(project) == 1
    assert list((project / "cache" / "oi" / "schemas").glob("*.json"))
    monkeypatch.setattr(service_init, "_ANSWERS", {})  # a new `oic check` process
    second = check_file(project / "pipeline.oi")
    assert starts(project) == 1
    assert codes(second) == codes(first)


def test_a_changed_binary_is_asked_again(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    check_file(project / "pipeline.oi")
    binary = project / "bin" / "greeter"
    binary.write_text(binary.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    monkeypatch.setattr(service_init, "_ANSWERS", {})
    check_file(project / "pipeline.oi")
    assert starts(project) == 2


def test_without_the_disk_cache_one_process_still_starts_it_once(project: Path) -> None:
    check_file(project / "pipeline.oi", schema_cache=False)
    check_file(project / "pipeline.oi", schema_cache=False)
    assert starts(project) == 1
    assert not (project / "cache" / "oi" / "schemas").exists()


def test_a_service_that_exits_at_once_is_a_warning(project: Path) -> None:
    binary = project / "bin" / "greeter"
    binary.write_text("#!/bin/sh\necho 'cannot open config' >&2\nexit 3\n", encoding="utf-8")
    result = check_file(project / "pipeline.oi")
    warnings = [d for d in result.diagnostics if d.code == "W0105"]
    assert len(warnings) == 1
    assert "exited with status 3" in warnings[0].message
    assert "cannot open config" in warnings[0].message
    assert not result.has_errors  # untyped: nothing can be checked, nothing is wrong


def test_start_services_off_never_starts_it(project: Path) -> None:
    result = check_file(project / "pipeline.oi", start_services=False)
    assert starts(project) == 0
    assert [d.code for d in result.diagnostics] == ["W0105"]
