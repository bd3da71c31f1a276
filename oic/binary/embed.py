"""Writing a pipeline binary: a copy of the base with the pipeline appended as a payload.

The binary is assembled in a temporary file in the output directory and renamed over the final name,
so a running binary of the previous build is never overwritten in place and a failed build leaves the
previous binary untouched. A base that itself carries a payload (a pipeline binary passed as
``--base``) contributes only its base part.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from runtime.launcher import Payload, append_payload, base_size

_UNSAFE_FILE_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")


def binary_file_name(pipeline_name: str, target_os: str) -> str:
    """A file name for the binary of ``pipeline_name``: characters other than letters, digits, ``.``,
    ``_`` and ``-`` become ``-``, and it never starts with a dot (so it is never hidden or ``..``)."""
    name = _UNSAFE_FILE_CHARACTERS.sub("-", pipeline_name).lstrip(".") or "pipeline"
    return name + (".exe" if target_os == "windows" else "")


def write_binary(base: Path, payload: Payload, destination: Path) -> Path:
    """Write ``destination``: the base's bytes, then ``payload``; executable (0755), atomically."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary_name = tempfile.mkstemp(prefix=f".{destination.name}.", dir=destination.parent)
    temporary = Path(temporary_name)
    try:
        with os.fdopen(handle, "wb") as output, open(base, "rb") as source:
            remaining = base_size(base)
            while remaining > 0:
                chunk = source.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                output.write(chunk)
                remaining -= len(chunk)
        append_payload(temporary, payload)
        os.chmod(temporary, 0o755)
        os.replace(temporary, destination)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return destination


def copy_base(base: Path, destination: Path) -> Path:
    """Copy a base (for moving it to another machine), atomically and executable."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary_name = tempfile.mkstemp(prefix=f".{destination.name}.", dir=destination.parent)
    os.close(handle)
    try:
        shutil.copyfile(base, temporary_name)
        os.chmod(temporary_name, 0o755)
        os.replace(temporary_name, destination)
    except BaseException:
        Path(temporary_name).unlink(missing_ok=True)
        raise
    return destination
