"""A port another process takes between the runner's choice and the service's bind: the service
refuses to share it (gRPC's SO_REUSEPORT is off), says so with PORT_TAKEN_EXIT, and the runner starts
it again on another port; each service of a run gets a port of its own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import runtime.services.local as local
from runtime.model import Service
from runtime.services.base import PORT_TAKEN_EXIT, RunContext, ServiceStartError
from runtime.services.local import LOOPBACK, LocalRunner, free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port something listens on, as a service of another run would."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind((LOOPBACK, 0))
        holder.listen()
        yield int(holder.getsockname()[1])


def serve_exec(port: int) -> subprocess.Popen[str]:
    environment = {"PATH": os.environ["PATH"], "PORT": str(port), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "runtime.catalog", "exec"],
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_service_refuses_a_port_something_listens_on(taken_port: int) -> None:
    process = serve_exec(taken_port)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == PORT_TAKEN_EXIT
    assert stderr.strip().splitlines()[-1].startswith(f"error: cannot listen on {LOOPBACK}:{taken_port}: ")


def test_two_services_never_share_a_port() -> None:
    # gRPC servers of one user may share a port with SO_REUSEPORT; the SDK turns it off, so the
    # second one fails instead of taking half of the first one's calls.
    port = free_port()
    first = serve_exec(port)
    try:
        assert first.stderr is not None
        assert "listening on" in first.stderr.readline()
        second = serve_exec(port)
        _, stderr = second.communicate(timeout=60)
        assert second.returncode == PORT_TAKEN_EXIT, stderr
    finally:
        first.terminate()
        first.communicate(timeout=60)


def test_the_runner_starts_a_service_again_when_its_port_was_taken(
    taken_port: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handed: list[int] = []

    def first_taken() -> int:
        handed.append(taken_port if not handed else free_port())
        return handed[-1]

    monkeypatch.setattr(local, "free_port", first_taken)
    runner = LocalRunner()
    try:
        connections = runner.start(
            [Service(alias="shell", name="exec", builtin=True)], RunContext("r1", str(tmp_path), "t")
        )
        assert connections["shell"].endpoints() == ["command"]
    finally:
        runner.stop()
    assert len(handed) == 2 and handed[0] == taken_port
    log = (tmp_path / "services" / "shell-r1.log").read_text(encoding="utf-8")
    assert f"cannot listen on {LOOPBACK}:{taken_port}" in log


def test_a_port_taken_again_and_again_fails_the_start_in_one_message(
    taken_port: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local, "free_port", lambda: taken_port)
    runner = LocalRunner()
    shell = Service(alias="shell", name="exec", builtin=True)
    with pytest.raises(ServiceStartError) as raised:
        runner.start([shell], RunContext("r2", str(tmp_path), "t"))
    runner.stop()
    assert f"exited with code {PORT_TAKEN_EXIT} before it was ready" in str(raised.value)
    assert f"cannot listen on {LOOPBACK}:{taken_port}" in str(raised.value)


def test_free_ports_are_not_handed_out_twice_in_a_row() -> None:
    ports = [free_port() for _ in range(200)]
    assert len(set(ports)) == len(ports)
