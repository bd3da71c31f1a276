"""The server side of RFC 6455 framing, just enough for the Kubernetes port-forward protocol.

The fake API server answers ``pods/NAME/portforward`` the way the kubelet's streaming server does: it
upgrades the HTTP connection to a websocket speaking ``v4.channel.k8s.io``, where every binary frame
starts with a channel byte (per forwarded port: data channel ``2*i``, error channel ``2*i + 1``).
Clients mask their frames; servers do not. Fragmented messages and frames larger than 2**63 are not
needed by the client and are not supported.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from typing import Any

_ACCEPT_MAGIC = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

OPCODE_CONTINUATION = 0x0
OPCODE_TEXT = 0x1
OPCODE_BINARY = 0x2
OPCODE_CLOSE = 0x8
OPCODE_PING = 0x9
OPCODE_PONG = 0xA


def accept_key(client_key: str) -> str:
    """The ``Sec-WebSocket-Accept`` value that proves the server read the client's key."""
    digest = hashlib.sha1(client_key.encode("ascii") + _ACCEPT_MAGIC).digest()
    return base64.b64encode(digest).decode("ascii")


def encode_frame(opcode: int, payload: bytes) -> bytes:
    """One final, unmasked frame (servers never mask)."""
    header = bytes([0x80 | opcode])
    length = len(payload)
    if length < 126:
        header += bytes([length])
    elif length < 1 << 16:
        header += bytes([126]) + struct.pack("!H", length)
    else:
        header += bytes([127]) + struct.pack("!Q", length)
    return header + payload


class FrameReader:
    """Reads frames from the connection's buffered reader (bytes the HTTP parser already buffered
    belong to the first frames); ``read()`` returns ``(opcode, payload)`` or None at end of stream."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def _read_exactly(self, count: int) -> bytes | None:
        try:
            data = self._stream.read(count)
        except OSError:
            return None
        return data if data is not None and len(data) == count else None

    def read(self) -> tuple[int, bytes] | None:
        head = self._read_exactly(2)
        if head is None:
            return None
        opcode = head[0] & 0x0F
        masked = bool(head[1] & 0x80)
        length = head[1] & 0x7F
        if length == 126:
            extended = self._read_exactly(2)
            if extended is None:
                return None
            length = struct.unpack("!H", extended)[0]
        elif length == 127:
            extended = self._read_exactly(8)
            if extended is None:
                return None
            length = struct.unpack("!Q", extended)[0]
        mask = self._read_exactly(4) if masked else b""
        if mask is None:
            return None
        payload = self._read_exactly(length) if length else b""
        if payload is None:
            return None
        if masked:
            # XOR as one big integer: a per-byte loop is slow for the megabyte frames gRPC may send.
            key = (mask * (length // 4 + 1))[:length]
            payload = (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(length, "big")
        return opcode, payload
