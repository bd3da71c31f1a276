"""The VS Code extension's TextMate grammar (editors/vscode/syntaxes/oi.tmLanguage.json), read for
the tests: its rules, and the words its regular expressions spell out."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "editors" / "vscode"
GRAMMAR_PATH = EXTENSION / "syntaxes" / "oi.tmLanguage.json"

_ESCAPE = re.compile(r"\\.")
_CHARACTER_CLASS = re.compile(r"\[[^\]]*\]")
_GROUP_PREFIX = re.compile(r"\(\?(?:[:=!>]|<[=!])")
_WORD = re.compile(r"[A-Za-z_]+")


def load() -> dict[str, Any]:
    return json.loads(GRAMMAR_PATH.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def rules(rule: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """``rule`` and every rule nested in it (patterns and captures), depth first."""
    yield rule
    for nested in rule.get("patterns", []):
        yield from rules(nested)
    for key in ("captures", "beginCaptures", "endCaptures"):
        for capture in rule.get(key, {}).values():
            yield from rules(capture)


def regexes(rule: dict[str, Any]) -> list[str]:
    """The regular expressions of ``rule`` and the rules nested in it."""
    return [nested[key] for nested in rules(rule) for key in ("match", "begin", "end") if key in nested]


def words(rule: dict[str, Any]) -> set[str]:
    """The literal words the regular expressions of ``rule`` match: ``\\b(?:on|if)\\b`` spells
    ``on`` and ``if`` (escapes such as ``\\b``, character classes and group prefixes removed)."""
    found: set[str] = set()
    for regex in regexes(rule):
        text = _GROUP_PREFIX.sub("(", _CHARACTER_CLASS.sub("", _ESCAPE.sub("", regex)))
        found.update(_WORD.findall(text))
    return found
