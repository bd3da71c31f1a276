"""Comments: they all survive, in order, each where it belongs, and the result stays idempotent.

The property test puts comments at random places of generated programs (own lines before any line,
the ends of lines), both as generated (one statement per line) and once formatted (arguments one per
line), so that comments land inside statements, argument lists, conditions and ``else if`` chains."""

from __future__ import annotations

import random

import pytest

from oic.fmt import format_text
from tests.fmt.support import assert_formats_faithfully
from tests.soundness.choices import SeededChoices
from tests.soundness.library import usable_functions
from tests.soundness.programs import generate


def sprinkle(text: str, rng: random.Random) -> str:
    """``text`` with numbered comments on their own lines and at line ends, at random."""
    lines = text.split("\n")
    out: list[str] = []
    number = 0
    for line in lines[:-1]:
        if rng.random() < 0.3:
            number += 1
            out.append(" " * rng.randrange(0, 6) + f"# own {number}")
        if line.strip() and rng.random() < 0.3:
            number += 1
            line += " " * rng.randrange(1, 4) + f"# end {number}"
        out.append(line)
    out.append(lines[-1])
    return "\n".join(out)


@pytest.mark.parametrize("first", range(0, 60, 15))
def test_comments_at_random_places_survive_in_order(first: int) -> None:
    functions = usable_functions()
    for seed in range(first, first + 15):
        rng = random.Random(seed)
        program = generate(SeededChoices(seed), functions, str(seed)).text
        for base in (program, format_text(program)):
            assert_formats_faithfully(sprinkle(base, rng))


def fmt(text: str) -> str:
    return format_text(text)


def test_a_comment_before_a_statement_keeps_its_place_at_the_block_indentation() -> None:
    source = "on engine.started {\n        # first\n  let a = 1\n# second\n        let b = 2\n}\n"
    assert fmt(source) == "on engine.started {\n  # first\n  let a = 1\n  # second\n  let b = 2\n}\n"


def test_a_trailing_comment_stays_at_the_end_of_its_line_two_spaces_after_the_code() -> None:
    source = 'param a: string = "x"       # why\non engine.started {\n  let b = 1 #tight\n}\n'
    assert fmt(source) == 'param a: string = "x"  # why\non engine.started {\n  let b = 1  #tight\n}\n'


def test_comments_at_the_end_of_a_block_stay_inside_it() -> None:
    source = "on engine.started {\n  let a = 1\n\n  # later\n  # and more\n}\n# after\n"
    assert fmt(source) == "on engine.started {\n  let a = 1\n\n  # later\n  # and more\n}\n# after\n"


def test_a_comment_alone_in_a_block_or_a_list_keeps_it_open() -> None:
    source = "on engine.started {\n# nothing yet\n}\nparam p: list = [\n  # none\n]\n"
    assert fmt(source) == "on engine.started {\n  # nothing yet\n}\nparam p: list = [\n  # none\n]\n"


def test_a_comment_after_an_opening_bracket_stays_there() -> None:
    source = "on engine.started {  # go\n  let a = f(  # args\n    1, 2)\n}\n"
    assert fmt(source) == "on engine.started {  # go\n  let a = f(  # args\n    1,\n    2,\n  )\n}\n"


def test_a_comment_in_an_argument_list_breaks_it_one_argument_per_line() -> None:
    source = 'on engine.started {\n  task "t" = s.e(A: 1, # one\n  B: [2])\n}\n'
    assert fmt(source) == 'on engine.started {\n  task "t" = s.e(\n    A: 1,  # one\n    B: [2],\n  )\n}\n'


def test_a_comment_inside_an_expression_moves_before_its_statement_with_the_others() -> None:
    source = "on engine.started {\n  let a = f(1,  # one\n  2) +  # plus\n    3\n}\n"
    assert fmt(source) == "on engine.started {\n  # one\n  # plus\n  let a = f(1, 2) + 3\n}\n"


def test_comments_in_a_header_move_before_the_declaration() -> None:
    source = 'on task("a").finished and  # both\n   task("b").finished {\n  let a = 1\n}\n'
    assert fmt(source) == '# both\non task("a").finished and task("b").finished {\n  let a = 1\n}\n'


def test_comments_in_an_else_if_header_move_into_its_block() -> None:
    source = (
        "on engine.started {\n  if a {\n    let x = 1\n  }  # not a\n  else if b and  # b\n c {\n"
        "    let x = 2\n  } else {  # neither\n    let x = 3\n  }\n}\n"
    )
    assert fmt(source) == (
        "on engine.started {\n  if a {\n    let x = 1\n  } else if b and c {\n    # not a\n    # b\n"
        "    let x = 2\n  } else {  # neither\n    let x = 3\n  }\n}\n"
    )


def test_blank_lines_between_statements_are_kept_once_and_dropped_at_block_edges() -> None:
    source = '\n\n# header\n\n\n\npipeline "p" {\n\n  timeout = 1m\n\n\n  parallelism = 2\n\n}\n\n\n'
    assert fmt(source) == '# header\n\npipeline "p" {\n  timeout = 1m\n\n  parallelism = 2\n}\n'


def test_a_file_of_comments_only_keeps_them() -> None:
    assert fmt("# just\n\n\n# notes   \n") == "# just\n\n# notes\n"
    assert fmt("") == ""
    assert fmt("\n\n") == ""
