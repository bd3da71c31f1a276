"""The `oic` command line: a thin shell that parses options and calls the library.

Each subcommand lives in ``oic/commands/<name>.py`` and exposes ``register(subparsers)``, which adds
its parser and sets ``handler`` to a function ``(args) -> int`` returning an exit code from
``oic.exit_codes``. Nothing here prints a traceback: an unexpected exception becomes one line.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Any

from oic import __version__, exit_codes

# The subcommands, in the order `oic --help` lists them.
COMMANDS = ("check", "fmt", "explain", "build", "run", "image", "emit", "graph", "catalog", "new", "lsp")


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser of ``oic``. Given the command line, it registers only the subcommand it names
    (importing a command module imports what that command needs, and `oic check` should not pay for
    `oic build`); without one, or for a name that is not a command, it registers them all, so that
    `oic --help` and the error for an unknown command list every command."""
    parser = argparse.ArgumentParser(
        prog="oic",
        description="The oi pipeline compiler: check, build and run typed pipelines.",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"oic {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_ArgumentParser)
    named = _named_command(argv)
    for name in COMMANDS if named is None else (named,):
        module = importlib.import_module(f"oic.commands.{name}")
        module.register(subparsers)
    return parser


def _named_command(argv: list[str] | None) -> str | None:
    """The subcommand the command line names, if it names one (the top-level options take no value,
    so the first argument that is not an option is the command)."""
    for argument in sys.argv[1:] if argv is None else argv:
        if argument.startswith("-"):
            if argument in ("-h", "--help"):
                return None
            continue
        return argument if argument in COMMANDS else None
    return None


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, but measuring the terminal with ``os`` rather than importing ``shutil``
    (and with it bz2, lzma and more), which argparse does whenever a parser is made."""

    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None
    ) -> None:
        if width is None:
            width = _terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


class _ArgumentParser(argparse.ArgumentParser):
    """Subcommand parsers, with ``_HelpFormatter`` unless a command asks for another formatter."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)


def _terminal_columns() -> int:
    """What ``shutil.get_terminal_size().columns`` answers: ``$COLUMNS``, else the terminal's width,
    else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(argv)
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
