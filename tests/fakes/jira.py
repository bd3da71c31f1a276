"""A fake Jira REST API v2: ``GET /rest/api/2/search`` with ``startAt``/``maxResults`` paging.

Basic authentication (``user:api-token``) as Jira Cloud wants it; otherwise 401 with Jira's
``errorMessages``. Page size is capped (``page_cap``) like Jira caps ``maxResults``, so a client that
does not follow ``startAt`` gets only the first page.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from tests.fakes.base import Answer, FakeServer, RecordedRequest


class FakeJira(FakeServer):
    """``issues`` answer every search; ``searches`` records the JQL strings asked."""

    def __init__(
        self, user: str = "bot@example.com", api_token: str = "jira-secret-token", page_cap: int = 2
    ) -> None:
        super().__init__()
        self.user = user
        self.api_token = api_token
        self.page_cap = page_cap
        self.issues: list[dict[str, Any]] = []
        self.searches: list[str] = []
        self.route("GET", r"/rest/api/2/search", self._search)

    def add_issue(self, key: str, summary: str, status: str = "To Do", priority: str = "Medium") -> None:
        number = len(self.issues) + 1
        self.issues.append(
            {
                "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
                "id": str(10000 + number),
                "self": f"{self.url}/rest/api/2/issue/{10000 + number}",
                "key": key,
                "fields": {"summary": summary, "status": {"name": status}, "priority": {"name": priority}},
            }
        )

    def _search(self, request: RecordedRequest, match: re.Match[str]) -> Answer:
        expected = "Basic " + base64.b64encode(f"{self.user}:{self.api_token}".encode()).decode("ascii")
        if request.headers.get("Authorization") != expected:
            return Answer(
                401,
                {
                    "errorMessages": [
                        "You are not authenticated. Authentication required to perform this operation."
                    ],
                    "errors": {},
                },
            )
        jql = request.query.get("jql", "")
        if "INVALID" in jql:
            return Answer(
                400, {"errorMessages": [f"Error in the JQL Query: '{jql}' is not valid."], "errors": {}}
            )
        self.searches.append(jql)
        start = int(request.query.get("startAt", "0"))
        size = min(int(request.query.get("maxResults", "50")), self.page_cap)
        wanted = [f for f in request.query.get("fields", "").split(",") if f]
        page = []
        for issue in self.issues[start : start + size]:
            shown = dict(issue)
            if wanted:
                shown["fields"] = {k: v for k, v in issue["fields"].items() if k in wanted}
            page.append(shown)
        return Answer(
            200,
            {
                "expand": "schema,names",
                "startAt": start,
                "maxResults": size,
                "total": len(self.issues),
                "issues": page,
            },
        )
