"""The built-in `http` service: send one HTTP request."""

from __future__ import annotations

from typing import Any

from runtime.catalog import BUILTIN, schema_dir
from runtime.catalog.http import api
from runtime.sdk import CallContext, Service

service = Service("http", version=BUILTIN["http"])
service.load_schema_dir(schema_dir("http"))


@service.endpoint("call")
def call(arguments: dict[str, Any], context: CallContext) -> Any:
    return api.call(arguments, context.log)


if __name__ == "__main__":
    service.serve()
