"""`oic fmt` as a user runs it: a real `python -m oic` process over real files."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

MESSY = 'pipeline "p"{timeout=1m}\nparam   a:string="x"   # why\n'
TIDY = 'pipeline "p" {\n  timeout = 1m\n}\nparam a: string = "x"  # why\n'
BROKEN = 'pipeline "p" {\nparam a string\n'


def oic(*arguments: str, cwd: Path = ROOT, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "oic", "fmt", *arguments],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=120,
        env=environment,
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
    )


def test_it_rewrites_a_file_in_place_keeping_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "p.oi"
    path.write_text(MESSY, encoding="utf-8")
    path.chmod(0o640)
    result = oic(str(path))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert path.read_text(encoding="utf-8") == TIDY
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [entry.name for entry in tmp_path.iterdir()] == ["p.oi"]  # no temporary file left behind


def test_an_unchanged_file_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "p.oi"
    path.write_text(TIDY, encoding="utf-8")
    os.utime(path, (1_000_000, 1_000_000))
    result = oic(str(path))
    assert (result.returncode, result.stdout) == (0, "")
    assert path.stat().st_mtime == 1_000_000


def test_check_lists_the_files_that_would_change_and_writes_nothing(tmp_path: Path) -> None:
    messy, tidy = tmp_path / "messy.oi", tmp_path / "tidy.oi"
    messy.write_text(MESSY, encoding="utf-8")
    tidy.write_text(TIDY, encoding="utf-8")
    result = oic("--check", str(messy), str(tidy))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [str(messy)]
    assert messy.read_text(encoding="utf-8") == MESSY
    clean = oic("--check", str(tidy))
    assert (clean.returncode, clean.stdout) == (0, "")


def test_diff_prints_a_unified_diff_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "p.oi"
    path.write_text(MESSY, encoding="utf-8")
    result = oic("--diff", str(path))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"--- {path} (original)"
    assert lines[1] == f"+++ {path} (formatted)"
    assert '-pipeline "p"{timeout=1m}' in lines
    assert "+  timeout = 1m" in lines
    assert '+param a: string = "x"  # why' in lines
    assert path.read_text(encoding="utf-8") == MESSY
    assert oic("--diff", str(path.parent / "missing.oi")).returncode == 2


def test_standard_input_goes_to_standard_output() -> None:
    result = oic("-", stdin=MESSY.encode("utf-8"))
    assert (result.returncode, result.stdout, result.stderr) == (0, TIDY, "")
    check = oic("--check", "-", stdin=MESSY.encode("utf-8"))
    assert (check.returncode, check.stdout) == (1, "<stdin>\n")


def test_a_directory_means_every_oi_file_below_it_but_hidden_and_tool_ones(tmp_path: Path) -> None:
    for relative in ("b.oi", "a/z.oi", "a/y/x.oi", ".hidden/h.oi", ".venv/v.oi", "node_modules/n.oi"):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(MESSY, encoding="utf-8")
    (tmp_path / "notes.txt").write_text(MESSY, encoding="utf-8")
    (tmp_path / "a" / ".#z.oi").symlink_to("user@host.1234")  # an editor's lock file: a dangling link
    result = oic("--check", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == ["./a/y/x.oi", "./a/z.oi", "./b.oi"]
    assert oic(".", cwd=tmp_path).returncode == 0
    assert (tmp_path / "a/y/x.oi").read_text(encoding="utf-8") == TIDY
    assert (tmp_path / ".hidden/h.oi").read_text(encoding="utf-8") == MESSY
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == MESSY


def test_a_file_with_a_syntax_error_is_left_untouched_and_its_diagnostics_shown(tmp_path: Path) -> None:
    broken, messy = tmp_path / "broken.oi", tmp_path / "messy.oi"
    broken.write_text(BROKEN, encoding="utf-8")
    messy.write_text(MESSY, encoding="utf-8")
    result = oic(str(broken), str(messy))
    assert result.returncode == 1
    assert f"{broken}:2:1: error[" in result.stdout
    assert result.stderr == "2 errors in 2 files\n"  # `oic check`'s summary line
    assert "Traceback" not in result.stdout + result.stderr
    assert broken.read_text(encoding="utf-8") == BROKEN
    assert messy.read_text(encoding="utf-8") == TIDY  # the other files are still formatted


def test_invalid_utf8_binary_and_missing_files_end_in_one_line(tmp_path: Path) -> None:
    latin = tmp_path / "latin.oi"
    latin.write_bytes(b'param a: string = "caf\xe9"\n')
    binary = tmp_path / "binary.oi"
    binary.write_bytes(b"\x7fELF\x00\x00\x01")
    result = oic(str(latin))
    assert result.returncode == 1
    assert result.stdout.strip().splitlines()[0].startswith(f"{latin}:1:")
    assert "E0001" in result.stdout and "Traceback" not in result.stdout + result.stderr
    assert latin.read_bytes() == b'param a: string = "caf\xe9"\n'
    nul = oic(str(binary))
    assert nul.returncode == 1 and "E0003" in nul.stdout and "Traceback" not in nul.stderr
    stdin = oic("-", stdin=b"\xff\xfe junk")
    assert stdin.returncode == 1 and "E0001" in stdin.stdout and stdin.stderr == "1 error in 1 file\n"
    missing = oic(str(tmp_path / "nowhere.oi"))
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"oic: error: {tmp_path / 'nowhere.oi'}: no such file or directory"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert oic().returncode == 2
    assert oic("--sideways", "x.oi").returncode == 2
    fifo = tmp_path / "pipe.oi"
    os.mkfifo(fifo)
    result = oic(str(fifo))  # never opened: reading it would wait for a writer forever
    assert (result.returncode, result.stderr) == (2, f"oic: error: {fifo}: not a regular file\n")


def test_the_examples_are_formatted() -> None:
    result = oic("--check", "examples")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


PROBE = """
import json, sys
from oic.cli import main
code = main(["fmt", "--check", sys.argv[1]])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def test_a_check_of_a_formatted_file_loads_no_checker_and_no_rewriting_machinery(tmp_path: Path) -> None:
    path = tmp_path / "p.oi"
    path.write_text(TIDY, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["code"] == 0
    loaded = set(answer["modules"])
    assert {"oic.fmt", "oic.commands.fmt", "oic.syntax.parser"} <= loaded
    unwanted = {"oic.sema", "oic.frontend", "oic.commands.check", "oic.syntax.messages"}
    unwanted |= {"difflib", "tempfile"}
    assert sorted(loaded & unwanted) == []
