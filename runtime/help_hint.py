"""Where a usage error of a pipeline sends the user for help.

A built binary says ``NAME --help``: the binary is on the user's disk under that name. Under
`oic run` there is no such binary, so `oic run`'s child records the command that does show the
pipeline's help (``oic run FILE -- --help``) before the module runs. Light on purpose: the child
sets it before it imports the engine.
"""

from __future__ import annotations

_command: str | None = None


def set_help_command(command: str) -> None:
    """Record the command that shows the pipeline's ``--help`` (called by `oic run`'s child)."""
    global _command
    _command = command


def help_command(program_name: str) -> str:
    """The command a usage error names: the recorded one, else ``PROGRAM_NAME --help``."""
    return _command if _command is not None else f"{program_name} --help"
