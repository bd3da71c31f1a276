"""The files a run writes under ``<logs directory>/logs``: ``log`` (the engine's timestamped lines),
``tasks/<task>-<id>.log``, ``history.yaml`` and ``state.yaml`` (field names of the original's yaml tags).

Both yaml files can be read while the run goes on, and parse at every instant, even after the engine is
killed with SIGKILL:

- ``history.yaml`` is a YAML list that only grows: each event is appended as one ``- {...}`` line (flow
  style, no line breaks inside) by a single ``write`` to a file opened for appending. A kill lands between
  two writes, so the file always ends with a whole line. Cost per event: one line, O(1). The engine
  writes the lines of a burst of events together, at most 10 ms after the first (``LINES_LAG`` in
  ``runtime/engine.py``; later while the engine thread writes a big ``state.yaml``): a reader is about
  that far behind, and a SIGKILL loses about that much.
- ``state.yaml`` is replaced as a whole (temporary file in the same directory + ``os.replace``), so a
  reader sees the old or the new content, never a mix. Rewriting it after every event would cost O(tasks)
  per event (quadratic in a big fan-out) and a file creation per event, so writes are coalesced: the
  first change is written at once, later ones at most once per ``interval`` seconds, and at least
  ``40 x`` the time the last write took apart, which bounds the time spent writing it (and the disk
  traffic: each rewrite is a new file) to about a fortieth of the run. The engine waits on its event
  queue only until the next write is due, so the file is never more than about ``interval`` behind
  (a second or so for tables of tens of thousands of runs), and it is always written at the end. Each
  task run's yaml fragment is cached until that run changes, so a rewrite is a join of cached bytes.
  An ``interval`` of 0 writes every change (then a reader sees each event before the tasks it started
  run). No ``fsync``: the files survive the process being killed, not a power cut.

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

from runtime.file_modes import open_private
from runtime.model import TASK_STATE_FINISHED, Event
from runtime.redact import Redactor, write_atomically
from runtime.state import RunFacts, State, TaskState

# Characters a YAML reader refuses or takes for line breaks: written as escapes inside quoted strings.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
# A string JSON writes as itself between quotes (no quote, backslash or control character) and YAML
# takes as it is: most names, ids, states and paths. ``yaml_json`` writes those without the encoder.
_VERBATIM = re.compile('[^"\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]*\\Z')


def _made_once(sort_keys: bool) -> Callable[[Any], str]:
    """``json.JSONEncoder(ensure_ascii=False, sort_keys=...).encode``, without the cost of making
    the C encoder anew on every call (which ``encode`` does: about 40 % of encoding a small value)."""
    encoder = json.JSONEncoder(ensure_ascii=False, sort_keys=sort_keys)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # an interpreter without the C accelerator
        return encoder.encode

    def refuse(value: Any) -> Any:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    iterencode = make(None, refuse, json.encoder.encode_basestring, None, ": ", ", ", sort_keys, False, True)

    def encode(value: Any) -> str:
        if type(value) is str:
            return json.encoder.encode_basestring(value)  # type: ignore[no-any-return]
        return "".join(iterencode(value, 0))

    return encode


# Made once: ``json.dumps`` with any option builds a new encoder on every call. No check for
# circular references: values come decoded from JSON or built by the engine.
_ENCODE = _made_once(sort_keys=False)
_ENCODE_SORTED = _made_once(sort_keys=True)
# What a float that ``plain`` rewrites looks like in JSON: an integral one with a positive exponent
# (``1e+20``). A string holding the same text only costs the slower way; hex ids never match.
_EXPONENT = re.compile(r"[0-9]e\+")
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_FILENAME = 100


def task_log_name(task_name: str, run_id: str) -> str:
    """The file name of a task run's log: the task name made safe for any file system, then the id."""
    safe = _UNSAFE_FILENAME.sub("_", task_name).strip("._") or "task"
    return f"{safe[:_MAX_FILENAME]}-{run_id}.log"


def timestamp(moment: datetime.datetime | None = None) -> str:
    """UTC, ISO 8601 with milliseconds and a ``Z``: ``2024-05-01T12:00:00.123Z``."""
    if moment is None:
        return now_timestamp()
    if moment.tzinfo is not datetime.timezone.utc:
        moment = moment.astimezone(datetime.timezone.utc)
    return moment.isoformat(timespec="milliseconds")[:23] + "Z"  # without the "+00:00"


_second_text: tuple[int, str] = (-1, "")


def now_timestamp() -> str:
    """The current time as ``timestamp`` writes it."""
    return timestamp_at(time.time())


def timestamp_at(moment: float) -> str:
    """``moment`` (seconds since the epoch) as ``timestamp`` writes it; the part up to the second is
    made once a second."""
    global _second_text
    second = int(moment)
    cached_second, text = _second_text
    if second != cached_second:
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        _second_text = (second, text)
    return f"{text}.{int((moment - second) * 1000):03d}Z"


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
    """``logs/log``: one timestamped, redacted line per message, written at once so it can be tailed,
    except the lines of the thread handling events (``batching_thread``): those wait, as their time
    and text, for ``flush``, which formats and writes them. The engine handles a burst of events on
    one thread and flushes once, possibly from another thread (see ``runtime.engine``): one write
    per burst costs far less than one per line, and formatting off the thread that handles events
    keeps it off a chain's critical path."""

    def __init__(self, path: str, redactor: Redactor) -> None:
        self.path = path
        self._redactor = redactor
        self._lock = threading.Lock()
        self._descriptor = open_private(path, os.O_WRONLY | os.O_APPEND)
        self._pending: list[tuple[float, str, str]] = []
        self.batching_thread: int | None = None

    @property
    def pending(self) -> bool:
        return bool(self._pending)

    def write(self, message: str, level: str = "info") -> None:
        with self._lock:
            self._pending.append((time.time(), level, message))
            if threading.get_ident() != self.batching_thread:
                self._flush_locked()

    def flush(self) -> None:
        with self._lock:
            self._flush_locked()

    def _flush_locked(self) -> None:
        if not self._pending or self._descriptor < 0:
            self._pending.clear()
            return
        records, self._pending = self._pending, []
        redact = self._redactor.text
        data = "".join(
            f"{timestamp_at(moment)} {level:<5} {redact(message).replace(chr(10), chr(10) + '    ')}\n"
            for moment, level, message in records
        ).encode("utf-8", errors="backslashreplace")
        while data:
            written = os.write(self._descriptor, data)
            data = data[written:]

    def info(self, message: str) -> None:
        self.write(message, "info")

    def warning(self, message: str) -> None:
        self.write(message, "warn")

    def error(self, message: str) -> None:
        self.write(message, "error")

    def close(self) -> None:
        with self._lock:
            self._flush_locked()
            if self._descriptor >= 0:
                os.close(self._descriptor)
                self._descriptor = -1


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


def redacted_json(value: Any, redactor: Redactor, *, sort_keys: bool = False) -> str:
    """``value`` as JSON text with the secrets replaced: the text of ``redacted_plain(value)``.

    Most values are JSON types already and hold no secret: they are encoded as they are, and the
    redactor looks at the text once, which costs a fraction of a walk through the value in Python. A
    secret inside a string shows in the text in its JSON-escaped spelling, which the redactor knows.
    Anything else (a secret found, a type JSON does not know, a number with an exponent that ``plain``
    would rewrite) takes the walk."""
    encode = _ENCODE_SORTED if sort_keys else _ENCODE
    try:
        text: str | None = encode(value)
    except (TypeError, ValueError):
        text = None
    if text is not None and not _EXPONENT.search(text) and not redactor.finds_secret_in(text):
        return text
    return encode(redacted_plain(value, redactor))


def history_line(event: Event, redactor: Redactor) -> str:
    """The event as one line of ``history.yaml``: ``- {metadata: {name, id, createdAt}, payload}``."""
    metadata = event.metadata
    payload = _YAML_UNSAFE.sub(_escape, redacted_json(event.payload, redactor))
    return (
        f'- {{"metadata": {{"name": {yaml_json(metadata.name)}, "id": {yaml_json(metadata.id)}, '
        f'"createdAt": "{timestamp(metadata.created_at)}"}}, "payload": {payload}}}\n'
    )


class HistoryFile:
    """``logs/history.yaml``: appends one whole line per event (see the module docstring)."""

    def __init__(self, path: str, redactor: Redactor) -> None:
        self.path = path
        self._redactor = redactor
        self._descriptor = open_private(path, os.O_WRONLY | os.O_TRUNC | os.O_APPEND)
        self._pending: list[Event] = []

    def append(self, event: Event) -> None:
        """Queue the event; ``flush`` encodes what is queued and writes it (whole lines, in one
        ``write``). Events are immutable, so encoding later, on another thread, writes the same line."""
        self._pending.append(event)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> None:
        if not self._pending or self._descriptor < 0:
            return
        events, self._pending = self._pending, []
        redactor = self._redactor
        data = "".join([history_line(event, redactor) for event in events]).encode()
        while data:
            written = os.write(self._descriptor, data)
            data = data[written:]

    def close(self) -> None:
        self.flush()
        if self._descriptor >= 0:
            os.close(self._descriptor)
            self._descriptor = -1


def _metadata(facts: RunFacts) -> str:
    """The ``metadata`` block of ``state.yaml``: the original's ``state``, then what was added after
    it (the run's id, times, outcome and exit status; "" and null while they are not known yet)."""
    exit_status = "null" if facts.exit_status is None else str(facts.exit_status)
    return (
        f"metadata:\n  state: {facts.state}\n"
        f"  run-id: {yaml_json(facts.run_id)}\n"
        f"{_times(facts.started_at, facts.finished_at, '  ')}"
        f"  outcome: {yaml_json(facts.outcome)}\n"
        f"  exit-status: {exit_status}\n"
    )


def _times(started: datetime.datetime | None, finished: datetime.datetime | None, indent: str) -> str:
    """``started-at``, ``finished-at`` (UTC, ISO 8601, "" when not known) and ``duration-seconds``
    (from the timestamps as written, so that the three agree; null unless both are known)."""
    started_text = timestamp(started) if started is not None else ""
    finished_text = timestamp(finished) if finished is not None else ""
    seconds = duration_seconds(started, finished)
    duration = "null" if seconds is None else f"{seconds:.3f}"
    return (
        f'{indent}started-at: "{started_text}"\n'
        f'{indent}finished-at: "{finished_text}"\n'
        f"{indent}duration-seconds: {duration}\n"
    )


def duration_seconds(started: datetime.datetime | None, finished: datetime.datetime | None) -> float | None:
    """Seconds from ``started`` to ``finished`` as their timestamps are written (whole milliseconds),
    so that a duration and the two times shown with it agree; None unless both are known."""
    if started is None or finished is None:
        return None
    return max(0, _milliseconds(finished) - _milliseconds(started)) / 1000


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_MILLISECOND = datetime.timedelta(milliseconds=1)


def _milliseconds(moment: datetime.datetime) -> int:
    """Whole milliseconds since the epoch, truncated as ``timestamp`` writes them (exact: no float)."""
    if moment.tzinfo is None:  # naive: taken as UTC, as ``timestamp`` takes it
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return (moment - _EPOCH) // _MILLISECOND


class StateFile:
    """``logs/state.yaml``, rewritten atomically and coalesced (see the module docstring)."""

    # A rewrite waits at least this many times as long as the last one took.
    SPACING = 40

    def __init__(self, path: str, redactor: Redactor, interval: float = 0.25) -> None:
        self.path = path
        self._redactor = redactor
        self._interval = interval
        # Per task run: its fragment, encoded once (a rewrite of a big table is then one join of
        # bytes), the ``state`` of the run it was made from, and the lines that never change. Kept in
        # dicts of strings and bytes, which the garbage collector does not track: a rewrite of tens of
        # thousands of fragments then triggers no collection (one of the whole heap costs more than
        # the rewrite), and no replaced ``TaskState`` is kept alive.
        self._fragment_bytes: dict[str, bytes] = {}
        self._made_from: dict[str, str] = {}
        self._id_line: dict[str, str] = {}
        self._task_line: dict[str, str] = {}
        self._last_lines: dict[str, str] = {}
        self._arguments_line: dict[str, str] = {}
        self._dirty = True
        self._next_write_at = 0.0

    def mark_changed(self) -> None:
        self._dirty = True

    @property
    def writes_every_change(self) -> bool:
        """Whether every change is written at once (an ``interval`` of 0: no coalescing)."""
        return self._interval <= 0

    def seconds_until_due(self) -> float | None:
        """How long the engine may wait before it must call ``write_if_due`` (None: nothing pending)."""
        if not self._dirty:
            return None
        return max(0.0, self._next_write_at - time.monotonic())

    def write_if_due(self, state: State) -> None:
        if not self._dirty:
            return
        if time.monotonic() >= self._next_write_at:
            self.write(state)

    def write(self, state: State) -> None:
        started = time.monotonic()
        facts, task_states = state.snapshot()
        parts = [_metadata(facts).encode()]
        if task_states:
            parts.append(b"tasks:\n")
            parts.extend([self._fragment(task_state) for task_state in task_states])
        else:
            parts.append(b"tasks: {}\n")
        write_atomically(self.path, b"".join(parts))
        self._dirty = False
        took = time.monotonic() - started
        # An interval of 0 asks for every change to be written (no coalescing).
        spacing = max(self._interval, self.SPACING * took) if self._interval > 0 else 0.0
        self._next_write_at = time.monotonic() + spacing

    def _fragment(self, task_state: TaskState) -> bytes:
        run_id = task_state.id
        # A run's ``TaskState`` is replaced only when its state moves on (pending, in progress,
        # finished), which is when its other fields are set: the state names the fragment's version.
        if self._made_from.get(run_id) == task_state.state:
            return self._fragment_bytes[run_id]
        # What never changes for a task run is quoted once (a run is written two or three times).
        id_line = self._id_line.get(run_id)
        if id_line is None:
            id_line = self._id_line[run_id] = f"  {yaml_json(run_id)}:\n"
            self._task_line[run_id] = f"    task: {yaml_json(self._redactor.text(task_state.task))}\n"
            event_id, logger = yaml_json(task_state.event_id), yaml_json(task_state.logger)
            self._last_lines[run_id] = f"    event-id: {event_id}\n    logger: {logger}\n"
        arguments_line = self._arguments_line.get(run_id)
        if arguments_line is None:
            arguments_line = f"    arguments: {yaml_json(self._json_text(task_state.arguments))}\n"
            if task_state.arguments is not None:  # set when the run starts, then never changed
                self._arguments_line[run_id] = arguments_line
        fragment = (
            f"{id_line}"
            f"    state: {yaml_json(task_state.state)}\n"
            f"    status: {yaml_json(task_state.status)}\n"
            f"{self._task_line[run_id]}"
            f"    output: {yaml_json(self._json_text(task_state.output))}\n"
            f"{arguments_line}"
            f"    error: {yaml_json(self._redactor.text(task_state.error))}\n"
            f"{self._last_lines[run_id]}"
            f"{_times(task_state.started_at, task_state.finished_at, '    ')}"
        ).encode()
        self._fragment_bytes[run_id] = fragment
        self._made_from[run_id] = task_state.state
        if task_state.state == TASK_STATE_FINISHED:  # final: the lines kept for later versions go
            del self._id_line[run_id], self._task_line[run_id], self._last_lines[run_id]
            self._arguments_line.pop(run_id, None)
        return fragment

    def _json_text(self, value: Any) -> str:
        if value is None:
            return ""
        return redacted_json(value, self._redactor, sort_keys=True)
