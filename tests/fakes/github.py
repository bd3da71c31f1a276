"""A fake GitHub REST API: issue search and issue comments, paged with ``Link`` headers as GitHub does.

Requests need ``Authorization: Bearer TOKEN`` (or ``token TOKEN``); otherwise 401 with GitHub's
``{"message": "Bad credentials", ...}``. ``per_page`` and ``page`` work like GitHub's.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from tests.fakes.base import Answer, FakeServer, RecordedRequest


def make_issue(
    number: int, title: str, owner: str = "acme", repo: str = "app", **extra: Any
) -> dict[str, Any]:
    issue = {
        "url": f"https://api.github.com/repos/{owner}/{repo}/issues/{number}",
        "repository_url": f"https://api.github.com/repos/{owner}/{repo}",
        "html_url": f"https://github.com/{owner}/{repo}/issues/{number}",
        "id": 1000 + number,
        "node_id": f"I_{number}",
        "number": number,
        "title": title,
        "user": {"login": "octocat", "id": 1, "type": "User"},
        "labels": [{"id": 7, "name": "bug", "color": "d73a4a", "default": True}],
        "state": "open",
        "locked": False,
        "comments": 0,
        "created_at": "2024-05-01T10:00:00Z",
        "updated_at": "2024-05-02T10:00:00Z",
        "body": f"body of {title}",
        "score": 1.0,
    }
    issue.update(extra)
    return issue


class FakeGitHub(FakeServer):
    """``issues`` answer every search (GitHub's query language is not interpreted; ``queries`` records
    what was asked); ``comments[(owner, repo, number)]`` are an issue's comments."""

    def __init__(self, token: str = "ghp_faketoken") -> None:
        super().__init__()
        self.token = token
        self.issues: list[dict[str, Any]] = []
        self.comments: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
        self.queries: list[str] = []
        self.route("GET", r"/search/issues", self._search)
        self.route(
            "GET",
            r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/issues/(?P<number>[0-9]+)/comments",
            self._comments,
        )

    def add_comment(self, owner: str, repo: str, number: int, body: str) -> None:
        items = self.comments.setdefault((owner, repo, number), [])
        comment_id = 500 + len(items)
        items.append(
            {
                "id": comment_id,
                "body": body,
                "user": {"login": "hubot", "id": 2},
                "html_url": f"https://github.com/{owner}/{repo}/issues/{number}#issuecomment-{comment_id}",
                "created_at": "2024-05-03T10:00:00Z",
                "updated_at": "2024-05-03T10:00:00Z",
                "author_association": "MEMBER",
            }
        )

    def _denied(self, request: RecordedRequest) -> Answer | None:
        header = request.headers.get("Authorization", "")
        if header not in (f"Bearer {self.token}", f"token {self.token}"):
            return Answer(
                401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}
            )
        return None

    def _page(
        self, request: RecordedRequest, items: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], dict[str, str]]:
        per_page = min(int(request.query.get("per_page", "30")), 100)
        page = int(request.query.get("page", "1"))
        chunk = items[(page - 1) * per_page : page * per_page]
        last = max(1, -(-len(items) // per_page))
        links = []
        if page < last:
            for rel, number in (("next", page + 1), ("last", last)):
                query = dict(request.query, page=str(number))
                links.append(f'<{self.url}{request.path}?{urllib.parse.urlencode(query)}>; rel="{rel}"')
        return chunk, ({"Link": ", ".join(links)} if links else {})

    def _search(self, request: RecordedRequest, match: re.Match[str]) -> Answer:
        denied = self._denied(request)
        if denied:
            return denied
        query = request.query.get("q", "")
        if not query:
            return Answer(
                422, {"message": "Validation Failed", "errors": [{"field": "q", "code": "missing"}]}
            )
        self.queries.append(query)
        chunk, headers = self._page(request, self.issues)
        return Answer(
            200, {"total_count": len(self.issues), "incomplete_results": False, "items": chunk}, headers
        )

    def _comments(self, request: RecordedRequest, match: re.Match[str]) -> Answer:
        denied = self._denied(request)
        if denied:
            return denied
        key = (match["owner"], match["repo"], int(match["number"]))
        if key not in self.comments:
            return Answer(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
        chunk, headers = self._page(request, self.comments[key])
        return Answer(200, chunk, headers)
