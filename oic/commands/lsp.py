"""`oic lsp`: the language server for `.oi` files, speaking LSP over standard input and output
(docs/lsp.md). An editor starts it; it runs until the editor asks it to exit."""

from __future__ import annotations

import argparse

from oic import exit_codes


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "lsp",
        help="run the language server (LSP over standard input and output)",
        description="Run the oi language server: diagnostics, hover, completion, navigation, rename, "
        "quick fixes and formatting for .oi files, over standard input and output.",
    )
    parser.add_argument("--stdio", action="store_true", help="use standard input and output (the default)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from oic.lsp.server import serve  # pygls is imported only by this command

    serve()
    return exit_codes.OK
