"""Escaping for the report: every piece of text a run recorded is untrusted.

A task's output, error or name may hold ``</script>``, quotes, control characters or bidirectional
overrides. Text goes into the page only through ``text`` (control characters made visible, then
HTML-escaped, quotes included, so it is safe in an element and in an attribute); data for the
page's script goes only through ``script_json``, which leaves no ``<``, ``>`` or ``&`` in the block
(a ``</script>`` inside a string cannot end it) and no character JSON or HTML would choke on.
"""

from __future__ import annotations

import html
import json
from typing import Any

from runtime.shown_text import visible

# A value longer than this is cut where the report shows it: state.yaml has it whole.
LONGEST_SHOWN = 20_000


def text(value: str) -> str:
    """``value`` as HTML text (or attribute value): control characters written as escapes."""
    return html.escape(visible(value), quote=True)


def one_line(value: str) -> str:
    """``value`` for a label drawn on one line: line breaks and tabs written as escapes too, as
    ``oic graph`` writes them, so two names that differ only there are told apart."""
    return value.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def cut(value: str, limit: int = LONGEST_SHOWN) -> str:
    """``value``, or its first ``limit`` characters and how many more there are."""
    if len(value) <= limit:
        return value
    return f"{value[:limit]}\n... ({len(value) - limit} more characters; state.yaml has them all)"


def script_json(value: Any) -> str:
    """``value`` as JSON text to put inside ``<script type="application/json">``: ASCII only, with
    ``<``, ``>`` and ``&`` written as ``\\u`` escapes (they only occur inside strings)."""
    encoded = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return encoded.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
