"""No false rejections: every form docs/language.md documents as valid checks clean.

``documented/*.oi`` are small pipelines covering the sections Lexical structure, Declarations,
Statements and Expressions; they must check without a single diagnostic. The tables below go through
the places the docs promise every word may stand: soft keywords wherever a name is, any word where a
field name is, every number form in a duration.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from oic import diagnostics
from oic.frontend import check_file
from oic.source import SourceFile
from oic.syntax.lexer import DURATION_UNITS, HARD_KEYWORDS, SOFT_KEYWORDS

HERE = Path(__file__).resolve().parent / "documented"
PROGRAMS = sorted(HERE.glob("*.oi"))
HEAD = 'pipeline "p" {}\nservice sh = catalog "exec"\n'


def problems(text: str, base: Path = HERE) -> list[str]:
    result = check_file(
        SourceFile(str(base / "snippet.oi"), text), start_services=False, base_directory=str(base)
    )
    return [diagnostics.render_text(d, result.source) for d in result.diagnostics]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda path: path.stem)
def test_documented_programs_check_without_a_diagnostic(program: Path) -> None:
    result = check_file(program, start_services=False)
    assert result.diagnostics == [], "\n".join(
        diagnostics.render_text(d, result.source) for d in result.diagnostics
    )


def test_the_documented_programs_cover_the_sections() -> None:
    assert {path.stem for path in PROGRAMS} >= {
        "lexical",
        "fields",
        "declarations",
        "statements",
        "expressions",
    }


# Every place a name stands, with W for the name (docs: soft keywords "are keywords only in the place
# the grammar uses them ... and ordinary names everywhere else").
def reacting(*statements: str) -> str:
    return "on engine.started {\n" + "".join(f"  {statement}\n" for statement in statements) + "}\n"


def uses(expression: str) -> str:
    return f'task "t" = sh.command(Command: {expression})'


NAME_PLACES: dict[str, Callable[[str], str]] = {
    "param": lambda w: f'param {w}: string = "x"\n' + reacting(uses(w)),
    "let": lambda w: reacting(f'let {w} = "x"', uses(w)),
    "loop variable": lambda w: reacting(
        f'for {w} in ["x"] if {w} != "" {{ task "t-${{{w}}}" = sh.command(Command: {w}) }}'
    ),
    "comprehension variable": lambda w: reacting(uses(f'join([for {w} in ["x"] if {w} != "": {w}], "")')),
    "condition": lambda w: (
        f'condition {w}() = task("t").finished\n' + reacting(uses('"x"')) + f"on {w}() {{ }}\n"
    ),
    "condition parameter": lambda w: (
        f"condition done({w}: string) = task({w}).finished({'failed' if w == 'failed' else 'success'})\n"
        + reacting(uses('"x"'))
        + 'on done("t") { }\n'
    ),
    "builder": lambda w: (
        f'builder {w}() {{ task "b" = sh.command(Command: "x") }}\n'
        + reacting(uses('"x"') + " retry 1", f"{w}()")
    ),
    "builder parameter": lambda w: (
        f'builder make({w}: string) {{ task "b-${{{w}}}" = sh.command(Command: {w}) }}\n'
        + reacting('make("x")')
    ),
    "service alias": lambda w: (
        f'service {w} = catalog "exec"\n'
        + reacting(f'task "t" = {w}.command(Command: "x")', 'task "u" = sh.command(Command: "y")')
    ),
}


@pytest.mark.parametrize("place", sorted(NAME_PLACES))
@pytest.mark.parametrize("word", sorted(SOFT_KEYWORDS))
def test_soft_keywords_are_names(word: str, place: str) -> None:
    assert problems(HEAD + NAME_PLACES[place](word)) == []


# Where a field name is, any word: after a dot, as an object key (also with a line break or a
# comment before its colon), and as a call field (the `words` service has a field of every name).
FIELD_PLACES: dict[str, Callable[[str], str]] = {
    "member": lambda w: reacting('let p = parse_json("{}")', uses(f'"${{p.{w}}}"')),
    "object key": lambda w: reacting(f"let o = {{{w}: 1, b: 2}}", uses(f'"${{o.{w}}}"')),
    "object key, line break": lambda w: reacting(f"let o = {{a: 1, {w}\n  : 2}}", uses('"${o}"')),
    "object key, comment": lambda w: reacting(f"let o = {{{w} # why\n  : 2}}", uses('"${o}"')),
    "quoted object key": lambda w: reacting(f'let o = {{"{w}": 1}}', uses(f'"${{o["{w}"]}}"')),
    "call field": lambda w: (
        'service words = path "./words" schemas "./schemas/words"\n'
        + reacting(f'task "w" = words.echo({w}: 1)', uses('"x"'))
    ),
}


@pytest.mark.parametrize("place", sorted(FIELD_PLACES))
@pytest.mark.parametrize("word", sorted(HARD_KEYWORDS | SOFT_KEYWORDS))
def test_any_word_is_a_field_name(word: str, place: str) -> None:
    assert problems(HEAD + FIELD_PLACES[place](word)) == []


NUMBER_FORMS = ["3", "2.5", "1e3", "1E3", "1.5E-2", "2.5e+1", "0.5", "10"]


@pytest.mark.parametrize("unit", sorted(DURATION_UNITS))
@pytest.mark.parametrize("number", NUMBER_FORMS)
def test_every_number_form_is_a_duration(number: str, unit: str) -> None:
    duration = number + unit
    text = (
        f'pipeline "p" {{ timeout = {duration} }}\nservice sh = catalog "exec"\n'
        f'on engine.started {{ task "t" = sh.command(Command: "x") timeout {duration} backoff {duration} }}\n'
    )
    assert problems(text) == []


@pytest.mark.parametrize("terms", [129, 130, 1_000])
def test_a_flat_sum_is_not_nesting(terms: int) -> None:
    text = (
        HEAD
        + "param k: number = "
        + " + ".join(["1"] * terms)
        + '\non engine.started { task "t" = sh.command(Command: "${k}") }\n'
    )
    assert problems(text) == []
