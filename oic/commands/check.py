"""`oic check FILE|DIR...`: parse and type-check pipelines, print every diagnostic.

A directory stands for the ``.oi`` files below it (``oic.pipeline_files``). Text output goes to
standard output, one block per diagnostic, then a summary line on standard error; ``--format json``
prints one JSON object for all files (``oic.diagnostics.to_json``, described by
``docs/schemas/check-output.json``). Exit
status: 0 clean (warnings allowed unless ``--werror``), 1 diagnostics, 2 usage error. Standard input
(``-``) is read as a file is: the same size limit, NUL and UTF-8 checks.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from oic import diagnostics, exit_codes
from oic.diagnostics import Diagnostic
from oic.frontend import STDIN_PATH, FrontendResult, check_file
from oic.pipeline_files import find_pipeline_files
from oic.source import SourceFile
from oic.syntax.limits import MAX_SOURCE_BYTES
from oic.syntax.reader import decode_source

COLORS = {"error": "\033[1;31m", "warning": "\033[1;33m"}
RESET = "\033[0m"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="parse and type-check pipeline files",
        description="Parse and type-check pipeline files and print every problem found. "
        "A warning can be silenced with a `# oic: ignore[CODE]` comment at the end of its line.",
    )
    parser.add_argument(
        "files",
        nargs="+",
        metavar="FILE|DIR",
        help="a .oi file, a directory (every .oi file below it), or - for standard input",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.add_argument("--werror", action="store_true", help="treat warnings as errors")
    parser.add_argument("--no-color", action="store_true", help="never color the output")
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="ask services for their schemas again instead of using the cache ($XDG_CACHE_HOME/oi/schemas)",
    )
    parser.add_argument(
        "--stdin-filename", metavar="NAME", default=STDIN_PATH, help="the path to show for standard input"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    results: list[tuple[str, FrontendResult]] = []  # (the path shown for the file, what it holds)
    usage_problem = False

    def usage(message: str) -> None:
        nonlocal usage_problem
        print(f"oic: error: {message}", file=sys.stderr)
        usage_problem = True

    for name in _expand(args.files, usage):
        if name == "-":
            read = _read_stdin(args.stdin_filename)
            if isinstance(read, str):
                usage(read)
            elif isinstance(read, Diagnostic):
                results.append((args.stdin_filename, FrontendResult(None, None, [read])))
            else:
                base = _stdin_base(args.stdin_filename)
                result = check_file(read, base_directory=base, refresh_schemas=args.refresh)
                results.append((args.stdin_filename, result))
            continue
        problem = _unreadable(name)
        if problem:
            usage(problem)
            continue
        result = check_file(name, refresh_schemas=args.refresh)
        if result.unreadable:  # it changed between the look above and the read
            usage(result.unreadable)
            continue
        results.append((name, result))

    found = [diagnostic for _name, result in results for diagnostic in result.diagnostics]
    if args.format == "json":
        print(diagnostics.to_json([name for name, _result in results], found))
    else:
        # NO_COLOR (no-color.org): any non-empty value turns colour off, as it does for a run.
        color = not args.no_color and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        for _name, result in results:
            for diagnostic in result.diagnostics:
                print(_render(diagnostic, result.source, color))
        if found:
            print(summary(found, len(results)), file=sys.stderr)
    if usage_problem:
        return exit_codes.USAGE
    failing = [d for d in found if d.is_error or args.werror]
    return exit_codes.DIAGNOSTICS if failing else exit_codes.OK


def _expand(names: list[str], usage: Callable[[str], None]) -> list[str]:
    """The files to check: each name given, a directory replaced by the ``.oi`` files below it; a
    file named twice (itself and through its directory) is checked once."""
    files: list[str] = []
    seen: set[str] = set()
    for name in names:
        if name != "-" and os.path.isdir(name):
            below, problems = find_pipeline_files(name)
            for problem in problems:
                usage(problem)
            if not below and not problems:
                usage(f"{name}: no .oi file below this directory")
        else:
            below = [name]
        for path in below:
            key = path if path == "-" else os.path.realpath(path)
            if key not in seen:
                seen.add(key)
                files.append(path)
    return files


def summary(found: list[Diagnostic], file_count: int) -> str:
    """``2 errors, 1 warning in 1 file``."""
    errors = sum(1 for d in found if d.is_error)
    warnings = len(found) - errors
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return f"{', '.join(parts)} in {file_count} file{'s' if file_count != 1 else ''}"


def _render(diagnostic: Diagnostic, source: SourceFile | None, color: bool) -> str:
    text = diagnostics.render_text(diagnostic, source)
    if not color:
        return text
    label = f"{diagnostic.severity}[{diagnostic.code}]"
    return text.replace(label, f"{COLORS.get(diagnostic.severity, '')}{label}{RESET}", 1)


def _unreadable(name: str) -> str:
    if not os.path.exists(name):
        return f"{name}: no such file"
    if not os.access(name, os.R_OK):
        return f"{name}: permission denied"
    return ""


def _stdin_base(stdin_filename: str) -> str:
    if stdin_filename == STDIN_PATH:
        return os.getcwd()
    return os.path.dirname(os.path.abspath(stdin_filename))


def _read_stdin(path: str) -> SourceFile | Diagnostic | str:
    """Standard input as a source file, checked as a file is (size, NUL bytes, UTF-8: a diagnostic),
    or a one-line message when it cannot be read at all."""
    stream = sys.stdin.buffer if sys.stdin is not None else None
    if stream is None:
        return "standard input is closed; give a file, or pipe the pipeline into `oic check -`"
    try:
        # One byte past the limit is enough to know the input is too large, without reading it all.
        data = stream.read(MAX_SOURCE_BYTES + 1)
    except OSError as error:
        return f"standard input cannot be read ({error.strerror or error})"
    return decode_source(path, data)
