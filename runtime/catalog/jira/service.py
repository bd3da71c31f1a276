"""The built-in `jira` service: search issues with JQL."""

from __future__ import annotations

from typing import Any

from runtime.catalog import BUILTIN, schema_dir
from runtime.catalog.jira import api
from runtime.sdk import CallContext, Service

service = Service("jira", version=BUILTIN["jira"])
service.load_schema_dir(schema_dir("jira"))


@service.endpoint("list")
def list_issues(arguments: dict[str, Any], context: CallContext) -> Any:
    return api.list_issues(arguments, context.log)


if __name__ == "__main__":
    service.serve()
