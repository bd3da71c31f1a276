"""Run services as local child processes.

Each service is started in a process group of its own with a small explicit environment (``PORT``,
``OI_SERVICE_TOKEN``, ...), its output going to ``logs/services/<alias>-<run id>.log``. Readiness is
not guessed with sleeps: the runner waits, with one deadline for all, on whichever happens first per
service: it listens, or its process exits (then the error carries the exit code and the last lines
of its log). A built-in service says when it listens (a handshake line); any other is tried with a
plain TCP connection every ``PROBE_INTERVAL``. Not with gRPC's own readiness watch: its watcher
thread outlives the watch, and a channel closed under it (a service that exits before it is ready
is stopped at once) made it print "Cannot monitor channel state: Channel closed!" with a traceback.

Children are forked from the calling thread, all of them before any waiting, and each asks the kernel
(``PR_SET_PDEATHSIG``) to be killed when that thread dies: even a ``kill -9`` of the engine leaves no
service behind. That signal fires when the *forking thread* ends, so a short-lived worker thread must
never start a service. Setting it runs Python code between fork and exec, which is only safe with
gRPC's fork handlers off (see ``runtime.proto``); when a host program imported gRPC before oi turned
them off, services are started without it (``stop`` still ends them; a killed engine may not).

A path service whose file ends in ``.py`` is run with this interpreter (which has the SDK), with this
copy of ``runtime`` on its ``PYTHONPATH``: it needs neither a shebang nor the exec bit. A pipeline
binary serves it on its own interpreter instead (``BINARY --oi-serve-python FILE``), as it serves
its built-in services: the machine it runs on needs no Python.

A built-in service run from source may take an interpreter started ahead of time, which has already
imported gRPC (``runtime.services.spawn``); it then runs as it would have been started here.

``stop`` sends SIGTERM to every group, waits a grace period, then SIGKILLs what is left. A service's
children share its group, so a shell wrapper that does not ``exec`` leaves nothing behind either. The
death signal reaches only a service's first process: after a SIGKILL of the engine, the other
processes of its group are killed by the runner's ``GroupGuard`` (``runtime.group_guard``).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from runtime.group_guard import GroupGuard
from runtime.launcher import SERVE_BUILTIN_FLAG, SERVE_PYTHON_FLAG
from runtime.model import Service
from runtime.proto import GRPC_FORK_HANDLERS_OFF
from runtime.services.base import (
    PORT_TAKEN_EXIT,
    CallFailed,
    RunContext,
    ServiceConnection,
    ServiceStartError,
)
from runtime.services.client import LOOPBACK_CHANNEL_OPTIONS, GrpcConnection
from runtime.services.listening import beyond_loopback, listening_addresses
from runtime.services.spawn import PASSED_THROUGH_ENV, SOURCE_ROOT, start_service_process, take_builtin_host

logger = logging.getLogger("oi.services")

LOOPBACK = "127.0.0.1"
LOG_TAIL_LINES = 20
# How many times a service whose port another process took first is started again on another port.
PORT_RESTARTS = 3
# The ports ``free_port`` handed out lately, oldest first, which it does not hand out again.
PORTS_REMEMBERED = 1024
_ports_given: dict[int, None] = {}
_ports_lock = threading.Lock()
# Seconds between two connection attempts to a service that does not say when it listens: a
# refused connection on loopback costs a few microseconds, and a service is found listening at most
# this late.
PROBE_INTERVAL = 0.01


@dataclass
class _Started:
    """A started child: its service, process, log path and connection."""

    service: Service
    process: subprocess.Popen[bytes]
    log_path: Path
    connection: GrpcConnection
    port: int
    exited: threading.Event = field(default_factory=threading.Event)
    # Set once the service said it listens (or closed its handshake pipe); None: it has no handshake.
    announced: threading.Event | None = None
    # Whether the handshake pipe brought a line (closed without one: the service is going away).
    said_listening: bool = False
    # How many times this service was started again because its port was taken (PORT_TAKEN_EXIT).
    restarts: int = 0


class LocalRunner:
    """Starts services as local processes on loopback ports (a ``ServiceRunner``).

    ``ready_timeout``: seconds for all services to accept connections and answer ``init``.
    ``stop_grace``: seconds between SIGTERM and SIGKILL. ``engine_address``: the ``ReportServer``
    address given to services as ``OI_ENGINE_ADDRESS`` ("" = reporting off). ``extra_env``: more
    variables for every service."""

    def __init__(
        self,
        *,
        ready_timeout: float = 30.0,
        stop_grace: float = 5.0,
        engine_address: str = "",
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        self.ready_timeout = ready_timeout
        self.stop_grace = stop_grace
        self.engine_address = engine_address
        self.extra_env = dict(extra_env or {})
        self._started: list[_Started] = []
        self._lock = threading.Lock()
        self._stopped = False
        # Kills the services' whole groups if this process dies without stopping them.
        self._guard = GroupGuard()
        self._listen_check: threading.Thread | None = None

    def start(self, services: Sequence[Service], context: RunContext) -> dict[str, ServiceConnection]:
        if not GRPC_FORK_HANDLERS_OFF:
            logger.warning(
                "gRPC was imported before oi's runtime: services will not die with the engine if it is "
                "killed. To fix this, import runtime before grpc or set GRPC_ENABLE_FORK_SUPPORT=0"
            )
        deadline = time.monotonic() + self.ready_timeout
        if context.deadline is not None:  # the whole run's timeout covers the start too
            deadline = min(deadline, context.deadline)
        changed = threading.Event()
        try:
            started = [self._spawn(service, context, changed) for service in services]
            self._wait_ready(started, deadline, changed, context)
            self._initialize(started, deadline)
        except BaseException:
            self.stop()
            raise
        # Off the run's path: a pass over /proc takes milliseconds, and the warning may come later.
        self._listen_check = threading.Thread(
            target=self._warn_beyond_loopback, args=(started, context), name="oi-listen-check", daemon=True
        )
        self._listen_check.start()
        return {entry.service.alias: entry.connection for entry in started}

    # -- starting ------------------------------------------------------------------------------------

    def _spawn(self, service: Service, context: RunContext, changed: threading.Event) -> _Started:
        command = service_command(service)
        port = free_port()
        try:
            connection = GrpcConnection(
                service,
                f"{LOOPBACK}:{port}",
                token=context.service_token,
                channel_options=LOOPBACK_CHANNEL_OPTIONS,
                warn=context.warn,
            )
        except CallFailed as error:  # the schemas given with the service are broken
            raise ServiceStartError(str(error)) from None
        log_dir = Path(context.logs_dir) / "services"
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / f"{service.alias}-{context.run_id}.log"
        environment = self._environment(service, port, context)
        # Built-in services are served by the SDK, which answers the handshake (see ``_wait_ready``).
        builtin = service.builtin and not service.path
        started: tuple[subprocess.Popen[bytes], int | None] | None = None
        # A built-in service may take the interpreter started ahead of time (``runtime.services.spawn``);
        # not with extra variables, which the interpreter's start-up might have read.
        if builtin and not getattr(sys, "frozen", False) and not self.extra_env:
            started = take_builtin_host(service.name, str(log_path), environment)
        if started is None:
            try:
                started = start_service_process(command, str(log_path), environment, handshake=builtin)
            except OSError as error:
                connection.close()
                raise ServiceStartError(
                    f"service {service.alias!r}: cannot run {command[0]}: {error.strerror or error}"
                ) from None
        process, handshake = started
        self._guard.add(process.pid)  # a session of its own: its process group has its number
        entry = _Started(service, process, log_path, connection, port)
        with self._lock:
            self._started.append(entry)

        def watch_exit() -> None:
            process.wait()
            entry.exited.set()
            changed.set()

        threading.Thread(target=watch_exit, name=f"oi-watch-{service.alias}", daemon=True).start()
        if handshake is not None:
            entry.announced = threading.Event()
            threading.Thread(
                target=_await_handshake,
                args=(handshake, entry, changed),
                name=f"oi-ready-{service.alias}",
                daemon=True,
            ).start()
        return entry

    def _environment(self, service: Service, port: int, context: RunContext) -> dict[str, str]:
        environment = {name: os.environ[name] for name in PASSED_THROUGH_ENV if name in os.environ}
        if _served_by_this_binary(service):
            # The pipeline binary serves its built-in and Python services itself. Handing the child the
            # bootloader's variables lets it run from the directory this process already unpacked,
            # instead of unpacking the whole binary again (~0.5 s per service).
            environment.update(_frozen_bootloader_environment())
        elif service.builtin and not service.path or is_python_service(service):
            # ``python -m runtime.catalog`` and a .py service (run with this interpreter) import the
            # runtime and the SDK from this very copy of runtime, installed or not.
            environment["PYTHONPATH"] = str(SOURCE_ROOT)
        environment["PORT"] = str(port)
        if context.service_token:
            environment["OI_SERVICE_TOKEN"] = context.service_token
        if self.engine_address:
            environment["OI_ENGINE_ADDRESS"] = self.engine_address
        environment.update(self.extra_env)
        return environment

    def _wait_ready(
        self, started: list[_Started], deadline: float, changed: threading.Event, context: RunContext
    ) -> None:
        # A service that answers the handshake is connected to only once it has; any other is probed
        # until it accepts a connection. Either way the init call's first connection then succeeds
        # (gRPC retries a refused one no sooner than 100 ms later, whatever its options say).
        listening: dict[str, threading.Event] = {}
        done = threading.Event()

        def probe(entry: _Started) -> None:
            found = listening[entry.service.alias] = threading.Event()
            threading.Thread(
                target=_probe_until_listening,
                args=(entry, found, done, changed),
                name=f"oi-probe-{entry.service.alias}",
                daemon=True,
            ).start()

        for entry in started:
            if entry.announced is None:
                probe(entry)
        try:
            pending = list(started)
            while pending:
                changed.clear()
                for entry in list(pending):
                    if entry.exited.is_set():
                        if entry.process.returncode != PORT_TAKEN_EXIT or entry.restarts >= PORT_RESTARTS:
                            raise ServiceStartError(self._exited_message(entry))
                        # Another process took its port first: start it again on another one.
                        again = self._spawn(entry.service, context, changed)
                        again.restarts = entry.restarts + 1
                        started[started.index(entry)] = pending[pending.index(entry)] = again
                        listening.pop(entry.service.alias, None)
                        if again.announced is None:
                            probe(again)
                        continue
                    if entry.service.alias not in listening:
                        if entry.announced is None or not entry.announced.is_set():
                            continue
                        if not entry.said_listening:
                            continue  # the pipe closed without a word: it is exiting (see above)
                        probe(entry)  # said it listens: the first try succeeds
                    if listening[entry.service.alias].is_set():
                        pending.remove(entry)
                if not pending:
                    return
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ServiceStartError(self._not_ready_message(pending))
                changed.wait(remaining)
        finally:
            done.set()

    def _initialize(self, started: list[_Started], deadline: float) -> None:
        # init calls never fork, so a pool is fine here (unlike for starting the processes).
        def initialize(entry: _Started) -> None:
            try:
                entry.connection.initialize(timeout=max(deadline - time.monotonic(), 0.001))
            except CallFailed as error:
                raise ServiceStartError(
                    f"service {entry.service.alias!r} failed its init call: {error}"
                ) from None

        if not started:
            return
        with ThreadPoolExecutor(max_workers=min(8, len(started)), thread_name_prefix="oi-init") as pool:
            for future in [pool.submit(initialize, entry) for entry in started]:
                future.result()

    def _warn_beyond_loopback(self, started: list[_Started], context: RunContext) -> None:
        """Warn, in the run's log, on stderr and in the service's log, about every service that
        listens on an address other machines may reach (see ``runtime.services.listening``)."""
        try:
            found = listening_addresses(entry.process.pid for entry in started)
        except Exception:  # noqa: BLE001 - a warning only: never a reason for the run to fail
            return
        for entry in started:
            exposed = beyond_loopback(found.get(entry.process.pid, ()))
            if not exposed:
                continue
            message = (
                f"service {entry.service.alias!r} listens on {', '.join(exposed)}, not only on loopback: "
                "other machines that reach this one may call it. To fix this, make it listen on "
                f"{LOOPBACK}:$PORT (the SDK does, unless OI_BIND_ADDRESS says otherwise)"
            )
            logger.warning(message)
            if context.warn is not None:
                context.warn(message)
            try:
                with open(entry.log_path, "a", encoding="utf-8") as log:
                    log.write(f"oi: warning: {message}\n")
            except OSError:
                pass

    def _exited_message(self, entry: _Started) -> str:
        code = entry.process.returncode
        how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited with code {code}"
        return (
            f"service {entry.service.alias!r} {how} before it was ready "
            f"(log: {entry.log_path}){_log_tail(entry.log_path)}"
        )

    def _not_ready_message(self, pending: list[_Started]) -> str:
        names = ", ".join(repr(entry.service.alias) for entry in pending)
        first = pending[0]
        return (
            f"service {names} not ready after {self.ready_timeout:g}s: it must listen on 127.0.0.1:$PORT "
            f"(log: {first.log_path}){_log_tail(first.log_path)}"
        )

    # -- stopping ------------------------------------------------------------------------------------

    def stop(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            started = list(self._started)
        if self._listen_check is not None:
            self._listen_check.join()  # its lines reach the logs before they are closed
        # Closing a channel cancels its calls, and may wait for gRPC's threads to let go of it: the
        # channels close in threads while the services are told to stop, not one after the other.
        closers = [
            threading.Thread(
                target=entry.connection.close, name=f"oi-close-{entry.service.alias}", daemon=True
            )
            for entry in started
        ]
        for closer in closers:
            closer.start()
        for entry in started:
            _signal_group(entry.process, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_grace
        for entry in started:
            entry.exited.wait(max(deadline - time.monotonic(), 0))
        # Also kill the groups whose leader did exit: children it left behind share the group.
        for entry in started:
            _signal_group(entry.process, signal.SIGKILL)
        for entry in started:
            entry.process.wait()
            self._guard.remove(entry.process.pid)
        self._guard.close()
        for closer in closers:
            closer.join()

    def pids(self) -> list[int]:
        """The process ids (= process group ids) of the services started, for diagnostics and tests."""
        with self._lock:
            return [entry.process.pid for entry in self._started]


def service_command(service: Service) -> list[str]:
    """The command line that runs ``service``. Raises ``ServiceStartError`` when there is none."""
    if service.path:
        path = Path(service.path)
        if not path.exists():
            raise ServiceStartError(
                f"service {service.alias!r}: {service.path} does not exist. "
                "To fix this, build the service or correct its path in the pipeline"
            )
        if is_python_service(service):
            if getattr(sys, "frozen", False):  # a pipeline binary carries the SDK: it serves the file
                return [sys.executable, SERVE_PYTHON_FLAG, str(path.resolve())]
            return [sys.executable, str(path.resolve())]
        if not os.access(path, os.X_OK):
            raise ServiceStartError(
                f"service {service.alias!r}: {service.path} is not executable. "
                "To fix this, run chmod +x on it"
            )
        return [str(path.resolve())]
    if service.builtin:
        if getattr(sys, "frozen", False):
            return [sys.executable, SERVE_BUILTIN_FLAG, service.name]
        return [sys.executable, "-m", "runtime.catalog", service.name]
    try:
        from runtime.catalog.resolve import locate_service_binary
    except ImportError as error:
        raise ServiceStartError(
            f"service {service.alias!r}: catalog services cannot be resolved here ({error})"
        ) from None
    try:
        return [str(locate_service_binary(service))]
    except ServiceStartError:
        raise
    except Exception as error:  # noqa: BLE001 - resolution errors become one line for the user
        raise ServiceStartError(f"service {service.alias!r}: {error}") from None


def is_python_service(service: Service) -> bool:
    """Whether ``service`` is a Python file, run by an interpreter rather than executed."""
    return Path(service.path).suffix == ".py"


def _served_by_this_binary(service: Service) -> bool:
    """Whether a pipeline binary runs ``service`` on itself (built-in and ``.py`` services)."""
    if not getattr(sys, "frozen", False):
        return False
    return service.path.endswith(".py") if service.path else service.builtin


def free_port() -> int:
    """A loopback port free right now, and not one this process handed out lately: the kernel may
    give the same free port to two binds in a row, and two services of one run must not be told the
    same port. (Another process could still take it before the service binds it: see
    ``PORT_TAKEN_EXIT``.)"""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((LOOPBACK, 0))
            port = int(probe.getsockname()[1])
        with _ports_lock:
            if port in _ports_given:
                continue
            _ports_given[port] = None
            if len(_ports_given) > PORTS_REMEMBERED:
                del _ports_given[next(iter(_ports_given))]
            return port


def _log_tail(log_path: Path) -> str:
    try:
        with open(log_path, "rb") as log:
            lines = deque(log, maxlen=LOG_TAIL_LINES)
    except OSError:
        return ""
    text = "".join(line.decode("utf-8", "replace") for line in lines).rstrip()
    if not text:
        return ""
    return "; last lines of its output:\n" + "\n".join("  | " + line for line in text.splitlines())


def _signal_group(process: subprocess.Popen[bytes], signal_number: int) -> None:
    try:
        os.killpg(process.pid, signal_number)
    except (ProcessLookupError, PermissionError):
        pass


def _probe_until_listening(
    entry: _Started, listening: threading.Event, done: threading.Event, changed: threading.Event
) -> None:
    """Try to connect to the service's port until it accepts (then set ``listening``), its process
    exits, or the runner stops waiting (``done``)."""
    while not done.is_set() and not entry.exited.is_set():
        try:
            with socket.create_connection((LOOPBACK, entry.port), timeout=PROBE_INTERVAL * 100):
                pass
        except OSError:
            done.wait(PROBE_INTERVAL)
            continue
        listening.set()
        changed.set()
        return


def _await_handshake(descriptor: int, entry: _Started, changed: threading.Event) -> None:
    """Wait for the service's handshake line, or the end of its pipe (it exited, or closed it)."""
    try:
        entry.said_listening = bool(os.read(descriptor, 256))
    except OSError:
        pass
    finally:
        os.close(descriptor)
        assert entry.announced is not None
        entry.announced.set()
        changed.set()


def _frozen_bootloader_environment() -> dict[str, str]:
    """The variables a PyInstaller one-file bootloader sets for its application process."""
    return {
        name: value
        for name, value in os.environ.items()
        if name.startswith("_PYI_") or name in ("_MEIPASS2", "LD_LIBRARY_PATH")
    }
