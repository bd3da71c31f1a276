"""The value semantics of runtime.expressions, called directly."""

from __future__ import annotations

import pytest

from runtime import expressions as x
from runtime import stdlib_functions as functions
from runtime.expressions import PipelineError, Secret
from tests.codegen.support import event, finish_task, started_state

SITE = ("pipeline.oi", 12, 5)


def test_member_access_and_missing_field_names_the_position_and_the_fields() -> None:
    state, _ = started_state()
    finish_task(state, "fetch", output={"items": [1, 2], "total": 2})
    output = x.get_member(x.get_index(x.tasks_value(state), "fetch", SITE), "output", SITE)
    assert x.get_member(output, "total", SITE) == 2
    with pytest.raises(PipelineError) as caught:
        x.get_member(output, "cards", SITE)
    assert str(caught.value) == (
        "pipeline.oi:12:5: no field 'cards' in the output of task 'fetch' (fields: items, total)"
    )


def test_nested_objects_keep_saying_where_they_came_from() -> None:
    state, _ = started_state()
    finish_task(state, "fetch", output={"board": {"id": 3}})
    output = x.get_member(x.get_index(x.tasks_value(state), "fetch", SITE), "output", SITE)
    board = x.get_member(output, "board", SITE)
    with pytest.raises(PipelineError, match="no field 'name' in field 'board' of the output of task 'fetch'"):
        x.get_member(board, "name", SITE)


def test_task_view_has_status_error_and_arguments() -> None:
    state, _ = started_state()
    finish_task(state, "t", status="failed", error="boom", arguments={"URL": "http://x"})
    view = x.get_index(x.tasks_value(state), "t", SITE)
    assert view["status"] == "failed"
    assert view["error"] == "boom"
    assert view["output"] is None
    assert x.get_member(view["arguments"], "URL", SITE) == "http://x"


def test_a_task_that_never_ran_is_an_error() -> None:
    state, _ = started_state()
    with pytest.raises(PipelineError, match=r"^pipeline.oi:12:5: task \"ghost\" has not run"):
        x.get_index(x.tasks_value(state), "ghost", SITE)


def test_event_and_pipeline_values() -> None:
    finished = event("task.finished", {"task": "a", "status": "Success"})
    value = x.event_value(finished)
    assert value["name"] == "task.finished"
    assert value["id"] == finished.metadata.id
    assert x.get_member(value["payload"], "task", SITE) == "a"
    with pytest.raises(PipelineError, match="the payload of event 'task.finished'"):
        x.get_member(value["payload"], "nope", SITE)
    assert x.pipeline_value("hello") == {"name": "hello"}


def test_index_rules() -> None:
    assert x.get_index([10, 20, 30], 1, SITE) == 20
    assert x.get_index([10, 20, 30], -1, SITE) == 30
    assert x.get_index([10, 20, 30], 2.0, SITE) == 30
    assert x.get_index("abc", 0, SITE) == "a"
    assert x.get_index({"a": 1}, "a", SITE) == 1
    with pytest.raises(PipelineError, match="index 3 is out of range for a list of length 3"):
        x.get_index([1, 2, 3], 3, SITE)
    with pytest.raises(PipelineError, match="indexed by a number, not a bool"):
        x.get_index([1], True, SITE)
    with pytest.raises(PipelineError, match="cannot index null"):
        x.get_index(None, 0, SITE)


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (1, 2, 3),
        (1.5, 1, 2.5),
        ("a", "b", "ab"),
        ([1], [2], [1, 2]),
        ({"a": 1}, {"a": 2, "b": 3}, {"a": 2, "b": 3}),
    ],
)
def test_add(left: object, right: object, expected: object) -> None:
    assert x.add(left, right, SITE) == expected


def test_add_refuses_mixed_types_with_a_hint() -> None:
    with pytest.raises(
        PipelineError, match=r"cannot add a string and a number \(build text with interpolation"
    ):
        x.add("n=", 1, SITE)
    with pytest.raises(PipelineError, match="cannot add a bool and a number"):
        x.add(True, 1, SITE)


def test_arithmetic() -> None:
    assert x.subtract(5, 7, SITE) == -2
    assert x.multiply(3, 2.5, SITE) == 7.5
    assert x.divide(6, 2, SITE) == 3 and isinstance(x.divide(6, 2, SITE), int)
    assert x.divide(7, 2, SITE) == 3.5
    assert x.modulo(7, 3, SITE) == 1
    assert x.negate(4, SITE) == -4
    with pytest.raises(PipelineError, match="division by zero"):
        x.divide(1, 0, SITE)
    with pytest.raises(PipelineError, match="'-' needs two numbers, not a string and a number"):
        x.subtract("a", 1, SITE)


def test_equality_is_deep_and_bools_are_not_numbers() -> None:
    assert x.equal(1, 1.0)
    assert not x.equal(True, 1)
    assert x.equal({"a": [1, {"b": None}]}, {"a": [1.0, {"b": None}]})
    assert not x.equal([1, 2], [1])
    assert not x.equal("1", 1)
    assert x.not_equal(None, False)


def test_ordering_and_in() -> None:
    assert x.less(1, 2, SITE) and x.greater_equal("b", "a", SITE)
    with pytest.raises(PipelineError, match="compares two numbers or two strings, not a number and a string"):
        x.less(1, "2", SITE)
    assert x.is_in(2, [1, 2.0], SITE)
    assert x.is_in("k", {"k": 0}, SITE)
    assert x.is_in("ell", "hello", SITE)
    with pytest.raises(PipelineError, match="'in' needs a list, an object or a string"):
        x.is_in(1, 5, SITE)


@pytest.mark.parametrize("value", [None, False, 0, 0.0, "", [], {}])
def test_falsy_values(value: object) -> None:
    assert x.truthy(value) is False


@pytest.mark.parametrize("value", [True, 1, -0.5, "x", [0], {"a": None}])
def test_truthy_values(value: object) -> None:
    assert x.truthy(value) is True


def test_interpolation_renders_json_for_non_strings_and_nothing_for_null() -> None:
    assert x.interpolate("a", 1, " ", 2.5, True, None, [1, "x"], {"k": "é"}) == 'a1 2.5true[1,"x"]{"k":"é"}'


def test_iterate_and_object_keys() -> None:
    assert x.iterate([1, 2], SITE) == [1, 2]
    assert x.iterate({"a": 1, "b": 2}, SITE) == ["a", "b"]
    with pytest.raises(PipelineError, match="cannot loop over a string"):
        x.iterate("abc", SITE)
    with pytest.raises(PipelineError, match="an object key must be a string, not a number"):
        x.object_key(1, SITE)
    with pytest.raises(PipelineError, match="a task name must not be empty"):
        x.task_name("", SITE)


def test_secrets_taint_what_is_built_from_them() -> None:
    seen: list[str] = []
    remove = x.on_secret(seen.append)
    try:
        params = x.mark_secrets({"token": "s3cr3t", "who": "w"}, ("token",))
        assert isinstance(params["token"], Secret) and not isinstance(params["who"], Secret)
        header = x.interpolate("Bearer ", params["token"])
        assert isinstance(header, Secret) and header == "Bearer s3cr3t"
        assert isinstance(x.add(params["who"], params["token"], SITE), Secret)
        shouted = functions.std_upper(SITE, params["token"])
        assert isinstance(shouted, Secret)
        assert isinstance(functions.std_json(SITE, {"t": params["token"]}), Secret)
        assert not isinstance(x.interpolate("plain ", params["who"]), Secret)
    finally:
        remove()
    assert "S3CR3T" in seen and "Bearer s3cr3t" in seen and "s3cr3t" in seen


def test_guarded_condition_checks_its_guard_only_once_satisfied() -> None:
    from runtime.conditions import task_finished_with_status

    calls: list[str] = []

    def guard(event_: object, state_: object) -> bool:
        calls.append("guard")
        return True

    condition = x.guarded(task_finished_with_status("a", "Success"), guard)
    state, started = started_state()
    assert condition(started, state) is False
    assert calls == []
    finished = finish_task(state, "a")
    assert condition(finished, state) is True
    refusing = x.guarded(task_finished_with_status("a", "Success"), lambda event_, state_: False)
    assert refusing(finished, state) is False
