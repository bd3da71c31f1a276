"""The spelling of literal values in generated programs: strings with every escape, numbers and
durations in every form the docs list, identifiers (soft keywords among them) and object keys."""

from __future__ import annotations

import re

from tests.soundness.choices import Choices, chance, pick

# Hard keywords (docs/language.md, "Keywords"): never a declared name, always fine as a field name.
HARD_KEYWORDS = (
    "pipeline", "param", "service", "condition", "builder", "on", "task", "let", "for", "if", "else",
    "in", "and", "or", "not", "true", "false", "null",
)  # fmt: skip
# Keywords only where the grammar uses them, ordinary names everywhere else.
SOFT_KEYWORDS = (
    "catalog", "path", "version", "schemas", "image", "engine", "started", "finished", "reported",
    "success", "failed", "reusable", "timeout", "retry", "backoff",
)  # fmt: skip
BUILTIN_NAMES = ("event", "tasks", "pipeline")
# Plain words for names; field-like words on purpose (a let called `output` is ordinary).
WORDS = ("item", "count", "label", "value", "output", "status", "data", "name", "step", "total", "x", "acc")
KEY_WORDS = ("id", "key", "value", "note", "size", "kind", "catalog", "engine")
KEYWORD_KEYS = ("in", "if", "for", "task", "true", "null", "on", "not")
QUOTED_KEYS = ("display name", "déjà", "a-b", "1st", 'q"uote', "", "${not}", "日本")

TEXTS = (
    "alpha", "", "Beta Gamma", "x,y,z", 'say "hi"', "back\\slash", "${x}", "$ dollar", "tab\there",
    "new\nline", "déjà vu", "日本", "😀", "if", "task", "*", ",", "  padded ", "{}", "50%",
)  # fmt: skip
NON_EMPTY_TEXTS = tuple(text for text in TEXTS if text)
SEPARATORS = (",", " ", "-", "a", "::", "é")
EVENT_NAMES = ("progress", "step", "half way", "done!", "ev-1")
STATUS_WORDS = ("waiting", "running", "success", "failed", "none")

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def is_word(text: str) -> bool:
    return _IDENTIFIER.match(text) is not None


def string_literal(choices: Choices, value: str) -> str:
    """``value`` as a `.oi` string literal, with escapes chosen at random where there is a choice."""
    out = ['"']
    for index, character in enumerate(value):
        following = value[index + 1 : index + 2]
        if character == "\\":
            out.append("\\\\")
        elif character == '"':
            out.append('\\"')
        elif character == "$":
            out.append("\\$" if following == "{" or chance(choices, 30) else "$")
        elif character == "\n":
            out.append("\\n")
        elif character == "\t":
            out.append("\\t")
        elif character == "\r":
            out.append("\\r")
        elif ord(character) < 0x20 or (ord(character) > 0x7E and chance(choices, 30)):
            out.append(f"\\u{{{ord(character):X}}}")
        else:
            out.append(character)
    out.append('"')
    return "".join(out)


def integer_text(value: int) -> str:
    return str(value)


# Numbers with a fraction or an exponent (type `number`), with their values.
NUMBER_FORMS = (("2.5", 2.5), ("0.5", 0.5), ("1e2", 100.0), ("1E1", 10.0), ("2.5e-1", 0.25), ("3.0E+1", 30.0))


def number_literal(choices: Choices) -> tuple[str, float]:
    return pick(choices, NUMBER_FORMS)


# Durations in every number form: integer, fraction, exponent (e/E, signed), each unit.
TASK_TIMEOUTS = ("30s", "1m", "0.5h", "12000ms", "2h", "1.5m")
BACKOFFS = ("1ms", "0.001s", "5ms", "0.002s")
PIPELINE_TIMEOUTS = ("10m", "1.5h", "600000ms", "1h")
EXPONENT_TASK_TIMEOUTS = ("1e2s", "1.5E1s", "2E+1s")
EXPONENT_BACKOFFS = ("1e0ms", "2E-3s", "5e-1ms")
EXPONENT_PIPELINE_TIMEOUTS = ("3e2s", "6E1s", "1e1m")
