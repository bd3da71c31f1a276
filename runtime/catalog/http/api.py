"""The http endpoint ``call``: one request, whatever the status.

Unlike the API services, a 4xx or 5xx answer is a successful call here (the pipeline decides what a
status means, as with the original service); only a request that gets no answer fails. The URL may
carry credentials, so logs and errors show it with credential parameters masked.
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
    return {
        "Status": int(status),
        "Headers": [{"Name": name, "Value": value} for name, value in answer_headers.items()],
        "Body": data.decode("utf-8", errors="replace"),
    }
