from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from runtime.services.base import CallFailed
from tests.catalog.conftest import builtin_fixture
from tests.catalog.harness import RunningBuiltin
from tests.fakes.base import Answer, FakeServer, RecordedRequest
from tests.fakes.slack import FakeSlack

slack = builtin_fixture("slack")
http = builtin_fixture("http")


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


class EchoServer(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.route("POST", "/echo", self._echo)
        self.route(
            "GET", "/teapot", lambda request, match: Answer(418, "short and stout", content_type="text/plain")
        )

    def _echo(self, request: RecordedRequest, match: re.Match[str]) -> Answer:
        return Answer(
            201,
            request.body,
            headers={"X-Seen": request.headers.get("X-Token", "")},
            content_type="text/plain",
        )


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    with EchoServer() as server:
        yield server


def test_slack_message_is_posted(slack: RunningBuiltin, fake_slack: FakeSlack) -> None:
    assert slack.call("message", {"Webhook_URL": fake_slack.webhook_url, "Message": "3 issues open"}) == {}
    assert fake_slack.texts() == ["3 issues open"]


def test_slack_error_hides_the_webhook(slack: RunningBuiltin, fake_slack: FakeSlack) -> None:
    wrong = fake_slack.url + "/services/T000/B000/WRONGSECRET"
    with pytest.raises(CallFailed, match="404: no_service") as failure:
        slack.call("message", {"Webhook_URL": wrong, "Message": "hi"})
    assert "WRONGSECRET" not in str(failure.value) and "WRONGSECRET" not in slack.all_logs()
    assert "XXXXSECRETXXXX" not in slack.all_logs()


def test_http_call_sends_headers_and_content(http: RunningBuiltin, echo: EchoServer) -> None:
    result = http.call(
        "call",
        {
            "Verb": "POST",
            "URL": echo.url + "/echo",
            "Headers": [{"Name": "X-Token", "Value": "t1"}],
            "Content": "héllo",
        },
    )
    assert result["Status"] == 201 and result["Body"] == "héllo"
    assert {"Name": "X-Seen", "Value": "t1"} in result["Headers"]


def test_http_error_status_is_a_result_not_a_failure(http: RunningBuiltin, echo: EchoServer) -> None:
    result = http.call("call", {"Verb": "GET", "URL": echo.url + "/teapot"})
    assert (result["Status"], result["Body"]) == (418, "short and stout")


def test_http_unreachable_host_fails_the_call(http: RunningBuiltin, echo: EchoServer) -> None:
    closed = FakeServer().start()
    url = closed.url
    closed.stop()
    with pytest.raises(CallFailed, match="could not connect"):
        http.call("call", {"Verb": "GET", "URL": url + "/x", "Timeout": 5})
