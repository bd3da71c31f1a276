from __future__ import annotations

from collections.abc import Iterator

import pytest

from runtime.services.base import CallFailed
from tests.catalog.conftest import builtin_fixture
from tests.catalog.harness import RunningBuiltin
from tests.fakes.jira import FakeJira

jira = builtin_fixture("jira")


@pytest.fixture
def fake() -> Iterator[FakeJira]:
    with FakeJira(page_cap=2) as server:
        for number in range(1, 6):
            server.add_issue(f"OPS-{number}", f"summary {number}")
        yield server


def arguments(fake: FakeJira, **more: object) -> dict[str, object]:
    return {"API_Token": fake.api_token, "Endpoint": fake.url, "User": fake.user, **more}


def test_list_follows_start_at_paging(jira: RunningBuiltin, fake: FakeJira) -> None:
    result = jira.call("list", arguments(fake, JQL="project = OPS", Sort="key", QueryFields="summary"))
    assert [issue["key"] for issue in result["issues"]] == [f"OPS-{n}" for n in range(1, 6)]
    assert result["total"] == 5
    assert result["issues"][0]["fields"] == {"summary": "summary 1"}
    searches = fake.requests_to("GET", "/rest/api/2/search")
    assert [r.query["startAt"] for r in searches] == ["0", "2", "4"]
    assert fake.searches[0] == "project = OPS ORDER BY key"


def test_max_results_stops_early(jira: RunningBuiltin, fake: FakeJira) -> None:
    result = jira.call("list", arguments(fake, MaxResults=3))
    assert [issue["key"] for issue in result["issues"]] == ["OPS-1", "OPS-2", "OPS-3"]


def test_jira_error_messages_are_surfaced(jira: RunningBuiltin, fake: FakeJira) -> None:
    with pytest.raises(CallFailed, match="400: Error in the JQL Query"):
        jira.call("list", arguments(fake, JQL="INVALID ((("))


def test_wrong_token_is_reported_and_never_logged(jira: RunningBuiltin, fake: FakeJira) -> None:
    with pytest.raises(CallFailed, match="401: You are not authenticated") as failure:
        jira.call("list", {"API_Token": "not-the-token-xyz", "Endpoint": fake.url, "User": fake.user})
    assert "not-the-token-xyz" not in str(failure.value)
    assert "not-the-token-xyz" not in jira.all_logs() and fake.api_token not in jira.all_logs()
