"""`oic run`: check a pipeline and run it at once, without building a binary.

For a fast edit-run loop: the generated module is written to a temporary directory and run by this
Python interpreter as a child process, with the arguments after ``--`` passed to it as a built binary
would get them (``oic run pipeline.oi -- --param who=you --logs-dir out``). The child runs in its own
session, and SIGINT/SIGTERM received by `oic` are forwarded to it, so an interrupted run stops its
services cleanly; `oic run` exits with the child's exit code.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import subprocess
import sys
import tempfile
from types import FrameType

from oic import exit_codes

_FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="check a pipeline and run it now (no binary)",
        description="Check PIPELINE.oi, compile it and run it with this Python. Arguments after -- go to "
        "the pipeline, as to a built binary (see `oic run PIPELINE.oi -- --help`).",
    )
    parser.add_argument("file", metavar="PIPELINE.oi", help="the pipeline to run")
    parser.add_argument(
        "arguments", nargs=argparse.REMAINDER, metavar="-- ARGS", help="the pipeline's arguments"
    )
    parser.set_defaults(handler=run)


def _runtime_root() -> str | None:
    """The directory that holds the ``runtime`` package, for the child's PYTHONPATH."""
    spec = importlib.util.find_spec("runtime")
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.dirname(os.path.abspath(list(spec.submodule_search_locations)[0]))


def _child_environment() -> dict[str, str]:
    environment = dict(os.environ)
    root = _runtime_root()
    if root is not None:
        existing = environment.get("PYTHONPATH", "")
        environment["PYTHONPATH"] = root + (os.pathsep + existing if existing else "")
    return environment


def run(args: argparse.Namespace) -> int:
    from oic.codegen.frontend_bridge import compile_file

    arguments = list(args.arguments)
    if arguments[:1] == ["--"]:
        arguments = arguments[1:]
    compiled = compile_file(args.file, "run")
    if compiled.module is None:
        return compiled.exit_code
    with tempfile.TemporaryDirectory(prefix="oic-run-") as directory:
        module_path = os.path.join(directory, "pipeline_module.py")
        with open(module_path, "w", encoding="utf-8") as handle:
            handle.write(compiled.module.text)
        return _run_child([sys.executable, module_path, *arguments])


def _run_child(command: list[str]) -> int:
    try:
        child = subprocess.Popen(command, env=_child_environment(), start_new_session=True)
    except OSError as error:
        print(f"oic run: cannot start {command[0]}: {error.strerror or error}", file=sys.stderr)
        return exit_codes.INTERNAL

    def forward(signal_number: int, frame: FrameType | None) -> None:
        if child.poll() is None:
            try:
                child.send_signal(signal_number)
            except ProcessLookupError:
                pass

    previous = {number: signal.signal(number, forward) for number in _FORWARDED_SIGNALS}
    try:
        code = child.wait()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 128 - code if code < 0 else code
