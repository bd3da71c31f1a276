"""Starting local service processes: the death signal every service gets, and a built-in service's
interpreter started ahead of time.

Every service process asks the kernel (``PR_SET_PDEATHSIG``) to be killed when the thread that started
it dies (see ``runtime.services.local``); ``die_with_parent`` is the code run for that between fork and
exec.

A built-in service spends most of its start-up importing gRPC and protobuf: about 150 ms of the 200 ms
it takes to listen. A program that knows it is about to run a pipeline before it knows the pipeline's
services (`oic run` starts its child before it checks the pipeline) calls ``start_builtin_host()``:
one interpreter imports the service SDK at once and waits on its standard input. The first built-in
service the local runner then starts takes it (``take_builtin_host``) instead of starting a new
interpreter: the runner writes the service's name, log file and environment to it, and it serves that
service as ``python -m runtime.catalog NAME`` would: output to the log, the environment the runner made
(the host was started with the same pass-through variables), its own process group, killed with the
runner's thread. A host nobody takes ends when its standard input closes, that is when this process
exits, or is killed with the thread that started it.

This module stays import-light (no gRPC, not even the service contracts): the host is started before
anything else is imported.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from runtime import parent_death
from runtime.proto import GRPC_FORK_HANDLERS_OFF

# Environment variables a local service inherits from the engine (the rest is set per service).
PASSED_THROUGH_ENV = ("PATH", "HOME", "LANG", "TZ")
# The directory holding the ``runtime`` package.
SOURCE_ROOT = Path(__file__).resolve().parent.parent.parent
_HOST_CODE = "import sys; from runtime.services.spawn import serve_when_told; sys.exit(serve_when_told())"


def die_with_parent(parent_pid: int) -> Callable[[], None] | None:
    """The code to run in a child between fork and exec so that it is killed when the forking thread
    dies (None where the platform cannot)."""
    return parent_death.die_with_parent(parent_pid, int(signal.SIGKILL))


def start_service_process(
    command: list[str], log_path: str, environment: Mapping[str, str], *, handshake: bool
) -> tuple[subprocess.Popen[bytes], int | None]:
    """Start a service process: a session of its own, nothing on its standard input, its output
    appended to ``log_path``, killed with the calling thread. With ``handshake``, the process gets
    ``OI_READY_FD`` (``runtime.services.base.READY_FD_ENV``), and the read end of that pipe is
    returned with it: a line arrives there once the service listens; end of file, if it exits or
    closes the descriptor without one. Raises ``OSError`` when the command cannot be run."""
    from runtime.services.base import READY_FD_ENV

    read_end = write_end = -1
    child_environment = dict(environment)
    if handshake:
        read_end, write_end = os.pipe()
        child_environment[READY_FD_ENV] = str(write_end)
    try:
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=child_environment,
                start_new_session=True,
                preexec_fn=die_with_parent(os.getpid()) if GRPC_FORK_HANDLERS_OFF else None,
                close_fds=True,
                pass_fds=(write_end,) if handshake else (),
            )
    except BaseException:
        if handshake:
            os.close(read_end)
        raise
    finally:
        if handshake:
            os.close(write_end)  # the child's copy is the one that matters
    return process, (read_end if handshake else None)


def builtin_environment() -> dict[str, str]:
    """What every built-in service started from source inherits, before its own variables."""
    environment = {name: os.environ[name] for name in PASSED_THROUGH_ENV if name in os.environ}
    # ``python -m runtime.catalog`` must find this very copy of runtime, installed or not.
    environment["PYTHONPATH"] = str(SOURCE_ROOT)
    return environment


# -- the host started ahead of time ---------------------------------------------------------------

_host: subprocess.Popen[bytes] | None = None
_host_lock = threading.Lock()


def start_builtin_host() -> None:
    """Start the interpreter the next built-in service of this process will run in (once; from source
    only: a pipeline binary serves its built-in services itself)."""
    global _host
    with _host_lock:
        if _host is not None or getattr(sys, "frozen", False):
            return
        try:
            _host = subprocess.Popen(
                [sys.executable, "-c", _HOST_CODE],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=builtin_environment(),
                start_new_session=True,
                preexec_fn=die_with_parent(os.getpid()) if GRPC_FORK_HANDLERS_OFF else None,
                close_fds=True,
            )
        except OSError:
            _host = None  # services start the usual way


def take_builtin_host(
    name: str, log_path: str, environment: Mapping[str, str]
) -> tuple[subprocess.Popen[bytes], int] | None:
    """The started host, now serving built-in service ``name`` with ``environment``, its output
    appended to ``log_path``, and the read end of its handshake pipe (as ``start_service_process``
    with ``handshake``); None when there is no host (or it is gone): start the service anew."""
    global _host
    with _host_lock:
        host, _host = _host, None
    if host is None or host.stdin is None or host.stdout is None:
        return None
    order = {"name": name, "log": log_path, "environment": dict(environment)}
    try:
        if host.poll() is not None:
            raise OSError("the host exited")
        host.stdin.write(json.dumps(order).encode("utf-8") + b"\n")
        host.stdin.close()
    except (OSError, ValueError):
        _discard(host)
        return None
    # The handshake comes on the host's standard output, a pipe since it started.
    return host, os.dup(host.stdout.fileno())


def _discard(host: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(host.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    host.wait()


def serve_when_told() -> int:
    """The host's program: import the SDK, then serve the built-in service named on standard input."""
    try:
        import runtime.catalog.__main__  # noqa: F401
        import runtime.sdk  # noqa: F401 - gRPC and protobuf: the slow part of a service's start
    except Exception:  # noqa: BLE001 - imported again below, where the error reaches the service's log
        pass
    line = sys.stdin.buffer.readline()
    if not line:
        return 0  # nobody needed it
    order = json.loads(line)
    # From here on, the process is what ``python -m runtime.catalog NAME`` started by the local runner
    # would be: standard input empty, output in the service's log, the runner's environment, and the
    # handshake descriptor (its standard output so far, the runner's pipe).
    handshake = os.dup(1)
    log = os.open(order["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(nothing)
    os.close(log)
    os.environ.clear()
    os.environ.update(order["environment"])
    from runtime.services.base import READY_FD_ENV

    os.environ[READY_FD_ENV] = str(handshake)
    from runtime.catalog.__main__ import main

    sys.argv = [str(SOURCE_ROOT / "runtime" / "catalog" / "__main__.py"), order["name"]]
    return main([order["name"]])
