"""The init-answer cache cannot go stale in practice: its key covers the service's file, the files
around it (its schema files, the program behind a wrapper) and, for a ``.py`` service, the interpreter;
``--refresh`` bypasses and rewrites it. A ``.py`` service runs with the interpreter running the
compiler: no shebang, no exec bit."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from oic.cli import main
from oic.frontend import check_file
from oic.sema import service_init

ROOT = Path(__file__).resolve().parents[2]

# An SDK service that counts its starts and reads its schemas from the directory beside it.
SDK_SERVICE = """
import os
from pathlib import Path

from runtime.sdk import Service

with open(os.environ["OI_TEST_START_LOG"], "a", encoding="utf-8") as log:
    log.write("started\\n")

service = Service("greeter", version="0.1.0")
service.load_schema_dir(Path(__file__).resolve().parent / "schemas")


@service.endpoint("greet")
def greet(arguments, context):
    return {"Greeting": "hello"}


if __name__ == "__main__":
    service.serve()
"""

ARGUMENTS = {
    "type": "object",
    "properties": {"Name": {"type": "string"}},
    "required": ["Name"],
    "additionalProperties": False,
}

PIPELINE = """pipeline "p" {}
service greeter = path "./greeter/service.py"
on engine.started {
  task "hello" = greeter.greet(Nickname: "x")
}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    service = tmp_path / "greeter" / "service.py"
    (service.parent / "schemas" / "greet").mkdir(parents=True)
    service.write_text(SDK_SERVICE, encoding="utf-8")  # no shebang, no exec bit
    write_arguments(tmp_path, ARGUMENTS)
    (tmp_path / "pipeline.oi").write_text(PIPELINE, encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("OI_TEST_START_LOG", str(tmp_path / "starts.log"))
    monkeypatch.delenv("PYTHONPATH", raising=False)  # the compiler gives the service the SDK itself
    new_process(monkeypatch)
    return tmp_path


def write_arguments(project: Path, schema: dict) -> None:
    path = project / "greeter" / "schemas" / "greet" / "arguments.json"
    path.write_text(json.dumps(schema), encoding="utf-8")


def new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget what this process learned, as the next `oic check` would start without it."""
    monkeypatch.setattr(service_init, "_ANSWERS", {})


def starts(project: Path) -> int:
    log = project / "starts.log"
    return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


def codes(project: Path, **options: bool) -> list[str]:
    result = check_file(project / "pipeline.oi", **options)
    return sorted(d.code for d in result.diagnostics)


def test_a_py_service_without_shebang_or_exec_bit_is_asked(project: Path) -> None:
    assert not os.access(project / "greeter" / "service.py", os.X_OK)
    assert codes(project) == ["E0302"]  # typed: the misspelt field is found, and no W0105
    assert starts(project) == 1


def test_editing_a_schema_file_changes_what_the_next_check_reports(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert codes(project) == ["E0302"]
    new_process(monkeypatch)
    assert codes(project) == ["E0302"]
    assert starts(project) == 1  # the cache answered
    renamed = dict(ARGUMENTS, properties={"Nickname": {"type": "string"}}, required=["Nickname"])
    write_arguments(project, renamed)
    new_process(monkeypatch)
    assert codes(project) == []
    assert starts(project) == 2


def test_the_program_behind_an_unchanged_wrapper_is_noticed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrapper = project / "greeter" / "run"
    wrapper.write_text(f'#!/bin/sh\nexec {sys.executable} "$(dirname "$0")/service.py"\n', encoding="utf-8")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # a wrapper runs Python itself
    (project / "pipeline.oi").write_text(PIPELINE.replace("service.py", "run"), encoding="utf-8")
    assert codes(project) == ["E0302"]
    service = project / "greeter" / "service.py"
    service.write_text(service.read_text(encoding="utf-8") + "\n# a new release\n", encoding="utf-8")
    new_process(monkeypatch)
    assert codes(project) == ["E0302"]
    assert starts(project) == 2


def test_files_left_by_runs_do_not_invalidate_the_cache(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes(project)
    (project / "greeter" / "logs").mkdir()
    (project / "greeter" / "logs" / "log").write_text("a run\n", encoding="utf-8")
    (project / "greeter" / "__pycache__").mkdir()
    new_process(monkeypatch)
    codes(project)
    assert starts(project) == 1


def test_editing_a_pipeline_beside_the_service_does_not_invalidate_the_cache(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The service in the pipeline's own directory, as `path "./service.py"`.
    pipeline = project / "greeter" / "pipeline.oi"
    pipeline.write_text(PIPELINE.replace("./greeter/service.py", "./service.py"), encoding="utf-8")
    assert sorted(d.code for d in check_file(pipeline).diagnostics) == ["E0302"]
    pipeline.write_text(pipeline.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    new_process(monkeypatch)
    assert sorted(d.code for d in check_file(pipeline).diagnostics) == ["E0302"]
    assert starts(project) == 1


def test_refresh_bypasses_and_rewrites_the_cache(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    codes(project)
    cached = list((project / "cache" / "oi" / "schemas").glob("*.json"))
    assert len(cached) == 1
    cached[0].write_text(json.dumps({"service": "x", "schemas": {}}), encoding="utf-8")  # stale
    new_process(monkeypatch)
    assert codes(project) == ["W0101"]  # the stale answer: untyped
    new_process(monkeypatch)
    assert codes(project, refresh_schemas=True) == ["E0302"]
    assert starts(project) == 2
    new_process(monkeypatch)
    assert codes(project) == ["E0302"]  # the refreshed answer was written back
    assert starts(project) == 2


def test_refresh_asks_once_per_process(project: Path) -> None:
    codes(project, refresh_schemas=True)
    codes(project, refresh_schemas=True)
    assert starts(project) == 1


@pytest.mark.parametrize("command", ["check", "run", "build"])
def test_the_commands_take_refresh(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert "--refresh" in capsys.readouterr().out


def test_oic_check_refresh_starts_the_service_again(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["check", str(project / "pipeline.oi")]) == 1
    new_process(monkeypatch)
    assert main(["check", "--refresh", str(project / "pipeline.oi")]) == 1
    assert starts(project) == 2


def test_the_fingerprint_is_bounded(tmp_path: Path) -> None:
    for index in range(service_init.MAX_FINGERPRINT_FILES + 50):
        (tmp_path / f"f{index:05d}").write_text("x", encoding="utf-8")
    fingerprint = service_init.directory_fingerprint(tmp_path)
    assert len(fingerprint) == service_init.MAX_FINGERPRINT_FILES


def test_the_fingerprint_goes_a_few_levels_down(tmp_path: Path) -> None:
    shallow = tmp_path / "schemas" / "greet" / "arguments.json"
    levels = ["d"] * service_init.MAX_FINGERPRINT_DEPTH
    deep = tmp_path.joinpath(*levels, "far.json")
    for path in (shallow, deep):
        path.parent.mkdir(parents=True)
        path.write_text("{}", encoding="utf-8")
    names = [entry[0] for entry in service_init.directory_fingerprint(tmp_path)]
    assert names == ["schemas/greet/arguments.json"]


def test_a_device_is_not_read_for_the_key(tmp_path: Path) -> None:
    answer = service_init.read_init_schemas("/dev/zero")
    assert (answer.schemas, answer.reason) == (None, service_init.FAILED)
    assert "is not a regular file" in answer.problem
