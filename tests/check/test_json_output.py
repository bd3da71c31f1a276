"""`oic check --format json` against its published JSON Schema (`docs/schemas/check-output.json`),
on the output of a real run over several files: errors, warnings, hints, empty spans, a file that is
not UTF-8, standard input and a clean file."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from oic import exit_codes
from tests.check.support import BROKEN, CLEAN, WARNED, write

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "docs" / "schemas" / "check-output.json"
DOC = ROOT / "docs" / "check-json.md"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(loaded)
    return loaded


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    project = tmp_path_factory.mktemp("project")
    write(project / "pipelines/a_error.oi", BROKEN)
    write(project / "pipelines/b_warned.oi", WARNED.replace('"x"\n', '"x"  # oic: ignore[W0102]\n'))
    write(project / "pipelines/c_clean.oi", CLEAN)
    write(project / "pipelines/d_cut_short.oi", 'pipeline "p" {}\non engine.started {\n')
    (project / "pipelines/e_latin1.oi").write_bytes(b'pipeline "caf\xe9" {}\n')
    write(project / "pipelines/f_wrong_type.oi", CLEAN.replace('"ls"', "3"))  # E0303, without a hint
    arguments = ["check", "--format", "json", "--stdin-filename", "editor.oi", "pipelines", "-"]
    completed = subprocess.run(
        [sys.executable, "-m", "oic", *arguments],
        input=WARNED.encode(),
        capture_output=True,
        cwd=project,
        timeout=120,
        check=False,
    )
    assert completed.returncode == exit_codes.DIAGNOSTICS, completed.stderr
    assert completed.stderr == b""
    parsed: dict[str, Any] = json.loads(completed.stdout)
    return parsed


def test_real_output_is_valid_against_the_schema(schema: dict[str, Any], report: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(report)


def test_the_run_covered_every_kind_of_entry(report: dict[str, Any]) -> None:
    # (so that the validation above saw each of them)
    assert report["version"] == 1
    assert [entry["file"] for entry in report["files"]] == [
        "pipelines/a_error.oi",
        "pipelines/b_warned.oi",
        "pipelines/c_clean.oi",
        "pipelines/d_cut_short.oi",
        "pipelines/e_latin1.oi",
        "pipelines/f_wrong_type.oi",
        "editor.oi",
    ]
    found = [(d["file"].split("/")[-1], d["code"]) for d in report["diagnostics"]]
    assert found == [
        ("a_error.oi", "E0302"),
        ("b_warned.oi", "W0103"),
        ("b_warned.oi", "W0114"),
        ("d_cut_short.oi", "E0103"),
        ("e_latin1.oi", "E0001"),
        ("f_wrong_type.oi", "E0303"),
        ("editor.oi", "W0103"),
    ]
    assert {d["severity"] for d in report["diagnostics"]} == {"error", "warning"}
    assert any(d["hint"] for d in report["diagnostics"]) and any(not d["hint"] for d in report["diagnostics"])
    assert any((d["line"], d["column"]) == (d["end_line"], d["end_column"]) for d in report["diagnostics"])


def test_the_counts_of_each_file_are_its_diagnostics(report: dict[str, Any]) -> None:
    for entry in report["files"]:
        own = [d for d in report["diagnostics"] if d["file"] == entry["file"]]
        assert entry["errors"] == sum(1 for d in own if d["severity"] == "error")
        assert entry["warnings"] == sum(1 for d in own if d["severity"] == "warning")
    assert {d["file"] for d in report["diagnostics"]} <= {entry["file"] for entry in report["files"]}


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r["diagnostics"],  # the array of the first format
        lambda r: {**r, "version": 2},
        lambda r: {key: value for key, value in r.items() if key != "files"},
        lambda r: {**r, "diagnostics": [{**r["diagnostics"][0], "severity": "info"}]},
        lambda r: {**r, "diagnostics": [{**r["diagnostics"][0], "column": 0}]},
        lambda r: {**r, "diagnostics": [{**r["diagnostics"][0], "code": "RUF100"}]},
        lambda r: {**r, "files": [{**r["files"][0], "related": []}]},
    ],
    ids=["bare-array", "version", "no-files", "severity", "column-0", "code", "extra-field"],
)
def test_the_schema_refuses_what_the_format_is_not(
    schema: dict[str, Any], report: dict[str, Any], change: Any
) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(change(report))


def test_every_field_of_the_schema_is_documented(schema: dict[str, Any]) -> None:
    doc = DOC.read_text(encoding="utf-8")
    fields = set(schema["properties"])
    for definition in schema["$defs"].values():
        fields |= set(definition.get("properties", {}))
    undocumented = sorted(field for field in fields if not re.search(rf"^\| `{field}` \|", doc, re.MULTILINE))
    assert fields and not undocumented
    assert "schemas/check-output.json" in doc
