"""The built-in `google-spreadsheet` service: upsert rows of a Google Sheet keyed by column A."""

from __future__ import annotations

from typing import Any

from runtime.catalog import BUILTIN, schema_dir
from runtime.catalog.google_spreadsheet import api
from runtime.sdk import CallContext, Service

service = Service("google-spreadsheet", version=BUILTIN["google-spreadsheet"])
service.load_schema_dir(schema_dir("google-spreadsheet"))


@service.endpoint("upsert")
def upsert(arguments: dict[str, Any], context: CallContext) -> Any:
    return api.upsert(arguments, context.log)


if __name__ == "__main__":
    service.serve()
