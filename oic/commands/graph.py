"""`oic graph FILE [--format dot|mermaid|svg] [-o OUT]`: the pipeline's reactions as a graph.

The file is checked first; with errors, its diagnostics are printed as `oic check` prints them and
the exit status is 1. The graph goes to standard output, or to OUT. Exit status: 0 drawn, 1
diagnostics, 2 usage error (a missing file, an OUT that cannot be written, `--format svg` without
Graphviz's `dot`).
"""

from __future__ import annotations

import argparse
import os
import sys

from oic import exit_codes

FORMATS = ("dot", "mermaid", "svg")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "graph",
        help="draw the pipeline's reactions as a graph (dot, mermaid, svg)",
        description=(
            "Check PIPELINE.oi and print its reaction graph: events and conditions, the tasks they "
            "build, builders, loops and failure edges."
        ),
    )
    parser.add_argument("file", metavar="PIPELINE.oi", help="the pipeline to draw")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="dot",
        help="dot (default), mermaid, or svg (needs Graphviz's dot)",
    )
    parser.add_argument(
        "-o", "--output", metavar="OUT", help="write the graph to OUT instead of standard output"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from oic.diagnostics import render_text
    from oic.frontend import check_file
    from oic.graph import dot, mermaid
    from oic.graph.reactions import reaction_graph
    from oic.graph.svg import SvgUnavailable, to_svg

    result = check_file(args.file)
    if result.unreadable:
        print(f"oic graph: error: {result.unreadable}", file=sys.stderr)
        return exit_codes.USAGE
    for diagnostic in result.diagnostics:
        print(render_text(diagnostic, result.source), file=sys.stderr)
    if result.program is None or result.has_errors:
        return exit_codes.DIAGNOSTICS
    graph = reaction_graph(result.program)
    if args.format == "mermaid":
        drawn = mermaid.render(graph).encode("utf-8")
    elif args.format == "svg":
        try:
            drawn = to_svg(dot.render(graph))
        except SvgUnavailable as error:
            print(f"oic graph: error: {error}", file=sys.stderr)
            return exit_codes.USAGE
    else:
        drawn = dot.render(graph).encode("utf-8")
    return _write(drawn, args.output)


def _write(drawn: bytes, output: str | None) -> int:
    if not output:
        sys.stdout.buffer.write(drawn)
        sys.stdout.flush()
        return exit_codes.OK
    # Written beside OUT and moved over it, so a reader never sees half a graph.
    temporary = f"{output}.tmp-{os.getpid()}"
    try:
        with open(temporary, "wb") as handle:
            handle.write(drawn)
        os.replace(temporary, output)
    except OSError as error:
        print(f"oic graph: error: cannot write {output}: {error.strerror or error}", file=sys.stderr)
        try:
            os.unlink(temporary)
        except OSError:
            pass
        return exit_codes.USAGE
    return exit_codes.OK
