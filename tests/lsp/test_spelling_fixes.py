"""The structured edit behind a "did you mean" hint (``Diagnostic.replacement``), made by the
checker and left out of `oic check --format json`, which stays as it was."""

from __future__ import annotations

import json

from oic import diagnostics
from oic.frontend import check_file
from oic.source import SourceFile, Span

TEXT = """pipeline "p" {}
service sh = catalog "exec"
service other = catalog "exce"
param who: string = "x"
on engine.started {
  task "a" = sh.command(Comand: "${wh}")
}
"""


def test_each_spelling_hint_carries_its_edit() -> None:
    result = check_file(SourceFile("f.oi", TEXT), start_services=False)
    fixes = {d.code: (d.replacement, d.replacement_span) for d in result.diagnostics if d.replacement}
    assert fixes == {
        "E0318": ("exec", Span(3, 26, 3, 30)),  # inside the quotes
        "E0302": ("Command", Span(6, 25, 6, 31)),
        "E0201": ("who", Span(6, 36, 6, 38)),
    }


def test_a_hint_about_part_of_a_longer_span_has_no_edit() -> None:
    source = SourceFile("f.oi", "param x: lst[string]\n")
    fix = diagnostics.spelling_fix(source, Span(1, 10, 1, 21), "did you mean `list`?")
    assert fix == ("", None)


def test_json_output_is_unchanged() -> None:
    result = check_file(SourceFile("f.oi", TEXT), start_services=False)
    for entry in json.loads(diagnostics.to_json(["f.oi"], result.diagnostics))["diagnostics"]:
        assert set(entry) == {
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "severity",
            "code",
            "message",
            "hint",
        }


def test_the_edit_takes_no_part_in_equality() -> None:
    plain = diagnostics.Diagnostic("f.oi", Span(1, 1, 1, 2), "error", "E0201", "m", "did you mean `x`?")
    fixed = diagnostics.Diagnostic(
        "f.oi", Span(1, 1, 1, 2), "error", "E0201", "m", "did you mean `x`?", "x", Span(1, 1, 1, 2)
    )
    assert plain == fixed and hash(plain) == hash(fixed)
