"""`oic run` (not implemented yet)."""

from __future__ import annotations

import argparse
import sys

from oic import exit_codes


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="(not implemented yet)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print("oic run: not implemented yet", file=sys.stderr)
    return exit_codes.USAGE
