"""The built-in `exec` service: run a command, through the shell or without one."""

from __future__ import annotations

from typing import Any

from runtime.catalog import BUILTIN, schema_dir
from runtime.catalog.exec import api
from runtime.sdk import CallContext, Service

service = Service("exec", version=BUILTIN["exec"])
service.load_schema_dir(schema_dir("exec"))
service.on_stop(api.kill_running)


@service.endpoint("command")
def command(arguments: dict[str, Any], context: CallContext) -> Any:
    return api.command(arguments, context.fd, context.log)


if __name__ == "__main__":
    service.serve()
