"""`oic check DIR`: every .oi file below a directory, sorted, hidden and vendored directories skipped."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from oic import cli, exit_codes
from oic.pipeline_files import find_pipeline_files
from tests.check.support import BROKEN, CLEAN, WARNED, write


def test_the_files_below_a_directory_sorted_by_path_component(tmp_path: Path) -> None:
    for name in ["b.oi", "a/z.oi", "a/b/c.oi", "a-b.oi", "notes.txt", "a/pipeline.oi.bak"]:
        write(tmp_path / name, CLEAN)
    found, problems = find_pipeline_files(str(tmp_path))
    assert [os.path.relpath(path, tmp_path) for path in found] == ["a/b/c.oi", "a/z.oi", "a-b.oi", "b.oi"]
    assert problems == []


def test_hidden_and_vendored_entries_are_skipped_but_a_hidden_root_is_walked(tmp_path: Path) -> None:
    root = tmp_path / ".config"
    for name in [".git/x.oi", ".venv/lib/y.oi", "node_modules/pkg/z.oi", ".#lock.oi", "kept.oi"]:
        write(root / name, CLEAN)
    found, _problems = find_pipeline_files(str(root))
    assert [os.path.relpath(path, root) for path in found] == ["kept.oi"]


def test_a_directory_that_cannot_be_listed_is_reported(tmp_path: Path) -> None:
    # (one that went away after `oic check` saw it: the same path through os.walk as a permission
    # problem, which cannot be staged for a test running as root)
    found, problems = find_pipeline_files(str(tmp_path / "gone"))
    assert found == []
    assert problems == [f"{tmp_path / 'gone'}: No such file or directory"]


def test_files_and_directories_mixed_each_file_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "project/a.oi", BROKEN)
    write(tmp_path / "project/sub/b.oi", WARNED)
    write(tmp_path / "project/c.oi", CLEAN)
    write(tmp_path / "single.oi", WARNED)
    arguments = ["check", "--format", "json", "single.oi", "project", "project/c.oi"]
    assert cli.main(arguments) == exit_codes.DIAGNOSTICS
    report = json.loads(capsys.readouterr().out)
    assert [entry["file"] for entry in report["files"]] == [
        "single.oi",
        "project/a.oi",
        "project/c.oi",
        "project/sub/b.oi",
    ]
    assert [(d["file"], d["code"]) for d in report["diagnostics"]] == [
        ("single.oi", "W0103"),
        ("project/a.oi", "E0302"),
        ("project/sub/b.oi", "W0103"),
    ]


def test_the_text_summary_counts_the_files_of_the_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "a.oi", BROKEN)
    write(tmp_path / "b.oi", WARNED)
    write(tmp_path / "c.oi", CLEAN)
    assert cli.main(["check", "--no-color", str(tmp_path)]) == exit_codes.DIAGNOSTICS
    captured = capsys.readouterr()
    assert "a.oi:4:25: error[E0302]" in captured.out and "b.oi:2:7: warning[W0103]" in captured.out
    assert captured.err.strip() == "1 error, 1 warning in 3 files"


def test_a_directory_without_a_pipeline_is_a_usage_error_of_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "empty/notes.txt", "not a pipeline")
    write(tmp_path / "empty/.hidden/x.oi", CLEAN)
    ok = write(tmp_path / "ok.oi", CLEAN)
    assert cli.main(["check", str(tmp_path / "empty"), ok]) == exit_codes.USAGE
    err = capsys.readouterr().err
    assert err == f"oic: error: {tmp_path / 'empty'}: no .oi file below this directory\n"


def test_a_directory_of_clean_files_is_silent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "a.oi", CLEAN)
    write(tmp_path / "deep/er/b.oi", CLEAN)
    assert cli.main(["check", str(tmp_path)]) == exit_codes.OK
    assert capsys.readouterr() == ("", "")
