"""One policy for the modes of everything a run writes: private to the user who runs it.

A run's files hold task outputs, arguments and errors, which may be as sensitive as the secrets
that are redacted from them. So ``logs/`` and its directories are 0700, and the files in them
(``log``, ``history.yaml``, ``state.yaml``, task and service logs) 0600:

- the engine makes its directories 0700, also when they exist from an earlier run;
- it creates its own files 0600 (``state.yaml`` and every scrubbed log are written through
  ``tempfile.mkstemp``, which makes them 0600), and sets the mode of files left by an earlier run;
- task and service logs are created by other processes (a service, the process that starts it), with
  their own modes: the 0700 directory keeps other users out meanwhile, and the engine makes every
  log of the run 0600 when the run ends.

The umask is left alone: the commands a pipeline runs create files of the user's, outside the logs.
"""

from __future__ import annotations

import os

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600


def private_directory(path: str) -> None:
    """Make the directory ``path`` (its missing parents with the usual modes) and set it to 0700."""
    os.makedirs(path, mode=DIRECTORY_MODE, exist_ok=True)
    os.chmod(path, DIRECTORY_MODE)  # makedirs' mode passes through the umask and skips an existing one


def open_private(path: str, flags: int) -> int:
    """``os.open(path, flags | O_CREAT, 0600)``, and 0600 too when the file was there already."""
    descriptor = os.open(path, flags | os.O_CREAT, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)
    except OSError:
        os.close(descriptor)
        raise
    return descriptor


def make_private(path: str) -> None:
    """Set the file ``path`` to 0600, if it (still) exists."""
    try:
        os.chmod(path, FILE_MODE)
    except FileNotFoundError:
        pass
