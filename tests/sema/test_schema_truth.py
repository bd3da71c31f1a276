"""The compiler and the engine read endpoint schemas alike: the same init-answer keys, the same
validator verdicts (remembered across checks by ``oic/sema/schema_verdicts.py``)."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from oic.frontend import check_file
from oic.sema import schema_verdicts
from oic.sema.reporter import Reporter
from oic.sema.schemas import _from_init_answer
from oic.source import SourceFile
from oic.syntax import ast
from oic.syntax.parser import parse
from runtime.services.base import RunContext
from runtime.services.local import LocalRunner
from runtime.services.schemas import SchemaError, parse_schema_map
from tests.services.support import SERVICE_ENV, path_service

ROOT = Path(__file__).resolve().parents[2]
GOOD = json.dumps({"type": "object", "properties": {"Name": {"type": "string"}}, "required": ["Name"]})
INVALID = json.dumps({"type": "object", "properties": {"Name": {"type": "strnig"}}})

INIT_ANSWERS: list[dict[str, str]] = [
    {"greet/arguments.json": GOOD, "greet/returns.json": "{}"},
    {"endpoints/greet/arguments.json": GOOD, "endpoints/greet/returns.json": "{}"},
    # The original's catalog also answered with type definitions: skipped, not fatal.
    {"endpoints/greet/arguments.json": GOOD, "types/auth.json": "not JSON", "types/a/b.json": "{}"},
    {"greet/returns.json": GOOD, "README": "", "greet/schema.json": "{}", "a/b/arguments.json": GOOD},
    {"endpoints/types/arguments.json": GOOD, "types.json": "{}"},
    {"greet/arguments.json": INVALID, "other/returns.json": GOOD},
    {"greet/arguments.json": "{not json"},
    {"greet/returns.json": "[1, 2]"},
    {},
]


def _declaration() -> ast.ServiceDecl:
    module, _ = parse(SourceFile("p.oi", 'pipeline "p" {}\nservice s = path "./s"\n'))
    assert module is not None
    return next(d for d in module.declarations if isinstance(d, ast.ServiceDecl))


@pytest.mark.parametrize("answer", INIT_ANSWERS, ids=range(len(INIT_ANSWERS)))
def test_the_compiler_and_the_engine_read_an_init_answer_alike(answer: dict[str, str]) -> None:
    reporter = Reporter(SourceFile("p.oi", ""))
    compiled = _from_init_answer(answer, _declaration(), reporter)
    compiler_refused = [d.message for d in reporter.diagnostics if d.code == "E0311"]
    try:
        engine = parse_schema_map(answer)
    except SchemaError as error:
        assert compiler_refused, f"the engine refuses ({error}) what the compiler accepts"
        return
    assert not compiler_refused, f"the compiler refuses what the engine accepts: {compiler_refused}"
    assert set(compiled) == set(engine.names())
    for endpoint, schemas in compiled.items():
        served = engine.get(endpoint)
        assert served is not None
        for kind in ("arguments", "returns"):
            validator = getattr(served, kind)
            assert getattr(schemas, kind) == (None if validator is None else validator.schema), (
                endpoint,
                kind,
            )


SERVICE = """
import json
from runtime.sdk import CallContext, Service

service = Service("greeter")


@service.endpoint("greet", arguments={GOOD}, returns={{"type": "object"}})
def greet(arguments: dict, context: CallContext) -> dict:
    return {{"Greeting": "hi " + arguments["Name"]}}


plain_answer = service.json_schemas
# Like the original catalog's services: type definitions beside the endpoints' schemas.
service.json_schemas = lambda: {{**plain_answer(), "types/auth.json": json.dumps({{"type": "object"}})}}

if __name__ == "__main__":
    service.serve()
"""


def test_a_service_answering_with_types_keys_is_typed_by_the_checker_and_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    binary = tmp_path / "greeter"
    binary.write_text(f"#!{sys.executable}\n" + SERVICE.format(GOOD=GOOD), encoding="utf-8")
    binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    pipeline = tmp_path / "pipeline.oi"
    pipeline.write_text(
        'pipeline "p" {}\nservice g = path "./greeter"\non engine.started { task "a" = g.greet(Nam: "x") }\n',
        encoding="utf-8",
    )
    result = check_file(pipeline, schema_cache=False)
    assert [(d.span.line, d.code) for d in result.diagnostics] == [(3, "E0302")], result.diagnostics

    runner = LocalRunner(extra_env=SERVICE_ENV)
    try:
        connection = runner.start([path_service("g", binary)], RunContext("t1", str(tmp_path), ""))["g"]
        assert connection.has_schemas()
        assert connection.call("greet", {"Name": "oi"}, "", 30) == {"Greeting": "hi oi"}
    finally:
        runner.stop()


# -- the verdicts, remembered ----------------------------------------------------------------------

SCHEMA: dict[str, Any] = {"type": "object", "properties": {"At": {"type": "string", "format": "date-time"}}}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "oi"


def test_verdicts_are_the_validator_s_and_survive_the_process(cache: Path) -> None:
    first = schema_verdicts.VerdictStore()
    assert first.schema_problem({"type": "strnig"}) is not None
    assert first.schema_problem(SCHEMA) is None
    violation = first.constant_violation(SCHEMA, "At", "yesterday")
    assert violation == (("At",), "$.At: 'yesterday' is not a 'date-time'")
    assert first.constant_violation(SCHEMA, "At", "2024-01-01T00:00:00Z") is None
    first.save()
    (saved,) = cache.glob("schema-verdicts-*.json")

    second = schema_verdicts.VerdictStore()
    assert second.constant_violation(SCHEMA, "At", "yesterday") == violation
    assert second.schema_problem({"type": "strnig"}) == first.schema_problem({"type": "strnig"})
    assert not second.dirty, "the answers came from the file"
    # Key order does not change the question.
    assert second.constant_violation(dict(reversed(list(SCHEMA.items()))), "At", "yesterday") == violation
    assert json.loads(saved.read_text(encoding="utf-8"))["format"] == schema_verdicts.FILE_FORMAT


def test_answers_given_by_other_code_are_not_used(cache: Path, tmp_path: Path) -> None:
    first = schema_verdicts.VerdictStore()
    first.schema_problem(SCHEMA)
    first.save()
    (saved,) = cache.glob("schema-verdicts-*.json")
    data = json.loads(saved.read_text(encoding="utf-8"))
    # Pretend the answer was given by a validator module that has changed since.
    module = tmp_path / "validator.py"
    module.write_text("old", encoding="utf-8")
    status = module.stat()
    data["provenance"].append([str(module), status.st_size, status.st_mtime_ns])
    data["schemas"] = {text: ["a stale answer", {}] for text in data["schemas"]}
    saved.write_text(json.dumps(data), encoding="utf-8")
    assert schema_verdicts.VerdictStore().schema_problem(SCHEMA) == "a stale answer"
    module.write_text("changed", encoding="utf-8")
    assert schema_verdicts.VerdictStore().schema_problem(SCHEMA) is None


def test_without_the_disk_nothing_is_read_or_written(cache: Path) -> None:
    store = schema_verdicts.VerdictStore()
    store.use_disk(False)
    assert store.schema_problem(SCHEMA) is None
    store.save()
    assert not cache.exists()


def test_a_broken_cache_file_only_means_asking_again(cache: Path) -> None:
    cache.mkdir(parents=True)
    store = schema_verdicts.VerdictStore()
    path = schema_verdicts._cache_path()
    for content in ("not json", "[]", '{"format": 1, "provenance": [], "schemas": 3}', '{"format": 1}'):
        path.write_text(content, encoding="utf-8")
        store = schema_verdicts.VerdictStore()
        assert store.constant_violation(SCHEMA, "At", "yesterday") is not None
    store.save()
    assert json.loads(path.read_text(encoding="utf-8"))["schemas"]
