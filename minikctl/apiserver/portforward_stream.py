"""`kubectl port-forward` through serve: pods/{name}/portforward.

Transports, as the apiserver and kubelet offer them:
* SPDY/3.1 with `portforward.k8s.io` (kubectl 1.27-1.30): per forwarded connection the client
  opens an `error` and a `data` stream carrying the `port` and a shared `requestid`.
* The same SPDY session tunnelled in WebSocket binary messages (`SPDY/3.1+portforward.k8s.io`,
  kubectl 1.31+).
* WebSocket `v4.channel.k8s.io` / `portforward.k8s.io` (the official Python client and other
  libraries): the `ports` query names the ports; channel 2i carries port i's data and 2i+1 its
  errors, each opened by the server with the port number (uint16, little endian).

What answers is the pod's simulated behaviour (net/proxy/traffic.serve, the code curl and wget in
the cluster reach): the bytes of each connection are read as HTTP/1.x requests, answered one
after another (keep-alive), each from the cluster state at that moment. A port nothing listens
on gets the kubelet's "connection refused" text on the error stream (kubectl then reports the
lost connection); a TCP server that is not HTTP (redis, postgres) accepts and stays silent.
"""
from __future__ import annotations

import struct

from minikctl.apiserver import websocket as ws
from minikctl.apiserver.request import Request, Response
from minikctl.apiserver.status import fail
from minikctl.api.errors import ApiError
from minikctl import lazy

api_error = lazy.function("minikctl.apiserver.resources", "api_error")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
portforward = lazy.module("minikctl.net.portforward")
spdy = lazy.module("minikctl.apiserver.spdy")
traffic = lazy.module("minikctl.net.proxy.traffic")
server = lazy.module("minikctl.api.server")

PF = "portforward.k8s.io"
WS_PROTOCOLS = ("SPDY/3.1+" + PF, "v4.channel.k8s.io", PF)
MAX_REQUEST = 1 << 20


def _check(req: Request, t, env) -> dict:
    with open_cluster(env, write=False) as cluster:
        try:
            pod = server.get(cluster, "Pod", t.namespace, t.name)
        except ApiError as e:
            raise api_error(t.kind, e)
    phase = (pod.get("status") or {}).get("phase")
    if phase != "Running":
        raise fail("BadRequest", f"pod {t.name} is not running", 400) if phase in ("Succeeded", "Failed") else \
            fail("BadRequest", f"unable to upgrade connection: pod {t.name} is not running", 400)
    return pod


def respond(req: Request, t, env) -> Response:
    if req.method not in ("GET", "POST"):
        raise fail("MethodNotAllowed", "the server does not allow this method on the requested resource", 405)
    _check(req, t, env)
    ports = []
    for p in req.query.get("ports") or []:
        for one in p.split(","):
            if not one.strip().isdigit() or not 0 < int(one) < 65536:
                raise fail("BadRequest", f'invalid port "{one}"', 400)
            ports.append(int(one))
    h = req.headers
    if ws.is_upgrade(h):
        proto = ws.choose_protocol(h, WS_PROTOCOLS)
        if proto is None:
            raise fail("BadRequest", "unable to upgrade connection: none of the offered subprotocols "
                       f"is supported (want one of {', '.join(WS_PROTOCOLS)})", 400)
        if not proto.startswith("SPDY") and not ports:
            raise fail("BadRequest", "query parameter \"port\" is required", 400)

        def ws_upgrade(handler) -> None:
            handler.send_response(101, "Switching Protocols")
            handler.send_header("Upgrade", "websocket")
            handler.send_header("Connection", "Upgrade")
            handler.send_header("Sec-WebSocket-Accept", ws.accept_key(h["sec-websocket-key"]))
            handler.send_header("Sec-WebSocket-Protocol", proto)
            handler.end_headers()
            handler.wfile.flush()
            try:
                if proto.startswith("SPDY"):
                    _spdy(env, t, _tunnel(handler))
                else:
                    _websocket(env, t, handler, ports)
            except (OSError, EOFError):
                pass

        return Response(101, upgrade=ws_upgrade)
    if "spdy/3.1" in (h.get("upgrade") or "").lower():
        offered = [p.strip() for p in (h.get("x-stream-protocol-version") or "").split(",") if p.strip()]
        if offered and PF not in offered:
            raise fail("Forbidden", f"unable to upgrade: unable to negotiate protocol: client supports {offered}, "
                       f"server supports [{PF}]", 403)

        def spdy_upgrade(handler) -> None:
            handler.send_response(101, "Switching Protocols")
            handler.send_header("Connection", "Upgrade")
            handler.send_header("Upgrade", "SPDY/3.1")
            handler.send_header("X-Stream-Protocol-Version", PF)
            handler.end_headers()
            handler.wfile.flush()

            def read_exact(n: int) -> bytes:
                data = handler.rfile.read(n)
                if data is None or len(data) < n:
                    raise EOFError("spdy closed")
                return data

            def write(raw: bytes) -> None:
                handler.wfile.write(raw)
                handler.wfile.flush()

            try:
                _spdy(env, t, spdy.Session(read_exact, write))
            except (OSError, EOFError):
                pass

        return Response(101, upgrade=spdy_upgrade)
    raise fail("BadRequest", "Upgrade request required", 400)


# ---------------------------------------------------------------------------------------------
# One forwarded connection: HTTP requests in, the pod's answers out

class Connection:
    def __init__(self, env, t, port: int):
        self.env, self.t, self.port = env, t, port
        self.buf = b""

    def feed(self, data: bytes) -> tuple[bytes, str | None]:
        """(bytes to send back, an error for the error stream or None) for more client bytes."""
        self.buf += data
        out = b""
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > MAX_REQUEST:
                    self.buf = b""
                return out, None
            head = self.buf[:end].decode("latin-1")
            lines = head.split("\r\n")
            headers = {}
            for line in lines[1:]:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
            length = headers.get("content-length", "0")
            n = int(length) if length.isdigit() else 0
            if len(self.buf) < end + 4 + n:
                return out, None
            self.buf = self.buf[end + 4 + n:]
            parts = lines[0].split()
            if len(parts) < 2:
                return out + b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", None
            answer, err = self.answer(parts[0], parts[1], headers.get("host", ""))
            if err is not None:
                return out, err
            out += answer

    def answer(self, method: str, path: str, host: str) -> tuple[bytes, str | None]:
        with open_cluster(self.env, write=False) as cluster:
            pod = cluster.get("Pod", self.t.namespace, self.t.name)
            if pod is None:
                return b"", f'pod "{self.t.name}" not found'
            resp = traffic.serve(cluster, pod, self.port, path, host or f"localhost:{self.port}", method=method)
            if resp is None:
                return b"", portforward.refused_message(pod, self.port)
        if isinstance(resp, traffic.NotSimulated):
            return b"", str(resp)
        if isinstance(resp, str):          # a TCP server that is not HTTP: it reads and says nothing
            return b"", None
        return portforward.response_bytes(resp, method), None


# ---------------------------------------------------------------------------------------------
# SPDY (direct, or tunnelled in WebSocket)

def _tunnel(handler):
    """A spdy.Session whose bytes travel in WebSocket binary messages."""
    state = {"buf": b""}

    def read_exact(n: int) -> bytes:
        while len(state["buf"]) < n:
            op, data = ws.read_frame(handler.rfile)
            if op == ws.CLOSE:
                raise EOFError("websocket closed")
            if op == ws.PING:
                handler.wfile.write(ws.frame(ws.PONG, data))
                continue
            if op in (ws.BINARY, ws.TEXT):
                state["buf"] += data
        out, state["buf"] = state["buf"][:n], state["buf"][n:]
        return out

    def write(raw: bytes) -> None:
        handler.wfile.write(ws.frame(ws.BINARY, raw))
        handler.wfile.flush()

    return spdy.Session(read_exact, write)


def _spdy(env, t, session) -> None:
    streams: dict[int, tuple[str, str]] = {}        # stream id -> (streamtype, requestid)
    pairs: dict[str, dict] = {}                     # requestid -> {"error": id, "data": id, "conn": Connection}
    while True:
        try:
            f = session.read_frame()
        except (EOFError, OSError, spdy.ProtocolError):
            return
        if f.control:
            if f.type == spdy.SYN_STREAM:
                kind, rid, port = f.headers.get("streamtype", ""), f.headers.get("requestid", ""), \
                    f.headers.get("port", "")
                if kind not in ("error", "data") or not port.isdigit():
                    session.reset(f.stream_id)
                    continue
                session.syn_reply(f.stream_id)
                streams[f.stream_id] = (kind, rid)
                pair = pairs.setdefault(rid, {"conn": Connection(env, t, int(port))})
                pair[kind] = f.stream_id
            elif f.type == spdy.PING:
                session.ping(f)
            elif f.type == spdy.GOAWAY:
                return
            elif f.type == spdy.RST_STREAM:
                _end(session, pairs, streams.get(f.stream_id, ("", ""))[1], fin=False)
            continue
        kind, rid = streams.get(f.stream_id, ("", ""))
        pair = pairs.get(rid)
        if pair is None:
            continue
        if kind == "data" and f.data:
            out, err = pair["conn"].feed(f.data)
            if out:
                session.data(f.stream_id, out)
            if err is not None:
                if "error" in pair:
                    session.data(pair["error"], err.encode(), fin=True)
                _end(session, pairs, rid)
                continue
        if f.fin and kind == "data":
            _end(session, pairs, rid)


def _end(session, pairs: dict, rid: str, fin: bool = True) -> None:
    pair = pairs.pop(rid, None)
    if pair is None or not fin:
        return
    for kind in ("data", "error"):
        if kind in pair:
            session.data(pair[kind], b"", fin=True)


# ---------------------------------------------------------------------------------------------
# WebSocket channels (v4.channel.k8s.io / portforward.k8s.io)

def _websocket(env, t, handler, ports: list[int]) -> None:
    def send(channel: int, data: bytes) -> None:
        handler.wfile.write(ws.frame(ws.BINARY, bytes([channel]) + data))
        handler.wfile.flush()

    conns = [Connection(env, t, p) for p in ports]
    for i, p in enumerate(ports):
        send(2 * i, struct.pack("<H", p))
        send(2 * i + 1, struct.pack("<H", p))
    while True:
        try:
            op, data = ws.read_frame(handler.rfile)
        except ws.FrameTooLarge:
            handler.wfile.write(ws.frame(ws.CLOSE, ws.CLOSE_NORMAL.to_bytes(2, "big")))
            return
        except (EOFError, OSError, ValueError):
            return
        if op == ws.CLOSE:
            return
        if op == ws.PING:
            handler.wfile.write(ws.frame(ws.PONG, data))
            continue
        if op not in (ws.BINARY, ws.TEXT) or not data or data[0] % 2 or data[0] // 2 >= len(conns):
            continue
        i = data[0] // 2
        out, err = conns[i].feed(data[1:])
        if out:
            send(2 * i, out)
        if err is not None:
            send(2 * i + 1, err.encode())
