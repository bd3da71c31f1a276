"""Keep secrets out of everything a run writes: state, history, the engine log, task and service logs.
The one redaction mechanism of oi: the engine, the schema module and the catalog's HTTP helper all
mask through this module.

Where secrets come from:

- the pipeline's ``secret`` params and the per-run service token, handed to the engine;
- values *derived* from a secret while the run goes on (``upper(token)``, ``split(creds, ":")[1]``,
  ``"${token}-x"``, ``json({t: token})``): ``runtime.expressions`` announces every string it derives
  from a secret, and the engine teaches it to its ``Redactor`` (``add_derived``);
- values of argument fields an endpoint's schema marks secret (``"writeOnly": true`` or ``"format":
  "password"``, found by ``runtime.services.schemas.secret_paths``): those fields are masked in the
  recorded arguments whatever their value (``mask_secret_fields``), and their values are learned too.

How they are masked: a secret of at least ``MIN_LENGTH`` characters is replaced by ``***`` wherever it
occurs inside a string (``"Bearer <token>"`` becomes ``"Bearer ***"``), also in the spellings JSON
encoders give it (``\"``, ``\u00e9``, and the ``\u003c`` of Go's encoder), because logs often carry
JSON text. A shorter secret would turn ordinary words into ``***`` (a one-letter secret made
``pipeline`` read ``pip***lin***``), so it is masked only where it is a whole recorded value: a
string in state.yaml or history.yaml equal to it, or a log line equal to it; the engine warns about
such a secret param when the run starts.

Redaction is applied when text is written, never to the values tasks and reactions compute with.
Files that services write themselves (task and service logs) are scrubbed after the fact (``file``):
a task's log when its call returns, and every log of the run once the services are stopped.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# ``threading`` and ``tempfile`` are imported where they are used: the schema module, which the
# compiler loads to check a file, masks secret fields with ``mask_secret_fields``, and `oic check`
# keeps its imports to what checking needs (tests/frontend/test_lean_start.py).

MASK = "***"
ANY = "*"
# Secrets shorter than this are masked only as whole values (see the module docstring).
MIN_LENGTH = 4
# Go's encoding/json writes these as \u escapes (it is made to be safe inside HTML).
_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def spellings(secret: str) -> set[str]:
    """The texts under which ``secret`` shows in what a run writes: itself, and its JSON spellings
    (between the quotes) as Python's and Go's encoders write it."""
    escaped = json.dumps(secret, ensure_ascii=False)[1:-1]
    go_escaped = "".join(_GO_ESCAPES.get(character, character) for character in escaped)
    return {secret, escaped, json.dumps(secret)[1:-1], go_escaped}


class Redactor:
    """Replaces known secret values by ``***`` in text and in decoded JSON values. Thread-safe; values
    can be added while the run goes on (``add``, ``add_derived``)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        import threading

        self._lock = threading.Lock()
        self._secrets: set[str] = set()  # spellings masked wherever they occur
        self._whole: frozenset[str] = frozenset()  # short secrets: masked as whole values only
        self._pattern: re.Pattern[str] | None = None
        self._whole_in_json: re.Pattern[str] | None = None
        # No text shorter than the shortest secret can hold one: such text skips the pattern.
        self._shortest = 0
        # The patterns are made again lazily, on first use after a change: a reaction may derive
        # many secrets at once, and one compilation serves them all.
        self._stale = False
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        """Redact ``secret`` from now on: wherever it occurs when it is at least ``MIN_LENGTH`` long,
        else where it is a whole value. Empty values are ignored."""
        if not isinstance(secret, str) or not secret:
            return
        secret = str(secret)  # a ``Secret`` (a str subclass) is kept as the plain text it holds
        with self._lock:
            if len(secret) < MIN_LENGTH:
                if secret not in self._whole:
                    self._whole = self._whole | {secret}
                    self._stale = True
                return
            variants = spellings(secret)
            if variants <= self._secrets:
                return
            self._secrets |= variants
            self._stale = True

    def add_derived(self, secret: str) -> None:
        """Redact a value derived from secrets, unless a secret it holds masks it already: the
        ``"Bearer ***"`` of a known token teaches nothing, while ``upper(token)`` must be learned."""
        if not self.finds_secret_in(secret):
            self.add(secret)

    def _current(self) -> re.Pattern[str] | None:
        if self._stale:
            with self._lock:
                if self._stale:
                    self._compile()
        return self._pattern

    def _compile(self) -> None:
        ordered = sorted(self._secrets, key=len, reverse=True)
        if ordered:
            # ``_shortest`` is set before ``_pattern`` (and only ever decreases), so read after it.
            self._shortest = len(ordered[-1])
            self._pattern = re.compile("|".join(re.escape(value) for value in ordered))
        quoted = sorted({f'"{variant}"' for secret in self._whole for variant in spellings(secret)})
        self._whole_in_json = re.compile("|".join(map(re.escape, quoted))) if quoted else None
        self._stale = False

    @property
    def active(self) -> bool:
        """Whether anything is redacted at all."""
        return self._current() is not None or bool(self._whole)

    def text(self, text: str) -> str:
        """``text`` with every known secret replaced by ``***`` (``***`` when it is a short secret)."""
        whole = self._whole
        if whole and text in whole:
            return MASK
        pattern = self._current()
        if pattern is None or not text or len(text) < self._shortest:
            return text
        return pattern.sub(MASK, text)

    def finds_secret_in(self, text: str) -> bool:
        """Whether ``text`` holds a known secret, or a short one as a whole JSON string (``"ab"``):
        whether redacting ``text``, or the value it is the JSON text of, would change it."""
        pattern = self._current()
        if pattern is not None and len(text) >= self._shortest and pattern.search(text) is not None:
            return True
        whole = self._whole
        if whole and text in whole:
            return True
        whole_in_json = self._whole_in_json
        return whole_in_json is not None and whole_in_json.search(text) is not None

    def value(self, value: Any) -> Any:
        """A copy of a decoded JSON value with secrets replaced inside every string (keys included)."""
        if not self.active:
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

    def file(self, path: str) -> tuple[int, int] | None:
        """Scrub the file at ``path`` in place (atomically) if it contains a secret (short secrets are
        masked in it only as whole lines). Returns the size and modification time (ns) of the file as
        it was read, so that a caller can tell later whether it changed since; None when there is no
        such file or nothing is redacted."""
        pattern = self._current()
        whole = self._whole
        if pattern is None and not whole:
            return None
        try:
            # Most task logs stay empty: a stat is much cheaper than opening and reading one.
            status = os.stat(path)
            if status.st_size == 0:
                return 0, status.st_mtime_ns
            # newline="": the file is written back with the line ends it had.
            with open(path, encoding="utf-8", errors="surrogateescape", newline="") as handle:
                original = handle.read()
        except OSError:
            return None
        scrubbed = pattern.sub(MASK, original) if pattern is not None else original
        if whole:
            scrubbed = "".join(
                MASK + line[len(line.rstrip("\r\n")) :] if line.rstrip("\r\n") in whole else line
                for line in scrubbed.splitlines(keepends=True)
            )
        if scrubbed == original:
            return status.st_size, status.st_mtime_ns
        write_atomically(path, scrubbed.encode("utf-8", errors="surrogateescape"))
        try:
            status = os.stat(path)
        except OSError:
            return None
        return status.st_size, status.st_mtime_ns


def write_atomically(path: str, data: bytes) -> None:
    """Replace the file at ``path`` by ``data`` so that a reader (or a crash, even kill -9) only ever
    sees the old or the new content: a temporary file in the same directory, then ``os.replace``."""
    import tempfile

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
                learn.add(text)
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
