"""`oic fmt [--check] [--diff] FILE|DIR|-`: rewrite `.oi` files in their canonical layout.

Without a flag, each file whose layout changes is rewritten in place (a temporary file beside it, then
a rename, so a reader never sees half a file; the file keeps its mode), and unchanged files are left
alone, silently. ``-`` reads standard input and writes the formatted text to standard output.
``--check`` writes nothing and lists the files that would change; ``--diff`` prints a unified diff of
them instead. A directory means every `.oi` file below it, as `oic check DIR` finds them
(``oic.pipeline_files``: sorted, hidden entries and ``node_modules`` left out).

A file that does not parse is left untouched and its syntax diagnostics are printed as `oic check`
prints them. Exit status: 0 nothing to change (or everything rewritten), 1 a file would change under
``--check``/``--diff`` or a file does not parse, 2 usage error (a missing or unreadable path).
"""

from __future__ import annotations

import argparse
import os
import stat
import sys

from oic import diagnostics, exit_codes
from oic.diagnostics import Diagnostic
from oic.fmt import FormatRefused, format_text
from oic.pipeline_files import find_pipeline_files
from oic.source import SourceFile
from oic.syntax.limits import MAX_SOURCE_BYTES
from oic.syntax.reader import decode_source


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "fmt",
        help="rewrite pipeline files in the canonical layout",
        description="Rewrite .oi files in the one canonical layout (in place, unless --check or --diff).",
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="FILE|DIR|-",
        help="a .oi file, a directory of .oi files, or - (standard input)",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; list the files that would change"
    )
    parser.add_argument("--diff", action="store_true", help="write nothing; print a diff of the changes")
    parser.set_defaults(handler=run)


class _Outcome:
    """What the run found: files that would change or did not parse, and usage problems."""

    def __init__(self) -> None:
        self.files = 0
        self.changed = 0
        self.refused = 0
        self.diagnostics: list[Diagnostic] = []
        self.usage = False


def run(args: argparse.Namespace) -> int:
    outcome = _Outcome()
    for name in args.paths:
        if name == "-":
            _format_stdin(args, outcome)
            continue
        if not os.path.exists(name):
            _fail(outcome, f"{name}: no such file or directory")
            continue
        files = _oi_files(name, outcome) if os.path.isdir(name) else [name]
        for path in files:
            _format_file(path, args, outcome)
    if outcome.diagnostics:
        # `oic check`'s summary line; imported only here, since `oic check` brings the checker along.
        from oic.commands.check import summary

        print(summary(outcome.diagnostics, outcome.files), file=sys.stderr)
    if outcome.usage:
        return exit_codes.USAGE
    if outcome.refused or (outcome.changed and (args.check or args.diff)):
        return exit_codes.DIAGNOSTICS
    return exit_codes.OK


def _oi_files(directory: str, outcome: _Outcome) -> list[str]:
    """The `.oi` files below ``directory``, as `oic check DIR` finds them; a directory below it that
    cannot be listed is a usage error of one line, as a missing path is."""
    files, problems = find_pipeline_files(directory)
    for problem in problems:
        _fail(outcome, problem)
    return files


def _fail(outcome: _Outcome, message: str) -> None:
    print(f"oic: error: {message}", file=sys.stderr)
    outcome.usage = True


def _format_file(path: str, args: argparse.Namespace, outcome: _Outcome) -> None:
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            _fail(outcome, f"{path}: not a regular file")
            return
        with open(path, "rb") as handle:
            data = handle.read(MAX_SOURCE_BYTES + 1)
    except OSError as error:
        _fail(outcome, f"{path}: cannot be read ({error.strerror or error})")
        return
    outcome.files += 1
    decoded = decode_source(path, data)
    if isinstance(decoded, Diagnostic):
        _refuse(outcome, [decoded], None)
        return
    formatted = _formatted(decoded, outcome)
    if formatted is None or formatted.encode("utf-8") == data:
        return
    outcome.changed += 1
    if args.diff:
        _print_diff(path, decoded.text, formatted)
    elif args.check:
        print(path)
    else:
        try:
            _replace(path, formatted)
        except OSError as error:
            _fail(outcome, f"{path}: cannot be written ({error.strerror or error})")


def _format_stdin(args: argparse.Namespace, outcome: _Outcome) -> None:
    stream = sys.stdin.buffer if sys.stdin is not None else None
    if stream is None:
        _fail(outcome, "standard input is closed; give a file, or pipe the pipeline into `oic fmt -`")
        return
    try:
        data = stream.read(MAX_SOURCE_BYTES + 1)
    except OSError as error:
        _fail(outcome, f"standard input cannot be read ({error.strerror or error})")
        return
    outcome.files += 1
    decoded = decode_source("<stdin>", data)
    if isinstance(decoded, Diagnostic):
        _refuse(outcome, [decoded], None)
        return
    formatted = _formatted(decoded, outcome)
    if formatted is None:
        return
    if formatted.encode("utf-8") != data:
        outcome.changed += 1
        if args.diff:
            _print_diff("<stdin>", decoded.text, formatted)
            return
        if args.check:
            print("<stdin>")
            return
    if not args.check and not args.diff:
        sys.stdout.write(formatted)


def _formatted(source: SourceFile, outcome: _Outcome) -> str | None:
    try:
        return format_text(source.text, source.path)
    except FormatRefused as refused:
        _refuse(outcome, refused.diagnostics, source)
        return None


def _refuse(outcome: _Outcome, found: list[Diagnostic], source: SourceFile | None) -> None:
    outcome.refused += 1
    outcome.diagnostics.extend(found)
    for diagnostic in found:
        print(diagnostics.render_text(diagnostic, source))


def _print_diff(path: str, before: str, after: str) -> None:
    import difflib  # (here: a `--check` in CI, the common run, needs none of it)

    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"{path} (original)",
        tofile=f"{path} (formatted)",
    )
    for line in lines:
        sys.stdout.write(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")


def _replace(path: str, text: str) -> None:
    """Write ``text`` to ``path`` atomically, keeping the file's permissions (through a symbolic
    link, the file it points to is rewritten, not the link)."""
    import tempfile  # (here: only a rewrite needs it)

    path = os.path.realpath(path)
    mode = os.stat(path).st_mode & 0o7777
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".oic-fmt-", suffix=".oi")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
