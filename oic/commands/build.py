"""`oic build`: check a pipeline, then build it into one binary.

The binary is a copy of a base binary (the runtime frozen by PyInstaller, once per runtime version and
machine) with the generated pipeline appended, so a rebuild takes well under a second. See
``oic.binary`` for how bases are found, frozen and shared between machines.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from oic import exit_codes

if TYPE_CHECKING:
    from oic.frontend import FrontendResult

DESCRIPTION = """\
Check PIPELINE.oi and build it into one executable, DIR/<pipeline name>.

The runtime is frozen by PyInstaller once into a base binary, cached under $OI_BASE_DIR (default
$XDG_CACHE_HOME/oi/bases or ~/.cache/oi/bases); each build copies the base and appends the pipeline.

PyInstaller cannot build for another OS or architecture. To build for a target other than this machine
(the pipeline block's os/arch), freeze a base on a machine of that target with `oic build --base-only -o
DIR`, copy DIR/oi-base-<os>-<arch> to <bases dir>/<os>-<arch>/oi-base here, or pass --base PATH.

The binary embeds the pipeline's path services (the directory holding each service's file, without
caches, version control and virtual environments), so that it runs where they are not installed: a
.py service runs on the binary's own Python, which carries the SDK. --no-embed ALIAS keeps a service
out; the binary then runs it from its path, or from --service-path ALIAS=PATH given at run time.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "build",
        help="check a pipeline and build it into one binary",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", nargs="?", metavar="PIPELINE.oi", help="the pipeline to build")
    parser.add_argument(
        "-o", "--output", default="dist", metavar="DIR", help="where to write the binary (dist)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show PyInstaller's output")
    parser.add_argument(
        "--refresh", action="store_true", help="ask services for their schemas again, not the cache"
    )
    parser.add_argument(
        "--base", metavar="PATH", help="embed into this base binary (built on a machine of the target)"
    )
    parser.add_argument(
        "--rebuild-base", action="store_true", help="freeze the base again even if one is cached"
    )
    parser.add_argument(
        "--no-embed",
        action="append",
        default=[],
        metavar="ALIAS",
        help="do not embed path service ALIAS in the binary (repeatable)",
    )
    parser.add_argument(
        "--base-only",
        action="store_true",
        help="only freeze (or reuse) this machine's base and copy it to DIR/oi-base-<os>-<arch>",
    )
    parser.set_defaults(handler=run)


def _print_diagnostics(result: FrontendResult) -> None:
    """As `oic check` prints them: each diagnostic on stdout, the summary line on stderr."""
    from oic.commands.check import summary
    from oic.diagnostics import render_text

    for diagnostic in result.diagnostics:
        print(render_text(diagnostic, result.source))
    if result.diagnostics:
        print(summary(result.diagnostics, 1), file=sys.stderr)


def _unreadable(name: str) -> str:
    if not os.path.exists(name):
        return f"{name}: no such file"
    if not os.path.isfile(name):
        return f"{name} is not a file; give the path of a .oi file"
    if not os.access(name, os.R_OK):
        return f"{name}: permission denied"
    return ""


def run(args: argparse.Namespace) -> int:
    from oic.binary.builder import BuildFailed, BuildOptions, build_base_only, build_program
    from oic.binary.progress import Progress

    if args.base and args.rebuild_base:
        print("oic build: --base and --rebuild-base do not go together", file=sys.stderr)
        return exit_codes.USAGE
    if args.base_only and args.base:
        print("oic build: --base-only freezes this machine's base; it does not take --base", file=sys.stderr)
        return exit_codes.USAGE
    if args.base_only == bool(args.file):
        message = "give the pipeline file to build" if not args.file else "--base-only takes no pipeline file"
        print(f"oic build: {message} (see oic build --help)", file=sys.stderr)
        return exit_codes.USAGE
    problem = "" if args.base_only else _unreadable(args.file)
    if problem:
        print(f"oic build: error: {problem}", file=sys.stderr)
        return exit_codes.USAGE
    progress = Progress(sys.stderr, verbose=args.verbose)
    options = BuildOptions(
        output_dir=Path(args.output),
        base=args.base,
        rebuild_base=args.rebuild_base,
        not_embedded=frozenset(args.no_embed),
    )
    try:
        if args.base_only:
            destination = build_base_only(options, progress)
            progress.note(f"base written to {destination} ({progress.elapsed():.2f}s)")
            return exit_codes.OK
        from oic.frontend import check_file

        with progress.phase(f"checking {args.file}"):
            result = check_file(args.file, refresh_schemas=args.refresh)
        if result.unreadable:
            print(f"oic build: error: {result.unreadable}", file=sys.stderr)
            return exit_codes.USAGE
        _print_diagnostics(result)
        if result.program is None or result.has_errors:
            progress.note("oic build: not built: the pipeline has errors")
            return exit_codes.DIAGNOSTICS
        built = build_program(result.program, options, progress)
    except BuildFailed as error:
        if error.log:
            sys.stderr.write(error.log if error.log.endswith("\n") else error.log + "\n")
        print(f"oic build: error: {error}", file=sys.stderr)
        return exit_codes.USAGE if not error.log else exit_codes.INTERNAL
    progress.note(f"built {built.binary} for {built.target} in {progress.elapsed():.2f}s")
    return exit_codes.OK
