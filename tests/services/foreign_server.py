"""A v1 service written like one for the original engine: its own stubs (generated from service.proto
into the directory given as argv[1]), the original catalog's "endpoints/" keys, no token support.
Shares no code with oi."""

import json
import os
import sys
import threading
from concurrent import futures

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
import service_pb2  # noqa: E402
import service_pb2_grpc  # noqa: E402

ARGUMENTS = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
RETURNS = {"type": "object", "required": ["echo"], "properties": {"echo": {"type": "string"}}}


class Echo(service_pb2_grpc.ServiceServicer):
    def init(self, request, context):
        return service_pb2.InitResponse(
            jsonSchemas={
                "endpoints/echo/arguments.json": json.dumps(ARGUMENTS),
                "endpoints/echo/returns.json": json.dumps(RETURNS),
            }
        )

    def call(self, request, context):
        if request.endpoint != "echo":
            return service_pb2.CallResponse(status=service_pb2.Error, error="unknown endpoint")
        arguments = json.loads(request.arguments)
        return service_pb2.CallResponse(
            status=service_pb2.OK, payload=json.dumps({"echo": arguments["text"]})
        )


server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
service_pb2_grpc.add_ServiceServicer_to_server(Echo(), server)
server.add_insecure_port("127.0.0.1:" + os.environ["PORT"])
server.start()
print("foreign server listening", flush=True)
threading.Event().wait(120)
