"""The reference every engine figure is compared with: the same calls made with raw gRPC stubs.

``EchoServer`` starts ``echo_service.py`` as a child process on a loopback port and stops it;
``raw_calls`` makes ``count`` calls to it with the generated stubs and nothing else (JSON in, JSON
out, the status checked): sequentially for a chain, or from ``callers`` threads at once for a
fan-out. No engine can call a service faster than that, so it is the physical limit the engine's
overhead is measured against.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import grpc
from common import ROOT

from runtime.proto import service_pb2, service_pb2_grpc

ECHO_SERVICE = Path(__file__).resolve().parent / "echo_service.py"
READY_TIMEOUT = 30.0
CALL_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class EchoServer:
    """``with EchoServer(log_path) as server:`` — the echo service, ready, at ``server.address``."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> EchoServer:
        environment = dict(os.environ, PORT=str(self.port), PYTHONPATH=str(ROOT))
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, str(ECHO_SERVICE)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=environment,
                start_new_session=True,
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + READY_TIMEOUT
        with grpc.insecure_channel(self.address) as channel:
            ready = grpc.channel_ready_future(channel)
            while True:
                try:
                    ready.result(timeout=0.1)
                    return
                except grpc.FutureTimeoutError:
                    pass
                if self._process.poll() is not None:
                    raise RuntimeError(f"the echo service exited early; see {self.log_path}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the echo service was not ready in {READY_TIMEOUT:g}s")

    def stop(self) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def echo_arguments(n: int) -> dict[str, object]:
    """The arguments of call ``n``: the same for the engine and the raw loop."""
    return {"n": n, "text": f"call {n}"}


def raw_calls(address: str, count: int, callers: int = 1) -> float:
    """Make ``count`` echo calls from ``callers`` threads; return the seconds they took.

    The channel is connected and ``init`` answered before the clock starts, as the engine's are
    before its first task."""
    with grpc.insecure_channel(address) as channel:
        stub = service_pb2_grpc.ServiceStub(channel)
        stub.init(service_pb2.InitRequest(), timeout=CALL_TIMEOUT)
        numbers = itertools.count()
        failures: list[str] = []

        def call_until_done() -> None:
            while True:
                n = next(numbers)  # itertools.count is atomic under the GIL
                if n >= count or failures:
                    return
                request = service_pb2.CallRequest(
                    endpoint="echo", arguments=json.dumps(echo_arguments(n)), fd=""
                )
                response = stub.call(request, timeout=CALL_TIMEOUT)
                if response.status != service_pb2.OK:
                    failures.append(response.error)
                    return
                json.loads(response.payload)

        started = time.perf_counter()
        if callers <= 1:
            call_until_done()
        else:
            threads = [threading.Thread(target=call_until_done) for _ in range(callers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"the echo service answered an error: {failures[0]}")
    return elapsed


def echo_task(name: str, n: int, *, reusable: bool = False) -> Any:
    """A ``runtime.model.Task`` calling ``echo`` on the service aliased ``echo`` with call ``n``'s
    arguments."""
    from runtime.model import Argument, Task, TaskMetadata, TaskSpec

    arguments = tuple(Argument(key, value) for key, value in echo_arguments(n).items())
    return Task(TaskMetadata(name, reusable=reusable), TaskSpec("echo", "echo", arguments))
