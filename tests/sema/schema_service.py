"""A path service for the tests: it appends a line to ``$OI_TEST_START_LOG`` each time it starts, then
serves the v1 protocol on ``127.0.0.1:$PORT`` and answers ``init`` with one endpoint, ``greet``
(arguments ``{Name*: string}``, returns ``{Greeting*: string}``). Tests copy it with a shebang."""

from __future__ import annotations

import json
import os
from concurrent import futures

import grpc

from runtime.proto import service_pb2, service_pb2_grpc

ARGUMENTS = {
    "type": "object",
    "properties": {"Name": {"type": "string"}},
    "required": ["Name"],
    "additionalProperties": False,
}
RETURNS = {"type": "object", "properties": {"Greeting": {"type": "string"}}, "required": ["Greeting"]}


class Greeter(service_pb2_grpc.ServiceServicer):
    def init(self, request, context):  # noqa: ANN001, ANN201 - the generated servicer's signature
        return service_pb2.InitResponse(
            jsonSchemas={
                "endpoints/greet/arguments.json": json.dumps(ARGUMENTS),
                "endpoints/greet/returns.json": json.dumps(RETURNS),
            }
        )


def main() -> None:
    with open(os.environ["OI_TEST_START_LOG"], "a", encoding="utf-8") as log:
        log.write("started\n")
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    service_pb2_grpc.add_ServiceServicer_to_server(Greeter(), server)
    server.add_insecure_port(f"127.0.0.1:{os.environ['PORT']}")
    server.start()
    server.wait_for_termination()


if __name__ == "__main__":
    main()
