"""Built binaries, for real: one frozen base per session, pipelines embedded into it and run."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
import yaml

import runtime
from oic.binary import embed
from runtime.launcher import Payload, read_payload
from runtime.results import SUMMARY_SCHEMA
from tests.binary.conftest import REPOSITORY, FrozenBase, run_binary

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("freeze")]

SAMPLE = Path(__file__).with_name("sample_pipeline.py")
BUILT_AT = "2026-01-02T03:04:05+00:00"


@pytest.fixture(scope="module")
def sample_binary(frozen_base: FrozenBase, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-written sample module embedded into the session's base."""
    provenance = {"source": "sample.oi", "built_at": BUILT_AT, "os": "linux", "arch": "amd64"}
    destination = tmp_path_factory.mktemp("sample") / "sample"
    return embed.write_binary(
        frozen_base.path, Payload(SAMPLE.read_text(encoding="utf-8"), provenance), destination
    )


def test_a_base_without_a_pipeline_says_what_to_do(frozen_base: FrozenBase, tmp_path: Path):
    result = run_binary(frozen_base.path, [], cwd=tmp_path)
    assert result.returncode == 2
    assert "without a pipeline" in result.stderr and "oic build" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_lists_the_params(sample_binary: Path, tmp_path: Path):
    result = run_binary(sample_binary, ["--help"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "usage: sample" in result.stdout
    assert 'who       string  default: "world"' in result.stdout
    assert "token     secret  default: (hidden)" in result.stdout


def test_version_shows_the_provenance(sample_binary: Path, tmp_path: Path):
    text = run_binary(sample_binary, ["--version"], cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert "sample (oi pipeline)" in text.stdout and BUILT_AT in text.stdout and "linux/amd64" in text.stdout
    as_json = run_binary(sample_binary, ["--version", "--json"], cwd=tmp_path)
    info = json.loads(as_json.stdout)
    assert info == {
        "pipeline": "sample",
        "source": "sample.oi",
        "source_sha256": "0" * 64,
        "compiler_version": "0.1.0",
        "runtime_version": runtime.__version__,
        "os": "linux",
        "arch": "amd64",
        "built_at": BUILT_AT,
    }


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--no-such-flag"], "unrecognized arguments: --no-such-flag"),
        (["--param", "limit=ten"], "param 'limit' (--param) expects a number"),
        (["--param", "ghost=1"], "unknown param 'ghost'"),
        (["--timeout", "-1"], "--timeout expects a positive duration"),
    ],
)
def test_bad_flags_and_params_are_one_line_and_status_2(sample_binary: Path, tmp_path: Path, args, fragment):
    result = run_binary(sample_binary, args, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], result.stderr


def test_a_bad_environment_param_is_one_line_and_status_2(sample_binary: Path, tmp_path: Path):
    result = run_binary(sample_binary, [], cwd=tmp_path, env={"OI_PARAM_DRY": "perhaps"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "sample: error: param 'dry' (OI_PARAM_DRY) expects a bool (true/false/yes/no/1/0), got 'perhaps' "
        "(see sample --help)"
    )


def test_the_sample_runs_to_a_finished_state(sample_binary: Path, tmp_path: Path):
    result = run_binary(sample_binary, ["--logs-dir", "out"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    state = yaml.safe_load((tmp_path / "out" / "logs" / "state.yaml").read_text(encoding="utf-8"))
    assert state["metadata"]["state"] == "finished"


def test_hello_builds_and_runs_end_to_end(frozen_base: FrozenBase, tmp_path: Path):
    project = tmp_path / "hello"
    shutil.copytree(REPOSITORY / "examples" / "hello", project)
    built = frozen_base.oic(["build", "pipeline.oi", "-o", "dist"], cwd=project)
    assert built.returncode == 0, built.stderr
    binary = project / "dist" / "hello"
    assert os.access(binary, os.X_OK)
    assert "using the cached base" in built.stderr
    payload = read_payload(binary)
    assert payload is not None and payload.provenance["pipeline"] == "hello"

    results = ["--summary-json", "summary.json", "--junit", "junit.xml"]
    ran = run_binary(binary, ["--logs-dir", "run", "--param", "who=tests", *results], cwd=project)
    assert ran.returncode == 0, ran.stderr
    state = yaml.safe_load((project / "run" / "logs" / "state.yaml").read_text(encoding="utf-8"))
    assert state["metadata"]["state"] == "finished"
    tasks = {entry["task"]: entry for entry in state["tasks"].values()}
    assert set(tasks) == {"greet", "done"}
    assert all(entry["status"] == "Success" for entry in tasks.values()), tasks
    # What a CI job and a person read after the run, from the frozen binary as from `oic run`.
    summary = json.loads((project / "summary.json").read_text(encoding="utf-8"))
    jsonschema.validate(summary, SUMMARY_SCHEMA)
    assert sorted(task["name"] for task in summary["tasks"]) == ["done", "greet"]
    cases = ElementTree.parse(project / "junit.xml").getroot().iter("testcase")
    assert sorted(case.get("name", "") for case in cases) == ["done", "greet"]
    report = (project / "run" / "logs" / "report.html").read_text(encoding="utf-8")
    assert report.count('<g class="bar ') == 2  # a bar of the timeline for each task run
    assert ran.stderr.rstrip().endswith(f"report: {project / 'run' / 'logs' / 'report.html'}")

    help_text = run_binary(binary, ["--help"], cwd=project).stdout
    assert 'who  string  default: "world"' in help_text
    version = json.loads(run_binary(binary, ["--version", "--json"], cwd=project).stdout)
    assert version["pipeline"] == "hello" and version["source"] == "pipeline.oi"


def test_a_rebuild_after_an_edit_reuses_the_base(frozen_base: FrozenBase, tmp_path: Path):
    project = tmp_path / "hello"
    shutil.copytree(REPOSITORY / "examples" / "hello", project)
    source = project / "pipeline.oi"
    first = frozen_base.oic(["build", "pipeline.oi"], cwd=project)
    assert first.returncode == 0, first.stderr
    base_before = frozen_base.path.stat()
    log_before = frozen_base.freeze_log.stat()

    text = source.read_text(encoding="utf-8")
    assert 'param who: string = "world"' in text
    source.write_text(
        text.replace('param who: string = "world"', 'param who: string = "edited"'), encoding="utf-8"
    )
    second = frozen_base.oic(["build", "pipeline.oi"], cwd=project)
    assert second.returncode == 0, second.stderr
    assert "freezing" not in second.stderr and "using the cached base" in second.stderr

    base_after = frozen_base.path.stat()
    assert (base_after.st_ino, base_after.st_mtime_ns) == (base_before.st_ino, base_before.st_mtime_ns)
    assert frozen_base.freeze_log.stat().st_mtime_ns == log_before.st_mtime_ns  # PyInstaller did not run
    assert [p.name for p in frozen_base.root.iterdir() if p.name.startswith(".freeze-")] == []
    help_text = run_binary(project / "dist" / "hello", ["--help"], cwd=project).stdout
    assert 'default: "edited"' in help_text


def test_base_only_copies_the_base_for_another_machine(frozen_base: FrozenBase, tmp_path: Path):
    result = frozen_base.oic(["build", "--base-only", "-o", "out"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    copies = list((tmp_path / "out").iterdir())
    assert len(copies) == 1 and copies[0].name.startswith("oi-base-")
    assert copies[0].read_bytes() == frozen_base.path.read_bytes()
    assert os.access(copies[0], os.X_OK)
