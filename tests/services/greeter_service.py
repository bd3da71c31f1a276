"""A test service written with the SDK: one endpoint per behaviour the tests need.

GREETER_UNTYPED=1 registers the same endpoints without schemas."""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

# The environment the runner gave, before any import adds to it.
STARTUP_ENVIRONMENT = sorted(os.environ)

from runtime.sdk import CallContext, EndpointError, Service  # noqa: E402

TYPED = os.environ.get("GREETER_UNTYPED") != "1"

GREET_ARGUMENTS = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string"},
        "Auth": {
            "type": "object",
            "properties": {"Token": {"type": "string", "writeOnly": True, "minLength": 8}},
        },
    },
}
GREET_RETURNS = {"type": "object", "required": ["greeting"], "properties": {"greeting": {"type": "string"}}}
CARDS_RETURNS = {
    "type": "object",
    "properties": {
        "cards": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}}}}
    },
}

service = Service("greeter", version="0.1.0")


def typed(schema: dict[str, Any]) -> dict[str, Any] | None:
    return schema if TYPED else None


@service.endpoint("greet", arguments=typed(GREET_ARGUMENTS), returns=typed(GREET_RETURNS))
def greet(arguments: dict, context: CallContext) -> dict:
    context.log(f"greeting {arguments['name']}")
    context.report("progress", {"percent": 50, "name": arguments["name"]})
    return {"greeting": "hi " + arguments["name"]}


@service.endpoint("fail")
def fail(arguments: dict, context: CallContext) -> dict:
    raise EndpointError("the board does not exist")


@service.endpoint("crash")
def crash(arguments: dict, context: CallContext) -> dict:
    raise ZeroDivisionError("division by zero in crash")


@service.endpoint("cards", returns=typed(CARDS_RETURNS))
def cards(arguments: dict, context: CallContext) -> dict:
    # The third card breaks returns.json: its id is a number.
    return {"cards": [{"id": "a"}, {"id": "b"}, {"id": 3}]}


@service.endpoint("die")
def die(arguments: dict, context: CallContext) -> dict:
    # Killed in the middle of a call, as by the OOM killer.
    os.kill(os.getpid(), signal.SIGKILL)
    return {}


@service.endpoint("wait")
def wait(arguments: dict, context: CallContext) -> dict:
    # Outlives any deadline a test gives (the test's deadline is what ends the call).
    threading.Event().wait(60)
    return {}


@service.endpoint("pid")
def pid(arguments: dict, context: CallContext) -> dict:
    return {"pid": os.getpid(), "env": STARTUP_ENVIRONMENT}


if __name__ == "__main__":
    service.serve()
