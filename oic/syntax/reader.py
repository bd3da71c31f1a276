"""Reading a `.oi` file from disk into a ``SourceFile``, refusing what is not text.

Everything a user can point ``oic`` at must end in a diagnostic or a one-line message: a file that
is not UTF-8 is reported at the line and column of its first bad byte, a binary file at its first NUL,
an enormous file before it is decoded. A missing or unreadable file is not a diagnostic (there is no
position to report) but an ``UnreadableSource`` error whose message the command prints as is.

Normalisation happens here, once: a leading byte-order mark is dropped and ``\\r\\n`` and lone
``\\r`` become ``\\n``, so that lines and columns mean the same thing everywhere after.
"""

from __future__ import annotations

from oic import diagnostics as diag
from oic.diagnostics import Diagnostic
from oic.source import SourceFile, Span
from oic.syntax.limits import MAX_SOURCE_BYTES

__all__ = ["MAX_SOURCE_BYTES", "UnreadableSource", "decode_source", "read_source"]


class UnreadableSource(OSError):
    """The file cannot be read at all; ``str(error)`` is a one-line message naming the path."""


def read_source(path: str) -> SourceFile | Diagnostic:
    """The decoded ``SourceFile`` at ``path``, or a diagnostic saying why its content is not usable.

    Raises ``UnreadableSource`` when the file is missing, a directory, or not readable."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_SOURCE_BYTES + 1)
    except FileNotFoundError:
        raise UnreadableSource(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UnreadableSource(f"{path}: is a directory, not a .oi file") from None
    except PermissionError:
        raise UnreadableSource(f"{path}: permission denied") from None
    except OSError as error:
        raise UnreadableSource(f"{path}: cannot be read ({error.strerror or error})") from None
    return decode_source(path, data)


def decode_source(path: str, data: bytes) -> SourceFile | Diagnostic:
    """``data`` (a file's bytes) as a normalised ``SourceFile``, or the diagnostic for the first
    problem: too large (E0002), a NUL byte (E0003), invalid UTF-8 (E0001)."""
    empty = SourceFile(path, "")
    if len(data) > MAX_SOURCE_BYTES:
        return diag.make(
            empty,
            Span.point(1, 1),
            "E0002",
            f"file is larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MB",
            "a pipeline this large is probably not a pipeline; check the path",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    nul = data.find(b"\x00")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        if nul != -1 and nul < error.start:
            return _nul_diagnostic(path, data, nul)
        line, column = _position(data, error.start)
        bad = data[error.start : error.start + 1].hex()
        return diag.make(
            empty,
            Span(line, column, line, column + 1),
            "E0001",
            f"file is not valid UTF-8: byte 0x{bad} cannot start or continue a character",
            "save the file as UTF-8",
        )
    if nul != -1:
        return _nul_diagnostic(path, data, nul)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return SourceFile(path, text)


def _nul_diagnostic(path: str, data: bytes, offset: int) -> Diagnostic:
    line, column = _position(data, offset)
    return diag.make(
        SourceFile(path, ""),
        Span(line, column, line, column + 1),
        "E0003",
        "file contains a NUL byte: it looks like a binary file",
        "check the path: oic reads .oi text files",
    )


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and code-point column of byte ``offset`` in UTF-8 ``data`` (valid before
    ``offset``), counting a ``\\r\\n`` as one line break, as the decoded text will."""
    line_start = max(data.rfind(b"\n", 0, offset), data.rfind(b"\r", 0, offset)) + 1
    line = data.count(b"\n", 0, offset) + 1 + data.count(b"\r", 0, offset) - data.count(b"\r\n", 0, offset)
    prefix = data[line_start:offset].decode("utf-8", errors="replace")
    return line, len(prefix) + 1
