"""HTTP for the built-in services that talk to a remote API: one request function with the rules they
all follow.

Every request has a timeout; a remote error becomes a ``RemoteError`` whose one-line message carries
the remote's own error text (Trello's plain text, GitHub's ``message``, Jira's ``errorMessages``,
Google's ``error.message``); and no credential ever reaches a message: query parameters that carry
credentials are masked and any secret value the caller names is replaced wherever it appears.
The standard library's urllib is enough here, so the catalog adds no HTTP dependency.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from runtime.redact import MASK, Redactor
from runtime.sdk import EndpointError

DEFAULT_TIMEOUT = 30.0
# Query parameters that carry credentials in the APIs we call (Trello: key + token).
CREDENTIAL_PARAMETERS = frozenset({"key", "token", "access_token", "api_key", "apikey"})
_MASK = MASK
_MAX_ERROR_TEXT = 300


class RemoteError(EndpointError):
    """A remote API call failed; the message is one line, says what the remote answered, and holds no
    credential. ``status`` is the HTTP status (0 when no answer came). An ``EndpointError``: the caller
    gets the message and no traceback is logged."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Response:
    """A successful (2xx) answer."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    _headers_lower: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._headers_lower = {name.lower(): value for name, value in self.headers.items()}

    def header(self, name: str) -> str | None:
        return self._headers_lower.get(name.lower())

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8") or "null")
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise RemoteError(
                f"the remote answered {self.status} with a body that is not JSON: {error}"
            ) from None


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret value replaced by a mask, also in its URL-encoded spelling (the
    rules of ``runtime.redact``: a secret shorter than its minimum length only as the whole text)."""
    spellings = [spelling for secret in secrets if secret for spelling in (secret, _url_quoted(secret))]
    return Redactor(spellings).text(text) if spellings else text


def _url_quoted(secret: str) -> str:
    return urllib.parse.quote(secret, safe="")


def display_url(url: str, secrets: Iterable[str] = ()) -> str:
    """``url`` fit for a log or an error message: credential query parameters masked."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    masked = [(name, _MASK if name.lower() in CREDENTIAL_PARAMETERS else value) for name, value in query]
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    shown = urllib.parse.urlunsplit(
        (parts.scheme, netloc, parts.path, urllib.parse.urlencode(masked, safe="*"), "")
    )
    return redact(shown, secrets)


def join_url(base: str, path: str, query: Mapping[str, Any] | None = None) -> str:
    """``base`` (any trailing slash ignored) + ``path`` + an encoded ``query``."""
    check_base_url(base)
    url = base.rstrip("/") + path
    if query:
        url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
    return url


def quote_segment(value: str) -> str:
    """``value`` made safe as one path segment (an id can never add ``/`` or ``?`` to a path)."""
    return urllib.parse.quote(str(value), safe="")


def check_base_url(base: str) -> None:
    parts = urllib.parse.urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RemoteError(f"'{base}' is not an http(s) URL: give a base URL such as https://api.example.com")


def error_text(body: bytes) -> str:
    """The remote's own error message out of an error body, whatever API it came from."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return _one_line(text)
    message = _message_of(document)
    return _one_line(message if message else text)


def _message_of(document: Any) -> str:
    if isinstance(document, str):
        return document
    if not isinstance(document, dict):
        return ""
    messages = document.get("errorMessages")  # Jira
    if isinstance(messages, list) and messages:
        return "; ".join(str(m) for m in messages)
    errors = document.get("errors")
    if isinstance(errors, dict) and errors:  # Jira field errors
        return "; ".join(f"{k}: {v}" for k, v in errors.items())
    for key in ("message", "error_description", "error"):
        value = document.get(key)
        if isinstance(value, dict):  # Google: {"error": {"code", "message", "status"}}
            nested = _message_of(value)
            if nested:
                return nested
        elif isinstance(value, str) and value:
            return value
    return ""


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _MAX_ERROR_TEXT else flat[: _MAX_ERROR_TEXT - 3] + "..."


def request(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    json_body: Any = None,
    timeout: float = DEFAULT_TIMEOUT,
    secrets: Iterable[str] = (),
    shown_url: str | None = None,
) -> Response:
    """Send one request; return the 2xx ``Response`` or raise ``RemoteError``. ``shown_url`` names the
    target in messages instead of the URL (for URLs that are credentials themselves)."""
    secret_values = [s for s in secrets if s]
    all_headers = {"User-Agent": "oi-catalog", "Accept": "application/json", **(headers or {})}
    if json_body is not None:
        body = json.dumps(json_body).encode("utf-8")
        all_headers.setdefault("Content-Type", "application/json")
    shown = f"{method} {shown_url or display_url(url, secret_values)}"
    prepared = urllib.request.Request(url, data=body, headers=all_headers, method=method)
    try:
        with urllib.request.urlopen(prepared, timeout=timeout) as answer:
            return Response(answer.status, dict(answer.headers.items()), answer.read())
    except urllib.error.HTTPError as error:
        try:
            detail = error_text(error.read())
        except (TimeoutError, OSError):
            detail = ""
        detail = redact(detail or error.reason or "", secret_values)
        raise RemoteError(f"{shown} answered {error.code}: {detail}", status=error.code) from None
    except TimeoutError:
        raise RemoteError(f"{shown}: no answer within {timeout:g}s") from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise RemoteError(f"{shown}: no answer within {timeout:g}s") from None
        reason = redact(str(error.reason), secret_values)
        raise RemoteError(f"{shown}: could not connect: {reason}") from None
    except (OSError, ValueError) as error:
        raise RemoteError(f"{shown}: {redact(str(error), secret_values)}") from None
