"""`oic build` without freezing: checking first, failing fast for a foreign target, and embedding into
an explicit base (a copy of a small real executable stands in for a frozen base)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from oic.binary import targets
from runtime.launcher import read_payload
from tests.binary.conftest import oic

FOREIGN_OS = "windows" if targets.host().os != "windows" else "linux"

HELLO = """\
pipeline "tiny" {%s}

param who: string = "world"

service shell = catalog "exec"

on engine.started {
  task "greet" = shell.command(Args: ["echo", "hello, ${who}"])
}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    directory = tmp_path / "project"
    directory.mkdir()
    return directory


def test_a_foreign_target_without_a_base_fails_fast_and_says_what_to_do(project: Path, tmp_path: Path):
    (project / "pipeline.oi").write_text(HELLO % f' os = "{FOREIGN_OS}" arch = "arm64" ', encoding="utf-8")
    result = oic(["build", "pipeline.oi"], cwd=project, base_root=tmp_path / "bases")
    assert result.returncode == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"oic build: error: the pipeline targets {FOREIGN_OS}/arm64")
    assert "oic build --base-only" in last and "--base PATH" in last
    assert str(tmp_path / "bases" / f"{FOREIGN_OS}-arm64" / "oi-base") in last
    assert "generating" not in result.stderr and "freezing" not in result.stderr  # no work was done
    assert not (project / "dist").exists()
    assert "Traceback" not in result.stderr


def test_a_pipeline_with_errors_is_not_built(project: Path, tmp_path: Path):
    (project / "pipeline.oi").write_text(
        HELLO.replace("shell.command", "shel.command") % "", encoding="utf-8"
    )
    result = oic(["build", "pipeline.oi"], cwd=project, base_root=tmp_path / "bases")
    assert result.returncode == 1
    assert "pipeline.oi:8:" in result.stdout and "error[" in result.stdout  # as `oic check` prints it
    assert "not built" in result.stderr
    assert not (project / "dist").exists()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["build"], "give the pipeline file to build"),
        (["build", "missing.oi"], "missing.oi: no such file"),
        (["build", "pipeline.oi", "--base", "nowhere"], "--base nowhere: no such file"),
        (["build", "pipeline.oi", "--base", "x", "--rebuild-base"], "do not go together"),
        (["build", "--base-only", "pipeline.oi"], "--base-only takes no pipeline file"),
        (
            ["build", "pipeline.oi", "--no-embed", "ghost"],
            "--no-embed ghost: not a path service of this pipeline (path services: none)",
        ),
    ],
)
def test_usage_errors(project: Path, tmp_path: Path, args: list[str], fragment: str):
    (project / "pipeline.oi").write_text(HELLO % "", encoding="utf-8")
    result = oic(args, cwd=project, base_root=tmp_path / "bases")
    assert result.returncode == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "bases").exists()


def test_an_explicit_base_is_embedded_into_without_freezing(project: Path, tmp_path: Path):
    base = tmp_path / "base"
    shutil.copyfile(shutil.which("true") or "/bin/true", base)
    (project / "pipeline.oi").write_text(HELLO % "", encoding="utf-8")
    result = oic(
        ["build", "pipeline.oi", "--base", str(base), "-o", "out"], cwd=project, base_root=tmp_path / "b"
    )
    assert result.returncode == 0, result.stderr
    assert "using the given base" in result.stderr and "freezing" not in result.stderr
    binary = project / "out" / "tiny"
    assert os.access(binary, os.X_OK)
    payload = read_payload(binary)
    assert payload is not None
    assert "main(PROGRAM)" in payload.module_text
    compile(payload.module_text, "pipeline.oi", "exec")
    provenance = dict(payload.provenance)
    assert provenance["pipeline"] == "tiny" and provenance["source"] == "pipeline.oi"
    assert (provenance["os"], provenance["arch"]) == (targets.host().os, targets.host().arch)
    assert len(str(provenance["source_sha256"])) == 64 and provenance["built_at"]
    assert binary.read_bytes().startswith(base.read_bytes())
    assert not (tmp_path / "b").exists()
