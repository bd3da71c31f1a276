"""A small gRPC service for the Kubernetes tests, speaking the v1 protocol with the committed stubs.

It reads ``PORT``, ``OI_BIND_ADDRESS`` and ``OI_SERVICE_TOKEN`` like an SDK service. Endpoints:
``echo`` returns its arguments, whether a token was given and the ``fd`` it was called with (and writes
a line to stdout, which ends up in the pod's log); ``crash`` makes the process exit at once.
Run as ``python -m tests.kubernetes.echo_service``.
"""

from __future__ import annotations

import json
import os
import sys
from concurrent import futures

import grpc

from runtime.proto import service_pb2, service_pb2_grpc

ECHO_SCHEMAS = {
    "echo/arguments.json": json.dumps({"type": "object", "properties": {"message": {"type": "string"}}}),
    "echo/returns.json": json.dumps({"type": "object"}),
    "crash/arguments.json": json.dumps({"type": "object"}),
    "crash/returns.json": json.dumps({"type": "object"}),
}


class EchoService(service_pb2_grpc.ServiceServicer):
    def init(
        self, request: service_pb2.InitRequest, context: grpc.ServicerContext
    ) -> service_pb2.InitResponse:
        return service_pb2.InitResponse(jsonSchemas=ECHO_SCHEMAS)

    def call(
        self, request: service_pb2.CallRequest, context: grpc.ServicerContext
    ) -> service_pb2.CallResponse:
        expected = os.environ.get("OI_SERVICE_TOKEN", "")
        if expected and dict(context.invocation_metadata()).get("oi-service-token") != expected:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or wrong service token")
        if request.endpoint == "crash":
            os._exit(7)
        if request.endpoint != "echo":
            return service_pb2.CallResponse(
                status=service_pb2.Error, error=f"unknown endpoint {request.endpoint}"
            )
        arguments = json.loads(request.arguments or "{}")
        print(f"echo called with {arguments.get('message', '')}", flush=True)
        payload = {
            "arguments": arguments,
            "token_given": bool(os.environ.get("OI_SERVICE_TOKEN")),
            "fd": request.fd,
        }
        return service_pb2.CallResponse(status=service_pb2.OK, payload=json.dumps(payload))


def main() -> None:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    service_pb2_grpc.add_ServiceServicer_to_server(EchoService(), server)
    address = f"{os.environ.get('OI_BIND_ADDRESS', '127.0.0.1')}:{os.environ['PORT']}"
    server.add_insecure_port(address)
    server.start()
    print(f"echo service listening on {address}", flush=True)
    sys.stdout.flush()
    server.wait_for_termination()


if __name__ == "__main__":
    main()
