"""`oic run`: check a pipeline and run it at once, without building a binary.

For a fast edit-run loop: the generated module is written to a temporary directory and run by this
Python interpreter as a child process, with the arguments after ``--`` passed to it as a built binary
would get them (``oic run pipeline.oi -- --param who=you --logs-dir out``). The child runs in its own
session, and SIGINT/SIGTERM received by `oic` are forwarded to it, so an interrupted run stops its
services cleanly; `oic run` exits with the child's exit code. When `oic` itself is killed (SIGKILL),
the child gets SIGTERM from the kernel (a parent-death signal, on Linux), stops its services the same
way, and removes the temporary directory `oic` left. When both are killed at once (a SIGKILL of the
process group), nobody does: each `oic run` claims its directory for itself and its child
(``runtime.extraction``), and removes the directories of earlier runs whose owners are all gone.

The child is started before the check, not after it: its interpreter then imports the engine and
gRPC (``runtime.launcher.run_module_when_told``) while this process checks and generates, and it
runs the module the moment it is told to. When the check fails, the child is told nothing and is
ended; it has started nothing by then.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shlex
import signal
import subprocess
import sys
import tempfile
from types import FrameType

from oic import exit_codes
from runtime import extraction

_FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# The child's script: sys.path[0] is then the temporary directory, as when it ran the module itself.
# Its first argument is the command that shows the pipeline's help, which the pipeline's usage errors
# name (``runtime.help_hint``): there is no binary called after the pipeline to ask.
_BOOTSTRAP = (
    "import sys\n"
    "from runtime.help_hint import set_help_command\n"
    "set_help_command(sys.argv[1])\n"
    "from runtime.launcher import run_module_when_told\n"
    "sys.exit(run_module_when_told(sys.argv[2:]))\n"
)
_RUN_SIGNAL = b"run"  # runtime.launcher.RUN_SIGNAL (oic does not import the runtime to check a file)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="check a pipeline and run it now (no binary)",
        description="Check PIPELINE.oi, compile it and run it with this Python. Arguments after -- go to "
        "the pipeline, as to a built binary (see `oic run PIPELINE.oi -- --help`).",
    )
    parser.add_argument("file", metavar="PIPELINE.oi", help="the pipeline to run")
    parser.add_argument(
        "--refresh", action="store_true", help="ask services for their schemas again, not the cache"
    )
    parser.add_argument(
        "--max-task-runs",
        metavar="N",
        help="runs of one reusable task before the run fails (passed to the pipeline, as to a binary)",
    )
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
    arguments = list(args.arguments)
    # The binary takes no positional arguments, so a "--" is only ever the separator; it may follow
    # options of `oic run` given after the file (`oic run p.oi --max-task-runs 5 -- --param x=1`).
    if "--" in arguments:
        arguments.remove("--")
    if args.max_task_runs is not None:
        arguments = ["--max-task-runs", args.max_task_runs, *arguments]
    with tempfile.TemporaryDirectory(prefix=extraction.RUN_PREFIX) as directory:
        module_path = os.path.join(directory, "pipeline_module.py")
        help_command = f"oic run {shlex.quote(args.file)} -- --help"
        child = _WaitingChild(directory, module_path, arguments, help_command)
        _claim_and_sweep(directory, child.process)
        try:
            # Imported after the child is started: the compiler's imports overlap the child's.
            from oic.codegen.frontend_bridge import compile_file

            compiled = compile_file(args.file, "run", refresh_schemas=args.refresh)
            if compiled.module is None:
                return compiled.exit_code
            with open(module_path, "w", encoding="utf-8") as handle:
                handle.write(compiled.module.text)
            return child.run()
        finally:
            child.discard()


def _claim_and_sweep(directory: str, child: subprocess.Popen[bytes] | None) -> None:
    """Record that this process and ``child`` use ``directory``, and remove the ``oic-run-*``
    directories of earlier runs killed with their child (tiny: a module and a script each)."""
    owners = [os.getpid()] + ([child.pid] if child is not None else [])
    extraction.claim(directory, owners)
    extraction.remove(extraction.set_aside(os.path.dirname(directory), directory, extraction.RUN_PREFIX))


class _WaitingChild:
    """The pipeline's interpreter, started at once and waiting on a pipe for the word to run."""

    def __init__(self, directory: str, module_path: str, arguments: list[str], help_command: str) -> None:
        bootstrap = os.path.join(directory, "oic_run_child.py")
        with open(bootstrap, "w", encoding="utf-8") as handle:
            handle.write(_BOOTSTRAP)
        self.command = [sys.executable, bootstrap]
        self.process: subprocess.Popen[bytes] | None = None
        self.start_error: OSError | None = None
        self._told = False
        read_end, self._write_end = os.pipe()
        try:
            self.process = subprocess.Popen(
                [*self.command, help_command, str(os.getpid()), str(read_end), module_path, *arguments],
                env=_child_environment(),
                start_new_session=True,
                pass_fds=(read_end,),
            )
        except OSError as error:
            self.start_error = error
        finally:
            os.close(read_end)

    def run(self) -> int:
        """Tell the child to run the module, forward signals to it, and return its exit status."""
        child = self.process
        if child is None:
            error = self.start_error
            reason = (error.strerror or error) if error is not None else "unknown error"
            print(f"oic run: cannot start {self.command[0]}: {reason}", file=sys.stderr)
            return exit_codes.INTERNAL

        def forward(signal_number: int, frame: FrameType | None) -> None:
            if child.poll() is None:
                try:
                    child.send_signal(signal_number)
                except ProcessLookupError:
                    pass

        previous = {number: signal.signal(number, forward) for number in _FORWARDED_SIGNALS}
        try:
            self._tell(_RUN_SIGNAL)
            code = child.wait()
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
        return 128 - code if code < 0 else code

    def _tell(self, message: bytes) -> None:
        self._told = True
        try:
            os.write(self._write_end, message)
        except BrokenPipeError:
            pass  # the child died before it was told: its exit status says how
        finally:
            os.close(self._write_end)

    def discard(self) -> None:
        """End a child that was never told to run (it is still importing, or waiting)."""
        if self._told:
            return
        self._told = True
        os.close(self._write_end)  # an unread pipe's end: the child would leave on its own, later
        if self.process is not None:
            try:
                self.process.kill()
            except ProcessLookupError:
                pass
            self.process.wait()
