"""``oi-service TARGET``: serve a service written with the SDK (``python -m runtime.serve TARGET``).

``TARGET`` is a Python file (``greeter/service.py``) or an importable module (``greeter.service``).
It runs as ``__main__``, exactly as ``python greeter/service.py`` or ``python -m greeter.service``
would: a file that ends with ``if __name__ == "__main__": service.serve()`` serves itself. A target
that returns without serving, but defines a module-level ``service`` (an SDK ``Service``), is served
by this command. Configuration comes from the environment, as for ``service.serve()`` (``PORT`` and
the rest, see ``runtime.sdk``).

A pipeline binary serves the Python services it embeds the same way (``BINARY --oi-serve-python
FILE``, see ``runtime.launcher``): on its own interpreter, which carries the SDK.

Errors never show a traceback: a target that cannot be found or fails while loading is one line on
stderr naming the file and line where it failed, and exit status 1 (2 for a usage error).
"""

from __future__ import annotations

import os
import runpy
import sys
import traceback
from typing import Any

EXIT_FAILED = 1
EXIT_USAGE = 2
USAGE = "usage: oi-service FILE.py | MODULE   (PORT and the other settings come from the environment)"


def serve_file(path: str) -> int:
    """Run the Python file at ``path`` as ``__main__`` with its directory first on ``sys.path``, then
    serve its ``service`` if it did not serve itself."""
    absolute = os.path.abspath(path)
    if not os.path.isfile(absolute):
        return _fail(f"{path}: no such file")
    sys.path.insert(0, os.path.dirname(absolute))
    sys.argv = [absolute]
    return _run(lambda: runpy.run_path(absolute, run_name="__main__"), path)


def serve_module(name: str) -> int:
    """Run module ``name`` as ``__main__`` (``python -m name``), then serve its ``service`` if it did
    not serve itself."""
    import importlib.util

    sys.path.insert(0, os.getcwd())
    sys.argv = [name]
    try:
        found = importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a parent package is missing, or the name is malformed
        found = False
    if not found:
        return _fail(f"{name}: no module of that name (give a .py file or an importable module)")
    return _run(lambda: runpy.run_module(name, run_name="__main__", alter_sys=True), name)


def _run(load: Any, shown: str) -> int:
    try:
        namespace = load()
    except SystemExit as stop:
        code = stop.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_FAILED)
    except Exception as error:  # noqa: BLE001 - a service that fails to load: one line, never a traceback
        return _fail(f"{shown}: {_where(error)}{type(error).__name__}: {error}")
    from runtime.sdk import Service

    service = namespace.get("service")
    if not isinstance(service, Service):
        return _fail(
            f"{shown} did not serve and defines no `service` (an oi SDK Service): end it with "
            '`if __name__ == "__main__": service.serve()` or name its Service object `service`'
        )
    service.serve()
    return 0


def _where(error: BaseException) -> str:
    """``file:line: `` of the innermost frame of the failing code, or ""."""
    frames = traceback.extract_tb(error.__traceback__)
    own = os.path.dirname(os.path.abspath(__file__))
    outside = [
        frame for frame in frames if not frame.filename.startswith(own) and "<frozen" not in frame.filename
    ]
    if not outside:
        return ""
    frame = outside[-1]
    return f"{frame.filename}:{frame.lineno}: "


def _fail(message: str) -> int:
    print(f"oi-service: error: {message}", file=sys.stderr)
    return EXIT_FAILED


def main(argv: list[str] | None = None) -> int:
    """The ``oi-service`` command."""
    arguments = sys.argv[1:] if argv is None else argv
    if arguments in (["-h"], ["--help"]):
        print(USAGE)
        return 0
    if len(arguments) != 1:
        print(USAGE, file=sys.stderr)
        return EXIT_USAGE
    target = arguments[0]
    if target.endswith(".py") or os.sep in target:
        return serve_file(target)
    return serve_module(target)


if __name__ == "__main__":
    sys.exit(main())
