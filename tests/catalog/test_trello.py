from __future__ import annotations

from collections.abc import Iterator

import pytest

from runtime.services.base import CallFailed
from tests.catalog.conftest import builtin_fixture
from tests.catalog.harness import RunningBuiltin
from tests.fakes.trello import FakeTrello

trello = builtin_fixture("trello")


@pytest.fixture
def fake() -> Iterator[FakeTrello]:
    with FakeTrello() as server:
        server.add_board("b1")
        server.add_list("b1", "todo", "To Do")
        server.add_list("b1", "done", "Done")
        server.add_card("b1", "todo", "c1", "Write docs")
        server.add_card("b1", "done", "c2", "Ship it")
        yield server


def auth(fake: FakeTrello, token: str | None = None) -> dict[str, str]:
    return {"App": fake.key, "Token": token or fake.token}


def test_getcards_returns_each_card_with_its_list(trello: RunningBuiltin, fake: FakeTrello) -> None:
    cards = trello.call("getcards", {"Auth": auth(fake), "Board": "b1", "Base_URL": fake.url})
    assert [(c["id"], c["name"], c["List"]["name"]) for c in cards] == [
        ("c1", "Write docs", "To Do"),
        ("c2", "Ship it", "Done"),
    ]
    assert cards[0]["labels"] == [{"id": "l1", "name": "ops", "color": "green"}]
    card_requests = fake.requests_to("GET", "/1/boards/b1/cards")
    assert card_requests[0].query["key"] == fake.key and card_requests[0].query["token"] == fake.token


def test_base_url_must_be_http(trello: RunningBuiltin, fake: FakeTrello) -> None:
    with pytest.raises(CallFailed, match="'ftp://example.test' is not an http"):
        trello.call("getcards", {"Auth": auth(fake), "Board": "b1", "Base_URL": "ftp://example.test"})


def test_addcard_against_the_fake(trello: RunningBuiltin, fake: FakeTrello) -> None:
    created = trello.call(
        "addcard",
        {
            "Auth": auth(fake),
            "Board": "b1",
            "List": "todo",
            "Name": "PROJ-1: fix",
            "Description": "from jira",
            "Labels": ["l1", "l2"],
            "Base_URL": fake.url,
        },
    )
    assert created == {"id": "new1", "url": fake.created[0]["url"]}
    assert [(c["name"], c["desc"], c["idList"], c["idLabels"]) for c in fake.created] == [
        ("PROJ-1: fix", "from jira", "todo", ["l1", "l2"])
    ]


def test_archivecards_closes_every_card(trello: RunningBuiltin, fake: FakeTrello) -> None:
    assert (
        trello.call("archivecards", {"Auth": auth(fake), "CardIDs": ["c1", "c2"], "Base_URL": fake.url}) == {}
    )
    assert fake.archived == ["c1", "c2"]


def test_remote_error_is_surfaced_without_the_token(trello: RunningBuiltin, fake: FakeTrello) -> None:
    wrong = "wrong-token-value-123"
    with pytest.raises(CallFailed) as failure:
        trello.call("getcards", {"Auth": auth(fake, wrong), "Board": "b1", "Base_URL": fake.url})
    message = str(failure.value)
    assert "401" in message and "invalid token" in message
    assert wrong not in message and fake.token not in message
    assert wrong not in trello.all_logs() and fake.token not in trello.all_logs()


def test_archive_failure_names_the_card(trello: RunningBuiltin, fake: FakeTrello) -> None:
    with pytest.raises(
        CallFailed, match=r"archiving card nope failed after 1 of 2 archived: .*404.*not found"
    ):
        trello.call("archivecards", {"Auth": auth(fake), "CardIDs": ["c1", "nope"], "Base_URL": fake.url})
    assert fake.archived == ["c1"]


def test_missing_board_is_refused_before_the_call(trello: RunningBuiltin, fake: FakeTrello) -> None:
    with pytest.raises(CallFailed, match="Board"):
        trello.call("getcards", {"Auth": auth(fake), "Base_URL": fake.url})
    assert fake.requests == []
