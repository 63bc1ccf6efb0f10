"""port-forward: a real loopback listener answered by the simulated pod, with kubectl's lines.

Each test binds an ephemeral port (`:80` lets the kernel pick, as kubectl does), talks HTTP to
it with a real socket, and stops the forward; everything is bounded by short timeouts.
"""
from __future__ import annotations

import io
import re
import socket
import threading
import urllib.request

import pytest

from tests.conftest import SPEC


def _env(mk):
    from minikctl.env import Env
    out, err = io.StringIO(), io.StringIO()
    return Env(stdout=out, stderr=err, stdin=io.StringIO(""), home=mk.home, clock=lambda: mk.clock,
               seed=mk.seed, no_color=True), out, err


def _start(mk, target: str, ports: list[str], ns: str = "default"):
    from minikctl.cli.port_forward_cmd import forward
    env, out, err = _env(mk)
    stop, ready = threading.Event(), threading.Event()
    result: dict = {}

    def run():
        try:
            result["code"] = forward(env, target, ports, ns, stop=stop, ready=ready)
        except Exception as e:          # CliError and friends: what the CLI would render
            result["error"] = e
            ready.set()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    assert ready.wait(10)
    return t, stop, out, err, result


def _port(out: io.StringIO) -> int:
    m = re.search(r"Forwarding from 127\.0\.0\.1:(\d+) -> ", out.getvalue())
    assert m, out.getvalue()
    return int(m.group(1))


@pytest.fixture
def lab(mk):
    for f in ("web-server.yaml", "busybox.yaml"):
        assert mk("apply", "-f", str(SPEC / f)).code == 0
    mk.advance(30)
    return mk


def test_pod_port_forward_serves_nginx_page_on_loopback(lab):
    pod = lab("get", "po", "-l", "app=web-server", "-o", "jsonpath={.items[0].metadata.name}").out
    t, stop, out, err, result = _start(lab, f"pod/{pod}", [":80"])
    try:
        port = _port(out)
        lines = out.getvalue().splitlines()
        assert lines[0] == f"Forwarding from 127.0.0.1:{port} -> 80"
        assert lines[1] in (f"Forwarding from [::1]:{port} -> 80",)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            body = r.read().decode()
            assert r.status == 200 and r.headers["Server"].startswith("nginx/")
        assert "<title>Welcome to nginx!</title>" in body
        assert f"Handling connection for {port}" in out.getvalue()
    finally:
        stop.set()
        t.join(5)
    assert result.get("code") == 0 and not t.is_alive()


def test_service_port_is_translated_to_the_target_port(lab):
    t, stop, out, err, result = _start(lab, "svc/web-server-svc", [":80"])
    try:
        port = _port(out)
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /missing HTTP/1.1\r\nHost: x\r\n\r\n")
        data = s.recv(65536).decode()
        s.close()
        assert data.startswith("HTTP/1.1 404 Not Found\r\n") and "<h1>404 Not Found</h1>" in data
    finally:
        stop.set()
        t.join(5)


def test_a_port_the_pod_does_not_listen_on_loses_the_connection(lab):
    from minikctl.api.errors import CliError
    pod = lab("get", "po", "-l", "app=web-server", "-o", "jsonpath={.items[0].metadata.name}").out
    t, stop, out, err, result = _start(lab, pod, [":81"])
    port = _port(out)
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert s.recv(1024) == b""           # closed without an answer
    s.close()
    t.join(5)
    assert not t.is_alive()
    assert isinstance(result.get("error"), CliError) and result["error"].message == "lost connection to pod"
    assert "portforward.go:424] \"Unhandled Error\" err=\"an error occurred forwarding" in err.getvalue()
    assert "dial tcp4 127.0.0.1:81: connect: connection refused" in err.getvalue()


def test_errors(lab):
    r = lab("port-forward", "pod/nope", "8080:80")
    assert (r.code, r.err) == (1, 'Error from server (NotFound): pods "nope" not found\n')
    r = lab("port-forward", "svc/web-server-svc", "8080:81")
    assert (r.code, r.err) == (1, "error: Service web-server-svc does not have a service port 81\n")
    r = lab("port-forward", "pod/busybox")
    assert r.code == 1 and r.err.startswith("error: TYPE/NAME and list of ports are required for port-forward")
    assert lab("run", "pending", "--image=nginx", "--overrides",
               '{"spec": {"nodeSelector": {"disktype": "none"}}}').code == 0
    r = lab("port-forward", "pending", "8080:80")
    assert (r.code, r.err) == (1, "error: unable to forward port because pod is not running. Current status=Pending\n")


def test_port_in_use(lab):
    busy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    try:
        from minikctl.api.errors import CliError
        env, out, err = _env(lab)
        from minikctl.cli.port_forward_cmd import forward
        # ::1 may still be free: then kubectl forwards on it alone; take both families to be sure
        busy6 = None
        try:
            busy6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            busy6.bind(("::1", port))
            busy6.listen(1)
        except OSError:
            busy6 = None
        with pytest.raises(CliError) as e:
            forward(env, "pod/busybox", [f"{port}:80"], "default", stop=threading.Event())
        assert e.value.message == f"unable to listen on any of the requested ports: [{{{port} 80}}]"
        assert f"Unable to listen on port {port}: Listeners failed to create with the following errors: " \
               f"[unable to create listener: Error listen tcp4 127.0.0.1:{port}: bind: address already in use" in err.getvalue()
        if busy6:
            busy6.close()
    finally:
        busy.close()
