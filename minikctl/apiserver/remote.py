"""The remotecommand streams of exec and attach, over either transport kubectl speaks.

Why one interface: what runs in the pod (apiserver/exec_stream.py) reads stdin, resizes and the
end of stdin as events and writes stdout, stderr and the final Status, whatever carries them:

* WebSocket (`v5.channel.k8s.io`, `v4.channel.k8s.io`; kubectl >= 1.30): one message per write,
  its first byte the channel (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize; v5 adds 255, the
  client's "close stdin" signal).
* SPDY/3.1 (`v4.channel.k8s.io` / `v5`; kubectl 1.27-1.29, or a later one falling back): the
  client opens one stream per channel, named by its `streamtype` header; a FIN on the stdin
  stream is the end of stdin. The server waits for the streams the query asked for, as the
  kubelet does, then replies to each.

Both carry the final metav1.Status on the error channel, from which kubectl takes the exit code.
"""
from __future__ import annotations

import json

from minikctl.apiserver import spdy
from minikctl.apiserver import websocket as ws
import time

STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255
_WS_CHANNEL = {"stdout": STDOUT, "stderr": STDERR, "error": ERROR}


class Closed(Exception):
    """The client went away."""


def _resize_events(buf: bytearray) -> list[tuple[str, dict]]:
    """TerminalSize JSON objects ({"Width": w, "Height": h}) from a stream that may split or join them."""
    out, dec = [], json.JSONDecoder()
    text = buf.decode("utf-8", errors="replace")
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        try:
            obj, end = dec.raw_decode(text, pos)
        except ValueError:
            break
        if isinstance(obj, dict):
            out.append(("resize", obj))
        pos = end
    del buf[:len(text[:pos].encode())]
    return out


class WebSocketRemote:
    def __init__(self, handler, proto: str):
        self.h, self.proto = handler, proto
        self.resize_buf = bytearray()
        self.closing = False

    def events(self):
        """('stdin', bytes) | ('stdin-eof', None) | ('resize', dict) | ('end', reason), until 'end'."""
        while True:
            try:
                op, data = ws.read_frame(self.h.rfile)
            except ws.FrameTooLarge:
                self.close_frame(ws.CLOSE_NORMAL)
                yield "end", "frame too large"
                return
            except (EOFError, OSError, ValueError):
                yield "end", "closed"
                return
            if op == ws.CLOSE:
                yield "end", "closed"
                return
            if op == ws.PING:
                self._write(ws.frame(ws.PONG, data))
                continue
            if op not in (ws.BINARY, ws.TEXT) or not data:
                continue
            ch, payload = data[0], data[1:]
            if ch == STDIN:
                if payload:
                    yield "stdin", payload
            elif ch == RESIZE:
                self.resize_buf += payload
                yield from _resize_events(self.resize_buf)
            elif ch == CLOSE and self.proto.startswith("v5") and payload[:1] == bytes([STDIN]):
                yield "stdin-eof", None

    def _write(self, raw: bytes) -> None:
        try:
            self.h.wfile.write(raw)
            self.h.wfile.flush()
        except OSError:
            raise Closed() from None

    def send(self, kind: str, data: bytes) -> None:
        if data and not self.closing:
            self._write(ws.frame(ws.BINARY, bytes([_WS_CHANNEL[kind]]) + data))

    def close_frame(self, code: int) -> None:
        if self.closing:
            return
        self.closing = True
        try:
            self._write(ws.frame(ws.CLOSE, code.to_bytes(2, "big")))
        except Closed:
            pass

    def close(self) -> None:
        self.close_frame(ws.CLOSE_NORMAL)
        _linger(self.h, lambda: ws.read_frame(self.h.rfile)[0] == ws.CLOSE)


class SpdyRemote:
    """exec/attach over a SPDY session whose client opens the streams."""

    def __init__(self, session: spdy.Session, expected: set[str]):
        self.s, self.expected = session, set(expected)
        self.ids: dict[str, int] = {}
        self.by_id: dict[int, str] = {}
        self.early: list = []
        self.resize_buf = bytearray()

    def accept_streams(self, timeout: float = 30.0) -> bool:
        """Read frames until every expected stream is open (replying to each); False if the
        client went away first or took longer than the kubelet's 30 s stream creation timeout."""
        conn = getattr(getattr(self.s, "handler", None), "connection", None)
        try:
            if conn is not None:
                conn.settimeout(timeout)
            while not self.expected <= set(self.ids):
                try:
                    f = self.s.read_frame()
                except (EOFError, OSError, spdy.ProtocolError):
                    return False
                self.early.extend(self._handle(f))
            return True
        finally:
            if conn is not None:
                try:
                    conn.settimeout(None)
                except OSError:
                    pass

    def _handle(self, f: spdy.Frame) -> list:
        if f.control:
            if f.type == spdy.SYN_STREAM:
                kind = f.headers.get("streamtype", "")
                self.ids[kind] = f.stream_id
                self.by_id[f.stream_id] = kind
                self.s.syn_reply(f.stream_id)
                if f.fin and kind == "stdin":
                    return [("stdin-eof", None)]
                return []
            if f.type == spdy.PING:
                self.s.ping(f)
                return []
            if f.type == spdy.GOAWAY:
                return [("end", "goaway")]
            if f.type == spdy.RST_STREAM and self.by_id.get(f.stream_id) == "stdin":
                return [("stdin-eof", None)]
            return []
        kind = self.by_id.get(f.stream_id)
        out: list = []
        if kind == "stdin" and f.data:
            out.append(("stdin", f.data))
        elif kind == "resize" and f.data:
            self.resize_buf += f.data
            out.extend(_resize_events(self.resize_buf))
        if f.fin and kind == "stdin":
            out.append(("stdin-eof", None))
        return out

    def events(self):
        yield from self.early
        self.early = []
        while True:
            try:
                f = self.s.read_frame()
            except (EOFError, OSError, spdy.ProtocolError):
                yield "end", "closed"
                return
            for ev in self._handle(f):
                yield ev
                if ev[0] == "end":
                    return

    def send(self, kind: str, data: bytes) -> None:
        sid = self.ids.get(kind)
        if sid is None and kind == "stderr":
            sid = self.ids.get("stdout")
        if sid is not None and data:
            self.s.data(sid, data)
        if self.s.closed:
            raise Closed()

    def close(self) -> None:
        for kind in ("stdout", "stderr", "error"):
            if kind in self.ids:
                self.s.data(self.ids[kind], b"", fin=True)
        self.s.goaway()
        if getattr(self.s, "handler", None) is not None:
            _linger(self.s.handler, lambda: self.s.read_frame() is None)


def _linger(handler, done, seconds: float = 2.0) -> None:
    """Read what the client still sends (its close frame, its last stdin) until it closes or
    `done()`, for at most `seconds`: closing a socket with unread input makes the kernel reset
    the connection, and a reset can destroy the output the client has not read yet."""
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            handler.connection.settimeout(max(0.05, end - time.monotonic()))
            if done():
                return
    except (EOFError, OSError, ValueError, spdy.ProtocolError):
        return
