"""`oic check`: output formats, standard input, several files, exit codes, usage errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from oic import cli, exit_codes

ROOT = Path(__file__).resolve().parents[2]

CLEAN = """pipeline "p" {}
service sh = catalog "exec"
on engine.started {
  task "a" = sh.command(Command: "ls")
}
"""
BROKEN = """pipeline "p" {}
service sh = catalog "exec"
on engine.started {
  task "a" = sh.command(Comand: "ls")
}
"""
WARNED = """pipeline "p" {}
param unused: string = "x"
service sh = catalog "exec"
on engine.started {
  task "a" = sh.command(Command: "ls")
}
"""


def write(directory: Path, name: str, text: str) -> str:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_clean_file_exits_0_and_prints_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", write(tmp_path, "ok.oi", CLEAN)]) == exit_codes.OK
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_errors_are_printed_with_a_caret_and_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["check", "--no-color", write(tmp_path, "bad.oi", BROKEN)]) == exit_codes.DIAGNOSTICS
    captured = capsys.readouterr()
    assert ":4:25: error[E0302]: sh.command has no argument 'Comand'" in captured.out
    assert "did you mean `Command`?" in captured.out
    assert "^^^^^^" in captured.out
    assert "\033[" not in captured.out
    # the misspelt required field is reported once, as unknown with a hint, not also as missing
    assert "missing required" not in captured.out
    assert captured.err.strip() == "1 error in 1 file"


def test_warnings_pass_unless_werror(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "warned.oi", WARNED)
    assert cli.main(["check", path]) == exit_codes.OK
    assert "warning[W0103]" in capsys.readouterr().out
    assert cli.main(["check", "--werror", path]) == exit_codes.DIAGNOSTICS


def test_several_files_report_everything(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = [write(tmp_path, "a.oi", BROKEN), write(tmp_path, "b.oi", WARNED), write(tmp_path, "c.oi", CLEAN)]
    assert cli.main(["check", "--format", "json", *paths]) == exit_codes.DIAGNOSTICS
    reported = json.loads(capsys.readouterr().out)["diagnostics"]
    assert sorted((Path(item["file"]).name, item["code"]) for item in reported) == [
        ("a.oi", "E0302"),
        ("b.oi", "W0103"),
    ]


def test_json_format_fields(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["check", "--format", "json", write(tmp_path, "bad.oi", BROKEN)])
    first = json.loads(capsys.readouterr().out)["diagnostics"][0]
    assert first == {
        "file": first["file"],
        "line": 4,
        "column": 25,
        "end_line": 4,
        "end_column": 31,
        "severity": "error",
        "code": "E0302",
        "message": "sh.command has no argument 'Comand'",
        "hint": "did you mean `Command`?",
    }


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: str(d / "missing.oi"), "no such file"),
        (lambda d: str(d), "no .oi file below this directory"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: object, message: str
) -> None:
    assert cli.main(["check", make(tmp_path)]) == exit_codes.USAGE  # type: ignore[operator]
    err = capsys.readouterr().err
    assert err.startswith("oic: error: ") and message in err and len(err.strip().splitlines()) == 1


def test_standard_input_with_a_display_name(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "oic", "check", "--stdin-filename", "pipelines/from-editor.oi", "-"],
        input=BROKEN.encode(),
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert completed.returncode == exit_codes.DIAGNOSTICS, completed.stderr
    out = completed.stdout.decode()
    assert "pipelines/from-editor.oi:4:25: error[E0302]" in out
    assert "Traceback" not in completed.stderr.decode()
