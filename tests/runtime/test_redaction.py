"""Secrets never reach state.yaml, history.yaml, the engine log or the task logs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runtime.conditions import engine_started, task_finished
from runtime.redact import MASK, Redactor, mask_secret_fields
from runtime.services.base import CallFailed
from tests.runtime.fakes import Call
from tests.runtime.helpers import load_state, on, pipeline, run, runner, task, tasks_by_name

SECRET = 'tok-3f9a"quoted"-é'
FIELD_SECRET = "hunter2-password"


def every_file(tmp_path: Path) -> dict[str, str]:
    return {
        str(path.relative_to(tmp_path)): path.read_text(encoding="utf-8")
        for path in (tmp_path / "logs").rglob("*")
        if path.is_file()
    }


def test_secrets_are_redacted_everywhere(tmp_path: Path) -> None:
    def chatty(call: Call) -> Any:
        with open(call.fd, "a", encoding="utf-8") as log:
            log.write(f"using token {call.arguments['auth']} and {call.arguments['password']}\n")
        return {"echo": dict(call.arguments), "header": f"Bearer {call.arguments['auth']}"}

    def leaky_failure(call: Call) -> Any:
        raise CallFailed(f"401 for token {call.arguments['auth']}")

    fake = runner(chatty=chatty, leaky=leaky_failure)
    fake.schemas[("svc", "chatty")] = {
        "type": "object",
        "properties": {"password": {"type": "string", "writeOnly": True}, "auth": {"type": "string"}},
    }
    pipe = pipeline(
        on(engine_started, task("talk", "chatty", auth=SECRET, password=FIELD_SECRET, plain="visible")),
        on(task_finished("talk"), task("leak", "leaky", auth=SECRET)),
    )
    result = run(pipe, fake, tmp_path, secrets=(SECRET,))
    assert result.failed_tasks == ("leak",)
    assert SECRET not in result.message
    files = every_file(tmp_path)
    assert any(name.startswith("logs/tasks/talk-") for name in files)
    for name, text in files.items():
        for secret in (SECRET, FIELD_SECRET, 'tok-3f9a\\"quoted'):
            assert secret not in text, f"{secret!r} found in {name}"
    talk = tasks_by_name(tmp_path)["talk"][0]
    assert '"password": "***"' in talk["arguments"] and '"plain": "visible"' in talk["arguments"]
    assert "Bearer ***" in talk["output"]
    assert "401 for token ***" in tasks_by_name(tmp_path)["leak"][0]["error"]
    assert load_state(tmp_path)["metadata"]["state"] == "finished"
    # The service got the real values: redaction is for what is written, not what is sent.
    assert fake.calls[0][2]["auth"] == SECRET and fake.calls[0][2]["password"] == FIELD_SECRET


def test_service_token_is_redacted(tmp_path: Path) -> None:
    def tell(call: Call) -> Any:
        return {"token": fake.context.service_token}

    fake = runner(tell=tell)
    assert run(
        pipeline(on(engine_started, task("t", "tell"))), fake, tmp_path, service_token="run-token-123"
    ).succeeded
    assert "run-token-123" not in "".join(every_file(tmp_path).values())


def test_redactor_text_and_values() -> None:
    redactor = Redactor(["abcd", ""])
    assert redactor.text("xabcdx abcd") == f"x{MASK}x {MASK}"
    assert redactor.value({"abcd": ["abcd", 1, None, {"k": "1abcd"}]}) == {
        MASK: [MASK, 1, None, {"k": f"1{MASK}"}]
    }


def test_mask_secret_fields_by_path() -> None:
    learner = Redactor()
    value: dict[str, Any] = {
        "Auth": {"Token": "t0ken-value", "App": "a"},
        "Items": [{"key": "k1-secret"}, {"key": "k2-secret"}],
    }
    masked = mask_secret_fields(value, [("Auth", "Token"), ("Items", "*", "key")], learn=learner)
    assert masked == {"Auth": {"Token": MASK, "App": "a"}, "Items": [{"key": MASK}, {"key": MASK}]}
    assert learner.text("t0ken-value k2-secret") == f"{MASK} {MASK}"
    assert value["Auth"]["Token"] == "t0ken-value"  # a copy: the original is untouched


def test_the_catalog_http_helper_masks_through_the_same_rules() -> None:
    from runtime.catalog import remote

    token = "tok/en+1 é"
    quoted = "tok%2Fen%2B1%20%C3%A9"
    text = f"GET https://api.example/cards?token={quoted}: 401 for {token}"
    assert remote.redact(text, [token]) == f"GET https://api.example/cards?token={MASK}: 401 for {MASK}"
    # A value shorter than the minimum is only masked as the whole text, as everywhere else.
    assert remote.redact("pipeline failed", ["p"]) == "pipeline failed"
    assert remote.redact("p", ["p"]) == MASK
    assert remote.display_url("https://h.example/x?key=abc&q=1") == "https://h.example/x?key=***&q=1"


def test_every_scalar_inside_a_secret_field_is_learned() -> None:
    redactor = Redactor()
    arguments = {"creds": {"user": "alice-x", "pins": [123456, 7.25, True, None]}, "plain": "kept"}
    masked = mask_secret_fields(arguments, [("creds",)], learn=redactor)
    assert masked == {"creds": "***", "plain": "kept"}
    assert redactor.text("user alice-x pin 123456 rate 7.25") == "user *** pin *** rate ***"
    # true and null are not secrets: they would mask the words everywhere.
    assert redactor.text("True None true null") == "True None true null"


def test_a_log_file_is_scrubbed_byte_for_byte_around_the_secret(tmp_path: Path) -> None:
    redactor = Redactor()
    redactor.add(SECRET)
    log = tmp_path / "task.log"
    # Bytes that are not UTF-8 stay as they were; the line ends too.
    log.write_bytes(b"\xff\xfe before " + SECRET.encode() + b" after\r\nnext\n")
    assert redactor.file(str(log)) is not None
    assert log.read_bytes() == b"\xff\xfe before " + MASK.encode() + b" after\r\nnext\n"


def test_a_short_secret_is_masked_in_a_log_only_as_a_whole_line(tmp_path: Path) -> None:
    redactor = Redactor()
    redactor.add("k")
    one_byte = tmp_path / "one.log"
    one_byte.write_bytes(b"k")
    redactor.file(str(one_byte))
    assert one_byte.read_bytes() == MASK.encode()
    lines = tmp_path / "lines.log"
    lines.write_bytes(b"k\nk \nkey\n")
    redactor.file(str(lines))
    assert lines.read_bytes() == MASK.encode() + b"\nk \nkey\n"
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    assert redactor.file(str(empty)) == (0, empty.stat().st_mtime_ns)
    assert empty.read_bytes() == b""
