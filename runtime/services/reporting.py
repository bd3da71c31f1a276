"""The engine's report channel: services report events while one of their calls runs.

The engine starts a ``ReportServer`` on a loopback port before the services and gives its address to
them as ``OI_ENGINE_ADDRESS`` (the SDK's ``context.report`` calls it). A report names the call's
``fd`` (the task's log path, unique per task run) so the engine knows which task it belongs to, and
carries the run's service token in the ``oi-service-token`` metadata like every call does.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc

from runtime.proto import engine_pb2, engine_pb2_grpc
from runtime.services.base import TOKEN_METADATA_KEY

ReportHandler = Callable[[str, str, Any], None]

logger = logging.getLogger("oi.services")


class _EngineServicer(engine_pb2_grpc.EngineServicer):
    def __init__(self, on_report: ReportHandler, token: str) -> None:
        self._on_report = on_report
        self._token = token

    def report(
        self, request: engine_pb2.ReportRequest, context: grpc.ServicerContext
    ) -> engine_pb2.ReportResponse:
        if self._token:
            sent = dict(context.invocation_metadata()).get(TOKEN_METADATA_KEY, "")
            if not isinstance(sent, str) or not hmac.compare_digest(sent, self._token):
                context.abort(
                    grpc.StatusCode.UNAUTHENTICATED, "report refused: missing or wrong oi-service-token"
                )
        if not request.event:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "report refused: the event name is empty")
        try:
            data = json.loads(request.data) if request.data.strip() else None
        except ValueError as error:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"report refused: data is not JSON: {error}")
        try:
            self._on_report(request.fd, request.event, data)
        except Exception as error:  # noqa: BLE001 - the engine's handler failing must not kill the server
            logger.exception("report %r could not be handled", request.event)
            context.abort(grpc.StatusCode.INTERNAL, f"report not handled: {error}")
        return engine_pb2.ReportResponse()


class ReportServer:
    """A loopback gRPC server calling ``on_report(fd, event, data)`` for each valid report.

    ``token`` (the run's service token) must be sent by reporters; "" accepts every report.
    ``start()`` binds a free port and returns the ``address`` to give services; ``stop()`` ends it."""

    def __init__(self, on_report: ReportHandler, token: str = "", *, max_workers: int = 4) -> None:
        self._server = grpc.server(
            ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="oi-report")
        )
        engine_pb2_grpc.add_EngineServicer_to_server(_EngineServicer(on_report, token), self._server)
        self.address = ""

    def start(self) -> str:
        port = self._server.add_insecure_port("127.0.0.1:0")
        self._server.start()
        self.address = f"127.0.0.1:{port}"
        return self.address

    def stop(self, grace: float = 1.0) -> None:
        self._server.stop(grace).wait()

    def __enter__(self) -> ReportServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
