"""A fake Slack incoming-webhook endpoint: POST /services/T.../B.../SECRET with ``{"text": ...}``.

Answers like Slack does: ``ok`` as plain text, ``invalid_payload`` (400) for a body without text,
``no_service`` (404) for an unknown hook.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.fakes.base import Answer, FakeServer, RecordedRequest


class FakeSlack(FakeServer):
    """``messages`` holds the decoded payloads accepted, in order; ``webhook_url`` is the hook to use."""

    def __init__(self, hook_path: str = "/services/T000/B000/XXXXSECRETXXXX") -> None:
        super().__init__()
        self.hook_path = hook_path
        self.messages: list[dict[str, Any]] = []
        self.route("POST", r"/services/.+", self._post)

    @property
    def webhook_url(self) -> str:
        return self.url + self.hook_path

    def texts(self) -> list[str]:
        return [str(message.get("text", "")) for message in self.messages]

    def _post(self, request: RecordedRequest, match: re.Match[str]) -> Answer:
        if request.path != self.hook_path:
            return Answer(404, "no_service", content_type="text/plain")
        try:
            payload = request.json()
        except (ValueError, json.JSONDecodeError):
            return Answer(400, "invalid_payload", content_type="text/plain")
        if not isinstance(payload, dict) or not payload.get("text"):
            return Answer(400, "no_text", content_type="text/plain")
        self.messages.append(payload)
        return Answer(200, "ok", content_type="text/plain")
