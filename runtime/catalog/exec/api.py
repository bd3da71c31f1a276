"""The exec endpoint ``command``: run a command line with ``/bin/sh -c`` (``Command``), or a program
with its arguments and no shell at all (``Args``: each element reaches the program byte for byte, so
a value such as ``$(id)`` or ``; rm -rf ~`` is only text). The schema requires exactly one of the two.

Standard output and standard error are copied line by line into the task's log as they come (a long
build shows progress), standard output is also returned. A non-zero exit fails the call with the
last lines of output, which is what a reader of a failed run needs first. The command gets the
service's environment minus the variables that belong to the service itself (its port, the run's
service token, the engine's address): a command has no business with them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Mapping
from typing import IO, Any

from runtime.group_guard import GroupGuard
from runtime.proto import GRPC_FORK_HANDLERS_OFF
from runtime.sdk import EndpointError
from runtime.services.spawn import die_with_parent

TAIL_LINES = 10
# After the command exits, how long its output pipes may stay open (held by a background child).
DRAIN_GRACE = 2.0
MAX_STDOUT_BYTES = 1 << 20
SERVICE_ONLY_VARIABLES = ("PORT", "OI_SERVICE_TOKEN", "OI_ENGINE_ADDRESS", "OI_BIND_ADDRESS")

Log = Callable[[str], None]

# Commands run in sessions of their own (so a timeout can kill all they started); the service's own
# stop signal does not reach them, so it ends them itself through `kill_running`. A command is
# started and registered under the lock, and none starts once stopping began: a command whose
# process exists is always one that `kill_running` sees.
_running: set[subprocess.Popen[bytes]] = set()
_running_lock = threading.Lock()
_stopping = False
# When this service is killed (a SIGKILL of the engine kills it with its death signal), nobody calls
# `kill_running`: each command's first process gets a death signal of its own, and the guard kills
# the rest of its session (a `sleep` that `sh -c` started, say).
_guard = GroupGuard()


def kill_running() -> None:
    """Kill every command still running, with everything it started; start no more."""
    global _stopping
    with _running_lock:
        _stopping = True
        processes = list(_running)
    for process in processes:
        _kill_group(process)


class _Output:
    """Collects both output streams: into the log sink, the tail, and (stdout only) the result."""

    def __init__(self, sink: IO[bytes]) -> None:
        self.sink = sink
        self.tail: deque[str] = deque(maxlen=TAIL_LINES)
        self.stdout = bytearray()
        self.truncated = False
        self._lock = threading.Lock()

    def pump(self, stream: IO[bytes], is_stdout: bool) -> None:
        for line in iter(stream.readline, b""):
            with self._lock:
                self.sink.write(line)
                self.sink.flush()
                self.tail.append(line.decode("utf-8", "replace").rstrip("\n"))
                if is_stdout:
                    room = MAX_STDOUT_BYTES - len(self.stdout)
                    self.truncated = self.truncated or len(line) > room
                    self.stdout += line[: max(room, 0)]
        stream.close()

    def last_lines(self) -> str:
        lines = [line for line in self.tail if line.strip()]
        if not lines:
            return " (it wrote nothing)"
        return "; last lines of its output:\n" + "\n".join("  | " + line for line in lines)


def _environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name not in SERVICE_ONLY_VARIABLES}


def _argv(arguments: Mapping[str, Any]) -> list[str]:
    """The program and its arguments: ``Args`` as given, or the shell running ``Command``."""
    has_command, has_args = "Command" in arguments, "Args" in arguments
    if has_command == has_args:  # the schema already refuses this; a direct caller gets the same rule
        raise EndpointError("give exactly one of Command (run by /bin/sh -c) and Args (run without a shell)")
    if has_args:
        argv = arguments["Args"]
        if not isinstance(argv, list) or not argv or not all(isinstance(word, str) for word in argv):
            raise EndpointError("Args must be a non-empty list of strings: the program, then its arguments")
        return list(argv)
    return ["/bin/sh", "-c", str(arguments["Command"])]


def command(arguments: Mapping[str, Any], fd: str, log: Log) -> dict[str, Any]:
    argv = _argv(arguments)
    timeout: float | None = float(arguments["Timeout"]) if arguments.get("Timeout") else None
    directory = arguments.get("Directory") or None
    sink: IO[bytes] = open(fd, "ab") if fd else sys.stderr.buffer  # noqa: SIM115 - closed below
    process: subprocess.Popen[bytes] | None = None
    try:
        output = _Output(sink)
        with _running_lock:
            if _stopping:
                raise EndpointError("the exec service is stopping: the command was not run")
            try:
                process = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    cwd=directory,
                    env=_environment(),
                    start_new_session=True,  # so a timeout can kill everything the command started
                    # Killed with the thread that waits for it (this call's), hence with the service.
                    preexec_fn=die_with_parent(os.getpid()) if GRPC_FORK_HANDLERS_OFF else None,
                )
            except OSError as error:
                where = directory or os.getcwd()
                raise EndpointError(f"cannot run {argv[0]} in {where}: {error.strerror or error}") from None
            _running.add(process)
            _guard.add(process.pid)
        assert process.stdout is not None and process.stderr is not None
        pumps = [
            threading.Thread(target=output.pump, args=(process.stdout, True), daemon=True),
            threading.Thread(target=output.pump, args=(process.stderr, False), daemon=True),
        ]
        for pump in pumps:
            pump.start()
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            process.wait()
            for pump in pumps:
                pump.join()
            raise EndpointError(
                f"command timed out after {timeout:g}s and was killed{output.last_lines()}"
            ) from None
        _drain(process, pumps)
    finally:
        with _running_lock:
            _running.discard(process)  # type: ignore[arg-type]  # discard(None) is a no-op
        if process is not None and process.returncode is not None:  # reaped: its number is free again
            _guard.remove(process.pid)
        if fd:
            sink.close()
    if code != 0:
        how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
        raise EndpointError(f"command {how}{output.last_lines()}")
    if output.truncated:
        log(f"stdout was longer than {MAX_STDOUT_BYTES} bytes: the result holds its beginning")
    return {"ExitCode": code, "Stdout": output.stdout.decode("utf-8", "replace")}


def _drain(process: subprocess.Popen[bytes], pumps: list[threading.Thread]) -> None:
    """Wait for the output pumps; a background child still holding the pipes is killed with its group
    rather than keeping the call open forever."""
    for pump in pumps:
        pump.join(DRAIN_GRACE)
    if any(pump.is_alive() for pump in pumps):
        _kill_group(process)
        for pump in pumps:
            pump.join()


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
