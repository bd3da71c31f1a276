"""``--summary-json`` and ``--junit`` content (``runtime/results.py``): made from the state real
engine runs recorded (in-process runner), validated against the published schema, parsed back as
XML, with secrets and control characters in what the tasks said."""

from __future__ import annotations

import datetime
import json
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from runtime.conditions import engine_started, task_finished_with_status
from runtime.engine import Engine, EngineOptions
from runtime.redact import Redactor
from runtime.results import SUMMARY_SCHEMA, RunRecord, junit_xml, summary, summary_json, write_results
from runtime.state import RunFacts, TaskState
from tests.runtime.helpers import on, pipeline, runner, task

ROOT = Path(__file__).resolve().parents[2]


def validate(value: Any) -> None:
    validator = jsonschema.Draft202012Validator(SUMMARY_SCHEMA, format_checker=jsonschema.FormatChecker())
    validator.validate(value)


def run_engine(pipe: Any, tmp_path: Path, **options: Any) -> tuple[Engine, Any]:
    engine = Engine(
        EngineOptions(
            pipe,
            logs_directory=str(tmp_path),
            runner=runner(),
            handle_signals=False,
            **options,
        )
    )
    return engine, engine.run()


def record_of(engine: Engine, result: Any) -> RunRecord:
    facts, runs = engine.state.snapshot()
    return RunRecord("test-pipeline", facts, runs, result.logs_dir, engine.redactor)


def junit_counts(data: bytes) -> tuple[ElementTree.Element, dict[str, str]]:
    root = ElementTree.fromstring(data)
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    return suite, dict(suite.attrib)


def test_a_run_with_success_retries_and_an_unhandled_failure(tmp_path: Path) -> None:
    pipe = pipeline(
        on(engine_started, task("fetch"), task("flaky", "fail", attempts=3)),
        on(task_finished_with_status("fetch", "success"), task("build")),
    )
    engine, result = run_engine(pipe, tmp_path)
    assert result.exit_code == 3
    record = record_of(engine, result)
    made = summary(record)
    validate(made)
    assert (made["outcome"], made["exit-status"], made["run-id"]) == ("failed", 3, result.run_id)
    by_name = {entry["name"]: entry for entry in made["tasks"]}
    assert [entry["name"] for entry in made["tasks"]] == ["fetch", "flaky", "build"]
    assert (by_name["fetch"]["status"], by_name["fetch"]["attempts"], by_name["fetch"]["error"]) == (
        "succeeded",
        1,
        "",
    )
    assert (by_name["flaky"]["status"], by_name["flaky"]["attempts"]) == ("failed", 3)
    assert "boom" in by_name["flaky"]["error"]
    for entry in made["tasks"]:
        assert entry["duration-seconds"] is not None and entry["started-at"] <= entry["finished-at"]
    # The JSON text is the same value.
    assert json.loads(summary_json(record)) == made

    suite, counts = junit_counts(junit_xml(record))
    assert (counts["tests"], counts["failures"], counts["skipped"], counts["errors"]) == ("3", "1", "0", "0")
    cases = suite.findall("testcase")
    assert [case.get("name") for case in cases] == ["fetch", "flaky", "build"]
    (failure,) = cases[1].findall("failure")
    assert "boom" in (failure.text or "") and "boom" in (failure.get("message") or "")
    assert not cases[0].findall("failure") and not cases[2].findall("failure")
    for case in cases:
        assert float(case.get("time") or "x") >= 0


def test_a_timed_out_run_lists_the_task_it_cut_short_as_skipped(tmp_path: Path) -> None:
    pipe = pipeline(on(engine_started, task("quick"), task("forever", "hang")))
    engine, result = run_engine(pipe, tmp_path, timeout=0.3)
    assert result.exit_code == 4
    record = record_of(engine, result)
    made = summary(record)
    validate(made)
    assert made["outcome"] == "timed-out"
    statuses = {entry["name"]: entry["status"] for entry in made["tasks"]}
    assert statuses == {"quick": "succeeded", "forever": "cancelled"}
    suite, counts = junit_counts(junit_xml(record))
    assert (counts["tests"], counts["failures"], counts["skipped"]) == ("2", "0", "1")
    (cut_short,) = [case for case in suite.findall("testcase") if case.get("name") == "forever"]
    (skipped,) = cut_short.findall("skipped")
    assert "timed out" in (skipped.get("message") or "")


SECRET = "s3cret-Value-42"
MOMENT = datetime.datetime(2026, 1, 5, 9, 14, 2, 118000, tzinfo=datetime.timezone.utc)


def later(milliseconds: int) -> datetime.datetime:
    return MOMENT + datetime.timedelta(milliseconds=milliseconds)


def made_up_record(error: str, name: str = "deploy") -> RunRecord:
    facts = RunFacts("finished", "0123456789abcdef", MOMENT, later(1500), "failed", 3)
    runs = [
        TaskState("a1", name, "finished", "failed", None, None, error, "e1", "", later(10), later(60), 1),
        TaskState("a2", "again", "finished", "Success", {}, {}, "", "e1", "", later(10), later(20), 1),
        TaskState("a3", "again", "finished", "Success", {}, {}, "", "e2", "", later(30), later(40), 2),
    ]
    return RunRecord("made-up", facts, runs, "/tmp/logs", Redactor([SECRET]))


def test_secrets_are_redacted_from_names_and_errors() -> None:
    record = made_up_record(f"it said {SECRET}\nand {json.dumps(SECRET)}", name=f"task-{SECRET}")
    for data in (summary_json(record), junit_xml(record)):
        assert SECRET.encode() not in data
        assert b"***" in data


def test_control_characters_make_valid_xml_and_are_shown_as_escapes() -> None:
    record = made_up_record("bad\x1b]0;title\x07 \x00 \ud800 \ufffe \u202eevil")
    data = junit_xml(record)
    suite, counts = junit_counts(data)
    (failure,) = suite.findall("testcase")[0].findall("failure")
    assert failure.text == "bad\\x1b]0;title\\x07 \\x00 \\ud800 \\ufffe \\u202eevil"
    # JSON carries the exact (redacted) text: json escapes what it must.
    assert json.loads(summary_json(record))["tasks"][0]["error"].startswith("bad\x1b]0;")


def test_a_name_run_twice_is_told_apart_and_times_are_the_state_files() -> None:
    record = made_up_record("no")
    suite, counts = junit_counts(junit_xml(record))
    assert [case.get("name") for case in suite.findall("testcase")] == ["deploy", "again", "again (run 2)"]
    assert [case.get("time") for case in suite.findall("testcase")] == ["0.050", "0.010", "0.010"]
    assert counts["time"] == "1.500" and counts["timestamp"] == "2026-01-05T09:14:02.118Z"
    made = summary(record)
    validate(made)
    assert (made["started-at"], made["finished-at"], made["duration-seconds"]) == (
        "2026-01-05T09:14:02.118Z",
        "2026-01-05T09:14:03.618Z",
        1.5,
    )
    assert [entry["attempts"] for entry in made["tasks"]] == [1, 1, 2]


def test_the_schema_refuses_what_it_should() -> None:
    made = summary(made_up_record("no"))
    for broken in (
        {**made, "outcome": "fine"},
        {**made, "tasks": [{**made["tasks"][0], "status": "ok"}]},
        {**made, "extra": 1},
        {key: value for key, value in made.items() if key != "run-id"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validate(broken)


def test_a_file_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    record = made_up_record("no")
    problems = write_results(record, str(tmp_path / "missing" / "s.json"), str(tmp_path / "j.xml"))
    assert len(problems) == 1 and "cannot write" in problems[0] and "\n" not in problems[0]
    assert ElementTree.parse(tmp_path / "j.xml").getroot().tag == "testsuites"


def test_the_docs_publish_the_schema() -> None:
    page = (ROOT / "docs" / "running.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- summary-schema -->\n```json\n(.*?)\n```", page, re.DOTALL)
    assert match, "docs/running.md has no summary schema block"
    assert json.loads(match.group(1)) == SUMMARY_SCHEMA
