"""The JSON Schema ``format`` values oi checks: one policy for every draft, at compile time and at run time.

The drafts disagree about ``format`` (an assertion in drafts 4 to 7, an annotation from 2019-09 on),
and a validator library checks a format only when an optional package for it is installed. oi does
neither: the formats below are always checked, by the code in this module alone, whatever the draft,
and every other ``format`` value is ignored (``password`` only marks a field secret). A value of
another type than a string passes every format, as the specifications say.

| format | a string that is |
|---|---|
| ``date-time`` | an RFC 3339 date-time: ``2024-02-29T13:05:00Z``, ``...T13:05:00.25+01:00`` |
| ``date`` | an RFC 3339 full-date: ``2024-02-29`` (a day that exists) |
| ``time`` | an RFC 3339 full-time, with its offset: ``13:05:00Z``, ``13:05:00.5-07:00`` |
| ``duration`` | an RFC 3339 (ISO 8601) duration: ``P1DT12H``, ``PT30M``, ``P2W`` |
| ``email`` | ``local@domain``: a dot-atom or quoted local part, a hostname or ``[address]`` |
| ``hostname`` | an RFC 1123 host name: labels of letters, digits and ``-`` (63 at most), 253 in all |
| ``ipv4`` | a dotted quad: ``192.168.0.1`` (no leading zeros) |
| ``ipv6`` | an RFC 4291 address: ``2001:db8::1`` (no zone) |
| ``uri`` | an RFC 3986 URI with a scheme: ``https://example.com/a?b#c`` |
| ``uri-reference`` | a URI or a relative reference: ``../a?b`` |
| ``uuid`` | an RFC 4122 UUID: ``123e4567-e89b-12d3-a456-426614174000`` |
| ``regex`` | a regular expression Python's ``re`` compiles (as ``pattern`` is read) |
| ``json-pointer`` | an RFC 6901 JSON Pointer: ``/a/b~1c`` |
"""

from __future__ import annotations

import re
from collections.abc import Callable

_DIGITS_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z", re.ASCII)
_TIME = re.compile(r"(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))\Z", re.ASCII)
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# RFC 3339, appendix A, rule by rule.
_DURATION = re.compile(
    r"P(?:"
    r"(?:\d+D|\d+M(?:\d+D)?|\d+Y(?:\d+M(?:\d+D)?)?)(?:T(?:\d+H(?:\d+M(?:\d+S)?)?|\d+M(?:\d+S)?|\d+S))?"
    r"|T(?:\d+H(?:\d+M(?:\d+S)?)?|\d+M(?:\d+S)?|\d+S)"
    r"|\d+W"
    r")\Z",
    re.ASCII,
)
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\Z", re.ASCII)
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}\Z", re.ASCII)
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL_PART = re.compile(rf"(?:{_ATOM}(?:\.{_ATOM})*|\"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*\")\Z")
_UUID = re.compile(r"[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}\Z", re.ASCII)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:", re.ASCII)
# Every character a URI may hold (RFC 3986 unreserved, reserved, and % for escapes).
_URI_CHARACTERS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*\Z", re.ASCII)
_JSON_POINTER = re.compile(r"(?:/(?:[^~/]|~[01])*)*\Z")


def _valid_date(text: str) -> bool:
    match = _DIGITS_DATE.match(text)
    if match is None:
        return False
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12 or day < 1:
        return False
    if month == 2 and day == 29:
        return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return day <= _DAYS[month - 1]


def _valid_time(text: str) -> bool:
    match = _TIME.match(text)
    if match is None:
        return False
    hour, minute, second = int(match[1]), int(match[2]), int(match[3])
    if hour > 23 or minute > 59 or second > 60:  # 60: a leap second
        return False
    if match[4] is not None and (int(match[5]) > 23 or int(match[6]) > 59):
        return False
    return True


def date_time(text: str) -> bool:
    date, separator, time = text[:10], text[10:11], text[11:]
    return separator in ("T", "t") and _valid_date(date) and _valid_time(time)


def date(text: str) -> bool:
    return _valid_date(text)


def time(text: str) -> bool:
    return _valid_time(text)


def duration(text: str) -> bool:
    return _DURATION.match(text) is not None


def hostname(text: str) -> bool:
    if not text or len(text) > 253:
        return False
    return all(_LABEL.match(label) for label in text.split("."))


def ipv4(text: str) -> bool:
    return _IPV4.match(text) is not None


def ipv6(text: str) -> bool:
    if "%" in text or not text.isascii():  # a zone is not part of an address
        return False
    import ipaddress

    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def email(text: str) -> bool:
    local, at, domain = text.rpartition("@")
    if not at or not local or len(local) > 64 or _LOCAL_PART.match(local) is None:
        return False
    if domain.startswith("[") and domain.endswith("]"):
        literal = domain[1:-1]
        return ipv6(literal[5:]) if literal.lower().startswith("ipv6:") else ipv4(literal)
    return hostname(domain)


def uri_reference(text: str) -> bool:
    if _URI_CHARACTERS.match(text) is None:
        return False
    _, _, fragment = text.partition("#")
    return "#" not in fragment


def uri(text: str) -> bool:
    return _SCHEME.match(text) is not None and uri_reference(text)


def uuid(text: str) -> bool:
    return _UUID.match(text) is not None


def regex(text: str) -> bool:
    try:
        re.compile(text)
    except (re.error, RecursionError, OverflowError):
        return False
    return True


def json_pointer(text: str) -> bool:
    return _JSON_POINTER.match(text) is not None


# The formats oi checks, by their name in a schema; every other format is ignored.
FORMATS: dict[str, Callable[[str], bool]] = {
    "date-time": date_time,
    "date": date,
    "time": time,
    "duration": duration,
    "email": email,
    "hostname": hostname,
    "ipv4": ipv4,
    "ipv6": ipv6,
    "uri": uri,
    "uri-reference": uri_reference,
    "uuid": uuid,
    "regex": regex,
    "json-pointer": json_pointer,
}
