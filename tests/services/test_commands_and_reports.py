"""How services are launched (command lines), and the report server's checks."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import grpc
import pytest

from runtime.model import Service
from runtime.proto import engine_pb2, engine_pb2_grpc
from runtime.services.base import TOKEN_METADATA_KEY
from runtime.services.local import service_command
from runtime.services.reporting import ReportServer
from tests.services.support import GREETER, REPO_ROOT


def test_builtin_services_run_from_source_or_from_the_frozen_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    builtin = Service(alias="web", name="http", builtin=True)
    assert service_command(builtin) == [sys.executable, "-m", "runtime.catalog", "http"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert service_command(builtin) == [sys.executable, "--oi-serve-builtin", "http"]


def test_path_services_run_as_they_are_and_python_files_with_python(tmp_path: Path) -> None:
    binary = tmp_path / "svc"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    assert service_command(Service(alias="s", path=str(binary))) == [str(binary)]
    assert service_command(Service(alias="g", path=str(GREETER))) == [sys.executable, str(GREETER)]


def test_reports_need_the_token_and_json_data() -> None:
    received: list[tuple[str, str, object]] = []
    handled = threading.Event()

    def on_report(fd: str, event: str, data: object) -> None:
        received.append((fd, event, data))
        handled.set()

    with ReportServer(on_report, "the-token") as server, grpc.insecure_channel(server.address) as channel:
        stub = engine_pb2_grpc.EngineStub(channel)
        request = engine_pb2.ReportRequest(fd="/logs/t.log", event="progress", data='{"percent": 5}')
        with pytest.raises(grpc.RpcError) as refused:
            stub.report(request, timeout=30, metadata=((TOKEN_METADATA_KEY, "wrong"),))
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED  # type: ignore[attr-defined]
        good = ((TOKEN_METADATA_KEY, "the-token"),)
        bad_data = engine_pb2.ReportRequest(fd="/logs/t.log", event="progress", data="{oops")
        with pytest.raises(grpc.RpcError) as invalid:
            stub.report(bad_data, timeout=30, metadata=good)
        assert invalid.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
        assert not handled.is_set()
        stub.report(request, timeout=30, metadata=good)
    assert received == [("/logs/t.log", "progress", {"percent": 5})]


HOST_PROGRAM = """
import sys
{first_import}
import tempfile
import runtime.proto
from runtime.model import Service
from runtime.services.base import RunContext
from runtime.services.local import LocalRunner
runner = LocalRunner(extra_env={{"PYTHONPATH": sys.argv[2]}})
with tempfile.TemporaryDirectory() as logs:
    try:
        greeter = runner.start([Service(alias="g", path=sys.argv[1])], RunContext("h", logs, ""))["g"]
        print(runtime.proto.GRPC_FORK_HANDLERS_OFF, greeter.call("greet", {{"name": "h"}}, "", 30))
    finally:
        runner.stop()
"""


@pytest.mark.parametrize(
    ("first_import", "handlers_off", "warned"),
    [("import runtime", True, False), ("import grpc", False, True)],
)
def test_services_start_whichever_of_grpc_and_runtime_a_host_imports_first(
    first_import: str, handlers_off: bool, warned: bool
) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", HOST_PROGRAM.format(first_import=first_import), str(GREETER), str(REPO_ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO_ROOT)},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == f"{handlers_off} {{'greeting': 'hi h'}}\n"
    assert ("services will not die with the engine" in completed.stderr) == warned
