"""The grammar file itself: valid JSON with the scope VS Code is told about, every rule it includes
defined and every rule defined used, every scope of the language's own."""

from __future__ import annotations

import json

from tests.editors.grammar_file import EXTENSION, GRAMMAR_PATH, load, rules

GRAMMAR = load()
REPOSITORY = GRAMMAR["repository"]


def all_rules() -> list[dict]:
    found = [rule for top in GRAMMAR["patterns"] for rule in rules(top)]
    for entry in REPOSITORY.values():
        found.extend(rules(entry))
    return found


def test_the_grammar_is_the_one_package_json_declares() -> None:
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    (declared,) = manifest["contributes"]["grammars"]
    assert (EXTENSION / declared["path"]).resolve() == GRAMMAR_PATH
    assert declared["scopeName"] == GRAMMAR["scopeName"] == "source.oi"
    assert declared["language"] == "oi"


def test_every_include_names_a_rule_of_the_repository() -> None:
    includes = {rule["include"] for rule in all_rules() if "include" in rule}
    assert {
        include for include in includes if include != "$self" and include.removeprefix("#") not in REPOSITORY
    } == set()


def test_every_rule_of_the_repository_is_used() -> None:
    included = {rule["include"].removeprefix("#") for rule in all_rules() if "include" in rule}
    assert set(REPOSITORY) - included == set()


def test_every_scope_belongs_to_the_language() -> None:
    scopes = set()
    for rule in all_rules():
        for key in ("name", "contentName"):
            scopes.update(rule.get(key, "").split())
    assert scopes, "the grammar names no scope"
    assert sorted(scope for scope in scopes if not scope.endswith(".oi")) == []


def test_every_rule_is_one_kind_of_rule() -> None:
    # An include, a match, a region (begin with its end), or a list of patterns: never a mixture,
    # which the engine would read as one of them and silently ignore the rest.
    for rule in all_rules():
        kinds = [kind for kind in ("include", "match", "begin") if kind in rule]
        assert len(kinds) <= 1, rule
        assert ("begin" in rule) == ("end" in rule), rule
        assert kinds or "patterns" in rule or "name" in rule, rule
