"""The google-spreadsheet endpoint ``upsert``: rows keyed by column A, updated in place or appended.

Authentication is the service-account flow of Google's own client libraries: a JWT naming the
account, the spreadsheets scope and the token endpoint, signed RS256 with the account's private
key, exchanged at the key file's ``token_uri`` for an access token. Then one read of column A finds
the existing keys, one ``values.update`` per existing row rewrites it, and one ``values.append``
adds all new rows. Duplicate IDs in one call: the last row wins.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from runtime.catalog import remote

DEFAULT_BASE_URL = "https://sheets.googleapis.com"
DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"
SCOPE = "https://www.googleapis.com/auth/spreadsheets"
TOKEN_LIFETIME = 3600

Log = Callable[[str], None]


class _Account:
    """The parts of a service-account key file the flow needs."""

    def __init__(self, text: str) -> None:
        try:
            document = json.loads(text)
        except json.JSONDecodeError:
            raise remote.RemoteError(
                "ServiceAccount is not JSON: pass the content of the service account's key file, not its path"
            ) from None
        if not isinstance(document, dict):
            raise remote.RemoteError("ServiceAccount is not a service-account key file (a JSON object)")
        missing = [key for key in ("client_email", "private_key") if not document.get(key)]
        if missing:
            raise remote.RemoteError(
                f"ServiceAccount has no {' or '.join(missing)}: use a service-account key file"
            )
        self.email = str(document["client_email"])
        self.key_id = str(document.get("private_key_id") or "")
        self.token_uri = str(document.get("token_uri") or DEFAULT_TOKEN_URI)
        self.private_key_pem = str(document["private_key"])
        try:
            key = serialization.load_pem_private_key(self.private_key_pem.encode("ascii"), password=None)
        except (ValueError, TypeError, UnicodeEncodeError):
            raise remote.RemoteError("ServiceAccount's private_key is not a PEM private key") from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise remote.RemoteError("ServiceAccount's private_key is not an RSA key")
        self.key = key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def signed_assertion(account: _Account, now: float | None = None) -> str:
    """The JWT-bearer assertion for ``account`` (RS256, one hour)."""
    issued = int(time.time() if now is None else now)
    header = {"alg": "RS256", "typ": "JWT", **({"kid": account.key_id} if account.key_id else {})}
    claims = {
        "iss": account.email,
        "scope": SCOPE,
        "aud": account.token_uri,
        "iat": issued,
        "exp": issued + TOKEN_LIFETIME,
    }
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = account.key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64(signature)}"


def access_token(account: _Account) -> str:
    remote.check_base_url(account.token_uri)
    form = urllib.parse.urlencode(
        {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": signed_assertion(account)}
    ).encode("ascii")
    try:
        answer = remote.request(
            "POST",
            account.token_uri,
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            secrets=[account.private_key_pem],
        ).json()
    except remote.RemoteError as error:
        raise remote.RemoteError(f"Google refused the service account {account.email}: {error}") from None
    token = answer.get("access_token") if isinstance(answer, Mapping) else None
    if not isinstance(token, str) or not token:
        raise remote.RemoteError("Google's token endpoint answered without an access_token")
    return token


def _range(sheet: str, cells: str) -> str:
    if not sheet:
        return cells
    return "'" + sheet.replace("'", "''") + "'!" + cells


def _cell(value: Any) -> Any:
    return "" if value is None else value


def upsert(arguments: Mapping[str, Any], log: Log) -> dict[str, Any]:
    account = _Account(str(arguments["ServiceAccount"]))
    token = access_token(account)
    secrets = [token, account.private_key_pem]
    headers = {"Authorization": f"Bearer {token}"}
    base = str(arguments.get("Base_URL") or DEFAULT_BASE_URL)
    sheet = str(arguments.get("Sheet") or "")
    values_path = f"/v4/spreadsheets/{remote.quote_segment(arguments['SpreadsheetID'])}/values/"

    def values_url(a1_range: str, suffix: str = "", query: dict[str, str] | None = None) -> str:
        return remote.join_url(base, values_path + remote.quote_segment(a1_range) + suffix, query)

    column = remote.request("GET", values_url(_range(sheet, "A:A")), headers=headers, secrets=secrets).json()
    existing: dict[str, int] = {}
    for index, row in enumerate(column.get("values", []) if isinstance(column, Mapping) else [], start=1):
        if row and str(row[0]) not in existing:
            existing[str(row[0])] = index

    wanted: dict[str, list[Any]] = {}
    for row in arguments["Rows"]:
        wanted[str(row["ID"])] = [str(row["ID"]), *(_cell(value) for value in row.get("Data", []))]

    raw = {"valueInputOption": "RAW"}
    updated = 0
    new_rows: list[list[Any]] = []
    for key, values in wanted.items():
        if key in existing:
            cells = _range(sheet, f"A{existing[key]}")
            remote.request(
                "PUT",
                values_url(cells, query=raw),
                headers=headers,
                secrets=secrets,
                json_body={"range": cells, "majorDimension": "ROWS", "values": [values]},
            )
            updated += 1
        else:
            new_rows.append(values)
    if new_rows:
        remote.request(
            "POST",
            values_url(_range(sheet, "A1"), ":append", {**raw, "insertDataOption": "INSERT_ROWS"}),
            headers=headers,
            secrets=secrets,
            json_body={"majorDimension": "ROWS", "values": new_rows},
        )
    log(f"spreadsheet {arguments['SpreadsheetID']}: {updated} rows updated, {len(new_rows)} appended")
    return {"Updated": updated, "Appended": len(new_rows)}
