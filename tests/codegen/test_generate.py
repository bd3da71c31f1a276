"""Generated modules: golden text, the import rule, and what the reactions build when run.

Set ``OI_UPDATE_GOLDEN=1`` to rewrite ``golden/*.py`` from ``pipelines/*.oi`` (then review the diff).
"""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path
from typing import Any

import pytest

from oic.codegen import generate
from oic.codegen.generator import EXPORTED_NAMES
from runtime.expressions import PipelineError, Secret
from tests.codegen.support import (
    arguments_of,
    check_text,
    compile_text,
    event,
    finish_task,
    fire,
    load,
    started_state,
)

HERE = Path(__file__).parent
PIPELINES = sorted((HERE / "pipelines").glob("*.oi"))
UPDATE = os.environ.get("OI_UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("source", PIPELINES, ids=lambda path: path.stem)
def test_golden(source: Path) -> None:
    module = compile_text(source.read_text(encoding="utf-8"), path=source.name)
    golden = HERE / "golden" / f"{source.stem}.py"
    if UPDATE:
        golden.write_text(module.text, encoding="utf-8")
    assert golden.exists(), f"no golden file for {source.name}: run with OI_UPDATE_GOLDEN=1"
    assert module.text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("source", PIPELINES, ids=lambda path: path.stem)
def test_generated_modules_import_only_runtime_exported(source: Path) -> None:
    module = compile_text(source.read_text(encoding="utf-8"), path=source.name)
    tree = ast.parse(module.text)
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            pytest.fail(f"generated code imports {[alias.name for alias in node.names]}")
        if isinstance(node, ast.ImportFrom):
            assert node.module in ("runtime.exported", "__future__"), node.module
            imported.extend(alias.name for alias in node.names if node.module == "runtime.exported")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in ("eval", "exec", "__import__", "getattr", "open", "compile")
    import runtime.exported

    assert imported and set(imported) <= set(runtime.exported.__all__)


def test_the_generator_knows_exactly_the_exported_names() -> None:
    import runtime.exported

    assert set(runtime.exported.__all__) == EXPORTED_NAMES
    for exported_name in runtime.exported.__all__:
        assert hasattr(runtime.exported, exported_name)


def test_spec_and_services_of_the_features_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OI_WHO", "from-env")
    generated = compile_text(
        (HERE / "pipelines" / "features.oi").read_text(encoding="utf-8"), path="features.oi"
    )
    module = load(generated)
    spec = module.PROGRAM
    assert (spec.name, spec.parallelism, spec.timeout, spec.source_path) == (
        "features",
        4,
        120.0,
        "features.oi",
    )
    assert spec.source_sha256 == generated.source_sha256 and len(spec.source_sha256) == 64
    params = {param.name: param for param in spec.params}
    assert [param.type for param in spec.params] == ["string", "secret", "number", "list[string]"]
    assert params["who"].default({}) == "from-env"
    assert params["labels"].default({}) == ["a", "b"]
    assert not any(param.required for param in spec.params)
    pipeline = spec.build({"who": "w", "token": "tok", "limit": 2, "labels": []})
    services = {service.alias: service for service in pipeline.spec.services}
    assert services["web"].builtin and services["web"].name == "http"
    schema = json.loads(services["web"].schemas["call/arguments.json"])
    assert "URL" in schema["properties"]
    assert len(pipeline.spec.reactions) == 5


FEATURES_PARAMS = {"who": "w", "token": "tok", "limit": 1, "labels": []}


def _features() -> Any:
    return load(
        compile_text((HERE / "pipelines" / "features.oi").read_text(encoding="utf-8"), path="features.oi")
    )


def test_reactions_build_tasks_with_computed_arguments() -> None:
    module = _features()
    state, started = started_state()
    [fetch] = fire(module, FEATURES_PARAMS, state, started)
    assert fetch.metadata.name == "fetch" and fetch.spec.service == "web" and fetch.spec.endpoint == "call"
    header = arguments_of(fetch)["Headers"][0]["Value"]
    assert header == "Bearer tok" and isinstance(header, Secret)

    body = {"items": [{"label": "x", "n": 1, "done": True}, {"label": "y", "n": 2, "done": False}]}
    finished = finish_task(state, "fetch", output={"Status": 200, "Headers": [], "Body": json.dumps(body)})
    tasks = {task.metadata.name: task for task in fire(module, FEATURES_PARAMS, state, finished)}
    assert set(tasks) == {"notify-x", "summary", "big"}
    notify = tasks["notify-x"]
    assert notify.metadata.reusable and notify.metadata.timeout == 30.0
    assert (notify.metadata.retry.attempts, notify.metadata.retry.backoff) == (3, 0.5)
    assert arguments_of(notify) == {"Command": "label x #1"}
    assert arguments_of(tasks["summary"]) == {"Command": "Y"}
    assert arguments_of(tasks["big"]) == {"Command": "2 items"}


def test_guards_and_reported_events() -> None:
    module = _features()
    state, _ = started_state()
    low = event("task.reported", {"task": "fetch", "id": "r", "event": "progress", "data": {"percent": 10}})
    state.apply(low)
    assert fire(module, FEATURES_PARAMS, state, low) == []
    high = event("task.reported", {"task": "fetch", "id": "r", "event": "progress", "data": {"percent": 60}})
    state.apply(high)
    [half] = fire(module, FEATURES_PARAMS, state, high)
    assert arguments_of(half) == {"Command": "echo features half"}


def test_failure_reaction_reads_the_error() -> None:
    module = _features()
    state, _ = started_state()
    failed = finish_task(state, "fetch", status="failed", error="connection refused")
    [alarm] = fire(module, FEATURES_PARAMS, state, failed)
    assert arguments_of(alarm) == {"Command": "failed: connection refused"}


CASES: list[tuple[str, Any]] = [
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("7 / 2", 3.5),
    ("6 / 3", 2),
    ("7 % 3", 1),
    ("-limit", -2),
    ('"a" + "b"', "ab"),
    ("[1] + [2]", [1, 2]),
    ("1 == 1.0", True),
    ("1 != 2", True),
    ("2 < 3 and 3 <= 3", True),
    ("not (1 > 2) or false", True),
    ("2 in xs", True),
    ('"k" in {k: 1}', True),
    ('"yes" if len(xs) > 2 else "no"', "yes"),
    ("[for x in xs if x > 1: x * 10]", [20, 30]),
    ("{for x in xs: string(x) => x}", {"1": 1, "2": 2, "3": 3}),
    ('{a: 1, "b c": [true, null]}', {"a": 1, "b c": [True, None]}),
    ("xs[1]", 2),
    ("xs[-1]", 3),
    ("obj.a", 1),
    ('obj["a"]', 1),
    ('"hi ${who}, ${xs} ${obj} ${null}${true}"', 'hi w, [1,2,3] {"a":1} true'),
    ('"escapes \\" \\\\ \\$ \\n"', 'escapes " \\ $ \n'),
    ("pipeline.name", "cases"),
    ("event.name", "engine.started"),
    ('format("{}-{}", 1, "a")', "1-a"),
    ('join(split("a,b", ","), "+")', "a+b"),
    ("keys(obj)", ["a"]),
    ("values(obj)", [1]),
    ('lower("AB") + upper("cd") + trim("  e ")', "abCDe"),
    ('contains(xs, 3) and starts_with("abc", "a") and ends_with("abc", "c")', True),
    ('replace("a-b", "-", "+")', "a+b"),
    ("default(null, 3)", 3),
    ("range(3)", [0, 1, 2]),
    ('number("4") + len("abc")', 7),
    ('parse_json("[1, 2]")', [1, 2]),
    ("json({a: [1]})", '{"a":[1]}'),
    ("string(2.5)", "2.5"),
]


def test_each_expression_construct_evaluates_right() -> None:
    lines = [
        'pipeline "cases" {}',
        "param limit: number = 2",
        'param who: string = "w"',
        "param xs: list[number] = [1, 2, 3]",
        "param obj: object = {a: 1}",
        'service web = catalog "http"',
        "on engine.started {",
    ]
    for index, (expression, _) in enumerate(CASES):
        lines.append(
            f'  task "case-{index}" = web.call(Verb: "GET", URL: "http://x", Content: json({expression}))'
        )
    lines.append("}")
    module = load(compile_text("\n".join(lines) + "\n", path="cases.oi"))
    state, started = started_state()
    params = {"limit": 2, "who": "w", "xs": [1, 2, 3], "obj": {"a": 1}}
    results = {
        task.metadata.name: json.loads(arguments_of(task)["Content"])
        for task in fire(module, params, state, started)
    }
    for index, (expression, expected) in enumerate(CASES):
        assert results[f"case-{index}"] == expected, expression


def test_let_for_if_and_builders_scope_names_properly() -> None:
    text = """pipeline "scopes" {}
service shell = catalog "exec"
builder echo(text: string) {
  task "echo-${text}" = shell.command(Command: text)
}
on engine.started {
  let x = "outer"
  for x in ["a", "b"] if x != "b" {
    let y = "inner-${x}"
    echo(y)
  }
  if x == "outer" { echo(x) } else { echo("wrong") }
}
"""
    module = load(compile_text(text, path="scopes.oi"))
    state, started = started_state()
    names = [task.metadata.name for task in fire(module, {}, state, started)]
    assert names == ["echo-inner-a", "echo-outer"]


def test_a_runtime_error_names_the_oi_position() -> None:
    text = """pipeline "oops" {}
service web = catalog "http"
on engine.started {
  task "fetch" = web.call(Verb: "GET", URL: "http://x")
}
on task("fetch").finished(success) {
  let body = parse_json(tasks["fetch"].output.Body)
  task "next" = web.call(Verb: "GET", URL: "http://x/${body.cards}")
}
"""
    module = load(compile_text(text, path="oops.oi"))
    state, _ = started_state()
    finished = finish_task(state, "fetch", output={"Status": 200, "Headers": [], "Body": '{"items": []}'})
    with pytest.raises(PipelineError) as caught:
        fire(module, {}, state, finished)
    assert str(caught.value) == "oops.oi:8:61: no field 'cards' in the object (fields: items)"


def test_generation_is_deterministic() -> None:
    text = (HERE / "pipelines" / "features.oi").read_text(encoding="utf-8")
    program = check_text(text, path="features.oi")
    assert generate(program).text == generate(program).text
