"""The Jira endpoint ``list``: a JQL search through ``/rest/api/2/search``, every page merged.

Jira pages with ``startAt``/``maxResults``/``total`` and may return fewer issues than asked for (it
caps the page size), so the next ``startAt`` is counted from what actually came back. Jira Cloud
authenticates API tokens with basic authentication as ``user:token``.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import Any

from runtime.catalog import remote

PAGE_SIZE = 100
Log = Callable[[str], None]


def list_issues(arguments: Mapping[str, Any], log: Log) -> dict[str, Any]:
    token = arguments["API_Token"]
    credentials = base64.b64encode(f"{arguments['User']}:{token}".encode()).decode("ascii")
    jql = str(arguments.get("JQL") or "")
    if arguments.get("Sort"):
        jql = f"{jql} ORDER BY {arguments['Sort']}".strip()
    limit = arguments.get("MaxResults")
    issues: list[dict[str, Any]] = []
    while True:
        query: dict[str, Any] = {"jql": jql, "startAt": len(issues), "maxResults": PAGE_SIZE}
        if arguments.get("QueryFields"):
            query["fields"] = arguments["QueryFields"]
        url = remote.join_url(str(arguments["Endpoint"]), "/rest/api/2/search", query)
        page = remote.request(
            "GET", url, headers={"Authorization": f"Basic {credentials}"}, secrets=[token, credentials]
        ).json()
        if not isinstance(page, Mapping) or not isinstance(page.get("issues"), list):
            raise remote.RemoteError("Jira answered the search without an 'issues' list")
        batch: list[dict[str, Any]] = [
            {
                "id": str(item.get("id", "")),
                "key": str(item.get("key", "")),
                "self": str(item.get("self", "")),
                "fields": item.get("fields") if isinstance(item.get("fields"), Mapping) else {},
            }
            for item in page["issues"]
            if isinstance(item, Mapping)
        ]
        issues.extend(batch)
        total = page.get("total")
        if not batch or (isinstance(total, int) and len(issues) >= total):
            break
        if limit is not None and len(issues) >= limit:
            break
    if limit is not None:
        issues = issues[:limit]
    log(f"{len(issues)} issues for JQL {jql!r}")
    return {"issues": issues, "total": len(issues)}
