"""The entry point of the frozen base binary, and the format of the pipeline payload it carries.

PyInstaller freezes this module once (per runtime version, OS, architecture and Python) into a base
binary holding the whole runtime. ``oic build`` copies the base and appends one pipeline to it, so a
rebuild after editing a ``.oi`` file never freezes again. A one-file PyInstaller binary still runs with
bytes appended after its end, and ``sys.executable`` names the binary file, so the launcher reads its
own tail at start-up.

Payload layout, at the very end of the file (texts in UTF-8)::

    module text | provenance JSON | module length (u64 LE) | provenance length (u64 LE) | MAGIC

The generated module is compiled with the ``.oi`` file name as its filename and run as ``__main__``;
it ends by calling ``runtime.program.main``. ``BINARY --oi-serve-builtin NAME`` serves one built-in
catalog service instead, which is how the local runner starts built-in services from a built binary.

This module stays import-light: ``oic.binary`` imports it for the payload format.
"""

from __future__ import annotations

import json
import os
import struct
import sys
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAGIC = b"OIPIPE\x00\x01"
_TRAILER = struct.Struct("<QQ8s")
SERVE_BUILTIN_FLAG = "--oi-serve-builtin"

EXIT_USAGE = 2
EXIT_INTERNAL = 70


class PayloadError(Exception):
    """The file's payload is present but unreadable (truncated or corrupt); one line for the user."""


@dataclass(frozen=True)
class Payload:
    """A pipeline carried by a binary: the generated ``module_text`` and its ``provenance`` (pipeline
    name, source file name and sha256, compiler version, target, build time, base)."""

    module_text: str
    provenance: Mapping[str, Any]


def encode_payload(payload: Payload) -> bytes:
    """The bytes appended to a base binary for ``payload``."""
    module = payload.module_text.encode("utf-8")
    provenance = json.dumps(dict(payload.provenance), sort_keys=True).encode("utf-8")
    return module + provenance + _TRAILER.pack(len(module), len(provenance), MAGIC)


def append_payload(path: str | os.PathLike[str], payload: Payload) -> None:
    """Append ``payload`` to the file at ``path`` (a copy of a base binary)."""
    with open(path, "ab") as binary:
        binary.write(encode_payload(payload))


def read_payload(path: str | os.PathLike[str]) -> Payload | None:
    """The payload at the end of the file at ``path``; None when it has none. Raises ``PayloadError``
    when a trailer is there but the payload is damaged."""
    with open(path, "rb") as binary:
        binary.seek(0, os.SEEK_END)
        size = binary.tell()
        if size < _TRAILER.size:
            return None
        binary.seek(size - _TRAILER.size)
        module_length, provenance_length, magic = _TRAILER.unpack(binary.read(_TRAILER.size))
        if magic != MAGIC:
            return None
        total = module_length + provenance_length
        if total > size - _TRAILER.size:
            raise PayloadError(
                f"{path}: the pipeline payload is truncated; rebuild the binary with `oic build`"
            )
        binary.seek(size - _TRAILER.size - total)
        data = binary.read(total)
    try:
        module_text = data[:module_length].decode("utf-8")
        provenance = json.loads(data[module_length:].decode("utf-8"))
    except ValueError:
        raise PayloadError(
            f"{path}: the pipeline payload is damaged; rebuild the binary with `oic build`"
        ) from None
    if not isinstance(provenance, dict):
        raise PayloadError(f"{path}: the pipeline payload is damaged; rebuild the binary with `oic build`")
    return Payload(module_text, provenance)


def base_size(path: str | os.PathLike[str]) -> int:
    """The size of the file at ``path`` without its payload (the base binary's own size)."""
    size = os.path.getsize(path)
    payload = read_payload(path)
    if payload is None:
        return size
    return size - len(encode_payload(payload))


def serve_builtin(name: str) -> int:
    """Serve the built-in catalog service ``name`` in this process (``PORT`` from the environment)."""
    import runpy

    sys.argv = ["runtime.catalog", name]
    try:
        runpy.run_module("runtime.catalog", run_name="__main__", alter_sys=True)
    except SystemExit as stop:
        code = stop.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


def run_payload(payload: Payload, argv: list[str]) -> int:
    """Compile and run the pipeline module as ``__main__`` with ``argv`` as its arguments."""
    from runtime import program

    provenance = payload.provenance
    program.set_build_info(provenance)
    filename = str(provenance.get("source") or "pipeline.oi")
    code = compile(payload.module_text, filename, "exec", dont_inherit=True)
    module = types.ModuleType("__main__")
    module.__file__ = filename
    sys.modules["__main__"] = module
    sys.argv = [sys.argv[0], *argv]
    try:
        exec(code, module.__dict__)
    except SystemExit as stop:
        code_value = stop.code
        return code_value if isinstance(code_value, int) else (0 if code_value is None else 1)
    return 0


# -- `oic run`: a pipeline module run by a child started before the check -------------------------

RUN_SIGNAL = b"run"
# What a pipeline module and its run import: loaded while `oic run` still checks the pipeline.
_RUN_IMPORTS = (
    "runtime.exported",
    "runtime.engine",
    "runtime.services.local",
    "runtime.services.reporting",
)


def run_module_when_told(argv: list[str]) -> int:
    """The child `oic run` starts as ``python BOOTSTRAP FD MODULE ARGS...`` before it checks the pipeline.

    A run from source pays for two interpreters: the compiler's, and the pipeline's, which imports
    the engine and gRPC. Started first, the pipeline's interpreter does that work while the compiler
    checks, and so does the interpreter of the first built-in service (``runtime.services.spawn``). It
    then waits on the pipe ``FD``: when `oic` writes ``run`` and closes it, the Python file
    ``MODULE`` (written by then) runs as ``__main__`` with ``ARGS`` as its arguments, exactly as
    ``python MODULE ARGS...`` would run it; when the pipe closes without ``run`` (the check failed,
    or `oic` died), the child returns 0 at once."""
    import importlib
    import runpy

    descriptor, module_path, *arguments = argv
    try:
        from runtime.services.spawn import start_builtin_host

        start_builtin_host()  # its imports, too, overlap the check
    except Exception:  # noqa: BLE001 - without it, built-in services start the usual way
        pass
    for name in _RUN_IMPORTS:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the module's own import reports it when it runs
            break
    with os.fdopen(int(descriptor), "rb") as pipe:
        told = pipe.read()
    if told != RUN_SIGNAL:
        return 0
    sys.argv = [module_path, *arguments]
    runpy.run_path(module_path, run_name="__main__")
    return 0


def _program_name() -> str:
    return os.path.basename(sys.executable or sys.argv[0]) or "oi"


def main(argv: list[str] | None = None) -> int:
    """The base binary's entry point."""
    arguments = sys.argv[1:] if argv is None else argv
    name = _program_name()
    try:
        if arguments[:1] == [SERVE_BUILTIN_FLAG]:
            if len(arguments) != 2:
                print(f"{name}: error: {SERVE_BUILTIN_FLAG} expects one service name", file=sys.stderr)
                return EXIT_USAGE
            return serve_builtin(arguments[1])
        payload = read_payload(sys.executable)
        if payload is None:
            print(
                f"{name}: this is an oi base binary without a pipeline; "
                "build a pipeline binary from it with `oic build pipeline.oi`",
                file=sys.stderr,
            )
            return EXIT_USAGE
        return run_payload(payload, arguments)
    except PayloadError as error:
        print(f"{name}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{name}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # the last line of defence: one line, never a traceback
        text = " ".join(str(error).split()) or type(error).__name__
        print(f"{name}: internal error: {type(error).__name__}: {text}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
