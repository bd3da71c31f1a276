"""What the checker types as secret stays secret at run time, and ordinary words stay readable.

End to end with `oic run` (real processes: the engine, the built-in exec and http services), then
the redactor's rules one by one, and the engine with an in-process service for the spellings JSON
encoders give a secret and the schema fields marked secret.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from runtime import expressions, program
from runtime.conditions import engine_started, task_finished
from runtime.logs import history_line, redacted_json
from runtime.model import Event, EventMetadata, EventReaction, Pipeline
from runtime.redact import MASK, MIN_LENGTH, Redactor
from tests.runtime.fakes import Call
from tests.runtime.helpers import NOW, on, pipeline, run, runner, task, tasks_by_name

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "Abc-Def-Ghi-123"
CREDS = "usr:pa55w0rd"

DERIVED = """pipeline "secrets" {}

param token: secret
param creds: secret
param pin: secret = env("OI_TEST_PIN", "p")

service sh = catalog "exec"
service web = catalog "http"

on engine.started {
  task "std" = sh.command(Command: "echo ${upper(token)} ${lower(token)} ${replace(token, "-", "+")}")
  task "index" = sh.command(Command: "echo ${split(creds, ":")[1]}")
  task "plus" = sh.command(Command: "echo " + replace(token, "-", "_"))
  task "cond" = sh.command(Command: "echo " + (upper(token) if len(pin) > 0 else "x"))
  task "json" = sh.command(Command: "echo '${json({t: lower(token)})}' pipeline")
  task "nested" = web.call(
    Verb: "GET",
    URL: "http://127.0.0.1:1/${trim(upper(creds))}",
    Headers: [{Name: "X", Value: replace(token, "A", "a")}],
    Content: split(creds, ":")[0],
  )
}

on task("nested").finished {
  task "after" = sh.command(Command: "echo pipeline done")
}
"""

# Every value the pipeline above derives from a secret and hands to a service, which echoes it to its
# log or puts it in an error message.
DERIVED_VALUES = [
    TOKEN.upper(),
    TOKEN.lower(),
    TOKEN.replace("-", "+"),
    "pa55w0rd",
    TOKEN.replace("-", "_"),
    TOKEN.replace("A", "a"),
    CREDS.upper(),
    json.dumps({"t": TOKEN.lower()}, separators=(",", ":")),
]


def oic_run(source: Path, *arguments: str, **popen: Any) -> subprocess.Popen[str]:
    environment = dict(os.environ)
    environment.pop("OI_TEST_PIN", None)
    return subprocess.Popen(
        [sys.executable, "-m", "oic", "run", str(source), "--", *arguments],
        cwd=source.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        **popen,
    )


def every_file(logs: Path) -> dict[str, str]:
    return {
        str(path.relative_to(logs)): path.read_text(encoding="utf-8", errors="replace")
        for path in logs.rglob("*")
        if path.is_file()
    }


def assert_nowhere(values: list[str], logs: Path) -> None:
    files = every_file(logs)
    assert files
    for name, text in files.items():
        for value in values:
            assert value not in text, f"{value!r} found in {name}"


def test_values_derived_from_secrets_are_redacted_everywhere(tmp_path: Path) -> None:
    source = tmp_path / "secrets.oi"
    source.write_text(DERIVED, encoding="utf-8")
    child = oic_run(
        source, "--logs-dir", str(tmp_path), "--param", f"token={TOKEN}", "--param", f"creds={CREDS}"
    )
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    logs = tmp_path / "logs"
    assert_nowhere([TOKEN, CREDS, *DERIVED_VALUES], logs)
    for value in DERIVED_VALUES:
        assert value not in err
    runs = {name: entries[0] for name, entries in tasks_by_name(tmp_path).items()}
    assert json.loads(runs["std"]["arguments"]) == {"Command": "echo *** *** ***"}
    assert json.loads(runs["nested"]["arguments"])["Headers"] == [{"Name": "X", "Value": MASK}]
    assert runs["nested"]["error"].startswith("GET http://127.0.0.1:1/***: ")
    # A derived secret shorter than the minimum is masked as a whole value only.
    assert json.loads(runs["nested"]["arguments"])["Content"] == MASK
    # The one-letter secret `pin` does not blank the letter everywhere: the words stay readable.
    assert "pipeline" in (logs / "log").read_text() and "pipeline done" in runs["after"]["output"]
    assert "pipeline" in json.loads(runs["json"]["output"])["Stdout"]
    warnings = [line for line in err.splitlines() if "shorter than 4 characters" in line]
    assert len(warnings) == 1 and re.match(r"\[ *\d+\.\d{3}s\] warning +1 secret value\(s\) ", warnings[0])


LEAKY = """pipeline "leaky" {}

param token: secret

service sh = catalog "exec"

on engine.started {
  task "talk" = sh.command(
    Command: "echo start ${token}; while true; do echo still ${upper(token)}; sleep 0.05; done",
  )
}
"""


def wait_until_written(logs: Path, text: str) -> None:
    """Follow the task logs as a reader would, until one holds ``text``: the task is running and its
    service has written what it echoed (the engine itself never polls)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for path in (logs / "tasks").glob("talk-*.log"):
            if text in path.read_text(encoding="utf-8", errors="replace"):
                return
        time.sleep(0.02)
    raise AssertionError(f"no task log ever held {text!r}")


@pytest.mark.parametrize(("signal_number", "exit_code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_secret_echoed_by_a_task_still_running_when_the_run_is_cancelled_is_scrubbed(
    tmp_path: Path, signal_number: int, exit_code: int
) -> None:
    source = tmp_path / "leaky.oi"
    source.write_text(LEAKY, encoding="utf-8")
    child = oic_run(source, "--logs-dir", str(tmp_path), "--param", f"token={TOKEN}")
    try:
        wait_until_written(tmp_path / "logs", f"still {TOKEN.upper()}")
        child.send_signal(signal_number)
        out, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == exit_code, err
    assert_nowhere([TOKEN, TOKEN.upper()], tmp_path / "logs")
    (talk,) = tasks_by_name(tmp_path)["talk"]
    written = Path(talk["logger"]).read_text(encoding="utf-8")
    assert written.startswith("start ***\n") and "still ***\n" in written


def test_a_secret_echoed_by_a_task_still_running_when_the_run_times_out_is_scrubbed(tmp_path: Path) -> None:
    source = tmp_path / "leaky.oi"
    source.write_text(LEAKY, encoding="utf-8")
    child = oic_run(source, "--logs-dir", str(tmp_path), "--timeout", "3s", "--param", f"token={TOKEN}")
    try:
        out, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 4, err
    assert_nowhere([TOKEN, TOKEN.upper()], tmp_path / "logs")
    (talk,) = tasks_by_name(tmp_path)["talk"]
    assert "still ***\n" in Path(talk["logger"]).read_text(encoding="utf-8")


def test_the_last_scrub_comes_after_the_services_stopped(tmp_path: Path) -> None:
    """A service that writes a secret to a task log until it is stopped: the engine scrubs the logs
    once more after the runner's ``stop`` returned (the in-process runner's handlers write on)."""
    done = threading.Event()

    def talk(call: Call) -> Any:
        with open(call.fd, "a", encoding="utf-8") as log:
            log.write(f"first {TOKEN}\n")
        call.stopped.wait(120)
        with open(call.fd, "a", encoding="utf-8") as log:
            log.write(f"while stopping {TOKEN.upper()}\n")
        done.set()
        return {}

    fake = runner(talk=talk)
    original_stop = fake.stop

    def stop_and_wait() -> None:
        original_stop()
        done.wait(120)  # like the local runner, which waits until the service process is gone

    fake.stop = stop_and_wait  # type: ignore[method-assign]
    pipe = pipeline(on(engine_started, task("talk", "talk")))
    result = run(pipe, fake, tmp_path, timeout=1, secrets=(TOKEN, TOKEN.upper()))
    assert result.status == "timed-out"
    (entry,) = tasks_by_name(tmp_path)["talk"]
    assert Path(entry["logger"]).read_text(encoding="utf-8") == "first ***\nwhile stopping ***\n"


def test_a_log_written_after_the_engine_gave_up_on_a_call_is_scrubbed(tmp_path: Path) -> None:
    """A per-task timeout ends the task, but not the service's work: what it writes to the task's
    log afterwards is scrubbed once the services are stopped."""
    handled = threading.Event()
    written = threading.Event()

    def slow(call: Call) -> Any:
        with open(call.fd, "a", encoding="utf-8") as log:
            log.write(f"early {TOKEN}\n")
        handled.wait(120)  # the engine gave up on this call and handled its end
        with open(call.fd, "a", encoding="utf-8") as log:
            log.write(f"late {TOKEN}\n")
        written.set()
        return {}

    def hold(call: Call) -> Any:
        written.wait(120)  # keeps the run going until the late line is written
        return {}

    def note(event: Any, state: Any) -> list[Any]:
        handled.set()
        return [task("handled")]

    pipe = pipeline(
        on(engine_started, task("slow", "slow", timeout=0.2), task("hold", "hold")),
        EventReaction(task_finished("slow"), note),
    )
    result = run(pipe, runner(slow=slow, hold=hold), tmp_path, secrets=(TOKEN,))
    assert result.succeeded, result.message
    (entry,) = tasks_by_name(tmp_path)["slow"]
    assert "deadline" in entry["error"]
    assert Path(entry["logger"]).read_text(encoding="utf-8") == "early ***\nlate ***\n"


# -- the redactor's rules -----------------------------------------------------------------------------------


def test_a_short_secret_is_masked_only_as_a_whole_value(tmp_path: Path) -> None:
    redactor = Redactor(["p"])
    assert MIN_LENGTH == 4
    assert redactor.text("pipeline passed") == "pipeline passed"
    assert redactor.text("p") == MASK
    value = {"pin": "p", "word": "pipeline", "list": ["p", "pp"], "p": 1}
    assert redactor.value(value) == {"pin": MASK, "word": "pipeline", "list": [MASK, "pp"], MASK: 1}
    assert json.loads(redacted_json(value, redactor)) == redactor.value(value)
    event = Event(EventMetadata("task.finished", "id-1", NOW), {"output": value})
    assert json.loads(history_line(event, redactor)[2:])["payload"] == {"output": redactor.value(value)}
    log = tmp_path / "task.log"
    log.write_text("p\npipeline\n p\np\r\n", encoding="utf-8")
    redactor.file(str(log))
    assert log.read_bytes() == b"***\npipeline\n p\n***\r\n"


@pytest.mark.parametrize(
    ("secret", "written"),
    [
        ("tökén-é", json.dumps("tökén-é")),  # Python's json.dumps: \u00f6 ...
        ("a<b>&c-secret", '"a\\u003cb\\u003e\\u0026c-secret"'),  # Go's encoding/json
        ('quo"te\\d', json.dumps('quo"te\\d')),
        ("line\u2028sep", '"line\\u2028sep"'),
    ],
)
def test_a_secret_is_masked_in_the_spellings_json_encoders_give_it(secret: str, written: str) -> None:
    redactor = Redactor([secret])
    assert redactor.text(f"payload {written} end") == f'payload "{MASK}" end'


def test_derived_values_are_learned_unless_a_known_secret_masks_them() -> None:
    redactor = Redactor([TOKEN])
    redactor.add_derived(f"Bearer {TOKEN}")
    assert redactor.text("Bearer other") == "Bearer other"
    redactor.add_derived(TOKEN.upper())
    assert redactor.text(f"x {TOKEN.upper()} y") == f"x {MASK} y"
    redactor.add_derived("usr")
    assert redactor.text("usr") == MASK and redactor.text("usr:") == "usr:"


def test_the_engine_learns_every_secret_a_reaction_derives(tmp_path: Path) -> None:
    def build(event: Any, state: Any) -> list[Any]:
        token = expressions.mark_secrets({"t": TOKEN}, ["t"])["t"]
        shouted = expressions.interpolate("x-", expressions.add(token, "!", ("p.oi", 1, 1)))
        return [task("echo", shout=expressions.make_secret(TOKEN.upper()), other=str(shouted))]

    def echo(call: Call) -> Any:
        with open(call.fd, "a", encoding="utf-8") as log:
            log.write(json.dumps(dict(call.arguments)) + "\n")
        return dict(call.arguments)

    pipe = pipeline(EventReaction(engine_started, build))
    result = run(pipe, runner(ok=echo), tmp_path)
    assert result.succeeded
    assert_nowhere([TOKEN, TOKEN.upper()], tmp_path / "logs")
    assert expressions._secret_listeners == []  # the engine stopped listening when the run ended


# -- spellings and schema fields, in engine runs ----------------------------------------------------------


def test_a_secret_written_as_ascii_escaped_json_is_scrubbed(tmp_path: Path) -> None:
    secret = "pässwörd-<42>"

    def ascii_json(call: Call) -> Any:
        with open(call.fd, "a", encoding="utf-8") as log:
            log.write(json.dumps(dict(call.arguments)) + "\n")  # ensure_ascii: p\u00e4ssw\u00f6rd
            log.write(f"raw {call.arguments['auth']}\n")
        return {"echo": json.dumps(dict(call.arguments))}

    result = run(
        pipeline(on(engine_started, task("t", "talk", auth=secret))),
        runner(talk=ascii_json),
        tmp_path,
        secrets=(secret,),
    )
    assert result.succeeded
    escaped = json.dumps(secret)[1:-1]
    assert escaped != secret and "\\u00e4" in escaped
    assert_nowhere([secret, escaped], tmp_path / "logs")
    (entry,) = tasks_by_name(tmp_path)["t"]
    assert Path(entry["logger"]).read_text(encoding="utf-8") == '{"auth": "***"}\nraw ***\n'


def test_secret_fields_matched_by_additional_and_pattern_properties(tmp_path: Path) -> None:
    seen: list[dict[str, Any]] = []

    def keep(call: Call) -> Any:
        seen.append(dict(call.arguments))
        with open(call.fd, "a", encoding="utf-8") as log:
            log.write(f"vault {call.arguments['vault']['db']} keys {call.arguments['keys']['k-1']}\n")
        return {}

    fake = runner(keep=keep)
    fake.schemas[("svc", "keep")] = {
        "type": "object",
        "properties": {
            "vault": {"type": "object", "additionalProperties": {"type": "string", "writeOnly": True}},
            "keys": {
                "type": "object",
                "patternProperties": {"^k-": {"type": "string", "format": "password"}},
            },
            "label": {"type": "string"},
        },
    }
    arguments = {"vault": {"db": "db-pass-1", "pin": "42"}, "keys": {"k-1": "key-one-1"}, "label": "visible"}
    result = run(pipeline(on(engine_started, task("t", "keep", **arguments))), fake, tmp_path)
    assert result.succeeded
    assert seen == [arguments]  # the service got the values
    (entry,) = tasks_by_name(tmp_path)["t"]
    assert json.loads(entry["arguments"]) == {
        "vault": {"db": MASK, "pin": MASK},  # masked whatever their length
        "keys": {"k-1": MASK},
        "label": "visible",
    }
    assert_nowhere(["db-pass-1", "key-one-1"], tmp_path / "logs")


# -- secrets inside list params ----------------------------------------------------------------------------


def test_strings_inside_a_secret_list_param_are_secrets() -> None:
    marked = expressions.mark_secrets({"keys": ["key-one", {"k": "key-two"}, 3], "who": "w"}, ["keys"])
    first, nested, number = marked["keys"]
    assert isinstance(first, expressions.Secret) and isinstance(nested["k"], expressions.Secret)
    assert number == 3 and not isinstance(marked["who"], expressions.Secret)
    picked = expressions.get_index(marked["keys"], 0, ("p.oi", 1, 1))
    assert isinstance(picked, expressions.Secret)


def test_the_binary_redacts_the_secrets_its_pipeline_marks_when_built(tmp_path: Path) -> None:
    """A ``list[secret]`` param: its strings become secrets when the pipeline is built, before the
    engine runs, and the binary hands them to the engine with the other secret values."""
    keys = ["key-one-1", "key-two-2"]

    def build(params: Any) -> Pipeline:
        marked = expressions.mark_secrets(params, ["keys"])
        first = expressions.get_index(marked["keys"], 0, ("listed.oi", 1, 1))
        # No service: the task fails, with its arguments recorded, and a reaction handles that.
        return pipeline(
            on(engine_started, task("use", service="nowhere", key=first, both=marked["keys"])),
            on(task_finished("use"), task("noted", service="nowhere")),
            services=(),
        )

    spec = program.ProgramSpec(
        name="listed",
        params=(program.ParamSpec("keys", "list", required=True),),
        build=build,
        source_path="listed.oi",
        source_sha256="0" * 64,
        compiler_version="0",
        os="",
        arch="",
        parallelism=None,
        timeout=None,
    )
    argv = ["--logs-dir", str(tmp_path), "--quiet", "--param", f"keys={json.dumps(keys)}"]
    assert program.run(spec, argv, {}) == program.EXIT_FAILED  # "noted" failed too, unhandled
    (use,) = tasks_by_name(tmp_path)["use"]
    assert json.loads(use["arguments"]) == {"key": MASK, "both": [MASK, MASK]}
    assert_nowhere(keys, tmp_path / "logs")


LISTED = """pipeline "listed" {}

param keys: list[secret]

service sh = catalog "exec"

on engine.started {
  for key in keys {
    task "use-${len(key)}" = sh.command(Command: "echo using ${key}")
  }
  task "all" = sh.command(Command: "echo ${join(keys, ",")}")
}
"""


def test_a_list_of_secrets_param_is_redacted_element_by_element(tmp_path: Path) -> None:
    source = tmp_path / "listed.oi"
    source.write_text(LISTED, encoding="utf-8")
    keys = ["first-key-value", "second-key-value-2"]
    child = oic_run(source, "--logs-dir", str(tmp_path), "--param", f"keys={json.dumps(keys)}")
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert_nowhere(keys, tmp_path / "logs")
    runs = {name: entries[0] for name, entries in tasks_by_name(tmp_path).items()}
    assert json.loads(runs["all"]["arguments"]) == {"Command": "echo ***,***"}
    assert set(runs) == {"use-15", "use-18", "all"}
