"""The built-in `github` service: search issues and read an issue's comments."""

from __future__ import annotations

from typing import Any

from runtime.catalog import BUILTIN, schema_dir
from runtime.catalog.github import api
from runtime.sdk import CallContext, Service

service = Service("github", version=BUILTIN["github"])
service.load_schema_dir(schema_dir("github"))


@service.endpoint("issuesearch")
def issuesearch(arguments: dict[str, Any], context: CallContext) -> Any:
    return api.issuesearch(arguments, context.log)


@service.endpoint("getissuecomments")
def getissuecomments(arguments: dict[str, Any], context: CallContext) -> Any:
    return api.getissuecomments(arguments, context.log)


if __name__ == "__main__":
    service.serve()
