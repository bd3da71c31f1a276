"""Ask a path service for its endpoint schemas by starting it and calling ``init`` over gRPC.

A service binary knows its own schemas: started with ``PORT`` in its environment it serves the v1
protocol on loopback, and ``init`` answers a map ``ENDPOINT/arguments.json -> schema text``. Starting a
process is slow, so the answer is cached under the user cache directory
(``$XDG_CACHE_HOME/oi/schemas/<sha256 of the binary>.json``): a binary is started again only when its
content changes. Within one process the answers are also remembered, so checking several files that
share a service starts it at most once even with the disk cache off.

The child runs in its own process group and is always stopped (terminate, then kill after a grace
period). Readiness is detected by calling ``init`` with short deadlines while watching the process,
never by sleeping.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from oic.diagnostics import display_path

START_DEADLINE_SECONDS = 5.0
INIT_DEADLINE_SECONDS = 5.0
STOP_GRACE_SECONDS = 2.0

# gRPC backs off for a second or more after a refused connection; a service that is starting up is
# ready within milliseconds, so retry the connection quickly. ("grpc.min_reconnect_backoff_ms" is left
# alone: gRPC also takes it as the time one connection attempt may last.)
_FAST_RECONNECT = [
    ("grpc.initial_reconnect_backoff_ms", 20),
    ("grpc.max_reconnect_backoff_ms", 100),
]

_ANSWERS_BY_DIGEST: dict[str, dict[str, str]] = {}


@dataclass(frozen=True)
class InitAnswer:
    """The service's ``jsonSchemas`` map (None when it could not be obtained) and, then, why not."""

    schemas: dict[str, str] | None
    problem: str = ""


def cache_directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "oi" / "schemas"


def file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_init_schemas(binary: str, *, use_cache: bool = True, start: bool = True) -> InitAnswer:
    """The init answer of the service at ``binary``: from memory, the disk cache, or by starting it."""
    if not os.path.exists(binary):
        return InitAnswer(None, f"{display_path(binary)} does not exist")
    if os.path.isdir(binary):
        return InitAnswer(None, f"{display_path(binary)} is a directory, not a service binary")
    try:
        digest = file_digest(binary)
    except OSError as error:
        return InitAnswer(None, f"cannot read {display_path(binary)}: {error.strerror or error}")
    if digest in _ANSWERS_BY_DIGEST:
        return InitAnswer(_ANSWERS_BY_DIGEST[digest])
    cache_file = cache_directory() / f"{digest}.json"
    if use_cache:
        cached = _read_cache(cache_file)
        if cached is not None:
            _ANSWERS_BY_DIGEST[digest] = cached
            return InitAnswer(cached)
    if not start:
        return InitAnswer(None, "starting services is turned off")
    if not os.access(binary, os.X_OK):
        return InitAnswer(None, f"{display_path(binary)} is not executable")
    answer = _start_and_ask(binary)
    if answer.schemas is not None:
        _ANSWERS_BY_DIGEST[digest] = answer.schemas
        if use_cache:
            _write_cache(cache_file, answer.schemas)
    return answer


def _read_cache(cache_file: Path) -> dict[str, str] | None:
    try:
        data = json.loads(cache_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(data, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        return data
    return None


def _write_cache(cache_file: Path, schemas: dict[str, str]) -> None:
    # Written to a temporary file and renamed, so a concurrent check never reads half a file; a
    # read-only cache directory only costs a restart next time.
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cache_file.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as output:
            json.dump(schemas, output, sort_keys=True)
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
    with tempfile.TemporaryFile() as output:
        try:
            process = subprocess.Popen(
                [binary],
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                start_new_session=True,
            )
        except OSError as error:
            return InitAnswer(None, f"cannot start {display_path(binary)}: {error.strerror or error}")
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
            )
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            waited = f"{START_DEADLINE_SECONDS:g}s"
            return InitAnswer(None, f"{display_path(binary)} did not answer init within {waited}")
        try:
            response = stub.init(request, timeout=min(0.25, remaining), wait_for_ready=True)
        except grpc.RpcError as error:
            code = error.code() if callable(getattr(error, "code", None)) else None
            if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                continue
            return InitAnswer(None, f"{display_path(binary)} did not answer init: {_rpc_text(error)}")
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
