"""Keep secrets out of everything a run writes: state, history, the engine log and the task logs.

Two sources of secrets:

- *values* known to be secret: the pipeline's ``secret`` params and the per-run service token, handed to
  the engine; plus values of argument fields an endpoint's schema marks secret (learned when a task starts,
  when at least ``LEARNED_MIN_LENGTH`` long, so that a one-letter value does not blank every log line);
- *fields* an endpoint's ``arguments.json`` marks secret (``"writeOnly": true`` or ``"format":
  "password"``, found by ``runtime.services.schemas.secret_paths``). Those are masked in the recorded
  arguments whatever their value.

Values are replaced by ``***`` wherever they occur inside a string (so ``"Bearer <token>"`` becomes
``"Bearer ***"``), also in their JSON-escaped spelling, because logs often carry JSON text. Redaction is
applied when text is written, never to the values tasks and reactions compute with. Files written by
services themselves (task and service logs) are scrubbed after the fact by ``redact_file``.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

MASK = "***"
ANY = "*"
LEARNED_MIN_LENGTH = 4


class Redactor:
    """Replaces known secret values by ``***`` in text and in decoded JSON values. Thread-safe; values
    can be added while the run goes on (``add``)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        # No text shorter than the shortest secret can hold one: such text skips the pattern.
        self._shortest = 0
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str, *, learned: bool = False) -> None:
        """Redact ``secret`` from now on. ``learned`` values shorter than ``LEARNED_MIN_LENGTH`` are
        ignored (see the module docstring); empty values always are."""
        if not isinstance(secret, str) or not secret or (learned and len(secret) < LEARNED_MIN_LENGTH):
            return
        variants = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
        with self._lock:
            if variants <= self._secrets:
                return
            self._secrets |= variants
            ordered = sorted(self._secrets, key=len, reverse=True)
            self._shortest = len(ordered[-1])
            self._pattern = re.compile("|".join(re.escape(value) for value in ordered))

    @property
    def active(self) -> bool:
        return self._pattern is not None

    def text(self, text: str) -> str:
        """``text`` with every known secret replaced by ``***``."""
        pattern = self._pattern
        # ``_shortest`` is set before ``_pattern`` (and only ever decreases), so read after it.
        if pattern is None or not text or len(text) < self._shortest:
            return text
        return pattern.sub(MASK, text)

    def finds_secret_in(self, text: str) -> bool:
        """Whether ``text`` holds a known secret (``text(text)`` would change it)."""
        pattern = self._pattern
        if pattern is None or len(text) < self._shortest:
            return False
        return pattern.search(text) is not None

    def value(self, value: Any) -> Any:
        """A copy of a decoded JSON value with secrets replaced inside every string (keys included)."""
        if self._pattern is None:
            return value
        return self._walk(value)

    def _walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.text(str(key)): self._walk(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self._walk(item) for item in value]
        return value

    def file(self, path: str) -> None:
        """Scrub the file at ``path`` in place (atomically) if it contains a secret."""
        if self._pattern is None:
            return
        try:
            # Most task logs stay empty: a stat is much cheaper than opening and reading one.
            if os.stat(path).st_size == 0:
                return
            with open(path, encoding="utf-8", errors="surrogateescape") as handle:
                original = handle.read()
        except OSError:
            return
        scrubbed = self.text(original)
        if scrubbed != original:
            write_atomically(path, scrubbed.encode("utf-8", errors="surrogateescape"))


def write_atomically(path: str, data: bytes) -> None:
    """Replace the file at ``path`` by ``data`` so that a reader (or a crash, even kill -9) only ever
    sees the old or the new content: a temporary file in the same directory, then ``os.replace``."""
    directory = os.path.dirname(path) or "."
    descriptor, temporary = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def mask_secret_fields(value: Any, paths: Sequence[tuple[str, ...]], learn: Redactor | None = None) -> Any:
    """A copy of ``value`` with the parts at ``paths`` replaced by ``***``. A path is a tuple of keys,
    ``*`` matching every list item or object member (what ``runtime.services.schemas.secret_paths``
    finds in an arguments schema). Secret strings are also taught to ``learn``, so that they are
    redacted wherever else they show up (a log line, an error message)."""
    if not paths:
        return value
    if () in paths:
        if learn is not None:
            for text in _strings(value):
                learn.add(text, learned=True)
        return MASK
    if isinstance(value, Mapping):
        return {
            key: mask_secret_fields(item, [path[1:] for path in paths if path[0] in (key, ANY)], learn)
            for key, item in value.items()
        }
    if isinstance(value, list):
        inner = [path[1:] for path in paths if path[0] == ANY]
        return [mask_secret_fields(item, inner, learn) for item in value]
    return value


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
    elif value is not None and not isinstance(value, bool):
        yield str(value)
