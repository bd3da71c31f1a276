"""The SDK on its own: declaring endpoints, serving in-process, and the serve() entry as a program."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import grpc
import pytest

from runtime.model import Service as ServiceSpec
from runtime.proto import service_pb2
from runtime.sdk import CallContext, Service
from runtime.services.base import CallFailed
from runtime.services.client import GrpcConnection
from runtime.services.local import free_port
from runtime.services.schemas import SchemaError, parse_schema_map
from tests.services.support import GREETER, SERVICE_ENV


def write_schema_dir(root: Path) -> Path:
    for endpoint, arguments in {"add": {"type": "object", "required": ["a", "b"]}, "neg": {}}.items():
        (root / endpoint).mkdir(parents=True)
        (root / endpoint / "arguments.json").write_text(json.dumps(arguments))
    (root / "add" / "returns.json").write_text(json.dumps({"type": "number"}))
    return root


def test_schema_dir_layout_and_the_init_answer(tmp_path: Path) -> None:
    schemas = write_schema_dir(tmp_path / "schemas")
    service = Service("math")
    service.load_schema_dir(schemas)

    @service.endpoint("add")
    def add(arguments: dict, context: CallContext) -> float:
        return float(arguments["a"] + arguments["b"])

    @service.endpoint("noop")
    def noop(arguments: dict, context: CallContext) -> None:
        return None

    answer = service.json_schemas()
    assert json.loads(answer["add/arguments.json"]) == {"type": "object", "required": ["a", "b"]}
    assert json.loads(answer["add/returns.json"]) == {"type": "number"}
    # An endpoint without schemas is still listed (as accepting anything), so it is not "unknown".
    assert answer["noop/arguments.json"] == "{}" and answer["noop/returns.json"] == "{}"
    missing = service.handle(service_pb2.CallRequest(endpoint="add", arguments='{"a": 1}'))
    assert (missing.status, missing.error) == (service_pb2.Error, "arguments: $.b: required field is missing")
    # "neg" has schemas but no handler yet.
    unimplemented = service.handle(service_pb2.CallRequest(endpoint="neg", arguments="{}"))
    assert "has no endpoint 'neg'" in unimplemented.error


def test_endpoint_schema_dir_argument_and_a_broken_schema(tmp_path: Path) -> None:
    schemas = write_schema_dir(tmp_path / "schemas")
    service = Service("math")

    @service.endpoint("add", schema_dir=schemas)
    def add(arguments: dict, context: CallContext) -> float:
        return float(arguments["a"] + arguments["b"])

    assert set(service.json_schemas()) == {"add/arguments.json", "add/returns.json"}
    (schemas / "neg" / "arguments.json").write_text("{broken")
    with pytest.raises(SchemaError, match="neg/arguments.json"):
        service.load_schema_dir(schemas)


def test_a_schema_the_engine_would_refuse_fails_the_calls_that_need_it() -> None:
    service = Service("typo")

    @service.endpoint("when", arguments={"type": "object", "properties": {"At": {"type": "strnig"}}})
    def when(arguments: dict, context: CallContext) -> dict:
        return arguments

    # The engine refuses the service's answer to `init` (and `oic check` reports E0311 for it).
    with pytest.raises(
        SchemaError, match=r"when/arguments.json: not a valid JSON Schema: at properties.At.type"
    ):
        parse_schema_map(service.json_schemas())
    answer = service.handle(service_pb2.CallRequest(endpoint="when", arguments='{"At": 1}'))
    assert answer.status == service_pb2.Error
    assert answer.error.startswith(
        "arguments: $: cannot be checked: the schema is broken (not a valid JSON Schema"
    )


def test_a_service_with_valid_calls_never_loads_jsonschema() -> None:
    # Service start-up is on the critical path of every run: the shortcut validates the usual calls.
    probe = (
        "import sys, json\n"
        "from runtime.proto import service_pb2\n"
        "from runtime.sdk import Service\n"
        "service = Service('s')\n"
        "schema = {'type': 'object', 'required': ['n'], 'properties': {'n': {'type': 'integer'}}}\n"
        "service.endpoint('e', arguments=schema, returns={'type': 'object'})(lambda a, c: a)\n"
        "answer = service.handle(service_pb2.CallRequest(endpoint='e', arguments='{\"n\": 1}'))\n"
        "print(json.dumps([answer.status, 'jsonschema' in sys.modules]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env={**os.environ, **SERVICE_ENV},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [service_pb2.OK, False]


def test_the_service_checks_arguments_with_the_engine_s_validator_and_formats() -> None:
    service = Service("calendar")
    arguments = {"type": "object", "properties": {"At": {"type": "string", "format": "date-time"}}}

    @service.endpoint("book", arguments=arguments)
    def book(arguments: dict, context: CallContext) -> dict:
        return arguments

    refused = service.handle(service_pb2.CallRequest(endpoint="book", arguments='{"At": "yesterday"}'))
    assert refused.status == service_pb2.Error
    assert refused.error == "arguments: $.At: 'yesterday' is not a 'date-time'"
    taken = service.handle(
        service_pb2.CallRequest(endpoint="book", arguments='{"At": "2024-01-02T03:04:05Z"}')
    )
    assert taken.status == service_pb2.OK


def test_untyped_service_answers_an_empty_map() -> None:
    service = Service("plain")
    service.endpoint("x")(lambda arguments, context: arguments)
    assert service.json_schemas() == {}
    answer = service.handle(service_pb2.CallRequest(endpoint="x", arguments='{"k": [1, "é"]}'))
    assert json.loads(answer.payload) == {"k": [1, "é"]}


def test_in_process_server_with_a_token_and_a_log_without_engine(tmp_path: Path) -> None:
    service = Service("in-process")

    @service.endpoint("hello", arguments={"type": "object"})
    def hello(arguments: dict, context: CallContext) -> dict:
        context.report("progress", {"percent": 10})
        return {"endpoint": context.endpoint}

    running = service.start(token="secret-token")
    try:
        client = GrpcConnection(ServiceSpec(alias="p"), running.address, token="secret-token")
        task_log = tmp_path / "task.log"
        assert client.call("hello", {}, str(task_log), 30) == {"endpoint": "hello"}
        assert 'report progress: {"percent": 10} (no engine to report to)' in task_log.read_text()
        client.close()
        intruder = GrpcConnection(ServiceSpec(alias="p"), running.address)
        with pytest.raises(CallFailed, match="refused the run's token"):
            intruder.has_schemas()
        intruder.close()
    finally:
        running.stop()


def test_serve_without_port_says_what_to_do() -> None:
    completed = subprocess.run(
        [sys.executable, str(GREETER)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ.get("PATH", ""), **SERVICE_ENV},
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stderr == "error: PORT is '': set it to the port greeter should listen on\n"


def test_serve_stops_gracefully_on_sigterm() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(GREETER)],
        env={"PATH": os.environ.get("PATH", ""), "PORT": str(port), **SERVICE_ENV},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            grpc.channel_ready_future(channel).result(timeout=30)
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
        assert process.stderr is not None
        assert process.stderr.read() == f"greeter 0.1.0 listening on 127.0.0.1:{port}\n"
    finally:
        process.kill()
        process.wait(30)
