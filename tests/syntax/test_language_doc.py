"""docs/language.md stays true: its table of diagnostic codes is the registry's, and its examples parse.

``OI_UPDATE_GOLDEN=1`` rewrites the table from the registry instead of failing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from oic import codes
from tests.syntax.support import parse_ok

LANGUAGE = Path(__file__).resolve().parents[2] / "docs" / "language.md"
START, END = "<!-- codes:start -->", "<!-- codes:end -->"


def code_table() -> str:
    rows = ["| code | severity | meaning |", "|---|---|---|"]
    rows += [f"| `{entry.code}` | {entry.severity} | {entry.summary} |" for entry in codes.all_codes()]
    return "\n".join(rows)


def test_the_code_table_matches_the_registry() -> None:
    text = LANGUAGE.read_text(encoding="utf-8")
    before, rest = text.split(START)
    _old, after = rest.split(END)
    current = f"{before}{START}\n{code_table()}\n{END}{after}"
    if os.environ.get("OI_UPDATE_GOLDEN") == "1":
        LANGUAGE.write_text(current, encoding="utf-8")
        text = current
    assert text == current, "docs/language.md lists stale diagnostic codes: run with OI_UPDATE_GOLDEN=1"


def test_every_registered_code_has_an_explanation() -> None:
    explanations = Path(__file__).resolve().parents[2] / "oic" / "explanations"
    syntax_codes = [entry.code for entry in codes.all_codes() if entry.code[:3] in ("E00", "E01")]
    assert syntax_codes
    for code in syntax_codes:
        text = (explanations / f"{code}.md").read_text(encoding="utf-8")
        assert text.startswith(f"# {code}: ")


def test_the_complete_examples_of_the_reference_parse() -> None:
    text = LANGUAGE.read_text(encoding="utf-8")
    blocks = re.findall(r"```\n(.*?)```", text, re.DOTALL)
    declarations = ("pipeline ", "param ", "service ", "condition ", "builder ", "on ")
    # (the keyword lists are code blocks too, but not pipelines: they hold no `=` or `{`)
    complete = [b for b in blocks if b.lstrip().startswith(declarations) and ("=" in b or "{" in b)]
    assert len(complete) >= 8
    for block in complete:
        parse_ok(block)
