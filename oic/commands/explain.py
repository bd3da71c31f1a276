"""`oic explain CODE`: the long explanation of a diagnostic code; `oic explain --list`: every code.

The one-line summaries come from the registry (``oic.codes``), the explanations from
``oic/explanations/<CODE>.md``, so a code added to the registry is listed at once, and its text
appears as soon as its file exists.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from oic import codes, exit_codes

EXPLANATIONS = Path(__file__).resolve().parent.parent / "explanations"
_CODE_SHAPE = re.compile(r"^[EW]\d{4}$")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "explain",
        help="explain a diagnostic code (like E0101)",
        description="Print the long explanation of a diagnostic code, or list every code.",
    )
    parser.add_argument("code", nargs="?", help="a diagnostic code, like E0101 or W0102")
    parser.add_argument("--list", action="store_true", help="list every code with its summary")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.list:
        print(listing())
        return exit_codes.OK
    if not args.code:
        print("oic explain: give a diagnostic code (like E0101), or --list to see them all", file=sys.stderr)
        return exit_codes.USAGE
    text = explanation(args.code)
    if text is None:
        shown = args.code if len(args.code) <= 20 else args.code[:20] + "..."
        print(
            f"oic explain: unknown diagnostic code {shown!r} (`oic explain --list` shows them all)",
            file=sys.stderr,
        )
        return exit_codes.USAGE
    print(text)
    return exit_codes.OK


def explanation(code: str) -> str | None:
    """The long text for ``code`` (any case), or None when the code is not registered."""
    normalized = code.strip().upper()
    entry = codes.lookup(normalized) if _CODE_SHAPE.match(normalized) else None
    if entry is None:
        return None
    path = EXPLANATIONS / f"{entry.code}.md"
    try:
        return path.read_text(encoding="utf-8").rstrip("\n")
    except OSError:
        return (
            f"# {entry.code}: {entry.summary}\n\n(no longer explanation has been written for this code yet)"
        )


def listing() -> str:
    """One line per registered code: code, severity, summary."""
    return "\n".join(f"{entry.code}  {entry.severity:<7}  {entry.summary}" for entry in codes.all_codes())
