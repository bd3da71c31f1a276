"""The built-in `slack` service: post a message through an incoming webhook."""

from __future__ import annotations

from typing import Any

from runtime.catalog import BUILTIN, schema_dir
from runtime.catalog.slack import api
from runtime.sdk import CallContext, Service

service = Service("slack", version=BUILTIN["slack"])
service.load_schema_dir(schema_dir("slack"))


@service.endpoint("message")
def message(arguments: dict[str, Any], context: CallContext) -> Any:
    return api.message(arguments, context.log)


if __name__ == "__main__":
    service.serve()
