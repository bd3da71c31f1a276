"""The http endpoint ``call``: one request.

By default any status is a successful call (the pipeline decides what a status means, as with the
original service); only a request that gets no answer fails. With ``ExpectStatus`` (codes such as
``200`` and classes such as ``"2xx"``) an answer with another status fails the call, with the status
and the start of the body in the error, as ``curl --fail`` would for a cron job. The URL may carry
credentials, so logs and errors show it with credential parameters masked.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from runtime.catalog import remote

Log = Callable[[str], None]


def call(arguments: Mapping[str, Any], log: Log) -> dict[str, Any]:
    verb = str(arguments["Verb"])
    url = str(arguments["URL"])
    remote.check_base_url(url)
    timeout = float(arguments.get("Timeout") or remote.DEFAULT_TIMEOUT)
    headers = {str(h["Name"]): str(h["Value"]) for h in arguments.get("Headers") or []}
    content = arguments.get("Content")
    body = content.encode("utf-8") if isinstance(content, str) else None
    shown = f"{verb} {remote.display_url(url)}"
    request = urllib.request.Request(url, data=body, headers=headers, method=verb)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            status, answer_headers, data = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        status, answer_headers = error.code, error.headers
        try:
            data = error.read()
        except (TimeoutError, OSError):
            data = b""
    except TimeoutError:
        raise remote.RemoteError(f"{shown}: no answer within {timeout:g}s") from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise remote.RemoteError(f"{shown}: no answer within {timeout:g}s") from None
        raise remote.RemoteError(f"{shown}: could not connect: {error.reason}") from None
    except (OSError, ValueError) as error:
        raise remote.RemoteError(f"{shown}: {error}") from None
    log(f"{shown} answered {status}")
    expected = arguments.get("ExpectStatus")
    if expected and not any(_matches(int(status), item) for item in expected):
        wanted = ", ".join(str(item) for item in expected)
        raise remote.RemoteError(
            f"{shown} answered {status}, not {wanted}{_excerpt(data)}", status=int(status)
        )
    return {
        "Status": int(status),
        "Headers": [{"Name": name, "Value": value} for name, value in answer_headers.items()],
        "Body": data.decode("utf-8", errors="replace"),
    }


BODY_EXCERPT = 200


def _matches(status: int, expected: Any) -> bool:
    """Whether ``status`` is the code ``expected`` (``404``) or in its class (``"2xx"``)."""
    if isinstance(expected, bool):
        return False
    if isinstance(expected, int):
        return status == expected
    text = str(expected).strip().lower()
    return len(text) == 3 and text[0].isdigit() and text[1:] == "xx" and status // 100 == int(text[0])


def _excerpt(data: bytes) -> str:
    """The start of a body, on one line, for an error message ("" for an empty body)."""
    text = " ".join(data.decode("utf-8", errors="replace").split())
    if not text:
        return ""
    return f"; body: {text[:BODY_EXCERPT]}{'...' if len(text) > BODY_EXCERPT else ''}"
