"""The binary writes report.html beside state.yaml at the end of every run, in-process: unless
--no-report, also with --separate-runs, and a report that cannot be written is one warning that
leaves the exit status alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime import program
from runtime.report import REPORT_FILE
from tests.binary.sample_pipeline import PROGRAM

ROOT = Path(__file__).resolve().parents[2]


def run(tmp_path: Path, *arguments: str) -> int:
    return program.run(PROGRAM, ["--logs-dir", str(tmp_path), "--quiet", *arguments], environ={})


def test_a_run_writes_its_report_beside_state_yaml(tmp_path: Path) -> None:
    assert run(tmp_path) == 0
    logs = tmp_path / "logs"
    page = (logs / REPORT_FILE).read_text(encoding="utf-8")
    assert (logs / "state.yaml").exists()
    run_id = next(
        line.split('"')[1] for line in (logs / "state.yaml").read_text().splitlines() if "run-id" in line
    )
    assert f"<code>{run_id}</code>" in page
    assert "sample" in page and "succeeded" in page
    # The hand-written program carries no graph: the report says so.
    assert "does not carry its reaction graph" in page


def test_no_report_skips_it(tmp_path: Path) -> None:
    assert run(tmp_path, "--no-report") == 0
    assert (tmp_path / "logs" / "state.yaml").exists()
    assert not (tmp_path / "logs" / REPORT_FILE).exists()


def test_a_separate_run_has_its_own_report(tmp_path: Path) -> None:
    assert run(tmp_path, "--separate-runs") == 0
    assert run(tmp_path, "--separate-runs") == 0
    reports = sorted((tmp_path / "runs").glob(f"*/{REPORT_FILE}"))
    assert len(reports) == 3  # two runs, and latest
    directories = {path.parent.resolve() for path in reports}
    assert len(directories) == 2
    assert (tmp_path / "runs" / "latest" / REPORT_FILE).exists()


def test_a_report_that_cannot_be_written_is_a_warning_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "logs" / REPORT_FILE).mkdir(parents=True)
    assert run(tmp_path) == 0
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"sample: warning: cannot write {tmp_path / 'logs' / REPORT_FILE}: ")


def test_a_run_that_could_not_make_its_logs_adds_nothing_about_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "taken").write_text("a file where the logs directory would go\n")
    assert program.run(PROGRAM, ["--logs-dir", str(tmp_path / "taken"), "--quiet"], environ={}) == 3
    said = capsys.readouterr().err
    assert "cannot write" in said and REPORT_FILE not in said


def test_the_flag_is_in_the_help_and_the_docs() -> None:
    assert program.parse_command_line(PROGRAM, ["--no-report"]).report is False
    assert program.parse_command_line(PROGRAM, []).report is True
    assert "--no-report" in program.render_help(PROGRAM, {})
    assert "--no-report" in (ROOT / "docs" / "running.md").read_text(encoding="utf-8")
