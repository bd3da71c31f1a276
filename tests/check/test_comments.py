"""``oic.comments``: the comments of a text, and never a ``#`` that is part of a string."""

from __future__ import annotations

import pytest

from oic.comments import comments
from oic.source import Span


def texts(source: str) -> list[str]:
    return [comment.text for comment in comments(source)]


def test_a_comment_at_the_end_of_a_line_and_on_a_line_of_its_own() -> None:
    source = '# header\npipeline "p" {}  # after code\n  # indented\n'
    found = comments(source)
    assert [c.text for c in found] == ["# header", "# after code", "# indented"]
    assert [c.span for c in found] == [Span(1, 1, 1, 9), Span(2, 18, 2, 30), Span(3, 3, 3, 13)]
    assert [c.own_line for c in found] == [True, False, True]
    assert [c.leading for c in found] == [True, False, False]


@pytest.mark.parametrize(
    "line",
    [
        'let a = "# not a comment"',
        'let a = "x ${b} # not a comment ${c}"',
        'let a = "${b + "# not a comment"} #"',
        'let a = "${f("${g("#")}")} # still a string"',
        'let a = "\\" # escaped quote, still a string"',
        'let a = "$# a dollar, then still a string"',
    ],
)
def test_a_hash_inside_a_string_is_not_a_comment(line: str) -> None:
    assert texts(line + "\n") == []
    assert texts(line + "  # real\n") == ["# real"]


def test_a_comment_may_hold_quotes_and_interpolations() -> None:
    found = texts('# say "${x}" here\nlet a = "#"  # "quoted" ${y}\n')
    assert found == ['# say "${x}" here', '# "quoted" ${y}']


def test_positions_count_code_points_and_lines_after_multi_line_values() -> None:
    source = 'let a = [\n  "é#",  # é\n]\n# last'
    found = comments(source)
    assert [c.span for c in found] == [Span(2, 10, 2, 13), Span(4, 1, 4, 7)]


def test_only_comments_before_the_first_token_are_leading() -> None:
    source = '# one\n\n# two\npipeline "p" {} # three\n# four\n'
    assert [c.leading for c in comments(source)] == [True, True, False, False]


def test_a_text_of_comments_only_is_all_header() -> None:
    found = comments("# one\n# two")
    assert [(c.text, c.leading, c.own_line) for c in found] == [("# one", True, True), ("# two", True, True)]


def test_comments_after_a_lexical_error_are_not_returned() -> None:
    # The unterminated string swallows its line; what follows cannot be told apart from string text.
    assert texts('# before\nlet a = "open # inside\n# after\n') == ["# before"]
