"""Hostile input: every one of these ends in diagnostics (or a clean parse), never an exception."""

from __future__ import annotations

import random

import pytest

from oic import codes
from oic.source import SourceFile, Span
from oic.syntax import ast
from oic.syntax.limits import MAX_NESTING
from oic.syntax.parser import parse, parse_text
from oic.syntax.reader import MAX_SOURCE_BYTES, UnreadableSource, decode_source, read_source

VALID = (
    'pipeline "p" { os = "linux" }\nparam token: secret\non engine.started {\n  task "a" = s.e(A: token)\n}\n'
)


def codes_of(text: str) -> list[str]:
    _module, found = parse_text(text)
    return [diagnostic.code for diagnostic in found]


def test_binary_garbage_is_reported_not_crashed_on() -> None:
    generator = random.Random(1234)
    for _ in range(20):
        data = bytes(generator.randrange(256) for _ in range(2000))
        result = decode_source("junk.oi", data)
        if isinstance(result, SourceFile):  # (vanishingly unlikely) valid UTF-8 without NUL
            assert parse(result)[1]
        else:
            assert result.code in ("E0001", "E0003")
        text = data.decode("latin-1")
        module, found = parse_text(text)
        assert found and all(codes.lookup(d.code) for d in found)


def test_invalid_utf8_is_reported_at_the_first_bad_byte() -> None:
    data = 'param a: string = "\u00e9t\u00e9"\nparam b: string = "x'.encode() + b"\xff\xfe" + b'"\n'
    result = decode_source("bad.oi", data)
    assert not isinstance(result, SourceFile)
    assert result.code == "E0001"
    assert result.span == Span(2, 21, 2, 22)
    assert "0xff" in result.message


def test_invalid_utf8_column_counts_code_points_before_it() -> None:
    result = decode_source("bad.oi", "\u00e9\u00e9\U0001f600".encode() + b"\xc3(")
    assert not isinstance(result, SourceFile)
    assert result.span.line == 1 and result.span.column == 4


def test_nul_bytes_are_reported() -> None:
    result = decode_source("nul.oi", b"param a: any = 1\nparam\x00 b")
    assert not isinstance(result, SourceFile)
    assert (result.code, result.span.line, result.span.column) == ("E0003", 2, 6)
    # Text that reaches the parser with a NUL in it (an editor buffer) is still only a diagnostic.
    assert codes_of("param a: any = \x00") == ["E0102"]


def test_a_file_over_the_size_limit_is_one_diagnostic(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "huge.oi"
    path.write_bytes(b"# padding\n" * (10 * 1024 * 1024 // 10))
    result = read_source(str(path))
    assert not isinstance(result, SourceFile)
    assert result.code == "E0002"
    assert len(b"x" * MAX_SOURCE_BYTES) < path.stat().st_size


def test_missing_and_directory_paths_raise_a_one_line_error(tmp_path: object) -> None:
    with pytest.raises(UnreadableSource, match="no such file"):
        read_source(f"{tmp_path}/absent.oi")
    with pytest.raises(UnreadableSource, match="directory"):
        read_source(str(tmp_path))


def test_bom_crlf_and_lone_cr_are_normalised() -> None:
    result = decode_source(
        "win.oi", b"\xef\xbb\xbfparam a: any = 1\r\nparam b: any = 2\rparam c: any = [\r\n"
    )
    assert isinstance(result, SourceFile)
    assert result.text == "param a: any = 1\nparam b: any = 2\nparam c: any = [\n"
    module, found = parse(result)
    assert [(d.code, d.span.line) for d in found] == [("E0103", 4)]
    assert module is not None and len(module.declarations) == 2


def test_tabs_and_line_separators() -> None:
    module, found = parse_text('param\ta:\tany\t=\t"x\u2028y"\n')
    assert found == [] and module is not None
    found = parse_text("param a: any = 1 \u2028 + 2")[1]
    assert [(d.code, d.span.column) for d in found] == [("E0102", 18)]
    assert "U+2028" in found[0].message


@pytest.mark.parametrize("opener", ["[", "(", "{a: ", "[{a: (", '"${'])
def test_fifty_thousand_nested_brackets(opener: str) -> None:
    text = "param p: any = " + opener * 50_000
    module, found = parse_text(text)
    assert module is None
    assert [d.code for d in found] == ["E0107"]


def test_nesting_at_the_limit_parses() -> None:
    depth = MAX_NESTING
    module, found = parse_text("param p: any = " + "[" * depth + "1" + "]" * depth)
    assert found == [] and module is not None
    _module, found = parse_text("param p: any = " + "[" * (depth + 1) + "1" + "]" * (depth + 1))
    assert [(d.code, d.message) for d in found] == [("E0107", f"expression nested more than {depth} deep")]


@pytest.mark.parametrize(
    "text",
    [
        "param p: any = " + "- " * 20_000 + "1",
        "param p: any = " + "not " * 20_000 + "x",
        "param p: any = " + "a if b else " * 10_000 + "c",
        "param p: any = " + "(" * 100 + "1" + ")" * 100,
        "on " + "not " * 20_000 + "engine.started { }",
    ],
    ids=["minus", "not", "conditional", "parentheses", "condition-not"],
)
def test_nesting_operators_hit_the_depth_limit(text: str) -> None:
    module, found = parse_text(text)
    assert module is None
    assert [d.code for d in found] == ["E0107"]


@pytest.mark.parametrize(
    "text",
    [
        "param p: any = a" + ".b" * 20_000,
        "param p: any = 1" + " + 1 - 2" * 10_000,
        "param p: any = 1" + " * 2 / 3 % 4" * 7_000,
        "param p: any = a" + " and b" * 20_000,
        "param p: any = a" + " or b" * 20_000,
        "param p: any = x" + "[0]" * 20_000,
        "param p: any = x" + ".a[0]" * 10_000,
    ],
    ids=["members", "sum", "product", "and", "or", "index", "members-and-index"],
)
def test_flat_chains_are_not_nesting(text: str) -> None:
    module, found = parse_text(text)
    assert found == [] and module is not None
    declaration = module.declarations[0]
    assert isinstance(declaration, ast.ParamDecl) and declaration.default is not None
    base, links = ast.chain_links(declaration.default)
    assert isinstance(base, (ast.Name, ast.NumberLiteral)) and len(links) >= 20_000


def test_a_two_megabyte_line() -> None:
    long_string = 'param p: string = "' + "x" * 2_000_000 + '"\n'
    module, found = parse_text(long_string)
    assert found == [] and module is not None
    declaration = module.declarations[0]
    assert isinstance(declaration, ast.ParamDecl) and isinstance(declaration.default, ast.StringLiteral)
    assert len(declaration.default.value) == 2_000_000
    assert codes_of("# " + "y" * 2_000_000 + "\n" + VALID) == []
    assert codes_of("param p: any = " + "@" * 2_000_000) == ["E0102"]
    assert codes_of("param p: any = " + "1 " * 1_000_000) == ["E0101"]


def test_a_ten_megabyte_text_given_directly() -> None:
    text = ("# " + "z" * 98 + "\n") * 100_000 + "param p: any = [\n"
    _module, found = parse_text(text)
    assert [(d.code, d.span.line) for d in found] == [("E0103", 100_002)]


@pytest.mark.parametrize(
    "literal", ["1e999999", "9" * 5000, "1" * 100_000 + ".5", "0." + "0" * 10_000 + "1e-99999"]
)
def test_huge_number_literals(literal: str) -> None:
    module, found = parse_text(f"param p: any = {literal}")
    if found:
        assert [d.code for d in found] == ["E0106"]
    else:
        assert module is not None
        declaration = module.declarations[0]
        assert isinstance(declaration, ast.ParamDecl) and isinstance(declaration.default, ast.NumberLiteral)


def test_every_prefix_of_a_valid_file_gives_a_module_or_a_diagnostic() -> None:
    for end in range(len(VALID) + 1):
        module, found = parse_text(VALID[:end])
        assert module is not None or found
        for diagnostic in found:
            assert codes.lookup(diagnostic.code) is not None
