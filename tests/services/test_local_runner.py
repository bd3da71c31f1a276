"""LocalRunner + GrpcConnection + the SDK, end to end: real processes, real gRPC on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime.model import Service
from runtime.services.base import CallFailed, RunContext, ServiceStartError
from runtime.services.client import GrpcConnection
from runtime.services.local import LocalRunner
from runtime.services.reporting import ReportServer
from runtime.services.schemas import secret_paths
from tests.services.support import (
    EXITS_AT_ONCE,
    GREETER,
    NEVER_READY,
    SERVICE_ENV,
    group_alive,
    path_service,
    wait_for_exit,
)

TOKEN = "run-token-1234"


class Reports:
    """Collects the reports the engine's report server receives."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str, object]] = []
        self.arrived = threading.Event()

    def __call__(self, fd: str, event: str, data: object) -> None:
        self.received.append((fd, event, data))
        self.arrived.set()


@pytest.fixture(scope="module")
def reports() -> Iterator[Reports]:
    yield Reports()


@pytest.fixture(scope="module")
def report_server(reports: Reports) -> Iterator[ReportServer]:
    with ReportServer(reports, TOKEN) as server:
        yield server


@pytest.fixture(scope="module")
def greeter(
    tmp_path_factory: pytest.TempPathFactory, report_server: ReportServer
) -> Iterator[GrpcConnection]:
    """One typed greeter for the module, started with the run token and reporting on."""
    logs = tmp_path_factory.mktemp("logs")
    runner = LocalRunner(engine_address=report_server.address, extra_env=SERVICE_ENV)
    connections = runner.start([path_service("greeter", GREETER)], RunContext("r1", str(logs), TOKEN))
    connection = connections["greeter"]
    assert isinstance(connection, GrpcConnection)
    yield connection
    runner.stop()


def test_init_gives_the_sdk_schemas(greeter: GrpcConnection) -> None:
    assert greeter.has_schemas()
    assert greeter.endpoints() == ["cards", "crash", "die", "fail", "greet", "pid", "wait"]
    schema = greeter.arguments_schema("greet")
    assert schema is not None and secret_paths(schema) == [("Auth", "Token")]
    assert greeter.arguments_schema("fail") == {} and greeter.arguments_schema("nope") is None


def test_call_returns_the_payload_and_logs_to_the_task_log(greeter: GrpcConnection, tmp_path: Path) -> None:
    task_log = tmp_path / "task.log"
    assert greeter.call("greet", {"name": "ada"}, str(task_log), 30) == {"greeting": "hi ada"}
    assert task_log.read_text() == "greeting ada\n"


def test_service_reports_reach_the_engine(greeter: GrpcConnection, reports: Reports, tmp_path: Path) -> None:
    fd = str(tmp_path / "reporting.log")
    greeter.call("greet", {"name": "bo"}, fd, 30)
    # The SDK reports synchronously, so the report arrived before the call returned.
    assert reports.arrived.is_set()
    assert (fd, "progress", {"percent": 50, "name": "bo"}) in reports.received


def test_status_error_fails_the_call_with_the_service_message(greeter: GrpcConnection) -> None:
    with pytest.raises(CallFailed, match="^the board does not exist$") as failure:
        greeter.call("fail", {}, "", 30)
    assert not failure.value.retryable


def test_an_exception_in_an_endpoint_is_a_message_not_a_traceback(greeter: GrpcConnection) -> None:
    with pytest.raises(CallFailed) as failure:
        greeter.call("crash", {}, "", 30)
    assert str(failure.value) == "division by zero in crash"


def test_argument_errors_name_the_json_path_and_never_reach_the_service(greeter: GrpcConnection) -> None:
    with pytest.raises(CallFailed, match=r"^arguments: \$\.name: 7 is not of type 'string'$"):
        greeter.call("greet", {"name": 7}, "", 30)
    with pytest.raises(CallFailed, match=r"^arguments: \$\.nme: unknown field$"):
        greeter.call("greet", {"name": "a", "nme": "b"}, "", 30)


def test_secret_argument_values_stay_out_of_errors(greeter: GrpcConnection) -> None:
    with pytest.raises(CallFailed) as failure:
        greeter.call("greet", {"name": "a", "Auth": {"Token": "short"}}, "", 30)
    assert str(failure.value).startswith("arguments: $.Auth.Token: ")
    assert "short" not in str(failure.value)


def test_payload_errors_name_the_json_path(greeter: GrpcConnection) -> None:
    with pytest.raises(
        CallFailed, match=r"^payload: \$\.cards\[2\]\.id: 3 is not of type 'string'"
    ) as failure:
        greeter.call("cards", {}, "", 30)
    assert not failure.value.retryable


def test_unknown_endpoint_suggests_the_close_one(greeter: GrpcConnection) -> None:
    with pytest.raises(CallFailed, match=r"has no endpoint 'gret' \(did you mean 'greet'\?\)"):
        greeter.call("gret", {"name": "a"}, "", 30)


def test_deadline_is_a_retryable_failure(greeter: GrpcConnection) -> None:
    with pytest.raises(CallFailed, match="no answer before the deadline") as failure:
        greeter.call("wait", {}, "", 0.2)
    assert failure.value.retryable


def test_service_environment_is_minimal_and_carries_the_token(greeter: GrpcConnection) -> None:
    environment = greeter.call("pid", {}, "", 30)["env"]
    assert {"PORT", "OI_SERVICE_TOKEN", "OI_ENGINE_ADDRESS", "PYTHONPATH"} <= set(environment)
    assert (
        not set(environment)
        - {"PORT", "OI_SERVICE_TOKEN", "OI_ENGINE_ADDRESS", "PYTHONPATH"}
        - {
            "PATH",
            "HOME",
            "LANG",
            "TZ",
            "LC_CTYPE",  # added by the interpreter itself on some systems
        }
    )


def test_calls_without_the_right_token_are_refused(greeter: GrpcConnection) -> None:
    for token in ("", "wrong-token"):
        stranger = GrpcConnection(Service(alias="greeter", schemas={}), greeter.address, token=token)
        try:
            with pytest.raises(CallFailed, match="refused the run's token") as failure:
                stranger.call("greet", {"name": "a"}, "", 30)
            assert not failure.value.retryable
        finally:
            stranger.close()


def test_concurrent_calls_share_the_connection(greeter: GrpcConnection) -> None:
    names = [f"n{index}" for index in range(16)]
    results: dict[str, object] = {}

    def greet(name: str) -> None:
        results[name] = greeter.call("greet", {"name": name}, "", 30)

    threads = [threading.Thread(target=greet, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results == {name: {"greeting": f"hi {name}"} for name in names}


def test_untyped_service_without_token_accepts_any_call(tmp_path: Path) -> None:
    runner = LocalRunner(extra_env={**SERVICE_ENV, "GREETER_UNTYPED": "1"})
    try:
        connection = runner.start([path_service("g", GREETER)], RunContext("r2", str(tmp_path), ""))["g"]
        assert not connection.has_schemas()
        # No schemas: any endpoint name goes to the service, which answers with its own did-you-mean.
        with pytest.raises(CallFailed, match="did you mean 'greet'"):
            connection.call("gret", {}, "", 30)
        # Nor are arguments validated: the service itself trips over a number where it expects text.
        with pytest.raises(CallFailed, match="can only concatenate str"):
            connection.call("greet", {"name": 1}, "", 30)
        # A client that sends a token is accepted too (the service was started without one).
        assert isinstance(connection, GrpcConnection)
        with_token = GrpcConnection(Service(alias="g"), connection.address, token="anything")
        try:
            assert with_token.call("greet", {"name": "x"}, "", 30) == {"greeting": "hi x"}
        finally:
            with_token.close()
    finally:
        runner.stop()


def test_service_killed_mid_call_is_a_retryable_failure(tmp_path: Path) -> None:
    runner = LocalRunner(extra_env=SERVICE_ENV)
    try:
        connection = runner.start([path_service("g", GREETER)], RunContext("r3", str(tmp_path), TOKEN))["g"]
        with pytest.raises(CallFailed, match="unavailable") as failure:
            connection.call("die", {}, "", 30)
        assert failure.value.retryable
    finally:
        runner.stop()


def test_stop_leaves_no_process(tmp_path: Path) -> None:
    runner = LocalRunner(extra_env=SERVICE_ENV)
    services = [path_service("a", GREETER), path_service("b", GREETER)]
    runner.start(services, RunContext("r4", str(tmp_path), TOKEN))
    groups = runner.pids()
    assert len(groups) == 2 and all(group_alive(group) for group in groups)
    runner.stop()
    runner.stop()  # idempotent
    assert not any(group_alive(group) for group in groups)
    assert (
        (tmp_path / "services" / "a-r4.log").read_text().startswith("greeter 0.1.0 listening on 127.0.0.1:")
    )


def test_stop_kills_a_service_that_ignores_sigterm_after_the_grace(tmp_path: Path) -> None:
    stubborn = tmp_path / "stubborn.py"
    stubborn.write_text(
        "import signal, runpy, sys\n"
        f"sys.argv = [{str(GREETER)!r}]\n"
        "real_signal = signal.signal\n"
        "signal.signal = lambda number, handler: real_signal(number, signal.SIG_IGN)\n"
        "runpy.run_path(sys.argv[0], run_name='__main__')\n"
    )
    runner = LocalRunner(extra_env=SERVICE_ENV, stop_grace=0.2)
    runner.start([path_service("s", stubborn)], RunContext("r5", str(tmp_path), ""))
    groups = runner.pids()
    runner.stop()
    assert not any(group_alive(group) for group in groups)


def test_a_service_that_exits_at_once_fails_with_its_exit_code_and_last_lines(tmp_path: Path) -> None:
    runner = LocalRunner(extra_env=SERVICE_ENV)
    with pytest.raises(ServiceStartError) as failure:
        runner.start([path_service("broken", EXITS_AT_ONCE)], RunContext("r6", str(tmp_path), ""))
    message = str(failure.value)
    assert message.startswith("service 'broken' exited with code 3 before it was ready")
    assert "fatal: no configuration found" in message
    assert "startup line 12" in message and "startup line 11" not in message, "only the last 20 lines"


def test_a_service_never_ready_fails_by_the_deadline(tmp_path: Path) -> None:
    runner = LocalRunner(extra_env=SERVICE_ENV, ready_timeout=0.5)
    with pytest.raises(ServiceStartError, match="service 'slow' not ready after 0.5s") as failure:
        runner.start([path_service("slow", NEVER_READY)], RunContext("r7", str(tmp_path), ""))
    groups = runner.pids()
    assert len(groups) == 1 and not group_alive(groups[0])
    assert f"log: {tmp_path / 'services' / 'slow-r7.log'}" in str(failure.value)


def test_one_failing_service_stops_the_others(tmp_path: Path) -> None:
    runner = LocalRunner(extra_env=SERVICE_ENV)
    services = [path_service("good", GREETER), path_service("broken", EXITS_AT_ONCE)]
    with pytest.raises(ServiceStartError, match="'broken' exited with code 3"):
        runner.start(services, RunContext("r8", str(tmp_path), ""))
    groups = runner.pids()
    assert len(groups) == 2
    assert not any(group_alive(group) for group in groups)


def test_missing_or_unrunnable_binaries_are_reported(tmp_path: Path) -> None:
    not_executable = tmp_path / "service"
    not_executable.write_text("#!/bin/sh\n")
    cases = [
        ("/nonexistent/service", "/nonexistent/service does not exist"),
        (str(not_executable), "is not executable"),
    ]
    for path, expected in cases:
        with pytest.raises(ServiceStartError, match=expected):
            LocalRunner().start([Service(alias="x", path=path)], RunContext("r9", str(tmp_path), ""))


ENGINE_THAT_DIES = """
import sys
from runtime.services.base import RunContext
from runtime.services.local import LocalRunner
from runtime.model import Service
runner = LocalRunner(extra_env={"PYTHONPATH": sys.argv[3]})
runner.start([Service(alias="g", path=sys.argv[1])], RunContext("r", sys.argv[2], ""))
print(runner.pids()[0], flush=True)
sys.stdin.read()
"""


def test_services_die_with_a_killed_engine(tmp_path: Path) -> None:
    engine = subprocess.Popen(
        [sys.executable, "-c", ENGINE_THAT_DIES, str(GREETER), str(tmp_path), SERVICE_ENV["PYTHONPATH"]],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert engine.stdout is not None
        service_pid = int(engine.stdout.readline())
        assert group_alive(service_pid)
        engine.kill()
        engine.wait(30)
        assert wait_for_exit(service_pid, 30), "the service outlived a kill -9 of its engine"
    finally:
        engine.kill()
        engine.wait(30)


def test_given_schemas_skip_init(tmp_path: Path) -> None:
    runner = LocalRunner(extra_env={**SERVICE_ENV, "GREETER_UNTYPED": "1"})
    given = {"echo/arguments.json": json.dumps({"type": "object", "required": ["text"]})}
    try:
        connection = runner.start(
            [Service(alias="g", path=str(GREETER), schemas=given)], RunContext("r10", str(tmp_path), "")
        )["g"]
        assert connection.has_schemas()
        with pytest.raises(CallFailed, match=r"arguments: \$\.text: required field is missing"):
            connection.call("echo", {}, "", 30)
    finally:
        runner.stop()
    assert os.path.exists(tmp_path / "services" / "g-r10.log")


def test_an_endpoint_the_schemas_leave_out_is_called_unvalidated_with_one_warning(tmp_path: Path) -> None:
    runner = LocalRunner(extra_env={**SERVICE_ENV, "GREETER_UNTYPED": "1"})
    given = {"echo/arguments.json": json.dumps({"type": "object", "required": ["text"]})}
    warnings: list[str] = []
    try:
        connection = runner.start(
            [Service(alias="g", path=str(GREETER), schemas=given)],
            RunContext("r12", str(tmp_path), "", warnings.append),
        )["g"]
        # `greet` is served but not in the schemas: it is sent, and the service answers it.
        assert connection.call("greet", {"name": "a"}, "", 30) == {"greeting": "hi a"}
        assert connection.call("greet", {"name": "b"}, "", 30) == {"greeting": "hi b"}
        with pytest.raises(CallFailed, match="has no endpoint 'ech'"):  # the service's own answer
            connection.call("ech", {}, "", 30)
    finally:
        runner.stop()
    assert warnings == [
        "endpoint 'greet' of service 'g' has no schema: its calls are not validated",
        "endpoint 'ech' of service 'g' has no schema: its calls are not validated",
    ]


def test_a_built_in_service_refuses_an_unknown_endpoint_before_sending(greeter: GrpcConnection) -> None:
    # Described as the built-in exec service, whose endpoints oi knows: nothing reaches the process.
    exec_schemas = {"command/arguments.json": json.dumps({"type": "object"})}
    described = Service(alias="sh", name="exec", builtin=True, schemas=exec_schemas)
    connection = GrpcConnection(described, greeter.address, token=TOKEN)
    try:
        with pytest.raises(CallFailed, match=r"has no endpoint 'greet'; its endpoints: command"):
            connection.call("greet", {"name": "a"}, "", 30)
    finally:
        connection.close()


def test_broken_given_schemas_fail_the_start_before_any_process(tmp_path: Path) -> None:
    runner = LocalRunner(extra_env=SERVICE_ENV)
    broken = Service(alias="g", path=str(GREETER), schemas={"echo/arguments.json": "{not json"})
    with pytest.raises(ServiceStartError, match=r"service 'g' has an invalid schema .*echo/arguments.json"):
        runner.start([path_service("ok", GREETER), broken], RunContext("r11", str(tmp_path), ""))
    groups = runner.pids()
    assert len(groups) == 1 and not group_alive(groups[0])


LEAN_RUN_PROBE = """
import runpy, sys
sys.argv = [sys.argv[1], "--logs-dir", sys.argv[2], "--quiet"]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit as exit_:
    print(exit_.code, "jsonschema" in sys.modules)
"""


def test_a_run_whose_calls_are_valid_never_loads_the_schema_library(tmp_path: Path) -> None:
    """The schemas a pipeline carries were checked by `oic check`: the engine validates its calls with
    them (the shortcut accepts valid values) without loading jsonschema, whose import would cost the
    start of every run."""
    from tests.codegen.support import compile_text

    hello = (Path(__file__).resolve().parents[2] / "examples" / "hello" / "pipeline.oi").read_text()
    module = tmp_path / "hello.py"
    module.write_text(compile_text(hello, str(tmp_path / "hello.oi")).text, encoding="utf-8")
    probe = subprocess.run(
        [sys.executable, "-c", LEAN_RUN_PROBE, str(module), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert probe.stdout.split() == ["0", "False"], probe.stdout + probe.stderr
