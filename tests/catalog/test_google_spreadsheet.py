from __future__ import annotations

from collections.abc import Iterator

import pytest

from runtime.services.base import CallFailed
from tests.catalog.conftest import builtin_fixture
from tests.catalog.harness import RunningBuiltin
from tests.fakes.google import FakeGoogle, make_service_account

sheets = builtin_fixture("google-spreadsheet")


@pytest.fixture
def fake() -> Iterator[FakeGoogle]:
    with FakeGoogle() as server:
        server.add_spreadsheet("sheet-1", [["ID", "Name"], ["c1", "old name"], ["c2", "kept"]])
        yield server


def test_upsert_updates_existing_rows_and_appends_new_ones(sheets: RunningBuiltin, fake: FakeGoogle) -> None:
    account = fake.new_account()
    result = sheets.call(
        "upsert",
        {
            "ServiceAccount": account.json_text,
            "SpreadsheetID": "sheet-1",
            "Rows": [{"ID": "c1", "Data": ["new name", 3]}, {"ID": "c3", "Data": ["third", None]}],
            "Base_URL": fake.url,
        },
    )
    assert result == {"Updated": 1, "Appended": 1}
    assert fake.rows("sheet-1") == [
        ["ID", "Name"],
        ["c1", "new name", 3],
        ["c2", "kept"],
        ["c3", "third", ""],
    ]
    assert fake.verified_assertions == 1
    assert account.private_key_pem.splitlines()[1] not in sheets.all_logs()


def test_upsert_into_a_named_sheet(sheets: RunningBuiltin, fake: FakeGoogle) -> None:
    fake.add_spreadsheet("sheet-1", [], sheet="Cards 2024")
    account = fake.new_account()
    sheets.call(
        "upsert",
        {
            "ServiceAccount": account.json_text,
            "SpreadsheetID": "sheet-1",
            "Sheet": "Cards 2024",
            "Rows": [{"ID": "a", "Data": ["x"]}, {"ID": "b", "Data": ["y"]}],
            "Base_URL": fake.url,
        },
    )
    assert fake.rows("sheet-1", "Cards 2024") == [["a", "x"], ["b", "y"]]
    assert fake.rows("sheet-1") == [["ID", "Name"], ["c1", "old name"], ["c2", "kept"]]


def test_a_key_google_does_not_know_is_refused(sheets: RunningBuiltin, fake: FakeGoogle) -> None:
    stranger = make_service_account(fake.token_uri)  # signed with a key the fake never saw
    with pytest.raises(CallFailed, match="Invalid JWT Signature") as failure:
        sheets.call(
            "upsert",
            {
                "ServiceAccount": stranger.json_text,
                "SpreadsheetID": "sheet-1",
                "Rows": [{"ID": "x", "Data": []}],
                "Base_URL": fake.url,
            },
        )
    assert "PRIVATE KEY" not in str(failure.value)
    assert fake.requests_to("GET", r"/v4/.*") == []


def test_missing_spreadsheet_reports_googles_message(sheets: RunningBuiltin, fake: FakeGoogle) -> None:
    account = fake.new_account()
    with pytest.raises(CallFailed, match="404: Requested entity was not found") as failure:
        sheets.call(
            "upsert",
            {
                "ServiceAccount": account.json_text,
                "SpreadsheetID": "nope",
                "Rows": [{"ID": "x", "Data": []}],
                "Base_URL": fake.url,
            },
        )
    assert "ya29." not in str(failure.value)


def test_a_path_instead_of_the_key_file_says_what_to_pass(sheets: RunningBuiltin, fake: FakeGoogle) -> None:
    with pytest.raises(CallFailed, match="pass the content of the service account's key file, not its path"):
        sheets.call(
            "upsert",
            {
                "ServiceAccount": "/home/me/sa.json",
                "SpreadsheetID": "s",
                "Rows": [{"ID": "x", "Data": []}],
                "Base_URL": fake.url,
            },
        )
