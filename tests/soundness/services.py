"""The typed local services generated programs call, served over real gRPC once per test session.

Three SDK services (``runtime.sdk``), each typed by a schema directory under ``schemas/``:

- ``records`` (draft-07): ``make`` and ``list``: required and optional fields, nested objects, lists,
  enums, integers and numbers, nullable fields, typed ``additionalProperties``, a ``writeOnly``
  secret field, ``anyOf`` of object shapes, ``$ref`` into ``definitions``, a field named ``if``;
- ``texts`` (2020-12): ``shout`` and ``pair``, with ``$ref`` into ``$defs``;
- ``echo`` (draft-04 and 2019-09): ``echo`` answers ``{"value": <its value argument>}``, and
  ``loose``, whose schemas allow anything, answers ``{"ok": true, "n": <number of arguments>}``.

Every endpoint answers a value drawn from its ``returns.json`` by ``values.instance``, seeded by the
endpoint and the arguments, so a program's run is reproducible. Two arguments every endpoint takes
steer a call: ``report: NAME`` reports the event ``NAME`` with ``REPORT_DATA``-shaped data first, and
``fail: true`` then fails the call with an error that carries ``PLANNED_FAILURE`` (a failure no
checker can foresee, which the harness allows).

``ServiceFarm`` starts the three servers on loopback; ``FarmRunner`` is the ``ServiceRunner`` the
engine gets: it connects to the farm's servers instead of starting processes, so that one program
costs milliseconds. Reports go to the engine of the run in progress: the farm serves one run at a
time (the harness runs programs one after another).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import grpc

from runtime.model import Service as ServiceDeclaration
from runtime.proto import engine_pb2, engine_pb2_grpc, service_pb2, service_pb2_grpc
from runtime.sdk import CallContext, EndpointError, Service
from runtime.services.base import TOKEN_METADATA_KEY, RunContext, ServiceConnection, ServiceStartError
from runtime.services.client import LOOPBACK_CHANNEL_OPTIONS, GrpcConnection
from tests.soundness.values import instance, seeded

SCHEMAS = Path(__file__).resolve().parent / "schemas"
PLANNED_FAILURE = "oi-planned-failure"
# The data every report carries, as the generator knows it (``percent`` 0..100, ``stage`` a word,
# ``note`` a string or null).
REPORT_DATA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["percent", "stage", "note"],
    "properties": {
        "percent": {"type": "integer", "minimum": 0, "maximum": 100},
        "stage": {"type": "string"},
        "note": {"type": ["string", "null"]},
    },
}
SERVICE_NAMES = ("records", "texts", "echo")


def _steer(endpoint: str, arguments: Mapping[str, Any], context: CallContext) -> None:
    """Report and fail as the arguments ask."""
    report = arguments.get("report")
    if isinstance(report, str) and report:
        context.report(report, instance(REPORT_DATA, seeded("report", endpoint, arguments)))
    if arguments.get("fail") is True:
        raise EndpointError(f"{PLANNED_FAILURE}: {endpoint} was asked to fail")


def build_service(name: str) -> Service:
    """The SDK service ``name``, typed by ``schemas/<name>``."""
    service = Service(name, version="1.0.0")
    service.load_schema_dir(SCHEMAS / name)
    for endpoint_dir in sorted(path for path in (SCHEMAS / name).iterdir() if path.is_dir()):
        endpoint = endpoint_dir.name
        returns = json.loads((endpoint_dir / "returns.json").read_text(encoding="utf-8"))
        service.endpoint(endpoint)(_handler(name, endpoint, returns))
    return service


def _handler(service: str, endpoint: str, returns: Mapping[str, Any]) -> Any:
    def handle(arguments: dict, context: CallContext) -> Any:
        _steer(endpoint, arguments, context)
        if endpoint == "echo":
            return {"value": arguments.get("value")}
        if endpoint == "loose":
            return {"ok": True, "n": len(arguments)}
        return instance(returns, seeded(service, endpoint, arguments))

    return handle


class _Reporter:
    """Reports to one run's engine (its report server's address and the run's token)."""

    def __init__(self, address: str, token: str) -> None:
        self._channel = grpc.insecure_channel(address)
        self._stub = engine_pb2_grpc.EngineStub(self._channel)
        self._metadata = ((TOKEN_METADATA_KEY, token),) if token else ()

    def report(self, fd: str, event: str, data: Any) -> None:
        request = engine_pb2.ReportRequest(fd=fd, event=event, data=json.dumps(data))
        try:
            self._stub.report(request, timeout=10, metadata=self._metadata)
        except grpc.RpcError:
            pass  # the run ended while the call was in flight, as the SDK's reporter: the call goes on

    def close(self) -> None:
        self._channel.close()


class _Servicer(service_pb2_grpc.ServiceServicer):
    def __init__(self, service: Service, farm: ServiceFarm) -> None:
        self._service = service
        self._farm = farm

    def init(
        self, request: service_pb2.InitRequest, context: grpc.ServicerContext
    ) -> service_pb2.InitResponse:
        return service_pb2.InitResponse(jsonSchemas=self._service.json_schemas())

    def call(
        self, request: service_pb2.CallRequest, context: grpc.ServicerContext
    ) -> service_pb2.CallResponse:
        return self._service.handle(request, self._farm.reporter)  # type: ignore[arg-type]


class ServiceFarm:
    """The three services, each on its own loopback gRPC server; ``stop()`` ends them."""

    def __init__(self) -> None:
        self.addresses: dict[str, str] = {}
        self.reporter: _Reporter | None = None
        self._servers: list[grpc.Server] = []
        self._lock = threading.Lock()

    def start(self) -> ServiceFarm:
        for name in SERVICE_NAMES:
            server = grpc.server(ThreadPoolExecutor(max_workers=8, thread_name_prefix=f"farm-{name}"))
            service_pb2_grpc.add_ServiceServicer_to_server(_Servicer(build_service(name), self), server)
            port = server.add_insecure_port("127.0.0.1:0")
            server.start()
            self._servers.append(server)
            self.addresses[name] = f"127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.stop(0).wait()
        self._servers.clear()

    def begin_run(self, engine_address: str, token: str) -> None:
        with self._lock:
            if self.reporter is not None:
                raise ServiceStartError("the service farm serves one run at a time")
            self.reporter = _Reporter(engine_address, token) if engine_address else None

    def end_run(self) -> None:
        with self._lock:
            if self.reporter is not None:
                self.reporter.close()
            self.reporter = None


class FarmRunner:
    """A ``ServiceRunner`` whose services are the farm's: a path service ``.../<name>`` is the farm's
    ``<name>``. ``engine_address`` is set by the engine (its report server) before ``start``."""

    def __init__(self, farm: ServiceFarm) -> None:
        self.farm = farm
        self.engine_address = ""
        self._connections: list[GrpcConnection] = []
        self._begun = False

    def start(
        self, services: Sequence[ServiceDeclaration], context: RunContext
    ) -> dict[str, ServiceConnection]:
        connections: dict[str, ServiceConnection] = {}
        for declaration in services:
            address = self.farm.addresses.get(Path(declaration.path).name)
            if address is None:
                self.stop()
                raise ServiceStartError(f"the farm has no service for {declaration.alias!r}")
            connection = GrpcConnection(
                declaration, address, token=context.service_token, channel_options=LOOPBACK_CHANNEL_OPTIONS
            )
            self._connections.append(connection)
            connections[declaration.alias] = connection
        self.farm.begin_run(self.engine_address, context.service_token)
        self._begun = True
        return connections

    def stop(self) -> None:
        for connection in self._connections:
            connection.close()
        self._connections.clear()
        if self._begun:
            self.farm.end_run()
            self._begun = False
