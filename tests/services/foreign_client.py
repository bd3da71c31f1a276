"""A v1 client with its own stubs (generated into argv[1]), like the original engine: no token.
Calls init and then each "ENDPOINT JSON" pair given after the address; prints one JSON result."""

import json
import sys

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
import service_pb2  # noqa: E402
import service_pb2_grpc  # noqa: E402

address, calls = sys.argv[2], sys.argv[3:]
with grpc.insecure_channel(address) as channel:
    stub = service_pb2_grpc.ServiceStub(channel)
    init = stub.init(service_pb2.InitRequest(), timeout=30)
    results = []
    for endpoint, arguments in zip(calls[0::2], calls[1::2], strict=True):
        response = stub.call(
            service_pb2.CallRequest(endpoint=endpoint, arguments=arguments, fd=""), timeout=30
        )
        results.append({"status": response.status, "error": response.error, "payload": response.payload})
print(json.dumps({"schemas": dict(init.jsonSchemas), "results": results}))
