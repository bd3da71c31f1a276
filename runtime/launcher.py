"""The entry point of the frozen base binary, and the format of the pipeline payload it carries.

PyInstaller freezes this module once (per runtime version, OS, architecture and Python) into a base
binary holding the whole runtime. ``oic build`` copies the base and appends one pipeline to it, so a
rebuild after editing a ``.oi`` file never freezes again. A one-file PyInstaller binary still runs with
bytes appended after its end, and ``sys.executable`` names the binary file, so the launcher reads its
own tail at start-up.

Payload layout, at the very end of the file (texts in UTF-8)::

    services archive | module text | provenance JSON
    | archive length | module length | provenance length (each u64 LE) | MAGIC

The services archive (``runtime.bundles``, possibly empty) carries the path services the pipeline
embeds; it comes first so that a start-up reads only the module and the provenance, and the archive
only when a run needs its services. Binaries of the first layout (no archive; the trailer without
its length, ``MAGIC_V1``) are still read.

The generated module is compiled with the ``.oi`` file name as its filename and run as ``__main__``;
it ends by calling ``runtime.program.main``. Two flags make the binary serve one service instead,
which is how the local runner starts services from a built binary without any Python installed:
``BINARY --oi-serve-builtin NAME`` serves a built-in catalog service, and ``BINARY --oi-serve-python
FILE`` runs a Python service file (an SDK service) as ``python FILE`` would, on the binary's own
interpreter, which carries the SDK.

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
from typing import Any, BinaryIO

MAGIC = b"OIPIPE\x00\x02"
MAGIC_V1 = b"OIPIPE\x00\x01"
_TRAILER = struct.Struct("<QQQ8s")
_TRAILER_V1 = struct.Struct("<QQ8s")
TRAILER_SIZE = _TRAILER.size
SERVE_BUILTIN_FLAG = "--oi-serve-builtin"
SERVE_PYTHON_FLAG = "--oi-serve-python"
FIND_MODULES_FLAG = "--oi-find-modules"

EXIT_USAGE = 2
EXIT_INTERNAL = 70


class PayloadError(Exception):
    """The file's payload is present but unreadable (truncated or corrupt); one line for the user."""


@dataclass(frozen=True)
class Payload:
    """A pipeline carried by a binary: the generated ``module_text``, its ``provenance`` (pipeline
    name, source file name and sha256, compiler version, target, build time, base), and ``services``,
    the archive of the path services it embeds (``runtime.bundles``; empty when none).

    ``read_payload`` leaves ``services`` empty and gives its size as ``services_size``: the archive
    is read only when a run needs it (``read_services``)."""

    module_text: str
    provenance: Mapping[str, Any]
    services: bytes = b""
    services_size: int = 0


def encode_payload(payload: Payload) -> bytes:
    """The bytes appended to a base binary for ``payload``."""
    module = payload.module_text.encode("utf-8")
    provenance = json.dumps(dict(payload.provenance), sort_keys=True).encode("utf-8")
    lengths = _TRAILER.pack(len(payload.services), len(module), len(provenance), MAGIC)
    return payload.services + module + provenance + lengths


def append_payload(path: str | os.PathLike[str], payload: Payload) -> None:
    """Append ``payload`` to the file at ``path`` (a copy of a base binary)."""
    with open(path, "ab") as binary:
        binary.write(encode_payload(payload))


@dataclass(frozen=True)
class _Trailer:
    services: int
    module: int
    provenance: int
    size: int  # of the trailer itself

    @property
    def total(self) -> int:
        return self.services + self.module + self.provenance + self.size


def _damaged(path: str | os.PathLike[str], how: str) -> PayloadError:
    return PayloadError(f"{path}: the pipeline payload is {how}; rebuild the binary with `oic build`")


def _read_trailer(binary: BinaryIO, path: str | os.PathLike[str]) -> tuple[_Trailer, int] | None:
    """The trailer at the end of ``binary`` and the file's size; None when there is no payload."""
    binary.seek(0, os.SEEK_END)
    size = binary.tell()
    if size < _TRAILER_V1.size:
        return None
    binary.seek(size - len(MAGIC))
    magic = binary.read(len(MAGIC))
    if magic == MAGIC:
        if size < _TRAILER.size:
            raise _damaged(path, "truncated")
        binary.seek(size - _TRAILER.size)
        services, module, provenance, _ = _TRAILER.unpack(binary.read(_TRAILER.size))
        trailer = _Trailer(services, module, provenance, _TRAILER.size)
    elif magic == MAGIC_V1:
        binary.seek(size - _TRAILER_V1.size)
        module, provenance, _ = _TRAILER_V1.unpack(binary.read(_TRAILER_V1.size))
        trailer = _Trailer(0, module, provenance, _TRAILER_V1.size)
    else:
        return None
    if trailer.total > size:
        raise _damaged(path, "truncated")
    return trailer, size


def read_payload(path: str | os.PathLike[str]) -> Payload | None:
    """The payload at the end of the file at ``path`` (without its services archive); None when it
    has none. Raises ``PayloadError`` when a trailer is there but the payload is damaged."""
    with open(path, "rb") as binary:
        found = _read_trailer(binary, path)
        if found is None:
            return None
        trailer, size = found
        binary.seek(size - trailer.size - trailer.provenance - trailer.module)
        data = binary.read(trailer.module + trailer.provenance)
    try:
        module_text = data[: trailer.module].decode("utf-8")
        provenance = json.loads(data[trailer.module :].decode("utf-8"))
    except ValueError:
        raise _damaged(path, "damaged") from None
    if not isinstance(provenance, dict):
        raise _damaged(path, "damaged")
    return Payload(module_text, provenance, services_size=trailer.services)


def read_services(path: str | os.PathLike[str]) -> bytes:
    """The services archive of the payload of the file at ``path`` (empty when it has none)."""
    with open(path, "rb") as binary:
        found = _read_trailer(binary, path)
        if found is None:
            return b""
        trailer, size = found
        binary.seek(size - trailer.total)
        data = binary.read(trailer.services)
    if len(data) != trailer.services:
        raise _damaged(path, "truncated")
    return data


def base_size(path: str | os.PathLike[str]) -> int:
    """The size of the file at ``path`` without its payload (the base binary's own size)."""
    with open(path, "rb") as binary:
        found = _read_trailer(binary, path)
        if found is None:
            return os.path.getsize(path)
        trailer, size = found
    return size - trailer.total


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


def serve_python(path: str) -> int:
    """Serve the Python service file at ``path`` in this process, as ``python path`` would."""
    from runtime.serve import serve_file

    return serve_file(path)


def find_modules(names: list[str]) -> int:
    """Print (as a JSON list) the names among ``names`` that this interpreter cannot import: how
    `oic build` learns whether a base carries what an embedded Python service imports."""
    import importlib.util

    missing = []
    for name in names:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):  # a parent package is missing, or the name is malformed
            found = False
        if not found:
            missing.append(name)
    print(json.dumps(missing))
    return 0


def _services_directory() -> str:
    """Where a run unpacks the embedded services: inside the directory the one-file binary unpacked
    itself into (removed with it when the run ends), or a temporary directory removed at exit."""
    unpacked = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and unpacked:
        directory = os.path.join(unpacked, "oi-services")
        os.makedirs(directory, exist_ok=True)
        return directory
    import atexit
    import shutil
    import tempfile

    directory = tempfile.mkdtemp(prefix="oi-services-")
    atexit.register(shutil.rmtree, directory, True)
    return directory


def unpack_services(binary: str) -> dict[str, str]:
    """Unpack the services the binary at ``binary`` embeds; return each alias's entry file."""
    from runtime import bundles

    try:
        data = read_services(binary)
    except PayloadError as error:
        raise bundles.BundleError(str(error)) from None
    except OSError as error:
        raise bundles.BundleError(f"cannot read the embedded services: {error.strerror or error}") from None
    return bundles.unpack(data, _services_directory())


def run_payload(payload: Payload, argv: list[str], binary: str | None = None) -> int:
    """Compile and run the pipeline module as ``__main__`` with ``argv`` as its arguments. ``binary``
    is the file the payload came from, which holds the embedded services' archive."""
    from runtime import program

    provenance = payload.provenance
    program.set_build_info(provenance)
    if payload.services_size and binary is not None:
        program.set_embedded_services(lambda: unpack_services(binary))
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
    """The child `oic run` starts as ``python BOOTSTRAP PARENT FD MODULE ARGS...`` before it checks the
    pipeline (``PARENT``: the process id of `oic run`).

    A run from source pays for two interpreters: the compiler's, and the pipeline's, which imports
    the engine and gRPC. Started first, the pipeline's interpreter does that work while the compiler
    checks, and so does the interpreter of the first built-in service (``runtime.services.spawn``). It
    then waits on the pipe ``FD``: when `oic` writes ``run`` and closes it, the Python file
    ``MODULE`` (written by then) runs as ``__main__`` with ``ARGS`` as its arguments, exactly as
    ``python MODULE ARGS...`` would run it; when the pipe closes without ``run`` (the check failed,
    or `oic` died), the child returns 0 at once."""
    import importlib
    import runpy

    parent, descriptor, module_path, *arguments = argv
    # Killed with `oic run` (SIGTERM: a clean cancellation that stops the services), and then the
    # temporary directory `oic run` can no longer remove is removed here.
    die_with(int(parent), os.path.dirname(os.path.abspath(module_path)))
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


def die_with(parent: int, leftover: str | None) -> None:
    """Tie this process to its parent ``parent``, where the platform can: SIGTERM when the parent dies,
    which the engine turns into a clean cancellation (services stopped, logs finished, status 143).
    When the parent is gone by the time this process exits, nobody else will remove ``leftover`` (a
    directory the parent made for this process): it is removed then."""
    import signal

    from runtime import parent_death

    if not parent_death.follow_parent(parent, int(signal.SIGTERM)) or leftover is None:
        return
    import atexit
    import shutil

    def remove_leftover() -> None:
        if parent_death.parent_is_gone(parent):
            shutil.rmtree(leftover, ignore_errors=True)

    atexit.register(remove_leftover)


def _follow_the_bootloader() -> None:
    """A one-file binary runs as two processes: PyInstaller's bootloader, which unpacks the binary
    into a temporary directory, and its child, this interpreter. The user sees the first: when it
    is killed, this process must end too, and remove the directory the bootloader no longer will."""
    unpacked = getattr(sys, "_MEIPASS", None)
    if not getattr(sys, "frozen", False) or not unpacked or not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        started_by_the_bootloader = os.readlink(f"/proc/{parent}/exe") == os.readlink("/proc/self/exe")
    except OSError:
        return
    if not started_by_the_bootloader:
        return
    die_with(parent, unpacked)
    # Directories of earlier runs killed with their bootloader: removed off the run's path.
    import threading

    from runtime import extraction

    extraction.claim(unpacked, [parent, os.getpid()])
    stale = extraction.set_aside(os.path.dirname(unpacked), unpacked)
    if stale:
        threading.Thread(
            target=extraction.remove, args=(stale,), name="oi-extraction-cleanup", daemon=True
        ).start()


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
        if arguments[:1] == [SERVE_PYTHON_FLAG]:
            if len(arguments) != 2:
                print(f"{name}: error: {SERVE_PYTHON_FLAG} expects a Python file", file=sys.stderr)
                return EXIT_USAGE
            return serve_python(arguments[1])
        if arguments[:1] == [FIND_MODULES_FLAG]:
            return find_modules(arguments[1:])
        _follow_the_bootloader()
        payload = read_payload(sys.executable)
        if payload is None:
            print(
                f"{name}: this is an oi base binary without a pipeline; "
                "build a pipeline binary from it with `oic build pipeline.oi`",
                file=sys.stderr,
            )
            return EXIT_USAGE
        return run_payload(payload, arguments, sys.executable)
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
