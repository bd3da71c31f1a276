"""The Slack endpoint ``message``: post text to an incoming webhook.

The webhook URL is itself the credential (anyone who has it can post), so it is never shown: errors
and logs name only its host.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

from runtime.catalog import remote

Log = Callable[[str], None]


def message(arguments: Mapping[str, Any], log: Log) -> dict[str, Any]:
    webhook = str(arguments["Webhook_URL"])
    remote.check_base_url(webhook)
    parts = urllib.parse.urlsplit(webhook)
    host = parts.netloc.rsplit("@", 1)[-1]
    try:
        remote.request(
            "POST",
            webhook,
            json_body={"text": arguments["Message"]},
            secrets=[webhook],
            shown_url=f"{parts.scheme}://{host}/...",
        )
    except remote.RemoteError as error:
        raise remote.RemoteError(f"Slack webhook: {error}", status=error.status) from None
    log(f"message posted to the webhook on {host}")
    return {}
