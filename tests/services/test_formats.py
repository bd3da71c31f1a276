"""The format policy: each checked format accepts what its specification allows and refuses the rest."""

from __future__ import annotations

import pytest

from runtime.services.formats import FORMATS

EXAMPLES: dict[str, tuple[list[str], list[str]]] = {
    "date-time": (
        [
            "2024-02-29T13:05:00Z",
            "1999-12-31t23:59:60z",
            "2024-01-01T00:00:00.123+05:30",
            "2024-01-01T00:00:00-00:00",
        ],
        [
            "yesterday",
            "2023-02-29T13:05:00Z",
            "2024-01-01 00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:00",
        ],
    ),
    "date": (
        ["2024-02-29", "2000-02-29", "0001-01-01"],
        ["1900-02-29", "2024-13-01", "2024-04-31", "2024-1-1", ""],
    ),
    "time": (
        ["13:05:00Z", "23:59:60+01:00", "00:00:00.5-07:00"],
        ["13:05:00", "25:00:00Z", "12:60:00Z", "1:02:03Z"],
    ),
    "duration": (
        ["P1D", "PT30M", "P2W", "P1Y2M3DT4H5M6S", "PT1H", "P1M", "PT1M2S"],
        ["P", "PT", "1D", "P1H", "P1DT", "P1W2D", "PT1H1S", "P1Y1D"],
    ),
    "email": (
        ["a@example.com", "first.last+tag@sub.example.org", '"quoted local"@example.com', "x@[192.168.0.1]"],
        ["nobody", "@example.com", "a@", "a@@b.com", "a..b@example.com", "a@-example.com", "a b@example.com"],
    ),
    "hostname": (
        ["example.com", "localhost", "a-b.c1", "x" * 63 + ".com"],
        ["-example.com", "example-.com", "exa_mple.com", "", "a..b", "x" * 64 + ".com", "example.com."],
    ),
    "ipv4": (
        ["192.168.0.1", "0.0.0.0", "255.255.255.255"],
        ["256.0.0.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", "a.b.c.d"],
    ),
    "ipv6": (
        ["2001:db8::1", "::", "::ffff:192.0.2.1", "fe80::1"],
        ["fe80::1%eth0", "12345::", "1:2:3:4:5:6:7:8:9", "x"],
    ),
    "uri": (
        ["https://example.com/a?b=c#d", "mailto:a@example.com", "urn:isbn:0451450523", "http://[::1]:80/%20"],
        ["example.com/a", "//example.com", "http://exa mple.com", "http://x/%zz", "http://x/#a#b", ""],
    ),
    "uri-reference": (["../a?b", "#frag", "", "https://example.com"], ["a b", "%g0", "a#b#c"]),
    "uuid": (
        ["123e4567-e89b-12d3-a456-426614174000", "00000000-0000-0000-0000-000000000000"],
        ["123e4567", "g23e4567-e89b-12d3-a456-426614174000"],
    ),
    "regex": (["^[a-z]+$", "a|b", ""], ["([", "*a", "(?P<x"]),
    "json-pointer": (["", "/a/b", "/a~1b/~0c", "/"], ["a", "/a~2", "/~"]),
}


def test_every_checked_format_has_examples() -> None:
    assert set(EXAMPLES) == set(FORMATS)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_format_accepts_and_refuses(name: str) -> None:
    valid, invalid = EXAMPLES[name]
    check = FORMATS[name]
    assert [text for text in valid if not check(text)] == []
    assert [text for text in invalid if check(text)] == []
