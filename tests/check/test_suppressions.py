"""Suppression comments through `oic check` and `check_file`: `--werror`, standard input, files with
syntax errors. The rules themselves are data: `tests/diagnostics/cases/suppressions/*.oi`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oic import cli, exit_codes
from oic import codes as codes_module
from oic.frontend import check_file
from oic.source import SourceFile
from tests.check.support import WARNED, write

SILENCED = WARNED.replace('"x"\n', '"x"  # oic: ignore[W0103]\n')
WRONG_CODE = WARNED.replace('"x"\n', '"x"  # oic: ignore[W0102]\n')


def codes(path: str) -> list[tuple[int, str]]:
    return [(d.span.line, d.code) for d in check_file(path, start_services=False).diagnostics]


def test_werror_respects_suppressions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    warned, silenced = write(tmp_path / "warned.oi", WARNED), write(tmp_path / "silenced.oi", SILENCED)
    assert cli.main(["check", "--werror", warned]) == exit_codes.DIAGNOSTICS
    capsys.readouterr()
    assert cli.main(["check", "--werror", silenced]) == exit_codes.OK
    assert capsys.readouterr() == ("", "")


def test_werror_fails_on_an_unused_suppression(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "wrong.oi", WRONG_CODE)
    assert cli.main(["check", path]) == exit_codes.OK  # warnings only
    out = capsys.readouterr().out
    assert "warning[W0103]" in out and "warning[W0114]: unused suppression: no W0102 on this line" in out
    assert cli.main(["check", "--werror", path]) == exit_codes.DIAGNOSTICS


def test_a_file_with_a_syntax_error_shows_its_errors_only(tmp_path: Path) -> None:
    broken = WRONG_CODE.replace("on engine.started {", 'on engine.started {\n  task "b" = ')
    assert [code for _line, code in codes(write(tmp_path / "broken.oi", broken))] == ["E0108"]


def test_a_warning_of_a_statement_over_several_lines_is_silenced_on_its_first(tmp_path: Path) -> None:
    text = """pipeline "p" {}
service sh = catalog "exec"
param greeting: string = "hi"
on engine.started {
  task "a" = sh.command(Command: "echo ${greeting}",  # oic: ignore[W0111]
                        Directory: "/tmp")
  task "b" = sh.command(  # oic: ignore[W0111]
    Command: "echo ${greeting}")
}
"""
    assert codes(write(tmp_path / "multi.oi", text)) == [(7, "W0114"), (8, "W0111")]


def test_the_header_may_hold_other_comments_and_blank_lines(tmp_path: Path) -> None:
    text = "# The pipeline of the nightly job.\n\n#   oic:  ignore-file[ W0103 ]  because it is set by CI\n"
    assert codes(write(tmp_path / "header.oi", text + WARNED)) == []


def test_standard_input_is_suppressed_as_a_file_is() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "oic", "check", "--werror", "-"],
        input=SILENCED.encode(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert (completed.returncode, completed.stdout, completed.stderr) == (exit_codes.OK, b"", b"")


# The letters of the directives, codes, separators, and what strings and comments are made of.
DIRECTIVE_TEXT = st.text(alphabet=st.sampled_from(list('ignore-fl[], W0123E #"${}\\\t:cxé')), max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=DIRECTIVE_TEXT, trailing=DIRECTIVE_TEXT, own_line=DIRECTIVE_TEXT)
def test_any_directive_text_gives_diagnostics_on_its_comment_never_an_exception(
    header: str, trailing: str, own_line: str
) -> None:
    body = WARNED.replace('"x"\n', '"x"  # oic:' + trailing + "\n")
    text = f"# oic:{header}\n{body}# oic:{own_line}\n"
    result = check_file(SourceFile("fuzz.oi", text), start_services=False)
    lines = text.split("\n")
    for diagnostic in result.diagnostics:
        span = diagnostic.span
        assert codes_module.lookup(diagnostic.code) is not None
        assert span.line == span.end_line and 1 <= span.column <= span.end_column
        assert span.end_column <= len(lines[span.line - 1]) + 1
        if diagnostic.code in ("W0112", "W0113", "W0114", "W0115"):
            # on the directive: at or after the `#` that starts it
            assert span.column >= lines[span.line - 1].index("# oic:") + 1
