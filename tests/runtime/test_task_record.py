"""``tasks[NAME]``: a record for every name, run or not, with the language's status words."""

from __future__ import annotations

from typing import Any

import pytest

from runtime import expressions as x
from runtime.model import (
    TASK_STATE_FINISHED,
    TASK_STATE_IN_PROGRESS,
    TASK_STATE_PENDING,
    TASK_STATUS_FAILED,
    TASK_STATUS_SUCCESS,
    TASK_STATUS_WORDS,
    file_status,
    status_word,
)
from tests.runtime.helpers import Timeline

SITE = ("pipeline.oi", 7, 3)


def record(timeline: Timeline, name: str) -> dict[str, Any]:
    return x.get_index(x.tasks_value(timeline.state), name, SITE)


def shown(status: str, output: Any = None, error: str = "", arguments: Any = None) -> dict[str, Any]:
    return {"status": status, "output": output, "error": error, "arguments": arguments}


def test_a_task_that_was_never_built_has_a_record_of_status_none() -> None:
    timeline = Timeline()
    timeline.run("other")
    ghost = record(timeline, "ghost")
    assert ghost == shown("none")
    assert x.interpolate("b: ", x.get_member(ghost, "error", SITE)) == "b: "


def test_the_record_follows_the_latest_run() -> None:
    timeline = Timeline()
    first = timeline.build("r")
    assert record(timeline, "r") == shown("waiting")
    timeline.start(first, {"n": 1})
    assert record(timeline, "r") == shown("running", arguments={"n": 1})
    timeline.finish(first, output={"v": 1})
    assert record(timeline, "r") == {
        "status": "success",
        "output": {"v": 1},
        "error": "",
        "arguments": {"n": 1},
    }
    # A rerun of a reusable task: the status is the new run's, the output the last finished run's.
    second = timeline.build("r")
    assert record(timeline, "r") == {
        "status": "waiting",
        "output": {"v": 1},
        "error": "",
        "arguments": {"n": 1},
    }
    timeline.start(second, {"n": 2})
    assert record(timeline, "r") == {
        "status": "running",
        "output": {"v": 1},
        "error": "",
        "arguments": {"n": 2},
    }
    timeline.finish(second, "failed", error="boom")
    assert record(timeline, "r") == {
        "status": "failed",
        "output": None,
        "error": "boom",
        "arguments": {"n": 2},
    }


def test_output_is_decoded_and_labelled_for_messages() -> None:
    timeline = Timeline()
    run = timeline.build("fetch")
    timeline.start(run)
    timeline.finish(run, output='{"items": [1]}')
    output = x.get_member(record(timeline, "fetch"), "output", SITE)
    assert output == {"items": [1]}
    with pytest.raises(x.PipelineError, match="no field 'cards' in the output of task 'fetch'"):
        x.get_member(output, "cards", SITE)


def test_status_words_and_file_spellings_are_one_mapping() -> None:
    assert TASK_STATUS_WORDS == ("waiting", "running", "success", "failed", "none")
    assert status_word(TASK_STATE_PENDING, "") == "waiting"
    assert status_word(TASK_STATE_IN_PROGRESS, "") == "running"
    assert status_word(TASK_STATE_FINISHED, TASK_STATUS_SUCCESS) == "success"
    assert status_word(TASK_STATE_FINISHED, TASK_STATUS_FAILED) == "failed"
    for word, spelled in (
        ("success", "Success"),
        ("Success", "Success"),
        ("failed", "failed"),
        (" FAILED ", "failed"),
    ):
        assert file_status(word) == spelled
    with pytest.raises(ValueError, match="use 'success' or 'failed'"):
        file_status("succeeded")
    # What a pipeline compares a status with is the word, never the files' spelling.
    timeline = Timeline()
    timeline.run("a")
    status = x.get_member(record(timeline, "a"), "status", SITE)
    assert x.equal(status, "success") and not x.equal(status, "Success")
    assert timeline.state.task("a") is not None and timeline.state.task("a").status == "Success"  # type: ignore[union-attr]
