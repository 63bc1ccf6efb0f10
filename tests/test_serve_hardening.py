"""`minikctl serve` hardening (issue 18 items 2, 6): a token from the OS that one can rotate and
no one can derive; the apiserver's header and idle timeouts; a connection cap; the body limit
decided from Content-Length before any body is read. Plain HTTP here (the limits sit below TLS)."""
from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import Minikctl


@pytest.fixture
def served(tmp_path, monkeypatch):
    from minikctl.apiserver import http
    from minikctl.env import Env
    monkeypatch.setattr(http, "MAX_CONNECTIONS", 4)
    mk = Minikctl(tmp_path / "state")
    assert mk("get", "ns").code == 0
    env = Env(home=mk.home, clock=lambda: mk.clock, seed=mk.seed, no_color=True)
    srv = http.make_server(env, "127.0.0.1", 0, tls=False)
    srv.header_timeout, srv.idle_timeout = 0.5, 0.8
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    srv.mk = mk
    yield srv
    srv.shutdown()
    srv.server_close()


def _get(srv, path: str, token: str | None = None, body: bytes | None = None, headers: dict | None = None):
    from minikctl.apiserver import state
    req = urllib.request.Request(f"http://127.0.0.1:{srv.server_address[1]}{path}", data=body,
                                 method="POST" if body is not None else "GET")
    req.add_header("Authorization", f"Bearer {token if token is not None else state.token(srv.env)}")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def _conn(srv) -> socket.socket:
    return socket.create_connection(("127.0.0.1", srv.server_address[1]), timeout=5)


def _until(cond, limit: float = 10.0) -> None:
    deadline = time.monotonic() + limit
    while not cond():
        assert time.monotonic() < deadline
        time.sleep(0.02)


def _response(s: socket.socket) -> bytes:
    """One whole HTTP response (headers, then Content-Length bytes of body)."""
    s.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            return data
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    n = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
    while len(body) < n:
        chunk = s.recv(4096)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _closed(s: socket.socket, within: float) -> bool:
    s.settimeout(within)
    try:
        return s.recv(1) == b""
    except (socket.timeout, TimeoutError):
        return False
    except ConnectionResetError:
        return True


# ---------------------------------------------------------------------------------------------
# Item 2: the token


def test_the_token_is_random_not_derived_from_the_seed(tmp_path):
    from minikctl.apiserver import state
    from minikctl.env import Env
    tokens = set()
    for run in ("a", "b"):
        mk = Minikctl(tmp_path / run, seed=7)
        assert mk("get", "ns").code == 0
        tokens.add(state.token(Env(home=mk.home, clock=lambda: mk.clock, seed=7)))
        info = mk("cluster", "info")
        assert not any(t in info.out + info.err for t in tokens)
    assert len(tokens) == 2 and all(len(t) == 32 for t in tokens)  # same seed, different tokens
    # and the seeded replay is unchanged by it: same uids for the same seed
    a, b = (Minikctl(tmp_path / x, seed=7)("get", "ns", "default", "-o", "jsonpath={.metadata.uid}").out
            for x in ("a", "b"))
    assert a == b


def test_rotate_replaces_the_token_for_a_running_serve(served, tmp_path):
    from minikctl.apiserver import state
    old = state.token(served.env)
    assert _get(served, "/api/v1/namespaces")[0] == 200
    r = served.mk("kubeconfig", "--rotate", "-o", str(tmp_path / "kc"))
    assert r.code == 0 and old not in r.out and old not in r.err
    new = state.token(served.env)
    assert new != old and new in (tmp_path / "kc").read_text() and new not in r.out
    time.sleep(1.05)
    assert _get(served, "/api/v1/namespaces", token=new)[0] == 200
    code, body = _get(served, "/api/v1/namespaces", token=old)
    assert (code, body["reason"]) == (401, "Unauthorized")


# ---------------------------------------------------------------------------------------------
# Item 6: timeouts, connection cap, body limit


def test_idle_and_slow_header_connections_are_closed(served):
    idle = _conn(served)
    assert _closed(idle, 3.0)  # said nothing: closed after the idle timeout
    slow = _conn(served)
    slow.sendall(b"GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n")  # headers never finished
    assert _closed(slow, 3.0)
    assert _get(served, "/api/v1/namespaces")[0] == 200


def test_the_connection_cap_holds_and_frees(served):
    hogs = [_conn(served) for _ in range(4)]
    _until(lambda: served.slots._value == 0)  # all four accepted and holding a slot
    extra = _conn(served)
    assert _closed(extra, 5.0)  # over the cap: closed at once
    for h in hogs:
        h.close()
    _until(lambda: served.slots._value > 0)
    assert _get(served, "/api/v1/namespaces")[0] == 200


def test_an_oversized_body_is_refused_from_its_content_length(served):
    from minikctl.apiserver import state
    token = state.token(served.env)
    s = _conn(served)
    s.sendall(b"POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Authorization: Bearer " + token.encode() + b"\r\nContent-Length: 104857600\r\n\r\n")
    reply = _response(s)  # answered though no body byte was ever sent (reading it would block)
    assert reply.startswith(b"HTTP/1.1 413")
    body = json.loads(reply.split(b"\r\n\r\n", 1)[1])
    assert (body["reason"], body["message"]) == ("RequestEntityTooLarge", "Request entity too large: limit is 3145728")
    s.close()
    anon = _conn(served)  # unauthenticated: 401 from the headers, the body never read
    anon.sendall(b"POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n")
    assert _response(anon).startswith(b"HTTP/1.1 401")
    anon.close()
    assert _get(served, "/api/v1/namespaces")[0] == 200
