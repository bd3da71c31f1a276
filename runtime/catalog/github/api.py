"""The GitHub endpoints: issue search and an issue's comments, following every ``Link: rel="next"``.

GitHub pages with a ``Link`` header; the next URL is followed only while it stays on the API host the
pipeline named, so the token is never sent anywhere else.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from runtime.catalog import remote

DEFAULT_BASE_URL = "https://api.github.com"
PAGE_SIZE = 100
_NEXT_LINK = re.compile(r'<(?P<url>[^>]+)>\s*;\s*rel="?next"?')

Log = Callable[[str], None]


def next_link(link_header: str | None) -> str | None:
    """The ``rel="next"`` URL of a GitHub ``Link`` header, if any."""
    if not link_header:
        return None
    for part in link_header.split(","):
        match = _NEXT_LINK.search(part)
        if match:
            return match["url"]
    return None


def _same_origin(url: str, base: str) -> bool:
    first, second = urllib.parse.urlsplit(url), urllib.parse.urlsplit(base)
    return (first.scheme, first.hostname, first.port) == (second.scheme, second.hostname, second.port)


def _pages(arguments: Mapping[str, Any], path: str, query: dict[str, Any], log: Log) -> Iterator[Any]:
    token = arguments["token"]
    base = str(arguments.get("base_url") or DEFAULT_BASE_URL)
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
    }
    url: str | None = remote.join_url(base, path, {**query, "per_page": PAGE_SIZE})
    page = 0
    while url:
        page += 1
        answer = remote.request("GET", url, headers=headers, secrets=[token])
        log(f"GET {remote.display_url(url)}: page {page}")
        yield answer.json()
        url = next_link(answer.header("Link"))
        if url and not _same_origin(url, base):
            raise remote.RemoteError(
                f"GitHub sent a next-page link to another host ({remote.display_url(url)})"
            )


def _user(value: Any) -> dict[str, str]:
    login = value.get("login") if isinstance(value, Mapping) else None
    return {"login": str(login or "")}


def _repository(issue: Mapping[str, Any]) -> str:
    path = urllib.parse.urlsplit(str(issue.get("repository_url", ""))).path.rstrip("/").split("/")
    return "/".join(path[-2:]) if len(path) >= 2 else ""


def _issue(issue: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": int(issue.get("id", 0)),
        "number": int(issue.get("number", 0)),
        "title": str(issue.get("title", "")),
        "state": str(issue.get("state", "")),
        "html_url": str(issue.get("html_url", "")),
        "body": issue.get("body") if isinstance(issue.get("body"), str) else None,
        "user": _user(issue.get("user")),
        "labels": [
            {"name": str(label.get("name", "")), "color": str(label.get("color", ""))}
            for label in issue.get("labels") or []
            if isinstance(label, Mapping)
        ],
        "comments": int(issue.get("comments", 0)),
        "created_at": str(issue.get("created_at", "")),
        "updated_at": str(issue.get("updated_at", "")),
        "repository": _repository(issue),
    }


def issuesearch(arguments: Mapping[str, Any], log: Log) -> dict[str, Any]:
    limit = arguments.get("limit")
    issues: list[dict[str, Any]] = []
    for page in _pages(arguments, "/search/issues", {"q": arguments["query"]}, log):
        items = page.get("items") if isinstance(page, Mapping) else None
        if not isinstance(items, list):
            raise remote.RemoteError("GitHub answered the search without an 'items' list")
        issues.extend(_issue(item) for item in items if isinstance(item, Mapping))
        if limit is not None and len(issues) >= limit:
            issues = issues[:limit]
            break
    log(f"{len(issues)} issues found")
    return {"issues": issues}


def getissuecomments(arguments: Mapping[str, Any], log: Log) -> dict[str, Any]:
    owner = remote.quote_segment(arguments["owner"])
    repo = remote.quote_segment(arguments["repo"])
    path = f"/repos/{owner}/{repo}/issues/{int(arguments['issue'])}/comments"
    comments: list[dict[str, Any]] = []
    for page in _pages(arguments, path, {}, log):
        if not isinstance(page, list):
            raise remote.RemoteError("GitHub answered with something that is not a list of comments")
        comments.extend(
            {
                "id": int(item.get("id", 0)),
                "body": str(item.get("body") or ""),
                "user": _user(item.get("user")),
                "html_url": str(item.get("html_url", "")),
                "created_at": str(item.get("created_at", "")),
                "updated_at": str(item.get("updated_at", "")),
            }
            for item in page
            if isinstance(item, Mapping)
        )
    log(f"{len(comments)} comments")
    return {"comments": comments}
