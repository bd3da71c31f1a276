"""Starting service processes: the ready handshake, and the built-in service interpreter started ahead
of time (``runtime.services.spawn``). Real processes, real gRPC on loopback."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from runtime.model import Service
from runtime.services import spawn
from runtime.services.base import READY_FD_ENV, RunContext
from runtime.services.local import LocalRunner, free_port
from tests.services.support import GREETER, SERVICE_ENV, group_alive, wait_for_exit

TOKEN = "spawn-token-5678"


def exec_service() -> Service:
    return Service(alias="shell", name="exec", version="0.1.0", builtin=True)


def command_environment(runner: LocalRunner, tmp_path: Path, run_id: str) -> set[str]:
    """The names of the variables a command run by a built-in ``exec`` service sees."""
    connection = runner.start([exec_service()], RunContext(run_id, str(tmp_path), TOKEN))["shell"]
    output = connection.call("command", {"Command": "env"}, "", 30)["Stdout"]
    return {line.split("=", 1)[0] for line in output.splitlines() if "=" in line}


def read_line(descriptor: int) -> bytes:
    """Everything written to the pipe ``descriptor`` until the writer closes it (or exits)."""
    with os.fdopen(descriptor, "rb") as pipe:
        return pipe.read()


def test_an_sdk_service_announces_itself_once_it_listens(tmp_path: Path) -> None:
    port = free_port()
    environment = {**SERVICE_ENV, "PATH": os.environ.get("PATH", ""), "PORT": str(port)}
    process, handshake = spawn.start_service_process(
        [sys.executable, str(GREETER)], str(tmp_path / "greeter.log"), environment, handshake=True
    )
    try:
        assert handshake is not None
        assert read_line(handshake) == f"listening on {port}\n".encode()
    finally:
        process.terminate()
        process.wait()
    assert f"listening on 127.0.0.1:{port}" in (tmp_path / "greeter.log").read_text()


def test_without_handshake_the_service_gets_no_descriptor(tmp_path: Path) -> None:
    environment = {**SERVICE_ENV, "PATH": os.environ.get("PATH", ""), "PORT": str(free_port())}
    process, handshake = spawn.start_service_process(
        [sys.executable, "-c", f"import os; print(os.environ.get({READY_FD_ENV!r}, 'none'))"],
        str(tmp_path / "plain.log"),
        environment,
        handshake=False,
    )
    assert handshake is None
    assert process.wait() == 0
    assert (tmp_path / "plain.log").read_text() == "none\n"


def test_a_builtin_service_hides_the_handshake_from_its_commands(tmp_path: Path) -> None:
    runner = LocalRunner()
    try:
        names = command_environment(runner, tmp_path, "s1")
    finally:
        runner.stop()
    assert "PATH" in names
    assert not names & {READY_FD_ENV, "PORT", "OI_SERVICE_TOKEN"}


def test_a_builtin_service_runs_in_the_interpreter_started_ahead(tmp_path: Path) -> None:
    spawn.start_builtin_host()
    host = spawn._host
    assert host is not None
    runner = LocalRunner()
    try:
        names = command_environment(runner, tmp_path, "s2")
        assert runner.pids() == [host.pid], "the runner took the host instead of starting a process"
        assert spawn._host is None, "a host serves one service only"
    finally:
        runner.stop()
    assert not group_alive(host.pid)
    # It became exactly the service the runner would have started: same variables, same log.
    assert "PATH" in names and not names & {READY_FD_ENV, "PORT", "OI_SERVICE_TOKEN"}
    log = (tmp_path / "services" / "shell-s2.log").read_text()
    assert log.startswith("exec 0.1.0 listening on 127.0.0.1:")


def test_a_host_nobody_takes_leaves_when_its_input_closes() -> None:
    spawn.start_builtin_host()
    host = spawn._host
    spawn._host = None
    assert host is not None and host.stdin is not None
    host.stdin.close()
    assert wait_for_exit(host.pid, 60)
    assert host.wait() == 0


def test_a_runner_with_extra_variables_does_not_take_the_host(tmp_path: Path) -> None:
    spawn.start_builtin_host()
    host = spawn._host
    assert host is not None
    runner = LocalRunner(extra_env={"OI_EXTRA": "1"})
    try:
        command_environment(runner, tmp_path, "s3")
        assert runner.pids() != [host.pid]
        assert spawn._host is host
    finally:
        runner.stop()
        spawn._host = None
        host.kill()
        host.wait()
