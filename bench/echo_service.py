"""The service every engine benchmark calls: one typed endpoint that answers at once.

``echo`` takes ``{"n": integer, "text": string}`` and returns ``{"n": n, "length": len(text)}``. The
work inside the call is next to nothing, so a benchmark that calls it measures the path around the
call: the client, gRPC, JSON, schema validation (both sides), and whatever the caller adds. Written
with ``runtime.sdk`` like any user's service; started with ``PORT`` in its environment.
"""

from __future__ import annotations

from runtime.sdk import CallContext, Service

ARGUMENTS = {
    "type": "object",
    "required": ["n", "text"],
    "additionalProperties": False,
    "properties": {"n": {"type": "integer"}, "text": {"type": "string"}},
}
RETURNS = {
    "type": "object",
    "required": ["n", "length"],
    "properties": {"n": {"type": "integer"}, "length": {"type": "integer"}},
}

service = Service("bench-echo", version="0.1.0")


@service.endpoint("echo", arguments=ARGUMENTS, returns=RETURNS)
def echo(arguments: dict, context: CallContext) -> dict:
    return {"n": arguments["n"], "length": len(arguments["text"])}


if __name__ == "__main__":
    service.serve()
