"""Label text as a graph shows it: every control character made visible.

A task name or a guard is the user's text, and may hold a newline, a tab or an escape sequence.
A label shows it on one line, as the escape the user would have written (``\\n``, ``\\t``,
``\\x1b``), so two names that differ only there are told apart, and nothing reaches the
renderer's own syntax unescaped. Each renderer then escapes what its format gives meaning to.
"""

from __future__ import annotations

import re

# C0 controls (newline and tab among them), DEL, C1 controls, and the invisible marks that reorder
# text (bidirectional embeddings, overrides and isolates, left/right marks, line and paragraph
# separators).
_UNSEEN = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    if character in _NAMED:
        return _NAMED[character]
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` on one line, with every control character written as an escape."""
    return _UNSEEN.sub(_escape, text)
