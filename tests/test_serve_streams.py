"""Streams through `minikctl serve`, driven by every real kubectl on the machine: interactive exec
with a TTY in a real terminal (tmux), stdin streamed line by line, exit codes from the Status,
SPDY/3.1 (kubectl 1.27-1.29) and WebSocket (1.30+), and the apiserver's answer to a WebSocket
frame over its size limit. The oracle for what the pod prints is minikctl's own exec on the same
cluster at the same instant (itself compared with busybox elsewhere)."""
from __future__ import annotations

import os
import shutil
import socket
import ssl
import struct
import subprocess
import time
import uuid

import pytest

from tests.conftest import SPEC
from tests.test_serve_kubectl import KUBECTL, Served

TMUX = shutil.which("tmux")
BIN = os.path.dirname(os.path.realpath(KUBECTL)) if KUBECTL else ""
# the default kubectl and the oldest / newest the machine carries (1.27 speaks SPDY only)
VERSIONS = [v for v in ("1.27", "default", "1.33")
            if v == "default" or os.path.exists(os.path.join(BIN, f"kubectl.{v}"))]


def kubectl_bin(v: str) -> str:
    return KUBECTL if v == "default" else os.path.join(BIN, f"kubectl.{v}")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    if KUBECTL is None:
        pytest.skip("no kubectl")
    s = Served(tmp_path_factory.mktemp("streams"))
    r = s.kubectl("apply", "-f", str(SPEC / "busybox.yaml"))
    assert r.returncode == 0, r.stderr
    s.mk("run", "nginx", "--image=nginx")
    s.mk.advance(30)
    yield s
    s.close()


def run(served, v: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(served.home),
           "KUBECONFIG": str(served.kubeconfig)}
    return subprocess.run([kubectl_bin(v), *args], input=stdin, capture_output=True, text=True, env=env, timeout=60)


# ---------------------------------------------------------------- non-interactive, both transports

@pytest.mark.parametrize("v", VERSIONS)
def test_exec_exit_code_and_streams(served, v):
    k = run(served, v, "exec", "busybox", "--", "sh", "-c", "echo out; echo err >&2; exit 3")
    assert (k.returncode, k.stdout, k.stderr) == (3, "out\n", "err\ncommand terminated with exit code 3\n"), k.stderr


@pytest.mark.parametrize("v", VERSIONS)
def test_exec_stdin_without_tty_runs_a_shell_line_by_line(served, v):
    k = run(served, v, "exec", "-i", "busybox", "--", "sh", stdin="X=5\ncd /etc\necho $X $PWD\nexit 4\necho never\n")
    assert (k.returncode, k.stdout) == (4, "5 /etc\n"), k.stderr
    k = run(served, v, "exec", "-i", "busybox", "--", "cat", stdin="piped\nlines\n")
    assert (k.returncode, k.stdout) == (0, "piped\nlines\n"), k.stderr


# ---------------------------------------------------------------- a person at a terminal

class Term:
    def __init__(self, served, v: str):
        self.sock = f"minikctl-streams-{uuid.uuid4().hex[:8]}"
        self.served, self.v = served, v

    def tmux(self, *args: str) -> str:
        return subprocess.run([TMUX, "-L", self.sock, "-f", "/dev/null", *args], capture_output=True, text=True,
                              timeout=20).stdout

    def start(self, *kubectl_args: str) -> None:
        env = dict(os.environ, KUBECONFIG=str(self.served.kubeconfig), HOME=str(self.served.home))
        cmd = " ".join([kubectl_bin(self.v), *kubectl_args])
        subprocess.run([TMUX, "-L", self.sock, "-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "160",
                        "-y", "50", "sh", "-c", f"{cmd}; echo \"[exited $?]\"; sleep 600"], env=env, check=True,
                       timeout=20)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "t", "-l", text)
        self.tmux("send-keys", "-t", "t", "Enter")

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "t")

    def wait(self, ok, timeout: float = 20.0, tick: float = 0.0) -> str:
        """Poll the screen until ok(screen); `tick` moves the served cluster's virtual clock on
        by that much each poll (kubectl waits for a pod to start in real time)."""
        end = time.monotonic() + timeout
        while True:
            s = self.screen()
            if ok(s):
                return s
            self.served.mk.clock += tick
            if time.monotonic() > end:
                raise AssertionError("screen never matched:\n" + s)
            time.sleep(0.05)

    def close(self) -> None:
        self.tmux("kill-server")


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (Debian package tmux; .ci/run installs it)")
@pytest.mark.parametrize("v", VERSIONS)
def test_exec_it_sh_in_a_terminal(served, v):
    t = Term(served, v)
    try:
        t.start("exec", "-it", "busybox", "--", "sh")
        t.wait(lambda s: s.rstrip().endswith("/ #"))
        t.type("nslookup kubernetes")
        s = t.wait(lambda s: s.rstrip().endswith("/ #") and s.count("/ #") == 2)
        expected = served.mk("exec", "busybox", "--", "nslookup", "kubernetes").out
        shown = s.split("/ # nslookup kubernetes\n", 1)[1].rsplit("/ #", 1)[0]
        assert shown == expected
        t.type("cd /etc; X=$((40+2)); echo $X")       # the shell keeps its state between lines
        t.wait(lambda s: s.rstrip().endswith("/etc #"))
        t.type("echo $X $PWD")
        s = t.wait(lambda s: "42 /etc\n/etc #" in s)
        t.type("exit 3")
        s = t.wait(lambda s: "[exited" in s)
        assert "/etc # exit 3\ncommand terminated with exit code 3\n[exited 3]" in s
    finally:
        t.close()


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
def test_tty_line_editing_and_ctrl_c(served):
    t = Term(served, "default")
    try:
        t.start("exec", "-it", "busybox", "--", "sh")
        t.wait(lambda s: s.rstrip().endswith("/ #"))
        t.tmux("send-keys", "-t", "t", "-l", "echo helxx")
        t.tmux("send-keys", "-t", "t", "BSpace", "BSpace")
        t.type("lo")
        t.wait(lambda s: "\nhello\n/ #" in s)
        t.tmux("send-keys", "-t", "t", "Up")          # the line editor's history
        t.tmux("send-keys", "-t", "t", "Enter")
        t.wait(lambda s: s.count("/ # echo hello\nhello\n") == 2)
        t.tmux("send-keys", "-t", "t", "-l", "echo discarded")
        t.tmux("send-keys", "-t", "t", "C-c")
        t.wait(lambda s: "echo discarded^C\n/ #" in s)
        t.type("false")
        t.wait(lambda s: s.count("/ #") == 5)
        t.tmux("send-keys", "-t", "t", "C-d")          # end of input: the shell exits with the last status
        s = t.wait(lambda s: "[exited" in s)
        assert "discarded" not in s.split("^C", 1)[1]
        assert "command terminated with exit code 1\n[exited 1]" in s
    finally:
        t.close()


# ---------------------------------------------------------------- bad input

def _raw_upgrade(served) -> ssl.SSLSocket:
    ctx = ssl.create_default_context(cafile=str(served.cert))
    sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", served.port), timeout=10),
                           server_hostname="127.0.0.1")
    req = (f"GET /api/v1/namespaces/default/pods/busybox/exec?command=cat&stdin=true&stdout=true HTTP/1.1\r\n"
           f"Host: 127.0.0.1\r\nAuthorization: Bearer {served.token}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
           "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           "Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n")
    sock.sendall(req.encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101 "), head
    return sock


def test_websocket_frame_over_the_limit_ends_that_connection_only(served):
    from minikctl.apiserver.websocket import MAX_PAYLOAD
    sock = _raw_upgrade(served)
    # a masked binary frame announcing one byte more than the limit; its payload never follows
    sock.sendall(bytes([0x82, 0x80 | 127]) + struct.pack("!Q", MAX_PAYLOAD + 1) + b"\0\0\0\0")
    got = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            break
        got += chunk
    assert got[:2] == bytes([0x88, 2]) and got[2:4] == (1000).to_bytes(2, "big")   # a normal close
    sock.close()
    k = run(served, "default", "exec", "busybox", "--", "echo", "still serving")
    assert (k.returncode, k.stdout) == (0, "still serving\n")


def test_plain_request_to_exec_needs_an_upgrade(served):
    code, body = served.http("GET", "/api/v1/namespaces/default/pods/busybox/exec?command=ls")
    assert code == 400 and body["message"] == "Upgrade request required"


# ---------------------------------------------------------------- port-forward

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str = "/") -> tuple[int, str]:
    import urllib.error
    import urllib.request
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


class Forward:
    def __init__(self, served, v: str, *args: str):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(served.home),
               "KUBECONFIG": str(served.kubeconfig)}
        self.p = subprocess.Popen([kubectl_bin(v), "port-forward", *args], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env=env)
        self.first = self.p.stdout.readline()          # "Forwarding from 127.0.0.1:P -> R"

    def close(self) -> tuple[str, str]:
        if self.p.poll() is None:
            self.p.terminate()
        out, err = self.p.communicate(timeout=20)
        return self.first + out, err


@pytest.mark.parametrize("v", VERSIONS)
def test_port_forward_reaches_nginx(served, v):
    port = _free_port()
    f = Forward(served, v, "pod/nginx", f"{port}:80")
    try:
        assert f.first == f"Forwarding from 127.0.0.1:{port} -> 80\n"
        code, body = _get(port)
        ip = served.mk("get", "pod", "nginx", "-o", "jsonpath={.status.podIP}").out
        inside = served.mk("exec", "busybox", "--", "wget", "-qO-", f"http://{ip}/").out
        assert code == 200 and body == inside and "<title>Welcome to nginx!</title>" in body
        assert _get(port, "/missing")[0] == 404                    # the next request on the forward
        if shutil.which("curl"):
            r = subprocess.run(["curl", "-s", f"127.0.0.1:{port}"], capture_output=True, text=True, timeout=20)
            assert r.stdout == inside
    finally:
        out, _ = f.close()
    assert f"Handling connection for {port}\n" in out


@pytest.mark.parametrize("v", VERSIONS)
def test_port_forward_to_a_closed_port_loses_the_connection(served, v):
    port = _free_port()
    f = Forward(served, v, "pod/nginx", f"{port}:81")
    try:
        with pytest.raises(Exception):
            _get(port)
        f.p.wait(timeout=20)
    finally:
        _, err = f.close()
    assert f.p.returncode == 1
    assert f"an error occurred forwarding {port} -> 81: error forwarding port 81 to pod " in err
    assert "dial tcp4 127.0.0.1:81: connect: connection refused" in err
    assert err.endswith("error: lost connection to pod\n")


# ---------------------------------------------------------------- kubectl cp (tar in the container)

@pytest.mark.parametrize("v", VERSIONS)
def test_kubectl_cp_both_ways(served, v, tmp_path):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("hello\nworld\n")
    (src / "sub" / "b.txt").write_text("deeper\n")
    (tmp_path / "bin.dat").write_bytes(b"\x00\xff\xfe\x80binary\n")
    dest = f"/tmp/cp-{v}"
    for local, remote in ((src / "a.txt", f"{dest}-a.txt"), (src, f"{dest}-dir"), (tmp_path / "bin.dat", f"{dest}.bin")):
        k = run(served, v, "cp", str(local), f"busybox:{remote}")
        assert (k.returncode, k.stderr) == (0, ""), k.stderr
    assert served.mk("exec", "busybox", "--", "cat", f"{dest}-a.txt").out == "hello\nworld\n"
    assert served.mk("exec", "busybox", "--", "cat", f"{dest}-dir/sub/b.txt").out == "deeper\n"
    back = tmp_path / "back"
    back.mkdir()
    for remote, local in ((f"{dest}-a.txt", back / "a.txt"), (f"{dest}-dir", back / "dir"), (f"{dest}.bin", back / "bin")):
        k = run(served, v, "cp", f"busybox:{remote}", str(local))
        assert k.returncode == 0, k.stderr
    assert (back / "a.txt").read_text() == "hello\nworld\n"
    assert (back / "dir" / "sub" / "b.txt").read_text() == "deeper\n"
    assert (back / "bin").read_bytes() == b"\x00\xff\xfe\x80binary\n"


# ---------------------------------------------------------------- logs -f

def test_logs_follow_streams_new_lines_until_the_client_leaves(served):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(served.home),
           "KUBECONFIG": str(served.kubeconfig)}
    p = subprocess.Popen([KUBECTL, "logs", "-f", "nginx"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env)
    try:
        before = served.mk("logs", "nginx").out
        first = [p.stdout.readline() for _ in before.splitlines()]
        assert "".join(first) == before
        ip = served.mk("get", "pod", "nginx", "-o", "jsonpath={.status.podIP}").out
        served.mk("exec", "busybox", "--", "wget", "-qO-", f"http://{ip}/followed")
        line = p.stdout.readline()                      # arrives while kubectl keeps following
        assert '"GET /followed HTTP/1.1" 404' in line
        assert served.mk("logs", "nginx").out == before + line
        assert p.poll() is None
    finally:
        p.terminate()
        p.wait(timeout=10)


# ---------------------------------------------------------------- run --rm -it, attach

@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
@pytest.mark.parametrize("v", VERSIONS)
def test_run_rm_it_gives_a_shell_and_the_exit_code(served, v):
    name = "shell-" + v.replace(".", "")
    t = Term(served, v)
    try:
        t.start("run", name, "--rm", "-it", "--image=busybox", "--restart=Never", "--", "sh")
        t.wait(lambda s: "If you don't see a command prompt, try pressing enter.\n/ #" in s, timeout=40, tick=0.5)
        t.type("hostname; echo $((6*7))")
        t.wait(lambda s: f"\n{name}\n42\n/ #" in s)
        t.type("exit 3")
        s = t.wait(lambda s: "[exited" in s, timeout=40, tick=0.5)
        assert f'/ # exit 3\npod "{name}" deleted\npod default/{name} terminated (Error)\n[exited 3]' in s
    finally:
        t.close()
    assert served.mk("get", "pod", name).code == 1


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
def test_attach_to_a_shell_keeps_its_state_between_attaches(served):
    manifest = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: keeper\nspec:\n  restartPolicy: Never\n  containers:\n"
                "  - name: keeper\n    image: busybox\n    command: [sh]\n    stdin: true\n    tty: true\n")
    assert served.kubectl("apply", "-f", "-", stdin=manifest).returncode == 0
    served.mk.advance(10)
    t = Term(served, "default")
    try:
        t.start("attach", "-it", "keeper")
        t.wait(lambda s: s.rstrip().endswith("/ #"))
        t.type("cd /tmp; KEPT=yes")
        t.wait(lambda s: s.rstrip().endswith("/tmp #"))
    finally:
        t.close()
    t = Term(served, "default")
    try:
        t.start("attach", "-it", "keeper")
        t.wait(lambda s: s.rstrip().endswith("/tmp #"))
        t.type("echo $KEPT; exit 5")
        s = t.wait(lambda s: "[exited" in s)
        assert "yes\n" in s
    finally:
        t.close()
    served.mk.advance(5)
    r = served.mk("get", "pod", "keeper", "-o", "jsonpath={.status.phase} {.status.containerStatuses[0].state.terminated.exitCode}")
    assert r.out == "Failed 5"


# ---------------------------------------------------------------- another client: the official Python one

def test_python_client_exec_stdin_and_port_forward(served):
    pytest.importorskip("kubernetes")
    from kubernetes import client, config
    from kubernetes.stream import portforward, stream
    api = client.CoreV1Api(config.new_client_from_config(config_file=str(served.kubeconfig)))
    out = stream(api.connect_get_namespaced_pod_exec, "busybox", "default", command=["sh", "-c", "echo hi; exit 0"],
                 stderr=True, stdin=False, stdout=True, tty=False)
    assert out == "hi\n"                                 # v4.channel.k8s.io over WebSocket
    resp = stream(api.connect_get_namespaced_pod_exec, "busybox", "default", command=["sh"], stderr=True,
                  stdin=True, stdout=True, tty=False, _preload_content=False)
    resp.write_stdin("echo streamed $((2+3))\n")
    got = ""
    for _ in range(50):
        resp.update(timeout=0.2)
        got += resp.read_stdout() or ""
        if got:
            break
    assert got == "streamed 5\n"                         # answered before stdin closes
    resp.write_stdin("exit 4\n")
    resp.run_forever(timeout=10)
    assert resp.returncode == 4
    pf = portforward(api.connect_get_namespaced_pod_portforward, "nginx", "default", ports="80")
    sock = pf.socket(80)
    sock.setblocking(True)
    sock.settimeout(10)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: nginx\r\n\r\n")
    data = b""
    while b"</html>" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    sock.close()
    assert data.startswith(b"HTTP/1.1 200 OK\r\n") and b"<title>Welcome to nginx!</title>" in data


@pytest.mark.parametrize("v", VERSIONS)
def test_exec_into_a_pending_pod_is_refused_as_the_kubelet_refuses(served, v):
    if served.mk("get", "pod", "pending").code:
        served.mk("run", "pending", "--image=nginx", '--overrides={"spec":{"nodeSelector":{"no":"such-node"}}}')
    k = run(served, v, "exec", "pending", "--", "ls")
    m = served.mk("exec", "pending", "--", "ls")
    assert (k.returncode, k.stderr) == (1, 'error: unable to upgrade connection: container not found ("pending")\n')
    assert (m.code, m.err) == (k.returncode, k.stderr)


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
def test_exec_it_bash_in_a_debian_image(served):
    t = Term(served, "default")
    try:
        t.start("exec", "-it", "nginx", "--", "bash")
        t.wait(lambda s: s.rstrip().endswith("root@nginx:/#"))
        t.type("cd /usr/share/nginx/html; cat nope")
        s = t.wait(lambda s: s.rstrip().endswith("root@nginx:/usr/share/nginx/html#"))
        assert "cat: nope: No such file or directory\n" in s
        t.type("exit")                                   # bash's status: the last command's, and it says exit
        s = t.wait(lambda s: "[exited" in s)
        assert "root@nginx:/usr/share/nginx/html# exit\nexit\ncommand terminated with exit code 1\n[exited 1]" in s
    finally:
        t.close()
