"""Ask a service binary for its endpoint schemas by starting it and calling ``init`` over gRPC.

A service binary knows its own schemas: started with ``PORT`` in its environment it serves the v1
protocol on loopback, and ``init`` answers a map ``ENDPOINT/arguments.json -> schema text``. A service
written in Python (a file ending in ``.py``) is run with the interpreter running the compiler, which
has the SDK, and the SDK's directory on its ``PYTHONPATH``: it needs neither a shebang nor the exec bit.

Starting a process is slow, so the answer is cached under the user cache directory
(``$XDG_CACHE_HOME/oi/schemas/<key>.json``, ``~/.cache`` without it). The key covers what the answer
depends on: the content of the service file; the names, sizes and modification times of the files
around it (its directory, down to a few levels and up to ``MAX_FINGERPRINT_FILES`` files), where an
SDK service keeps its schema files and a wrapper script its program (not the pipelines and logs
beside it: editing the pipeline does not make the next check ask again); and, for a ``.py`` service, the
interpreter and the SDK's version. ``refresh`` ignores what is cached (and what this process learned
from the cache) and writes the new answer. Within one process answers are also remembered, so
checking several files that share a service starts it at most once even with the disk cache off.

The child runs in its own process group and is always stopped (terminate, then kill after a grace
period). Readiness is detected by calling ``init`` with short deadlines while watching the process,
never by sleeping.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from oic.diagnostics import display_path

START_DEADLINE_SECONDS = 5.0
INIT_DEADLINE_SECONDS = 5.0
STOP_GRACE_SECONDS = 2.0
# The files around a service that its cache key covers: at most this many, this many levels down.
MAX_FINGERPRINT_FILES = 2000
MAX_FINGERPRINT_DEPTH = 4
# Directories that hold what a run or a build leaves behind, never what a service answers init from.
_SKIPPED_DIRECTORIES = frozenset({"__pycache__", "node_modules", "logs", "dist", "build", "venv"})
# Files no init answer depends on: pipelines (an editor checks one on every save, often next to the
# service) and logs.
_SKIPPED_SUFFIXES = (".oi", ".log")
CACHE_FORMAT = 2

# gRPC backs off for a second or more after a refused connection; a service that is starting up is
# ready within milliseconds, so retry the connection quickly. ("grpc.min_reconnect_backoff_ms" is left
# alone: gRPC also takes it as the time one connection attempt may last.)
_FAST_RECONNECT = [
    ("grpc.initial_reconnect_backoff_ms", 20),
    ("grpc.max_reconnect_backoff_ms", 100),
]

# Answers by cache key, and whether this process got them from the service itself (not the cache).
_ANSWERS: dict[str, tuple[dict[str, str], bool]] = {}

MISSING = "missing"
DISABLED = "disabled"
FAILED = "failed"


@dataclass(frozen=True)
class InitAnswer:
    """The service's ``jsonSchemas`` map (None when it could not be obtained) and, then, why not:
    ``problem`` in words and ``reason``: ``MISSING`` (no such file), ``DISABLED`` (starting services
    is turned off) or ``FAILED`` (it is there and could not be asked)."""

    schemas: dict[str, str] | None
    problem: str = ""
    reason: str = ""


def cache_directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "oi" / "schemas"


def file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_python_service(binary: str) -> bool:
    return binary.endswith(".py")


def service_command(binary: str) -> list[str]:
    """How the service at ``binary`` is run: a ``.py`` file with this interpreter, else the file."""
    return [sys.executable, binary] if is_python_service(binary) else [binary]


def sdk_root() -> str | None:
    """The directory holding the ``runtime`` package (the SDK), for a Python service's PYTHONPATH."""
    spec = importlib.util.find_spec("runtime")
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.dirname(os.path.abspath(list(spec.submodule_search_locations)[0]))


def cache_key(binary: str) -> str:
    """The key of ``binary``'s answer in the cache (raises ``OSError`` when the file cannot be read)."""
    parts: dict[str, Any] = {
        "format": CACHE_FORMAT,
        "file": file_digest(binary),
        "around": directory_fingerprint(Path(binary).parent),
    }
    if is_python_service(binary):
        parts["interpreter"] = [sys.executable, sys.version, _sdk_version(), sdk_root()]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def _sdk_version() -> str:
    try:
        import runtime
    except ImportError:
        return ""
    return str(getattr(runtime, "__version__", ""))


def directory_fingerprint(directory: Path) -> list[Any]:
    """``[relative path, size, mtime_ns]`` of the files under ``directory`` in a fixed order, bounded
    by ``MAX_FINGERPRINT_FILES`` and ``MAX_FINGERPRINT_DEPTH``; hidden entries, pipelines and logs,
    and directories that hold runs' and builds' leftovers, are skipped."""
    found: list[Any] = []
    pending = [(directory, "", 0)]
    while pending and len(found) < MAX_FINGERPRINT_FILES:
        current, prefix, depth = pending.pop()
        try:
            with os.scandir(current) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError:
            continue
        below = []
        for entry in entries:
            if entry.name.startswith(".") or len(found) >= MAX_FINGERPRINT_FILES:
                continue
            if entry.name.endswith(_SKIPPED_SUFFIXES):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    if depth + 1 < MAX_FINGERPRINT_DEPTH and entry.name not in _SKIPPED_DIRECTORIES:
                        below.append((Path(entry.path), f"{prefix}{entry.name}/", depth + 1))
                    continue
                status = entry.stat()
            except OSError:
                continue
            found.append([f"{prefix}{entry.name}", status.st_size, status.st_mtime_ns])
        pending.extend(reversed(below))
    return found


def read_init_schemas(
    binary: str, *, use_cache: bool = True, start: bool = True, refresh: bool = False
) -> InitAnswer:
    """The init answer of the service at ``binary``: from memory, the disk cache, or by starting it.
    ``refresh``: start it even when an answer is cached, and cache the new one."""
    if not os.path.exists(binary):
        return InitAnswer(None, f"{display_path(binary)} does not exist", MISSING)
    if os.path.isdir(binary):
        return InitAnswer(None, f"{display_path(binary)} is a directory, not a service binary", FAILED)
    if not os.path.isfile(binary):  # a device or a pipe: reading it for the key might never end
        return InitAnswer(None, f"{display_path(binary)} is not a regular file", FAILED)
    try:
        key = cache_key(binary)
    except OSError as error:
        return InitAnswer(None, f"cannot read {display_path(binary)}: {error.strerror or error}", FAILED)
    remembered = _ANSWERS.get(key)
    if remembered is not None and (remembered[1] or not refresh):
        return InitAnswer(remembered[0])
    cache_file = cache_directory() / f"{key}.json"
    if use_cache and not refresh:
        cached = _read_cache(cache_file)
        if cached is not None:
            _ANSWERS[key] = (cached, False)
            return InitAnswer(cached)
    if not start:
        return InitAnswer(None, "starting services is turned off", DISABLED)
    if not is_python_service(binary) and not os.access(binary, os.X_OK):
        return InitAnswer(
            None, f"{display_path(binary)} is not executable (to fix this, run chmod +x on it)", FAILED
        )
    answer = _start_and_ask(binary)
    if answer.schemas is not None:
        _ANSWERS[key] = (answer.schemas, True)
        if use_cache:
            _write_cache(cache_file, binary, answer.schemas)
    return answer


def _read_cache(cache_file: Path) -> dict[str, str] | None:
    try:
        data = json.loads(cache_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    schemas = data.get("schemas") if isinstance(data, dict) else None
    if not isinstance(schemas, dict):
        return None
    return schemas if all(isinstance(k, str) and isinstance(v, str) for k, v in schemas.items()) else None


def _write_cache(cache_file: Path, binary: str, schemas: dict[str, str]) -> None:
    # Written to a temporary file and renamed, so a concurrent check never reads half a file; a
    # read-only cache directory only costs a restart next time. The service's path is there for
    # whoever looks into the cache; the key alone decides a hit.
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cache_file.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as output:
            json.dump({"service": binary, "schemas": schemas}, output, sort_keys=True)
        os.replace(temporary, cache_file)
    except OSError:
        pass


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_and_ask(binary: str) -> InitAnswer:
    import grpc

    from runtime.proto import service_pb2, service_pb2_grpc

    port = _free_loopback_port()
    environment = dict(os.environ, PORT=str(port))
    if is_python_service(binary):
        root = sdk_root()
        if root is not None:
            existing = environment.get("PYTHONPATH", "")
            environment["PYTHONPATH"] = root + (os.pathsep + existing if existing else "")
    with tempfile.TemporaryFile() as output:
        try:
            process = subprocess.Popen(
                service_command(binary),
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                start_new_session=True,
            )
        except OSError as error:
            return InitAnswer(None, f"cannot start {display_path(binary)}: {error.strerror or error}", FAILED)
        try:
            with grpc.insecure_channel(f"127.0.0.1:{port}", options=_FAST_RECONNECT) as channel:
                stub = service_pb2_grpc.ServiceStub(channel)
                return _ask_when_ready(stub, service_pb2.InitRequest(), process, binary, output)
        finally:
            _stop(process)


def _ask_when_ready(
    stub: Any, request: Any, process: subprocess.Popen[bytes], binary: str, output: IO[bytes]
) -> InitAnswer:
    """Call init with short deadlines until it answers, the process exits, or time runs out.

    ``wait_for_ready`` makes each attempt wait (bounded) for the connection instead of failing at
    once, so the loop never spins; no background thread outlives the channel."""
    import grpc

    deadline = time.monotonic() + START_DEADLINE_SECONDS + INIT_DEADLINE_SECONDS
    while True:
        if process.poll() is not None:
            return InitAnswer(
                None,
                f"{display_path(binary)} exited with status {process.returncode} before it answered"
                + _last_output(output),
                FAILED,
            )
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            waited = f"{START_DEADLINE_SECONDS + INIT_DEADLINE_SECONDS:g}s"
            return InitAnswer(None, f"{display_path(binary)} did not answer init within {waited}", FAILED)
        try:
            response = stub.init(request, timeout=min(0.25, remaining), wait_for_ready=True)
        except grpc.RpcError as error:
            code = error.code() if callable(getattr(error, "code", None)) else None
            if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                continue
            problem = f"{display_path(binary)} did not answer init: {_rpc_text(error)}"
            return InitAnswer(None, problem, FAILED)
        return InitAnswer(dict(response.jsonSchemas))


def _rpc_text(error: object) -> str:
    details = getattr(error, "details", None)
    text = details() if callable(details) else None
    return str(text or error).splitlines()[0] if str(text or error) else "no answer"


def _last_output(output: IO[bytes]) -> str:
    try:
        output.seek(0)
        text = output.read().decode("utf-8", "replace").strip()
    except (OSError, ValueError):
        return ""
    lines = [line for line in text.splitlines() if line.strip()]
    return f" (its last output: {lines[-1][:200]})" if lines else ""


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        process.wait()
