"""`oic emit`: print the Python module a pipeline compiles to.

Useful to see what a pipeline does at run time, and to debug the compiler. Diagnostics go to standard
error as `oic check` prints them; with errors, nothing is printed and the exit code is 1.
"""

from __future__ import annotations

import argparse
import os
import sys

from oic import exit_codes


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "emit",
        help="print the Python module a pipeline compiles to",
        description="Check PIPELINE.oi and print the generated Python module (to standard output, or -o).",
    )
    parser.add_argument("file", metavar="PIPELINE.oi", help="the pipeline to compile")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the module to FILE instead")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from oic.codegen.frontend_bridge import compile_file

    compiled = compile_file(args.file, "emit")
    if compiled.module is None:
        return compiled.exit_code
    if not args.output:
        sys.stdout.write(compiled.module.text)
        sys.stdout.flush()
        return exit_codes.OK
    temporary = f"{args.output}.tmp-{os.getpid()}"
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(compiled.module.text)
        os.replace(temporary, args.output)
    except OSError as error:
        print(f"oic emit: cannot write {args.output}: {error.strerror or error}", file=sys.stderr)
        try:
            os.unlink(temporary)
        except OSError:
            pass
        return exit_codes.USAGE
    return exit_codes.OK
