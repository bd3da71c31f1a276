"""http.call's ExpectStatus: the statuses that succeed; any other fails the task, as a cron job's
`curl --fail` would. Against a local fake HTTP server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from runtime.services.base import CallFailed
from tests.catalog.conftest import builtin_fixture
from tests.catalog.harness import RunningBuiltin
from tests.fakes.base import Answer, FakeServer, RecordedRequest

http = builtin_fixture("http")


class StatusServer(FakeServer):
    """``GET /status/CODE`` answers CODE, with a body that says so (a long one for 500)."""

    def __init__(self) -> None:
        super().__init__()
        self.route("GET", r"/status/(?P<code>\d+)", self._status)

    def _status(self, request: RecordedRequest, match: re.Match[str]) -> Answer:
        code = int(match.group("code"))
        body = "overloaded, try later\n" * 40 if code == 500 else f"answered\n{code}"
        return Answer(code, body if code != 204 else "", content_type="text/plain")


@pytest.fixture
def server() -> Iterator[StatusServer]:
    with StatusServer() as fake:
        yield fake


def _get(http: RunningBuiltin, server: StatusServer, code: int, expect: list[Any] | None) -> Any:
    arguments: dict[str, Any] = {"Verb": "GET", "URL": f"{server.url}/status/{code}"}
    if expect is not None:
        arguments["ExpectStatus"] = expect
    return http.call("call", arguments)


@pytest.mark.parametrize(
    ("code", "expect"),
    [(200, ["2xx"]), (204, ["2xx"]), (304, [200, 304]), (404, [404]), (503, None), (404, ["2xx", "4xx"])],
)
def test_an_expected_status_is_returned(http: RunningBuiltin, server: StatusServer, code: int, expect: Any):
    assert _get(http, server, code, expect)["Status"] == code


def test_another_status_fails_the_call_with_the_status_and_the_body(
    http: RunningBuiltin, server: StatusServer
):
    with pytest.raises(CallFailed) as failure:
        _get(http, server, 503, ["2xx"])
    assert str(failure.value) == f"GET {server.url}/status/503 answered 503, not 2xx; body: answered 503"


def test_a_long_body_is_cut_in_the_error(http: RunningBuiltin, server: StatusServer):
    with pytest.raises(CallFailed) as failure:
        _get(http, server, 500, [200, "3xx"])
    message = str(failure.value)
    assert message.startswith(
        f"GET {server.url}/status/500 answered 500, not 200, 3xx; body: overloaded, try"
    )
    assert message.endswith("...") and len(message) < 300 and "\n" not in message


@pytest.mark.parametrize("expect", [[], ["2XX-ish"], [99], [True]])
def test_a_malformed_expect_status_is_refused_by_the_schema(
    http: RunningBuiltin, server: StatusServer, expect: Any
):
    with pytest.raises(CallFailed, match=r"arguments: \$\.ExpectStatus"):
        _get(http, server, 200, expect)
