"""Write an oi service in a few lines.

```python
from runtime.sdk import Service, CallContext

service = Service("greeter", version="0.1.0")

@service.endpoint("greet", arguments={"type": "object", "required": ["name"],
                                      "properties": {"name": {"type": "string"}}})
def greet(arguments: dict, context: CallContext) -> dict:
    context.log("greeting " + arguments["name"])      # to the task's log file
    context.report("progress", {"percent": 50})       # a task.reported event in the engine
    return {"greeting": "hi " + arguments["name"]}

if __name__ == "__main__":
    service.serve()
```

The SDK speaks the v1 protocol, so the service also runs under the original engine. It answers
``init`` with its schemas, validates arguments itself (any client may call it), and turns exceptions
into ``Status=Error`` answers carrying the message (the traceback goes to the service's stderr, which
the runner writes to the service's log). Started with ``OI_SERVICE_TOKEN`` it refuses requests that
do not carry that token; started without one it accepts every request, as the original engine expects.
"""

from __future__ import annotations

import difflib
import hmac
import json
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import grpc

from runtime.file_modes import FILE_MODE
from runtime.proto import engine_pb2, engine_pb2_grpc, service_pb2, service_pb2_grpc
from runtime.services.base import PORT_TAKEN_EXIT, READY_FD_ENV, TOKEN_METADATA_KEY
from runtime.services.schemas import SchemaError, ValidationFailed, Validator
from runtime.signals import SignalWatch

DEFAULT_BIND_ADDRESS = "127.0.0.1"
REPORT_TIMEOUT = 10.0

Handler = Callable[[dict, "CallContext"], Any]
_HandlerT = TypeVar("_HandlerT", bound=Handler)


class EndpointError(Exception):
    """Raise it from an endpoint for an expected failure: the caller gets the message, and no
    traceback is written to the service's log."""


class CallContext:
    """What an endpoint knows about its call: the ``endpoint`` name and ``fd``, the task's log path."""

    def __init__(self, service: Service, endpoint: str, fd: str, reporter: _Reporter | None) -> None:
        self.endpoint = endpoint
        self.fd = fd
        self._service = service
        self._reporter = reporter

    def log(self, message: str) -> None:
        """Append ``message`` as a line to the task's log (to stderr when the call has no log file).
        Never writes to stdout, which belongs to the service's own log."""
        line = message if message.endswith("\n") else message + "\n"
        if self.fd:
            try:
                # 0600: a task log may hold what the task handled (the run's policy, runtime/file_modes.py)
                descriptor = os.open(self.fd, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
                with open(descriptor, "a", encoding="utf-8") as log:
                    log.write(line)
                return
            except OSError as error:
                print(f"{self._service.name}: cannot write the task log {self.fd}: {error}", file=sys.stderr)
        sys.stderr.write(line)

    def report(self, event: str, data: Any = None) -> None:
        """Report ``event`` with JSON ``data`` to the engine (a ``task.reported`` event there). Without
        an engine address (an engine that does not listen for reports) it is only logged."""
        if self._reporter is None:
            self.log(f"report {event}: {json.dumps(data, default=str)} (no engine to report to)")
            return
        self._reporter.report(self.fd, event, data)


@dataclass
class _Endpoint:
    name: str
    handler: Handler | None = None
    arguments: Mapping[str, Any] | None = None
    returns: Mapping[str, Any] | None = None
    arguments_validator: Validator | None = None


class _Reporter:
    """One channel to the engine's report server, shared by all calls of the process."""

    def __init__(self, address: str, token: str) -> None:
        self._channel = grpc.insecure_channel(address)
        self._stub = engine_pb2_grpc.EngineStub(self._channel)
        self._metadata = ((TOKEN_METADATA_KEY, token),) if token else ()

    def report(self, fd: str, event: str, data: Any) -> None:
        request = engine_pb2.ReportRequest(fd=fd, event=event, data=json.dumps(data, default=str))
        try:
            self._stub.report(request, timeout=REPORT_TIMEOUT, metadata=self._metadata)
        except grpc.RpcError as error:
            # A lost report must not fail the work it describes.
            details = error.details() if isinstance(error, grpc.Call) else str(error)
            print(f"report {event!r} not delivered: {details}", file=sys.stderr)

    def close(self) -> None:
        self._channel.close()


class Service:
    """A service: a ``name``, a ``version`` and endpoints registered with ``endpoint``."""

    def __init__(self, name: str, version: str = "0.0.0") -> None:
        self.name = name
        self.version = version
        self._endpoints: dict[str, _Endpoint] = {}
        self._stop_callbacks: list[Callable[[], None]] = []

    def on_stop(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` when ``serve()`` is asked to stop, before in-flight calls are drained: the
        place to end work a handler started outside this process's group (child sessions, say)."""
        self._stop_callbacks.append(callback)

    # -- declaring -----------------------------------------------------------------------------------

    def endpoint(
        self,
        name: str,
        *,
        arguments: Mapping[str, Any] | None = None,
        returns: Mapping[str, Any] | None = None,
        schema_dir: str | os.PathLike[str] | None = None,
    ) -> Callable[[_HandlerT], _HandlerT]:
        """Register the decorated function as endpoint ``name``. Schemas come from ``arguments`` /
        ``returns``, from ``schema_dir/<name>/{arguments,returns}.json``, or from an earlier
        ``load_schema_dir``. The function gets the decoded arguments and a ``CallContext`` and returns
        a JSON-encodable value."""
        if schema_dir is not None:
            self._load_endpoint_dir(name, Path(schema_dir) / name)
        entry = self._endpoints.setdefault(name, _Endpoint(name))
        if arguments is not None:
            entry.arguments = arguments
        if returns is not None:
            entry.returns = returns
        _check_schemas(entry)

        def register(handler: _HandlerT) -> _HandlerT:
            entry.handler = handler
            return handler

        return register

    def load_schema_dir(self, directory: str | os.PathLike[str]) -> None:
        """Load the catalog layout ``<directory>/<endpoint>/{arguments,returns}.json`` for every
        endpoint found there (their handlers are registered with ``endpoint(name)``)."""
        root = Path(directory)
        if not root.is_dir():
            raise SchemaError(f"schema directory {root} does not exist")
        for endpoint_dir in sorted(path for path in root.iterdir() if path.is_dir()):
            self._load_endpoint_dir(endpoint_dir.name, endpoint_dir)

    def _load_endpoint_dir(self, name: str, directory: Path) -> None:
        entry = self._endpoints.setdefault(name, _Endpoint(name))
        for kind in ("arguments", "returns"):
            path = directory / f"{kind}.json"
            if not path.is_file():
                continue
            try:
                schema = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise SchemaError(f"{path}: {error}") from None
            setattr(entry, kind, schema)
        _check_schemas(entry)

    def json_schemas(self) -> dict[str, str]:
        """The ``init`` answer: ``ENDPOINT/arguments.json`` and ``ENDPOINT/returns.json`` to schema text.

        Empty when no endpoint declares a schema (the service is untyped). Otherwise every endpoint
        is listed, with the accept-anything schema ``{}`` where it declares none, so that a client
        does not take an undeclared endpoint for an unknown one."""
        if all(entry.arguments is None and entry.returns is None for entry in self._endpoints.values()):
            return {}
        schemas = {}
        for name, entry in sorted(self._endpoints.items()):
            schemas[f"{name}/arguments.json"] = json.dumps(entry.arguments or {}, sort_keys=True)
            schemas[f"{name}/returns.json"] = json.dumps(entry.returns or {}, sort_keys=True)
        return schemas

    # -- answering -----------------------------------------------------------------------------------

    def handle(
        self, request: service_pb2.CallRequest, reporter: _Reporter | None = None
    ) -> service_pb2.CallResponse:
        """Answer one call (validation, the endpoint, errors as ``Status=Error``). Used by the server;
        callable directly in unit tests of a service."""
        entry = self._endpoints.get(request.endpoint)
        if entry is None or entry.handler is None:
            return _error(self._unknown_endpoint(request.endpoint))
        try:
            arguments = json.loads(request.arguments) if request.arguments.strip() else {}
        except ValueError as error:
            return _error(f"arguments: not valid JSON: {error}")
        if entry.arguments_validator is not None:
            try:
                entry.arguments_validator.validate(arguments, "arguments")
            except ValidationFailed as error:
                return _error(str(error))
        context = CallContext(self, request.endpoint, request.fd, reporter)
        try:
            result = entry.handler(arguments, context)
        except EndpointError as error:
            return _error(str(error) or f"{request.endpoint} failed")
        except Exception as error:  # noqa: BLE001 - the caller gets the message; the log, the traceback
            traceback.print_exc(file=sys.stderr)
            return _error(str(error) or f"{request.endpoint} failed: {type(error).__name__}")
        try:
            payload = json.dumps(result, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as error:
            return _error(f"{request.endpoint} returned a value that is not JSON: {error}")
        return service_pb2.CallResponse(status=service_pb2.OK, payload=payload)

    def _unknown_endpoint(self, endpoint: str) -> str:
        known = sorted(name for name, entry in self._endpoints.items() if entry.handler is not None)
        close = difflib.get_close_matches(endpoint, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f"; its endpoints: {', '.join(known)}"
        return f"service {self.name!r} has no endpoint {endpoint!r}{hint}"

    # -- serving -------------------------------------------------------------------------------------

    def start(
        self,
        port: int = 0,
        *,
        host: str = DEFAULT_BIND_ADDRESS,
        token: str = "",
        engine_address: str = "",
        max_workers: int = 16,
    ) -> RunningService:
        """Start serving in background threads on ``host:port`` (0 = a free port); return a handle.
        ``token``: required from every request ("" = accept all). ``engine_address``: where reports go."""
        reporter = _Reporter(engine_address, token) if engine_address else None
        server = grpc.server(
            ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=f"{self.name}-call"),
            # gRPC sets SO_REUSEPORT by default: a second server of the same user could then bind a
            # port another service listens on, and the kernel would share the calls between the two.
            options=[("grpc.so_reuseport", 0)],
        )
        service_pb2_grpc.add_ServiceServicer_to_server(_Servicer(self, token, reporter), server)
        bound = server.add_insecure_port(f"{host}:{port}")
        server.start()
        return RunningService(server, bound, reporter)

    def serve(self, *, grace: float = 2.0) -> None:
        """Serve until SIGTERM or SIGINT, configured by the environment: ``PORT`` (required),
        ``OI_BIND_ADDRESS`` (default 127.0.0.1; a Kubernetes pod needs 0.0.0.0), ``OI_SERVICE_TOKEN``,
        ``OI_ENGINE_ADDRESS``, and ``OI_READY_FD``: a descriptor on which one line is written once the
        service listens (the local runner's handshake). On a configuration error it prints one line
        and exits with status 2."""
        # Taken out of the environment at once: commands a service runs must not inherit it.
        ready_descriptor = os.environ.pop(READY_FD_ENV, "")
        port_text = os.environ.get("PORT", "")
        if not port_text.isdigit():
            _exit_with(f"PORT is {port_text!r}: set it to the port {self.name} should listen on", 2)
        host = os.environ.get("OI_BIND_ADDRESS", DEFAULT_BIND_ADDRESS)
        stop_requested = threading.Event()
        # Watched on a thread of its own: delivered to one of gRPC's threads, a signal would not wake
        # a main thread waiting on the event (``runtime.signals``). Off the main thread: no handlers.
        SignalWatch((signal.SIGTERM, signal.SIGINT), lambda _number: stop_requested.set()).install()
        try:
            running = self.start(
                int(port_text),
                host=host,
                token=os.environ.get("OI_SERVICE_TOKEN", ""),
                engine_address=os.environ.get("OI_ENGINE_ADDRESS", ""),
            )
        except RuntimeError as error:
            status = PORT_TAKEN_EXIT if _port_taken(host, int(port_text)) else 1
            _exit_with(f"cannot listen on {host}:{port_text}: {error}", status)
        print(f"{self.name} {self.version} listening on {host}:{running.port}", file=sys.stderr, flush=True)
        _announce(ready_descriptor, running.port)
        stop_requested.wait()
        for callback in self._stop_callbacks:
            try:
                callback()
            except Exception as error:  # stopping must go on whatever one callback does
                print(f"{self.name}: while stopping: {error}", file=sys.stderr, flush=True)
        running.stop(grace)
        # Calls still running after the grace period were cancelled for their clients, but their
        # threads would keep the interpreter alive until the runner's SIGKILL: leave now instead.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


class RunningService:
    """A started server: its ``port``; ``stop(grace)`` ends it after in-flight calls (up to ``grace`` s)."""

    def __init__(self, server: grpc.Server, port: int, reporter: _Reporter | None) -> None:
        self.port = port
        self.address = f"127.0.0.1:{port}"
        self._server = server
        self._reporter = reporter

    def stop(self, grace: float = 1.0) -> None:
        self._server.stop(grace).wait()
        if self._reporter is not None:
            self._reporter.close()


class _Servicer(service_pb2_grpc.ServiceServicer):
    def __init__(self, service: Service, token: str, reporter: _Reporter | None) -> None:
        self._service = service
        self._token = token
        self._reporter = reporter

    def _authenticate(self, context: grpc.ServicerContext) -> None:
        if not self._token:
            return
        sent = dict(context.invocation_metadata()).get(TOKEN_METADATA_KEY, "")
        if not isinstance(sent, str) or not hmac.compare_digest(sent, self._token):
            context.abort(
                grpc.StatusCode.UNAUTHENTICATED,
                f"{self._service.name} requires the run's token in the {TOKEN_METADATA_KEY!r} metadata",
            )

    def init(
        self, request: service_pb2.InitRequest, context: grpc.ServicerContext
    ) -> service_pb2.InitResponse:
        self._authenticate(context)
        return service_pb2.InitResponse(jsonSchemas=self._service.json_schemas())

    def call(
        self, request: service_pb2.CallRequest, context: grpc.ServicerContext
    ) -> service_pb2.CallResponse:
        self._authenticate(context)
        return self._service.handle(request, self._reporter)


def _announce(descriptor: str, port: int) -> None:
    """Write the handshake line to ``descriptor`` (when there is one) and close it."""
    if not descriptor.isdigit():
        return
    try:
        os.write(int(descriptor), f"listening on {port}\n".encode())
    except OSError:
        pass  # nobody listens for it: the runner finds the service through its channel
    try:
        os.close(int(descriptor))
    except OSError:
        pass


def _error(message: str) -> service_pb2.CallResponse:
    return service_pb2.CallResponse(status=service_pb2.Error, error=message)


def _check_schemas(entry: _Endpoint) -> None:
    """The endpoint's arguments validator: the service checks every call's arguments with it, as the
    engine does. Its schema is checked against its metaschema only when a call needs jsonschema (the
    engine and ``oic check`` check every schema a service sends): a service whose calls are valid
    starts without loading jsonschema."""
    if entry.arguments is not None:
        entry.arguments_validator = Validator(entry.arguments, check_now=False)


def _port_taken(host: str, port: int) -> bool:
    """Whether ``host:port`` cannot be bound because something listens there (rather than for a
    reason trying again would not change, such as an address this machine does not have)."""
    import errno
    import socket

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, port))
    except OSError as error:
        return error.errno == errno.EADDRINUSE
    return False


def _exit_with(message: str, status: int) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(status)
