"""The built-in `trello` service: read a board's cards, add cards, archive cards."""

from __future__ import annotations

from typing import Any

from runtime.catalog import BUILTIN, schema_dir
from runtime.catalog.trello import api
from runtime.sdk import CallContext, Service

service = Service("trello", version=BUILTIN["trello"])
service.load_schema_dir(schema_dir("trello"))


@service.endpoint("getcards")
def getcards(arguments: dict[str, Any], context: CallContext) -> Any:
    return api.getcards(arguments, context.log)


@service.endpoint("addcard")
def addcard(arguments: dict[str, Any], context: CallContext) -> Any:
    return api.addcard(arguments, context.log)


@service.endpoint("archivecards")
def archivecards(arguments: dict[str, Any], context: CallContext) -> Any:
    return api.archivecards(arguments, context.log)


if __name__ == "__main__":
    service.serve()
