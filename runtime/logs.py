"""The files a run writes under ``<logs directory>/logs``: ``log`` (the engine's timestamped lines),
``tasks/<task>-<id>.log``, ``history.yaml`` and ``state.yaml`` (field names of the original's yaml tags).

Both yaml files can be read while the run goes on, and parse at every instant, even after the engine is
killed with SIGKILL:

- ``history.yaml`` is a YAML list that only grows: each event is appended as one ``- {...}`` line (flow
  style, no line breaks inside) by a single ``write`` to a file opened for appending. A kill lands between
  two writes, so the file always ends with a whole line. Cost per event: one line, O(1).
- ``state.yaml`` is replaced as a whole (temporary file in the same directory + ``os.replace``), so a
  reader sees the old or the new content, never a mix. Rewriting it after every event would cost O(tasks)
  per event (quadratic in a big fan-out), so writes are coalesced: while the table holds at most
  ``immediate_limit`` task runs it is written after every event (cheap, and always current); beyond
  that, at most once per ``interval`` seconds, and at least ``10 x`` the time the last write took apart,
  which bounds the time spent writing it to about a tenth of the run. The engine waits on its event queue
  only until the next write is due, so the file is never more than about ``interval`` behind, and it is
  always written at the end. Each task run's yaml fragment is cached until that run changes, so a rewrite
  is a join of cached text. No ``fsync``: the files survive the process being killed, not a power cut.

``output`` and ``arguments`` are written as JSON text, as the original did (its fields were strings).
Both files are written as JSON-style flow YAML (every string double-quoted), which is valid YAML and
many times cheaper to produce than a YAML emitter's output. Everything written goes through the run's
``Redactor``.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from runtime.model import Event
from runtime.redact import Redactor, write_atomically
from runtime.state import State, TaskState

# Characters a YAML reader refuses or takes for line breaks: written as escapes inside quoted strings.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
# A string JSON writes as itself between quotes (no quote, backslash or control character) and YAML
# takes as it is: most names, ids, states and paths. ``yaml_json`` writes those without the encoder.
_VERBATIM = re.compile('[^"\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]*\\Z')
# Made once: ``json.dumps`` with any option builds a new encoder on every call.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
_ENCODE_SORTED = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_FILENAME = 100


def task_log_name(task_name: str, run_id: str) -> str:
    """The file name of a task run's log: the task name made safe for any file system, then the id."""
    safe = _UNSAFE_FILENAME.sub("_", task_name).strip("._") or "task"
    return f"{safe[:_MAX_FILENAME]}-{run_id}.log"


def timestamp(moment: datetime.datetime | None = None) -> str:
    """UTC, ISO 8601 with milliseconds and a ``Z``: ``2024-05-01T12:00:00.123Z``."""
    moment = moment or datetime.datetime.now(datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def plain(value: Any) -> Any:
    """``value`` made of the types yaml and JSON both know (others become their ``str``)."""
    # The exact JSON types first, without the isinstance checks against ABCs (payloads are mostly
    # these); anything else, subclasses included, takes the general path below.
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        return {(key if type(key) is str else str(key)): plain(item) for key, item in value.items()}
    if kind is list:
        return [plain(item) for item in value]
    if isinstance(value, float) and value.is_integer() and "." not in repr(value):
        return int(value)  # 1e+20 is not a number to a YAML 1.1 reader; 100000000000000000000 is
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(item) for item in value]
    return str(value)


class EngineLog:
    """``logs/log``: one timestamped, redacted line per message; flushed per line so it can be tailed."""

    def __init__(self, path: str, redactor: Redactor) -> None:
        self.path = path
        self._redactor = redactor
        self._lock = threading.Lock()
        self._handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()
        # Lines written by this thread wait for ``flush``; all others are flushed at once.
        self._batching_thread: int | None = None

    def batch_on_this_thread(self) -> None:
        """Let the calling thread's lines wait for an explicit ``flush``: the engine thread writes
        many lines per burst of events, and one flush per burst costs far less than one per line
        (each flush is a system call that hands the GIL to the worker threads)."""
        self._batching_thread = threading.get_ident()

    def write(self, message: str, level: str = "info") -> None:
        text = self._redactor.text(message).replace("\n", "\n    ")
        with self._lock:
            if self._handle.closed:
                return
            self._handle.write(f"{timestamp()} {level:<5} {text}\n")
            if threading.get_ident() != self._batching_thread:
                self._handle.flush()

    def flush(self) -> None:
        with self._lock:
            if not self._handle.closed:
                self._handle.flush()

    def info(self, message: str) -> None:
        self.write(message, "info")

    def warning(self, message: str) -> None:
        self.write(message, "warn")

    def error(self, message: str) -> None:
        self.write(message, "error")

    def close(self) -> None:
        with self._lock:
            self._handle.close()


def yaml_json(value: Any) -> str:
    """``value`` as one line of JSON that a YAML 1.1 reader (PyYAML) reads back the same: no raw line
    breaks, and the characters YAML refuses written as ``\\uXXXX`` escapes. (A float written with an
    exponent and no dot, like ``1e-07``, reads back as a string under YAML 1.1; integral ones are
    written as integers by ``plain``.)"""
    if isinstance(value, str) and _VERBATIM.match(value):
        return f'"{value}"'
    return _YAML_UNSAFE.sub(_escape, _ENCODE(value))


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def redacted_plain(value: Any, redactor: Redactor) -> Any:
    """``plain(redactor.value(value))`` in one walk: secrets replaced in every string (keys too) that
    the redactor reaches (strings, mappings, lists, tuples), then made of types yaml and JSON know."""
    if not redactor.active:
        return plain(value)
    return _redacted_plain(value, redactor.text)


def _redacted_plain(value: Any, redact: Callable[[str], str]) -> Any:
    kind = type(value)
    if kind is str:
        return redact(value)
    if kind is dict:
        return {redact(str(key)): _redacted_plain(item, redact) for key, item in value.items()}
    if kind is list:
        return [_redacted_plain(item, redact) for item in value]
    if kind is int or kind is bool or value is None:
        return value
    # The order of ``Redactor.value`` for everything else (subclasses of str, other mappings, tuples).
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {redact(str(key)): _redacted_plain(item, redact) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redacted_plain(item, redact) for item in value]
    return plain(value)


def event_record(event: Event, redactor: Redactor) -> dict[str, Any]:
    """The event as the history file shows it: ``{metadata: {name, id, createdAt}, payload}``."""
    return {
        "metadata": {
            "name": event.metadata.name,
            "id": event.metadata.id,
            "createdAt": timestamp(event.metadata.created_at),
        },
        "payload": redacted_plain(event.payload, redactor),
    }


class HistoryFile:
    """``logs/history.yaml``: appends one whole line per event (see the module docstring)."""

    def __init__(self, path: str, redactor: Redactor) -> None:
        self.path = path
        self._redactor = redactor
        self._descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
        self._pending: list[bytes] = []

    def append(self, event: Event) -> None:
        """Queue the event's line; ``flush`` writes what is queued (whole lines, in one ``write``)."""
        self._pending.append(f"- {yaml_json(event_record(event, self._redactor))}\n".encode())

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> None:
        if not self._pending or self._descriptor < 0:
            return
        data = b"".join(self._pending)
        self._pending.clear()
        while data:
            written = os.write(self._descriptor, data)
            data = data[written:]

    def close(self) -> None:
        self.flush()
        if self._descriptor >= 0:
            os.close(self._descriptor)
            self._descriptor = -1


class StateFile:
    """``logs/state.yaml``, rewritten atomically and coalesced (see the module docstring)."""

    def __init__(
        self, path: str, redactor: Redactor, interval: float = 0.25, immediate_limit: int = 200
    ) -> None:
        self.path = path
        self._redactor = redactor
        self._interval = interval
        self._immediate_limit = immediate_limit
        self._fragments: dict[str, tuple[TaskState, str]] = {}
        self._dirty = True
        self._next_write_at = 0.0

    def mark_changed(self) -> None:
        self._dirty = True

    def seconds_until_due(self) -> float | None:
        """How long the engine may wait before it must call ``write_if_due`` (None: nothing pending)."""
        if not self._dirty:
            return None
        return max(0.0, self._next_write_at - time.monotonic())

    def write_if_due(self, state: State) -> None:
        if not self._dirty:
            return
        if len(state.tasks) <= self._immediate_limit or time.monotonic() >= self._next_write_at:
            self.write(state)

    def write(self, state: State) -> None:
        started = time.monotonic()
        engine_state, task_states = state.snapshot()
        parts = [f"metadata:\n  state: {engine_state}\n"]
        if task_states:
            parts.append("tasks:\n")
            parts.extend(self._fragment(task_state) for task_state in task_states)
        else:
            parts.append("tasks: {}\n")
        write_atomically(self.path, "".join(parts).encode("utf-8"))
        self._dirty = False
        took = time.monotonic() - started
        self._next_write_at = time.monotonic() + max(self._interval, 10 * took)

    def _fragment(self, task_state: TaskState) -> str:
        cached = self._fragments.get(task_state.id)
        if cached is not None and cached[0] is task_state:
            return cached[1]
        fields = {
            "state": task_state.state,
            "status": task_state.status,
            "task": self._redactor.text(task_state.task),
            "output": self._json_text(task_state.output),
            "arguments": self._json_text(task_state.arguments),
            "error": self._redactor.text(task_state.error),
            "event-id": task_state.event_id,
            "logger": task_state.logger,
        }
        lines = [f"  {yaml_json(task_state.id)}:"]
        lines.extend(f"    {key}: {yaml_json(value)}" for key, value in fields.items())
        fragment = "\n".join(lines) + "\n"
        self._fragments[task_state.id] = (task_state, fragment)
        return fragment

    def _json_text(self, value: Any) -> str:
        if value is None:
            return ""
        return _ENCODE_SORTED(redacted_plain(value, self._redactor))
