"""Wire compatibility with code that shares nothing with oi, and the freshness of the committed stubs.

The "foreign" client and server use stubs generated from service.proto at test time into a temporary
directory, as a service or an engine written elsewhere would: our client must talk to a foreign
server (a service written for the original engine, no token), and a foreign client to our SDK."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime.proto import regenerate
from runtime.services.base import CallFailed, RunContext
from runtime.services.local import LocalRunner
from tests.services.support import FOREIGN_CLIENT, FOREIGN_SERVER, GREETER, SERVICE_ENV, path_service


@pytest.fixture(scope="module")
def foreign_stubs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from grpc_tools import protoc

    output = tmp_path_factory.mktemp("foreign_stubs")
    include = Path(protoc.__file__).resolve().parent / "_proto"
    result = protoc.main(
        [
            "grpc_tools.protoc",
            f"-I{regenerate.PROTO_DIR}",
            f"-I{include}",
            f"--python_out={output}",
            f"--grpc_python_out={output}",
            str(regenerate.PROTO_DIR / "service.proto"),
        ]
    )
    assert result == 0
    return output


@pytest.fixture
def runner() -> Iterator[LocalRunner]:
    runner = LocalRunner(extra_env=SERVICE_ENV)
    yield runner
    runner.stop()


def test_our_client_calls_a_foreign_server(foreign_stubs: Path, runner: LocalRunner, tmp_path: Path) -> None:
    # Run through a tiny wrapper: the foreign server takes its stub directory as an argument.
    wrapper = tmp_path / "foreign.py"
    wrapper.write_text(
        f"import runpy, sys\nsys.argv = [{str(FOREIGN_SERVER)!r}, {str(foreign_stubs)!r}]\n"
        "runpy.run_path(sys.argv[0], run_name='__main__')\n"
    )
    # The run has a token; the foreign server ignores the metadata, as the original services do.
    connection = runner.start([path_service("echo", wrapper)], RunContext("i1", str(tmp_path), "tok"))["echo"]
    assert connection.has_schemas()
    assert connection.call("echo", {"text": "hé"}, "", 30) == {"echo": "hé"}
    with pytest.raises(CallFailed, match=r"^arguments: \$\.text: 1 is not of type 'string'$"):
        connection.call("echo", {"text": 1}, "", 30)
    # An endpoint its init answer leaves out is sent unvalidated: the server itself refuses it.
    with pytest.raises(CallFailed, match="^unknown endpoint$"):
        connection.call("ecco", {"text": "a"}, "", 30)


def test_a_foreign_client_calls_our_sdk_service(
    foreign_stubs: Path, runner: LocalRunner, tmp_path: Path
) -> None:
    connection = runner.start([path_service("g", GREETER)], RunContext("i2", str(tmp_path), ""))["g"]
    address = connection.address  # type: ignore[attr-defined]
    completed = subprocess.run(
        [
            sys.executable,
            str(FOREIGN_CLIENT),
            str(foreign_stubs),
            address,
            *("greet", json.dumps({"name": "go"})),
            *("greet", json.dumps({"name": 5})),
            *("fail", "{}"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ.get("PATH", "")},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    answer = json.loads(completed.stdout)
    assert json.loads(answer["schemas"]["greet/arguments.json"])["required"] == ["name"]
    ok, invalid, failed = answer["results"]
    assert (ok["status"], json.loads(ok["payload"])) == (0, {"greeting": "hi go"})
    assert (invalid["status"], invalid["error"]) == (1, "arguments: $.name: 5 is not of type 'string'")
    assert (failed["status"], failed["error"]) == (1, "the board does not exist")


def without_tool_versions(text: str) -> str:
    """Stub text minus what only says which protoc/grpcio-tools wrote it (a newer tool must not make
    fresh stubs look stale; a changed .proto must)."""
    text = re.sub(r"_runtime_version\.ValidateProtobufRuntimeVersion\([^)]*\)", "", text)
    return re.sub(r"^(# Protobuf Python Version|GRPC_GENERATED_VERSION =).*$", "", text, flags=re.MULTILINE)


def test_committed_stubs_are_up_to_date(tmp_path: Path) -> None:
    written = regenerate.generate(tmp_path)
    assert len(written) == 6
    stale = [
        path.name
        for path in written
        if without_tool_versions(path.read_text())
        != without_tool_versions((regenerate.PROTO_DIR / path.name).read_text())
    ]
    assert not stale, f"stale stubs {stale}: run make proto"
    assert "from runtime.proto import service_pb2 as" in (tmp_path / "service_pb2_grpc.py").read_text()
