"""The grammar, its compiled tables, and the agreement between grammar, lexer and AST builder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from oic.syntax import tables
from oic.syntax.build_ast import AstBuilder
from oic.syntax.lexer import PUNCTUATION
from oic.syntax.messages import HARD_KEYWORDS, SOFT_KEYWORDS

ROOT = Path(__file__).resolve().parents[2]


def test_the_grammar_has_no_conflicts() -> None:
    # strict=True turns every shift/reduce conflict into an error instead of a silent choice.
    data = tables.compile_grammar(tables.GRAMMAR_PATH.read_text(encoding="utf-8"), strict=True)
    assert data["rules"]


def test_lexer_terminals_and_keywords_are_the_grammar_s() -> None:
    data = tables.compile_grammar(tables.GRAMMAR_PATH.read_text(encoding="utf-8"))
    in_grammar = {terminal for actions in data["actions"].values() for terminal in actions}
    produced = set(PUNCTUATION.values()) | {word.upper() for word in HARD_KEYWORDS | SOFT_KEYWORDS}
    produced |= {
        "NAME",
        "NUMBER",
        "DURATION",
        "STRING",
        "ISTR_BEGIN",
        "ISTR_MIDDLE",
        "ISTR_END",
        "STMT_IF",
        "$END",
    }
    assert in_grammar <= produced, in_grammar - produced
    assert produced - in_grammar == {"IF"} - in_grammar  # every token the lexer makes is used


def test_every_rule_has_a_callback() -> None:
    data = tables.load_data()
    builder = AstBuilder()
    for rule in data["rules"]:
        tables.make_callback(rule, builder)  # raises LookupError for a rule without one


def test_tables_load_from_the_cache_and_survive_an_unwritable_cache(tmp_path: Path) -> None:
    code = (
        "from oic.syntax.parser import parse_text; m, d = parse_text('param p: any = 1'); "
        "print(len(m.declarations), d)"
    )
    environment = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    first = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, cwd=ROOT
    )
    assert first.stdout == "1 []\n", first.stderr
    cached = list((tmp_path / "cache" / "oi").glob("grammar-tables-*.marshal"))
    assert len(cached) == 1
    # A later run uses the cache and never imports Lark.
    check = code + "; import sys; print('lark' in sys.modules)"
    second = subprocess.run(
        [sys.executable, "-c", check], env=environment, capture_output=True, text=True, cwd=ROOT
    )
    assert second.stdout == "1 []\nFalse\n", second.stderr
    # A cache "directory" that is a file: no cache, same result, no complaint.
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")
    environment["XDG_CACHE_HOME"] = str(blocker)
    third = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, cwd=ROOT
    )
    assert (third.stdout, third.stderr) == ("1 []\n", "")


def test_a_corrupt_cache_file_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    good = tables.load_data()
    (cached,) = (tmp_path / "oi").glob("grammar-tables-*.marshal")
    cached.write_bytes(b"\x00garbage")
    rebuilt = tables.load_data()
    # (state numbers may differ between two LALR constructions; the shape may not)
    assert len(rebuilt["actions"]) == len(good["actions"]) and len(rebuilt["rules"]) == len(good["rules"])
    assert cached.read_bytes() != b"\x00garbage"


@pytest.mark.parametrize(
    "module",
    sorted(
        f"oic.syntax.{path.stem}"
        for path in (ROOT / "oic" / "syntax").glob("*.py")
        if path.stem != "__init__"
    ),
)
def test_each_module_imports_alone(module: str) -> None:
    # A fresh interpreter per module catches import cycles that a shared test process hides.
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
