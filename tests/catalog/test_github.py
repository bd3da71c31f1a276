from __future__ import annotations

from collections.abc import Iterator

import pytest

from runtime.services.base import CallFailed
from tests.catalog.conftest import builtin_fixture
from tests.catalog.harness import RunningBuiltin
from tests.fakes.github import FakeGitHub, make_issue

github = builtin_fixture("github")


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub() as server:
        server.issues = [make_issue(n, f"issue {n}") for n in range(1, 251)]
        server.add_comment("acme", "app", 7, "first")
        server.add_comment("acme", "app", 7, "second")
        yield server


def test_issuesearch_follows_every_link_page(github: RunningBuiltin, fake: FakeGitHub) -> None:
    result = github.call(
        "issuesearch", {"token": fake.token, "query": "repo:acme/app is:open", "base_url": fake.url}
    )
    assert [issue["number"] for issue in result["issues"]] == list(range(1, 251))
    assert [r.query.get("page", "1") for r in fake.requests_to("GET", "/search/issues")] == ["1", "2", "3"]
    first = result["issues"][0]
    assert first["repository"] == "acme/app" and first["labels"] == [{"name": "bug", "color": "d73a4a"}]
    assert fake.queries[0] == "repo:acme/app is:open"


def test_issuesearch_limit_stops_paging(github: RunningBuiltin, fake: FakeGitHub) -> None:
    result = github.call(
        "issuesearch", {"token": fake.token, "query": "x", "limit": 120, "base_url": fake.url}
    )
    assert len(result["issues"]) == 120
    assert len(fake.requests_to("GET", "/search/issues")) == 2


def test_getissuecomments(github: RunningBuiltin, fake: FakeGitHub) -> None:
    result = github.call(
        "getissuecomments",
        {"token": fake.token, "owner": "acme", "repo": "app", "issue": 7, "base_url": fake.url},
    )
    assert [(c["body"], c["user"]["login"]) for c in result["comments"]] == [
        ("first", "hubot"),
        ("second", "hubot"),
    ]


def test_bad_credentials_are_reported_without_the_token(github: RunningBuiltin, fake: FakeGitHub) -> None:
    with pytest.raises(CallFailed, match="401: Bad credentials") as failure:
        github.call("issuesearch", {"token": "ghp_wrongwrong", "query": "x", "base_url": fake.url})
    assert "ghp_wrongwrong" not in str(failure.value) and "ghp_wrongwrong" not in github.all_logs()


def test_unknown_issue_reports_not_found(github: RunningBuiltin, fake: FakeGitHub) -> None:
    with pytest.raises(CallFailed, match="404: Not Found"):
        github.call(
            "getissuecomments",
            {"token": fake.token, "owner": "acme", "repo": "app", "issue": 9, "base_url": fake.url},
        )
