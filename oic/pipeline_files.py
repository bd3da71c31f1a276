"""The pipeline files below a directory, for commands that take a directory (``oic check DIR``).

Every ``.oi`` file below it, sorted by path, component by component (``a/b.oi``, ``a/c/d.oi``,
``a-b.oi``), whatever order the file system lists them in. Hidden entries (a name starting with
``.``: ``.git``, ``.venv``, editor lock files such as ``.#pipeline.oi``) and ``node_modules`` are
skipped; the directory given itself is walked even when its name is hidden.
Symbolic links to directories are not followed (a link cycle would never end).
"""

from __future__ import annotations

import os

SUFFIX = ".oi"
SKIPPED_DIRECTORIES = frozenset(("node_modules", "__pycache__"))


def find_pipeline_files(directory: str) -> tuple[list[str], list[str]]:
    """The ``.oi`` files below ``directory`` (paths that start with it), and one-line messages for
    the directories below it that could not be listed."""
    found: list[tuple[tuple[str, ...], str]] = []
    problems: list[str] = []

    def unlistable(error: OSError) -> None:
        problems.append(f"{error.filename}: {error.strerror or error}")

    for parent, directories, files in os.walk(directory, onerror=unlistable):
        directories[:] = [name for name in directories if not _skipped(name)]
        relative = os.path.relpath(parent, directory)
        parts = () if relative == os.curdir else tuple(relative.split(os.sep))
        for name in files:
            if name.endswith(SUFFIX) and not name.startswith("."):
                found.append(((*parts, name), os.path.join(parent, name)))
    found.sort()
    return [path for _key, path in found], problems


def _skipped(name: str) -> bool:
    return name.startswith(".") or name in SKIPPED_DIRECTORIES
