"""`minikctl serve`: a ThreadingHTTPServer over TLS that authenticates the bearer token and
hands each request to the routes; every failure becomes a Status, never a crash."""
from __future__ import annotations

import hmac
import socket
import ssl
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from minikctl.api.errors import CliError
from minikctl.apiserver.request import MAX_BODY, Request, Response, json_response
from minikctl.apiserver.status import HttpError, fail, unauthorized
import select
import time
from minikctl import lazy

authz = lazy.module("minikctl.apiserver.authz")
kinds = lazy.module("minikctl.api.kinds")
negotiate = lazy.module("minikctl.apiserver.negotiate")
read_crd_kinds = lazy.function("minikctl.store.db", "read_crd_kinds")
routes = lazy.module("minikctl.apiserver.routes")
state = lazy.module("minikctl.apiserver.state")
tlsmod = lazy.module("minikctl.apiserver.tls")
watchcache = lazy.module("minikctl.apiserver.watchcache")

PUBLIC = ("/healthz", "/livez", "/readyz")

# The kube-apiserver's own http.Server settings (k8s.io/apiserver secure_serving.go): a client has
# 32 s to send a request's headers and may keep an idle connection 90 s; headers are capped at
# 1 MiB. A thread per connection is what Python's server costs, so connections are capped too
# (beyond the cap a new connection is closed at once: a simulation limit, not the apiserver's).
READ_HEADER_TIMEOUT = 32.0
IDLE_TIMEOUT = 90.0
MAX_CONNECTIONS = 200


class ApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "minikctl-apiserver"
    sys_version = ""

    def setup(self):
        # Go's net package sets TCP_NODELAY on every TCP connection, the apiserver's included.
        # Without it, a response written as headers then body meets the client's delayed ACK:
        # each request waited ~40 ms for nothing (Nagle's algorithm holding the body back).
        try:
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, AttributeError):   # not a TCP socket (a test's socketpair)
            pass
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(30)
            self.request.do_handshake()
            self.request.settimeout(None)
        super().setup()

    def handle_one_request(self):
        """BaseHTTPRequestHandler's, with the apiserver's timeouts: idle until the request line
        starts, then the header deadline, then none (a watch streams for as long as it likes)."""
        sock = self.connection
        try:
            sock.settimeout(self.server.idle_timeout)
            first = self.rfile.peek(1) if hasattr(self.rfile, "peek") else b"x"
            if not first:
                self.close_connection = True
                return
            sock.settimeout(self.server.header_timeout)
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline, self.request_version, self.command = "", "", ""
                self.send_error(414)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            sock.settimeout(None)
            method = getattr(self, "do_" + self.command, None)
            if method is None:
                self.send_error(501, "Unsupported method (%r)" % self.command)
                return
            method()
            self.wfile.flush()
        except (TimeoutError, socket.timeout):
            self.close_connection = True

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def _dispatch(self):
        self._req = None
        try:
            resp = self._answer()
        except HttpError as e:
            resp = json_response(e.body, e.code)
        except Exception as e:  # the server never dies for one request
            if isinstance(e, CliError) and e.message.startswith("The connection to the server "):
                # the simulated kube-apiserver is down (a broken manifest on the control plane,
                # sim/nodehost/controlplane.py): nothing answers, the connection just closes
                self.close_connection = True
                return
            traceback.print_exc(file=sys.stderr)
            body = fail("InternalError", f"an error on the server (\"{type(e).__name__}: {e}\") has prevented the "
                        "request from succeeding", 500).body
            resp = json_response(body, 500)
        if resp is not None and self._req is not None and resp.obj is not None:
            resp = negotiate.finish(self._req, resp)
        if resp is not None:
            self._send(resp)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_TRACE = do_CONNECT = _dispatch

    def _answer(self) -> Response | None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        # SPDY clients offer each stream protocol in its own header line: keep them all
        offered = self.headers.get_all("X-Stream-Protocol-Version") or []
        if len(offered) > 1:
            headers["x-stream-protocol-version"] = ", ".join(offered)
        length = headers.get("content-length", "0")
        n = int(length) if length.isdigit() else 0
        # Authentication and the body limit are decided from the headers alone: an
        # unauthenticated or oversized body is never read (beyond a bounded drain, so that a
        # client still sending sees the answer rather than a reset).
        user = None
        if self.path.split("?", 1)[0] not in PUBLIC:
            try:
                user = self._user(headers)     # None: the admin token
            except HttpError as e:
                return self._refuse(e, n, 64 * 1024)
        if n > MAX_BODY:
            return self._refuse(fail("RequestEntityTooLarge", f"Request entity too large: limit is {MAX_BODY}", 413),
                                n, MAX_BODY + 1024 * 1024)
        body = self.rfile.read(n) if n else b""
        req = Request.parse(self.command, self.path, headers, body)
        if headers.get("impersonate-user"):
            user = authz.impersonate(self.server.env, user, headers["impersonate-user"],
                                     self.headers.get_all("Impersonate-Group") or [])
        self._req = req
        req.user = user
        if user is not None:
            authz.check(self.server.env, user, req)
        resp = routes.handle(req, self.server.env)
        if resp.upgrade is not None:
            resp.upgrade(self)
            self.close_connection = True
            return None
        return resp

    def _refuse(self, err: HttpError, n: int, cap: int) -> None:
        """Answer at once, then read (and drop) at most cap bytes of the body for at most a
        couple of seconds, so that a client still sending sees the answer rather than a reset;
        then close. A refused body is never held, and a silent client ties nothing up."""
        self._send(json_response(err.body, err.code))
        self.wfile.flush()
        self.close_connection = True
        left = min(n, cap)
        try:
            self.connection.settimeout(2.0)
            while left > 0:
                chunk = self.rfile.read1(min(left, 1 << 16)) if hasattr(self.rfile, "read1") else \
                    self.rfile.read(min(left, 1 << 16))
                if not chunk:
                    break
                left -= len(chunk)
        except (OSError, ValueError):
            pass
        return None

    def _user(self, headers: dict):
        """None for the admin token; else the ServiceAccount of a token this cluster signed, or
        the user of a client certificate the cluster CA signed; anything else is Unauthorized."""
        if self._authorized(headers):
            return None
        auth = headers.get("authorization", "")
        if auth.startswith("Bearer "):
            user = authz.from_token(self.server.env, auth[7:].strip())
            if user is None:
                raise unauthorized()
            return user
        peer = self.request.getpeercert() if isinstance(self.request, ssl.SSLSocket) else None
        user = authz.from_certificate(peer)
        if user is None:
            raise unauthorized()
        return user

    def _authorized(self, headers: dict) -> bool:
        auth = headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            return False
        given = auth[7:].strip().encode()
        if hmac.compare_digest(given, self.server.token.encode()):
            return True
        return hmac.compare_digest(given, self.server.current_token().encode())

    def _send(self, resp: Response) -> None:
        self.send_response(resp.code)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Cache-Control", "no-cache, private")
        for k, v in resp.headers:
            self.send_header(k, v)
        if resp.stream is not None:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self._stream(resp)
            return
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(resp.body)

    def _stream(self, resp: Response) -> None:
        def write(data: bytes) -> None:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
        try:
            resp.stream(write, _StreamStop(self.server.stopping, self.connection))
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True


class _StreamStop:
    """What a stream polls to end: the server stopping, or its client gone. A watch writes only
    when something changes, so a client that hung up is noticed here (its socket readable: EOF,
    or TLS close_notify; a watch client sends nothing else), not on the next event, and its
    connection slot is freed, as Go's server cancels the request's context."""

    def __init__(self, stopping: threading.Event, sock):
        self.stopping, self.sock = stopping, sock

    def gone(self) -> bool:
        try:
            readable, _, _ = select.select([self.sock], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    def is_set(self) -> bool:
        return self.stopping.is_set() or self.gone()

    def wait(self, timeout: float | None = None) -> bool:
        return self.stopping.wait(timeout) or self.gone()


class ApiServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, env, token: str, ssl_context=None, verbose: bool = False):
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.address_family = family
        super().__init__(address, ApiHandler)
        self.env, self.token, self.verbose = env, token, verbose
        self.stopping = threading.Event()
        self.header_timeout, self.idle_timeout = READ_HEADER_TIMEOUT, IDLE_TIMEOUT
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        if ssl_context is not None:
            self.socket = ssl_context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    def current_token(self) -> str:
        """The stored token, re-read at most once a second after a mismatch: `kubeconfig
        --rotate` takes effect without a restart, and a flood of bad tokens costs no store reads."""
        now = time.monotonic()
        if now - getattr(self, "_token_checked", 0.0) >= 1.0:
            self._token_checked = now
            try:
                self.token = state.token(self.env)
            except Exception:  # noqa: BLE001 - a busy store: keep the token we have
                pass
        return self.token

    def process_request(self, request, client_address):
        if not self.slots.acquire(blocking=False):  # at the connection cap: close at once
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ssl.SSLError, ConnectionError, TimeoutError, socket.timeout)):
            return
        if self.verbose:
            super().handle_error(request, client_address)

    def shutdown(self):
        self.stopping.set()
        super().shutdown()
        watchcache.stop(self.env)


def make_server(env, address: str = "127.0.0.1", port: int = 6443, *, tls: bool = True,
                verbose: bool = False) -> ApiServer:
    """Bind (port 0 = any free port); call .serve_forever() to run."""
    kinds.set_loader(lambda: read_crd_kinds(env.db_path))
    token = state.token(env)
    ctx = None
    if tls:
        crt, key = tlsmod.ensure_cert(env.home, address)
        ctx = tlsmod.context(crt, key, tlsmod.client_ca(env))
    server = ApiServer((address, port), env, token, ctx, verbose)
    watchcache.for_env(env)      # the watch cache starts with the server, as the apiserver's does
    return server

