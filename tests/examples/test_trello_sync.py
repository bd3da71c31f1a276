from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.examples.harness import ExampleRun, run_example
from tests.fakes.google import FakeGoogle, ServiceAccount
from tests.fakes.trello import FakeTrello


@pytest.fixture
def trello() -> Iterator[FakeTrello]:
    with FakeTrello(key="app-key", token="trello-secret-token") as fake:
        fake.add_board("board-1")
        fake.add_list("board-1", "l-todo", "To Do")
        fake.add_list("board-1", "l-done", "Done")
        fake.add_card("board-1", "l-todo", "c1", "Write the docs")
        fake.add_card("board-1", "l-done", "c2", "Ship 1.0")
        fake.add_card("board-1", "l-done", "c3", "Fix the build")
        yield fake


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    with FakeGoogle() as fake:
        fake.add_spreadsheet(
            "sheet-1", [["c1", "Old title", "To Do", "https://old"], ["x9", "Other", "Done", "u"]]
        )
        yield fake


def sync(tmp_path: Path, trello: FakeTrello, google: FakeGoogle, account: ServiceAccount) -> ExampleRun:
    return run_example(
        "trello-sync",
        tmp_path,
        {"board": "board-1", "spreadsheet": "sheet-1", "trello_url": trello.url, "sheets_url": google.url},
        env={
            "TRELLO_APP": trello.key,
            "OI_PARAM_TRELLO_TOKEN": trello.token,
            "OI_PARAM_SERVICE_ACCOUNT": account.json_text,
        },
    )


def test_cards_become_rows_and_done_cards_are_archived(
    tmp_path: Path, trello: FakeTrello, google: FakeGoogle
) -> None:
    account = google.new_account()
    run = sync(tmp_path, trello, google, account)
    assert run.code == 0, run.explain()
    assert google.rows("sheet-1") == [
        ["c1", "Write the docs", "To Do", "https://trello.com/c/c1/write-the-docs"],
        ["x9", "Other", "Done", "u"],
        ["c2", "Ship 1.0", "Done", "https://trello.com/c/c2/ship-1.0"],
        ["c3", "Fix the build", "Done", "https://trello.com/c/c3/fix-the-build"],
    ]
    assert sorted(trello.archived) == ["c2", "c3"]
    assert google.verified_assertions == 1
    tasks = run.tasks()
    assert {name for name in tasks} == {"fetch-cards", "upsert-rows", "archive-c2", "archive-c3"}
    everything = run.all_text()
    assert trello.token not in everything
    assert account.private_key_pem.splitlines()[1] not in everything


def test_a_trello_failure_fails_the_fetch_and_leaves_the_sheet_alone(
    tmp_path: Path, trello: FakeTrello, google: FakeGoogle
) -> None:
    trello.fail("GET", r"/1/boards/[^/]+/(cards|lists)", 401, "invalid token", content_type="text/plain")
    before = [list(row) for row in google.rows("sheet-1")]
    run = sync(tmp_path, trello, google, google.new_account())
    assert run.code == 3, run.explain()
    fetch = run.tasks()["fetch-cards"]
    assert fetch["status"] == "failed" and "401: invalid token" in fetch["error"]
    assert "upsert-rows" not in run.tasks()
    assert google.requests == [] and google.rows("sheet-1") == before
    assert trello.archived == []
    assert trello.token not in run.all_text()
