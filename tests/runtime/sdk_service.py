"""A real service for the engine's process tests, written with the SDK and run as a child process."""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from runtime.sdk import CallContext, EndpointError, Service  # noqa: E402

service = Service("engine-test", version="0.1.0")
SECRET_ARGUMENTS = {
    "type": "object",
    "properties": {"password": {"type": "string", "writeOnly": True}, "user": {"type": "string"}},
}


@service.endpoint("echo", arguments=SECRET_ARGUMENTS)
def echo(arguments: dict, context: CallContext) -> Any:
    context.log(f"echo for {arguments.get('user')} with {arguments.get('password')}")
    return {"echo": arguments}


@service.endpoint("report")
def report(arguments: dict, context: CallContext) -> Any:
    context.report("progress", {"percent": arguments.get("percent", 60)})
    return {"reported": True}


@service.endpoint("fail")
def fail(arguments: dict, context: CallContext) -> Any:
    raise EndpointError(f"refused: {arguments.get('why', 'no reason')}")


@service.endpoint("block")
def block(arguments: dict, context: CallContext) -> Any:
    # Tell the test which process is running the call, then never answer.
    with open(arguments["signal_path"], "w", encoding="utf-8") as signal_file:
        signal_file.write(f"{os.getpid()}\n")
    threading.Event().wait()
    return {}


if __name__ == "__main__":
    service.serve()
