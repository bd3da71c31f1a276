"""``ParseCache`` gives what ``parse`` gives (module, spans and diagnostics), for every file of the
repository, generated programs, and sequences of edits made with one cache; and it does reuse the
declarations an edit did not touch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oic.records import Record
from oic.source import SourceFile
from oic.syntax.incremental import MIN_PARTS, ParseCache
from oic.syntax.parser import parse
from tests.soundness.choices import SeededChoices
from tests.soundness.library import usable_functions
from tests.soundness.programs import generate

ROOT = Path(__file__).resolve().parent.parent.parent


def _texts() -> list[str]:
    texts = []
    for path in sorted([*ROOT.glob("examples/**/*.oi"), *ROOT.glob("tests/**/*.oi")]):
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            continue  # the invalid-UTF-8 case of the diagnostics tests
    return texts


# Files with syntax errors, limits, odd layouts and every construct: the diagnostics and syntax cases.
TEXTS = _texts()
# Where a part may be cut wrongly: keywords in the first column inside strings, objects and
# expressions that go on over several lines, comments and blank lines between declarations.
EDGE_CASES = [
    'pipeline "p" {}\nparam a: string = "x\n'
    'on engine.started {}\n"\nparam b: int = 1\nparam c: int = 2\nparam d: int = 3\n',
    'pipeline "p" {}\nparam a: map = {\nservice: 1,\n}\n'
    "param b: int = 1\nparam c: int = 2\nparam d: int = 3\n",
    'pipeline "p" {}\nparam a: int = 1 +\nparam\nparam b: int = 1\nparam c: int = 2\nparam d: int = 3\n',
    '# header\n\npipeline "p" {}\n\n# about a\nparam a: int = 1\n\n\nparam b: int = 2\n'
    "param c: int = 3\nparam d: int = 4",
    'pipeline "p" {}\nparam on_call: int = 1\nparameter\nparam b: int = 2\nparam c: int = 3\n',
    'pipeline "p" {}\nservice s = catalog "exec"\non engine.started {\non engine.started {}\n}\n'
    "param b: int = 2\nparam c: int = 3\n",
]


def assert_same_parse(cache: ParseCache, text: str) -> None:
    source = SourceFile("pipeline.oi", text)
    assert same(cache.parse(source), parse(source))


def same(left: Any, right: Any) -> bool:
    """``left == right`` for trees of any depth: records compared field by field without recursion
    (the files at the nesting limits are deeper than ``==`` can recurse)."""
    pending = [(left, right)]
    while pending:
        one, other = pending.pop()
        if type(one) is not type(other):
            return False
        if isinstance(one, Record):
            pending.extend(zip(one._key(), other._key(), strict=True))
        elif isinstance(one, (tuple, list)):
            if len(one) != len(other):
                return False
            pending.extend(zip(one, other, strict=True))
        elif one != other:
            return False
    return True


@pytest.mark.parametrize("first", range(0, len(TEXTS), 50))
def test_the_repository_files_parse_as_a_whole_file_does(first: int) -> None:
    for text in TEXTS[first : first + 50]:
        assert_same_parse(ParseCache(), text)


@pytest.mark.parametrize("text", EDGE_CASES)
def test_parts_cut_in_odd_places_parse_as_a_whole_file_does(text: str) -> None:
    assert_same_parse(ParseCache(), text)
    assert_same_parse(ParseCache(), text.replace("\n", "\n\n"))


@pytest.mark.parametrize("first", range(0, 40, 20))
def test_generated_programs_parse_as_whole_files_do(first: int) -> None:
    functions = usable_functions()
    for seed in range(first, first + 20):
        program = generate(SeededChoices(seed), functions, str(seed))
        cache = ParseCache()
        assert_same_parse(cache, program.text)
        for index in range(0, len(program.near_misses), 16):
            assert_same_parse(cache, program.near_miss(index))  # one cache: one document, edited
        assert_same_parse(cache, program.text)


# Edits as an editor makes them, one after another on one document: characters typed or deleted
# anywhere, lines broken and joined, declaration keywords typed at the start of a line.
FRAGMENTS = ["\n", " ", "x", '"', "{", "}", "(", ")", "[", "]", "#", "on ", "\nparam ", "\non ", "${", "1"]


@st.composite
def edit_sequences(draw: st.DrawFn) -> list[str]:
    text = draw(st.sampled_from([text for text in TEXTS if text.count("\n") > 10] + EDGE_CASES))
    versions = [text]
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()) and text:
            end = min(len(text), at + draw(st.integers(1, 12)))
            text = text[:at] + text[end:]
        else:
            text = text[:at] + draw(st.sampled_from(FRAGMENTS)) + text[at:]
        versions.append(text)
    return versions


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edit_sequences())
def test_a_document_edited_again_and_again_parses_as_each_version_does(versions: list[str]) -> None:
    cache = ParseCache()
    for text in versions:
        assert_same_parse(cache, text)


def test_an_edit_inside_one_declaration_reparses_only_that_part() -> None:
    params = "".join(f'param p{index}: string = "{index}"\n' for index in range(20))
    text = 'pipeline "p" {}\n' + params
    cache = ParseCache()
    assert_same_parse(cache, text)
    assert cache.reused == 0
    edited = text.replace('"7"', '"seven"')
    assert_same_parse(cache, edited)
    assert cache.reused == 20  # the pipeline block and 19 params of 21 parts
    # Lines added above a part move it: it is parsed again, at its new lines.
    moved = edited.replace('param p3: string = "3"\n', 'param p3: string = "3"\n\n')
    assert_same_parse(cache, moved)
    assert cache.reused == 4


def test_a_small_file_is_parsed_whole() -> None:
    text = 'pipeline "p" {}\nparam a: int = 1\n'
    assert text.count("param") + 1 < MIN_PARTS
    cache = ParseCache()
    assert_same_parse(cache, text)
    assert_same_parse(cache, text)
    assert cache.reused == 0


def test_the_comparison_sees_a_moved_span() -> None:
    text = 'pipeline "p" {}\nparam a: int = 1\n'
    module, _ = parse(SourceFile("pipeline.oi", text))
    moved, _ = parse(SourceFile("pipeline.oi", text.replace("a:", "a :")))
    assert same(module, module) and not same(module, moved)
