"""The `oic` command line: a thin shell that parses options and calls the library.

Each subcommand lives in ``oic/commands/<name>.py`` and exposes ``register(subparsers)``, which adds
its parser and sets ``handler`` to a function ``(args) -> int`` returning an exit code from
``oic.exit_codes``. Nothing here prints a traceback: an unexpected exception becomes one line.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from oic import __version__, exit_codes

# The subcommands, in the order `oic --help` lists them.
COMMANDS = ("check", "explain", "build", "run", "emit", "catalog", "new")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oic",
        description="The oi pipeline compiler: check, build and run typed pipelines.",
    )
    parser.add_argument("--version", action="version", version=f"oic {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"oic.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return exit_codes.USAGE
    try:
        return int(handler(args))
    except KeyboardInterrupt:
        print("oic: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return exit_codes.OK
    except Exception as error:  # the last line of defence: one line, never a traceback
        print(f"oic: internal error: {type(error).__name__}: {error} (please report this)", file=sys.stderr)
        return exit_codes.INTERNAL


if __name__ == "__main__":
    sys.exit(main())
