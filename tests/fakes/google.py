"""A fake Google: the OAuth token endpoint of service accounts and the Sheets v4 ``values`` API.

The token endpoint does what Google's does with a JWT-bearer grant: it checks the assertion's RS256
signature against the service account's public key, its issuer, audience, scope and expiry, and
hands out an access token. The Sheets routes (values get / update / append) keep each sheet as an
in-memory grid and demand that token, so a test sees exactly which cells were written.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.fakes.base import Answer, FakeServer, RecordedRequest

SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_CELL = re.compile(r"(?P<col>[A-Z]+)(?P<row>[0-9]*)")


@dataclass
class ServiceAccount:
    """A generated service account: ``json_text`` is the key file a user downloads from Google."""

    client_email: str
    private_key_pem: str
    public_key: rsa.RSAPublicKey
    json_text: str


def make_service_account(
    token_uri: str, email: str = "sync@oi-tests.iam.gserviceaccount.com"
) -> ServiceAccount:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    document = {
        "type": "service_account",
        "project_id": "oi-tests",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": email,
        "client_id": "1234567890",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
    }
    return ServiceAccount(email, pem, key.public_key(), json.dumps(document))


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (ord(letter) - ord("A") + 1)
    return number


def _google_error(status: int, message: str, code_name: str) -> Answer:
    return Answer(status, {"error": {"code": status, "message": message, "status": code_name}})


class FakeGoogle(FakeServer):
    """``token_uri`` is this fake's token endpoint; ``sheets[spreadsheet][sheet]`` is a list of rows."""

    def __init__(self) -> None:
        super().__init__()
        self.accounts: dict[str, rsa.RSAPublicKey] = {}
        self.tokens: set[str] = set()
        self.sheets: dict[str, dict[str, list[list[Any]]]] = {}
        self.verified_assertions = 0
        self._counter = itertools.count(1)
        self.route("POST", r"/token", self._token)
        self.route("POST", r"/v4/spreadsheets/(?P<id>[^/]+)/values/(?P<range>.+):append", self._append)
        self.route("GET", r"/v4/spreadsheets/(?P<id>[^/]+)/values/(?P<range>.+)", self._get)
        self.route("PUT", r"/v4/spreadsheets/(?P<id>[^/]+)/values/(?P<range>.+)", self._update)

    @property
    def token_uri(self) -> str:
        return self.url + "/token"

    def new_account(self) -> ServiceAccount:
        account = make_service_account(self.token_uri)
        self.accounts[account.client_email] = account.public_key
        return account

    def add_spreadsheet(self, spreadsheet_id: str, rows: list[list[Any]], sheet: str = "Sheet1") -> None:
        self.sheets.setdefault(spreadsheet_id, {})[sheet] = [list(row) for row in rows]

    def rows(self, spreadsheet_id: str, sheet: str = "Sheet1") -> list[list[Any]]:
        return self.sheets[spreadsheet_id][sheet]

    # -- OAuth ----------------------------------------------------------------------------------------

    def _token(self, request: RecordedRequest, match: re.Match[str]) -> Answer:
        form = request.form()
        if form.get("grant_type") != JWT_BEARER:
            return Answer(400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"})
        problem = self._check_assertion(form.get("assertion", ""))
        if problem:
            return Answer(400, {"error": "invalid_grant", "error_description": problem})
        self.verified_assertions += 1
        token = "ya29." + secrets.token_urlsafe(16)
        self.tokens.add(token)
        return Answer(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

    def _check_assertion(self, assertion: str) -> str:
        parts = assertion.split(".")
        if len(parts) != 3:
            return "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe"
        try:
            header = json.loads(_b64decode(parts[0]))
            claims = json.loads(_b64decode(parts[1]))
            signature = _b64decode(parts[2])
        except (ValueError, json.JSONDecodeError):
            return "Invalid JWT: could not decode"
        if header.get("alg") != "RS256":
            return "Invalid JWT: unsupported algorithm"
        public_key = self.accounts.get(claims.get("iss", ""))
        if public_key is None:
            return "Invalid JWT Signature."  # Google's answer for an unknown or deleted key
        try:
            public_key.verify(
                signature, f"{parts[0]}.{parts[1]}".encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
            )
        except InvalidSignature:
            return "Invalid JWT Signature."
        now = time.time()
        if claims.get("aud") != self.token_uri:
            return "Invalid JWT: audience is not the token endpoint"
        if SHEETS_SCOPE not in str(claims.get("scope", "")).split():
            return "Invalid JWT: the spreadsheets scope is missing"
        if not (claims.get("iat", 0) <= now + 60 and claims.get("exp", 0) > now):
            return "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe"
        if claims["exp"] - claims["iat"] > 3600:
            return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe"
        return ""

    # -- Sheets values ----------------------------------------------------------------------------------

    def _authorized(self, request: RecordedRequest) -> Answer | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or header[len("Bearer ") :] not in self.tokens:
            return _google_error(
                401,
                "Request had invalid authentication credentials. Expected OAuth 2 access token.",
                "UNAUTHENTICATED",
            )
        return None

    def _grid(self, spreadsheet_id: str, a1_range: str) -> tuple[list[list[Any]] | None, str, int, int]:
        """The sheet's rows, its name, and the (1-based) start row and column of ``a1_range``."""
        sheets = self.sheets.get(spreadsheet_id)
        if sheets is None:
            return None, "", 0, 0
        if "!" in a1_range:
            sheet_name, cells = a1_range.rsplit("!", 1)
            sheet_name = sheet_name.strip("'")
        else:
            sheet_name, cells = next(iter(sheets)), a1_range
        grid = sheets.get(sheet_name)
        start = _CELL.fullmatch(cells.split(":")[0])
        if grid is None or start is None:
            return None, sheet_name, 0, 0
        return grid, sheet_name, int(start["row"] or 1), _column_number(start["col"])

    def _get(self, request: RecordedRequest, match: re.Match[str]) -> Answer:
        denied = self._authorized(request)
        if denied:
            return denied
        grid, sheet, first_row, first_col = self._grid(match["id"], match["range"])
        if grid is None:
            return _google_error(404, "Requested entity was not found.", "NOT_FOUND")
        cells = match["range"].split("!")[-1].split(":")
        last_col = _column_number(_CELL.fullmatch(cells[-1])["col"]) if len(cells) > 1 else first_col  # type: ignore[index]
        values = [row[first_col - 1 : last_col] for row in grid[first_row - 1 :]]
        while values and not any(cell not in ("", None) for cell in values[-1]):
            values.pop()  # Google leaves out trailing empty rows
        answer: dict[str, Any] = {
            "range": f"{sheet}!{match['range'].split('!')[-1]}",
            "majorDimension": "ROWS",
        }
        if values:
            answer["values"] = values
        return Answer(200, answer)

    def _write(self, grid: list[list[Any]], row: int, col: int, values: list[list[Any]]) -> None:
        for offset, new_row in enumerate(values):
            while len(grid) < row + offset:
                grid.append([])
            target = grid[row + offset - 1]
            while len(target) < col - 1 + len(new_row):
                target.append("")
            target[col - 1 : col - 1 + len(new_row)] = new_row

    def _check_write(self, request: RecordedRequest, match: re.Match[str]) -> Answer | tuple[Any, ...]:
        denied = self._authorized(request)
        if denied:
            return denied
        if request.query.get("valueInputOption") not in ("RAW", "USER_ENTERED"):
            return _google_error(400, "'valueInputOption' is required but not specified", "INVALID_ARGUMENT")
        grid, sheet, row, col = self._grid(match["id"], match["range"])
        if grid is None:
            return _google_error(404, "Requested entity was not found.", "NOT_FOUND")
        values = request.json().get("values")
        if not isinstance(values, list) or not all(isinstance(r, list) for r in values):
            return _google_error(400, "Invalid value at 'data.values'", "INVALID_ARGUMENT")
        return grid, sheet, row, col, values

    def _update(self, request: RecordedRequest, match: re.Match[str]) -> Answer:
        checked = self._check_write(request, match)
        if isinstance(checked, Answer):
            return checked
        grid, sheet, row, col, values = checked
        self._write(grid, row, col, values)
        return Answer(
            200, {"spreadsheetId": match["id"], "updatedRange": f"{sheet}!A{row}", "updatedRows": len(values)}
        )

    def _append(self, request: RecordedRequest, match: re.Match[str]) -> Answer:
        checked = self._check_write(request, match)
        if isinstance(checked, Answer):
            return checked
        grid, sheet, _row, col, values = checked
        last = len(grid)
        while last > 0 and not any(cell not in ("", None) for cell in grid[last - 1]):
            last -= 1
        self._write(grid, last + 1, col, values)
        return Answer(
            200,
            {
                "spreadsheetId": match["id"],
                "tableRange": f"{sheet}!A1:Z{last}",
                "updates": {"updatedRange": f"{sheet}!A{last + 1}", "updatedRows": len(values)},
            },
        )
