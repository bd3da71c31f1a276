"""The grammar against the sources of truth it copies: the lexer's keywords, the written types, the
standard library and the built-in values. A word added to the language and not to the grammar (or
left in the grammar after it is gone) fails here."""

from __future__ import annotations

import re

from oic.sema.resolve import BUILTIN_VALUES
from oic.syntax.lexer import HARD_KEYWORDS, SOFT_KEYWORDS
from runtime.param_types import WRITTEN_PARAM_TYPES
from runtime.stdlib import FUNCTIONS
from tests.editors.grammar_file import load, words

GRAMMAR = load()
REPOSITORY = GRAMMAR["repository"]


def test_every_reserved_word_is_matched_whole_by_a_keyword_rule() -> None:
    patterns = [re.compile(rule["match"]) for rule in REPOSITORY["keywords"]["patterns"]]
    missing = sorted(word for word in HARD_KEYWORDS if not any(p.fullmatch(word) for p in patterns))
    assert missing == []


def test_the_keyword_rules_hold_the_reserved_words_and_nothing_else() -> None:
    assert words(REPOSITORY["keywords"]) == HARD_KEYWORDS


def test_every_soft_keyword_has_a_rule_for_the_place_it_is_a_keyword() -> None:
    # catalog ... image before a string, reusable/timeout/retry/backoff in a task statement,
    # engine.started, and the events and statuses of task(NAME).
    places = ("soft-keywords", "engine-started", "task-condition")
    spelled = set().union(*(words(REPOSITORY[place]) for place in places)) - HARD_KEYWORDS
    assert spelled == SOFT_KEYWORDS


def test_soft_keywords_are_names_elsewhere_so_no_plain_keyword_rule_holds_them() -> None:
    assert words(REPOSITORY["keywords"]) & SOFT_KEYWORDS == set()


def test_the_type_names_are_the_written_param_types() -> None:
    assert words(REPOSITORY["type-names"]) == set(WRITTEN_PARAM_TYPES)


def test_the_builtin_functions_are_the_standard_library() -> None:
    assert words(REPOSITORY["builtin-functions"]) == {function.name for function in FUNCTIONS}


def test_the_builtin_values_are_the_names_every_expression_may_read() -> None:
    assert words(REPOSITORY["builtin-values"]) == set(BUILTIN_VALUES)


def test_words_reads_the_alternatives_of_a_rule() -> None:
    rule = {"patterns": [{"match": r"\b(?:on|if)\b(?=\s*[a-z])"}, {"begin": r"(x)\.", "end": r"(?<=\")y"}]}
    assert words(rule) == {"on", "if", "x", "y"}
