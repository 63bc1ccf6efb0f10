"""SPDY/3.1 framing, the server half: what kubectl 1.27-1.29 (and any client with
KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false) speak for exec, attach and port-forward after an
`Upgrade: SPDY/3.1` request, and what kubectl 1.30+ tunnels inside a WebSocket for port-forward.

Why by hand: no maintained Python SPDY library exists (the protocol was superseded by HTTP/2), and
Kubernetes uses a small part of it: the client opens every stream (SYN_STREAM with a `streamtype`
header), the server answers each with SYN_REPLY, both sides send DATA, FIN half-closes a stream,
PING is echoed, GOAWAY ends the session. Header blocks are zlib streams primed with the dictionary
of the SPDY/3 draft (section 2.6.10.1), one compression context per direction for the session.
Flow control (WINDOW_UPDATE) is accepted and ignored: the Go client (moby/spdystream) does not
enforce windows either.
"""
from __future__ import annotations

import struct
import threading
import zlib
from dataclasses import dataclass, field

VERSION = 3
SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE = 1, 2, 3, 4, 6, 7, 8, 9
FLAG_FIN = 0x01
MAX_FRAME = 1 << 24          # the 24-bit length field's own limit

# RST_STREAM status codes (draft 3, 2.6.3)
PROTOCOL_ERROR, INVALID_STREAM, REFUSED_STREAM = 1, 2, 3


def _dictionary() -> bytes:
    """The SPDY/3 header compression dictionary: length-prefixed header words, then a run of
    common values (status codes, dates, content types), as the draft lists them."""
    words = ("options head post put delete trace accept accept-charset accept-encoding accept-language "
             "accept-ranges age allow authorization cache-control connection content-base content-encoding "
             "content-language content-length content-location content-md5 content-range content-type date "
             "etag expect expires from host if-match if-modified-since if-none-match if-range "
             "if-unmodified-since last-modified location max-forwards pragma proxy-authenticate "
             "proxy-authorization range referer retry-after server te trailer transfer-encoding upgrade "
             "user-agent vary via warning www-authenticate method get status").split()
    words += ["200 OK", "version", "HTTP/1.1", "url", "public", "set-cookie", "keep-alive", "origin"]
    head = b"".join(struct.pack("!I", len(w)) + w.encode() for w in words)
    codes = "100 101 201 202 205 206 300 302 303 304 305 306 307 402 405 406 407 408 409 410 411 412 413 414 " \
            "415 416 417 502 504 505".split()
    phrases = ("203 Non-Authoritative Information", "204 No Content", "301 Moved Permanently", "400 Bad Request",
               "401 Unauthorized", "403 Forbidden", "404 Not Found", "500 Internal Server Error",
               "501 Not Implemented", "503 Service Unavailable")
    tail = ("".join(codes) + "".join(phrases)
            + "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
            + "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,"
            + "text/plain,text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8"
            + "charset=iso-8859-1,utf-,*,enq=0.")
    return head + tail.encode()


DICTIONARY = _dictionary()


class ProtocolError(Exception):
    """The peer sent something that is not SPDY/3: the session ends."""


@dataclass
class Frame:
    control: bool
    type: int = 0                 # control frames
    flags: int = 0
    stream_id: int = 0
    headers: dict = field(default_factory=dict)   # SYN_STREAM / SYN_REPLY / HEADERS: name -> value
    data: bytes = b""             # DATA payload; PING id / GOAWAY / RST / WINDOW_UPDATE raw payload

    @property
    def fin(self) -> bool:
        return bool(self.flags & FLAG_FIN)


def _unpack_headers(block: bytes) -> dict:
    try:
        n = struct.unpack_from("!I", block, 0)[0]
        pos, out = 4, {}
        for _ in range(n):
            ln = struct.unpack_from("!I", block, pos)[0]
            name = block[pos + 4:pos + 4 + ln].decode("latin-1")
            pos += 4 + ln
            lv = struct.unpack_from("!I", block, pos)[0]
            value = block[pos + 4:pos + 4 + lv].decode("latin-1")
            pos += 4 + lv
            out[name.lower()] = value.split("\0")[0]
        return out
    except struct.error as e:
        raise ProtocolError(f"malformed header block: {e}") from None


def _pack_headers(headers: dict) -> bytes:
    out = [struct.pack("!I", len(headers))]
    for k, v in headers.items():
        kb, vb = k.lower().encode(), str(v).encode()
        out.append(struct.pack("!I", len(kb)) + kb + struct.pack("!I", len(vb)) + vb)
    return b"".join(out)


class Session:
    """One SPDY session over a byte transport: `read_exact(n) -> bytes` (raises EOFError at the
    end) and `write(bytes)`. Writes are serialised, so any thread may send."""

    def __init__(self, read_exact, write):
        self.read_exact, self._write = read_exact, write
        self.lock = threading.Lock()
        self.inflate = zlib.decompressobj(zdict=DICTIONARY)
        self.deflate = zlib.compressobj(zdict=DICTIONARY)
        self.closed = False

    # -- reading ---------------------------------------------------------------------------------
    def read_frame(self) -> Frame:
        head = self.read_exact(8)
        word, flags_len = struct.unpack("!II", head)
        flags, length = flags_len >> 24, flags_len & 0xFFFFFF
        payload = self.read_exact(length) if length else b""
        if not word & 0x80000000:
            return Frame(False, flags=flags, stream_id=word & 0x7FFFFFFF, data=payload)
        version, ftype = (word >> 16) & 0x7FFF, word & 0xFFFF
        if version != VERSION:
            raise ProtocolError(f"unsupported SPDY version {version}")
        f = Frame(True, type=ftype, flags=flags, data=payload)
        if ftype == SYN_STREAM:
            if len(payload) < 10:
                raise ProtocolError("short SYN_STREAM")
            f.stream_id = struct.unpack_from("!I", payload, 0)[0] & 0x7FFFFFFF
            f.headers = self._headers(payload[10:])
        elif ftype in (SYN_REPLY, HEADERS):
            if len(payload) < 4:
                raise ProtocolError("short frame")
            f.stream_id = struct.unpack_from("!I", payload, 0)[0] & 0x7FFFFFFF
            f.headers = self._headers(payload[4:])
        elif ftype in (RST_STREAM, WINDOW_UPDATE) and len(payload) >= 4:
            f.stream_id = struct.unpack_from("!I", payload, 0)[0] & 0x7FFFFFFF
        return f

    def _headers(self, block: bytes) -> dict:
        try:
            raw = self.inflate.decompress(block)
        except zlib.error as e:
            raise ProtocolError(f"header block: {e}") from None
        return _unpack_headers(raw)

    # -- writing ---------------------------------------------------------------------------------
    def _control(self, ftype: int, flags: int, payload: bytes) -> None:
        self.send(struct.pack("!HHI", 0x8000 | VERSION, ftype, (flags << 24) | len(payload)) + payload)

    def send(self, raw: bytes) -> None:
        with self.lock:
            if self.closed:
                return
            try:
                self._write(raw)
            except OSError:
                self.closed = True

    def syn_reply(self, stream_id: int, headers: dict | None = None, fin: bool = False) -> None:
        with self.lock:          # compression order must match sending order
            block = self.deflate.compress(_pack_headers(headers or {})) + self.deflate.flush(zlib.Z_SYNC_FLUSH)
            payload = struct.pack("!I", stream_id) + block
            raw = struct.pack("!HHI", 0x8000 | VERSION, SYN_REPLY, ((FLAG_FIN if fin else 0) << 24) | len(payload))
            if not self.closed:
                try:
                    self._write(raw + payload)
                except OSError:
                    self.closed = True

    def data(self, stream_id: int, payload: bytes, fin: bool = False) -> None:
        """DATA frames (split below the 24-bit limit); an empty payload with fin half-closes."""
        step = 1 << 16
        chunks = [payload[i:i + step] for i in range(0, len(payload), step)] or [b""]
        for i, c in enumerate(chunks):
            flags = FLAG_FIN if fin and i == len(chunks) - 1 else 0
            self.send(struct.pack("!II", stream_id & 0x7FFFFFFF, (flags << 24) | len(c)) + c)

    def ping(self, frame: Frame) -> None:
        self._control(PING, 0, frame.data[:4])

    def reset(self, stream_id: int, status: int = PROTOCOL_ERROR) -> None:
        self._control(RST_STREAM, 0, struct.pack("!II", stream_id, status))

    def goaway(self, last_stream: int = 0) -> None:
        self._control(GOAWAY, 0, struct.pack("!II", last_stream, 0))
