"""RFC 6455 by hand, just what exec, attach and port-forward need: the upgrade handshake,
unmasked server frames, masked client frames (with ping/pong and close).

A frame longer than MAX_PAYLOAD (golang.org/x/net/websocket's DefaultMaxPayloadBytes, the library
behind the apiserver's wsstream) is not read: the apiserver's receive fails with
ErrFrameTooLarge, it ends that connection (a normal close frame) and serves everyone else on.
"""
from __future__ import annotations

import base64
import hashlib
import struct

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA
CLOSE_NORMAL = 1000
MAX_PAYLOAD = 32 << 20


class FrameTooLarge(EOFError):
    """A client frame over MAX_PAYLOAD: the connection ends."""


def accept_key(key: str) -> str:
    return base64.b64encode(hashlib.sha1((key.strip() + GUID).encode()).digest()).decode()


def is_upgrade(headers: dict) -> bool:
    return "websocket" in (headers.get("upgrade") or "").lower() and bool(headers.get("sec-websocket-key"))


def choose_protocol(headers: dict, supported: tuple[str, ...]) -> str | None:
    offered = [p.strip() for p in (headers.get("sec-websocket-protocol") or "").split(",") if p.strip()]
    return next((p for p in supported if p in offered), None)


def frame(opcode: int, payload: bytes) -> bytes:
    head = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 1 << 16:
        head += bytes([126]) + struct.pack("!H", n)
    else:
        head += bytes([127]) + struct.pack("!Q", n)
    return head + payload


def _read_exact(rfile, n: int) -> bytes:
    data = rfile.read(n)
    if data is None or len(data) < n:
        raise EOFError("websocket closed")
    return data


def read_frame(rfile) -> tuple[int, bytes]:
    """(opcode, payload) of the next message; continuation frames are joined."""
    opcode, chunks = None, []
    while True:
        b0, b1 = _read_exact(rfile, 2)
        fin, op = b0 & 0x80, b0 & 0x0F
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", _read_exact(rfile, 2))[0]
        elif n == 127:
            n = struct.unpack("!Q", _read_exact(rfile, 8))[0]
        if n > MAX_PAYLOAD or sum(map(len, chunks)) + n > MAX_PAYLOAD:
            raise FrameTooLarge("websocket: frame payload size exceeds limit")
        mask = _read_exact(rfile, 4) if b1 & 0x80 else b"\0\0\0\0"
        data = _unmask(_read_exact(rfile, n), mask)
        if op >= 0x8:            # control frames may come between fragments
            return op, data
        if opcode is None:
            opcode = op
        chunks.append(data)
        if fin:
            return opcode, b"".join(chunks)


def _unmask(data: bytes, mask: bytes) -> bytes:
    """XOR with the 4-byte mask, a machine word at a time rather than a byte at a time."""
    if not data or mask == b"\0\0\0\0":
        return data
    n = len(data)
    key = int.from_bytes((mask * (n // 4 + 1))[:n], "big")
    return (int.from_bytes(data, "big") ^ key).to_bytes(n, "big")
