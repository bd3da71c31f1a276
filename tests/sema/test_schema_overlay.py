"""A schema directory lays itself over a service's init answer, per endpoint and per file, and the
generated code carries the merged map, so the engine validates exactly what the checker checked.
Endpoints neither lists are callable, unchecked (W0110)."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from oic.frontend import check_file
from oic.sema import service_init
from tests.codegen.support import load

ROOT = Path(__file__).resolve().parents[2]
SERVICE_SOURCE = Path(__file__).with_name("schema_service.py")

# The init answer types `greet`: arguments {Name*}, returns {Greeting*}. The directory overrides
# greet's returns only, and adds `farewell` (arguments only).
OVERLAY_RETURNS = {
    "type": "object",
    "properties": {"Greeting": {"type": "string"}, "Language": {"type": "string"}},
    "required": ["Greeting", "Language"],
}
FAREWELL_ARGUMENTS = {
    "type": "object",
    "properties": {"Name": {"type": "string"}},
    "required": ["Name"],
    "additionalProperties": False,
}

MISTAKES = """pipeline "p" {}
service greeter = path "./bin/greeter"
on engine.started {
  task "hello" = greeter.greet(Nam: "x")
  task "bye" = greeter.farewell(Name: 1)
  task "wave" = greeter.wave(Anything: 1)
}
on task("hello").finished(success) {
  task "again" = greeter.greet(Name: tasks["hello"].output.Langauge)
}
"""

CLEAN = """pipeline "p" {}
service greeter = path "./bin/greeter"
on engine.started {
  task "hello" = greeter.greet(Name: "x")
  task "bye" = greeter.farewell(Name: "y")
}
on task("hello").finished(success) {
  task "again" = greeter.greet(Name: tasks["hello"].output.Language)
}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    binary = tmp_path / "bin" / "greeter"
    binary.parent.mkdir()
    binary.write_text(f"#!{sys.executable}\n" + SERVICE_SOURCE.read_text(encoding="utf-8"), encoding="utf-8")
    binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
    overlay = tmp_path / "schemas" / "greeter"
    (overlay / "greet").mkdir(parents=True)
    (overlay / "greet" / "returns.json").write_text(json.dumps(OVERLAY_RETURNS), encoding="utf-8")
    (overlay / "farewell").mkdir()
    (overlay / "farewell" / "arguments.json").write_text(json.dumps(FAREWELL_ARGUMENTS), encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("OI_TEST_START_LOG", str(tmp_path / "starts.log"))
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.setattr(service_init, "_ANSWERS", {})
    return tmp_path


def test_the_directory_adds_and_overrides_per_endpoint_and_per_file(project: Path) -> None:
    (project / "pipeline.oi").write_text(MISTAKES, encoding="utf-8")
    result = check_file(project / "pipeline.oi")
    found = sorted((d.span.line, d.code) for d in result.diagnostics)
    # greet's arguments still come from the init answer (E0302), farewell's from the directory
    # (E0303), greet's output from the directory (E0305 with a hint), wave from neither (W0110).
    assert found == [(4, "E0302"), (5, "E0303"), (6, "W0110"), (9, "E0305")], result.diagnostics
    output_error = next(d for d in result.diagnostics if d.code == "E0305")
    assert "Language" in (output_error.hint or "")


def test_the_generated_code_carries_the_merged_map(project: Path) -> None:
    (project / "pipeline.oi").write_text(CLEAN, encoding="utf-8")
    result = check_file(project / "pipeline.oi")
    assert result.program is not None, result.diagnostics
    assert result.program.services["greeter"].schema_source == "init+directory"
    from oic.codegen import generate

    program = load(generate(result.program)).PROGRAM
    (service,) = program.build({}).spec.services
    schemas = {key: json.loads(text) for key, text in (service.schemas or {}).items()}
    assert sorted(schemas) == ["farewell/arguments.json", "greet/arguments.json", "greet/returns.json"]
    assert schemas["greet/arguments.json"]["required"] == ["Name"]  # from init
    assert schemas["greet/returns.json"] == OVERLAY_RETURNS  # from the directory
    assert schemas["farewell/arguments.json"] == FAREWELL_ARGUMENTS


def test_a_service_not_built_yet_is_typed_by_its_directory_alone(project: Path) -> None:
    (project / "bin" / "greeter").unlink()
    (project / "pipeline.oi").write_text(MISTAKES, encoding="utf-8")
    result = check_file(project / "pipeline.oi")
    found = sorted((d.span.line, d.code) for d in result.diagnostics)
    # No W0105 (the directory is there for that), greet's arguments unknown: greet is typed by the
    # directory's returns.json only.
    assert found == [(5, "E0303"), (6, "W0110"), (9, "E0305")], result.diagnostics


def test_a_broken_service_is_still_reported_next_to_a_directory(project: Path) -> None:
    binary = project / "bin" / "greeter"
    binary.write_text("#!/bin/sh\necho 'no config' >&2\nexit 4\n", encoding="utf-8")
    (project / "pipeline.oi").write_text(CLEAN, encoding="utf-8")
    result = check_file(project / "pipeline.oi")
    assert [d.code for d in result.diagnostics] == ["W0105"]
    assert "exited with status 4" in result.diagnostics[0].message
