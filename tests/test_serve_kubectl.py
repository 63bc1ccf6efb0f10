"""`minikctl serve` driven by the machine's real kubectl (the strictest oracle we have).

The server runs in a thread over a temp state directory on the tests' virtual clock, so the
minikctl CLI (in-process, same home, same clock) and kubectl see one cluster at one instant:
their tables must be byte-identical. Also: apply's created/configured/unchanged, exec through
WebSocket, errors rendered by kubectl from our Status objects, bad input, 401, watch.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import GO_SPEED, ROOT, SPEC, Minikctl, table_check

KUBECTL = shutil.which("kubectl") or ("/usr/bin/kubectl" if os.path.exists("/usr/bin/kubectl") else None)
pytestmark = [pytest.mark.skipif(KUBECTL is None, reason="no kubectl installed on this machine: nothing to serve to"),
              pytest.mark.skipif(shutil.which("openssl") is None,
                                 reason="no openssl command: serve cannot make its TLS certificate")]
APPS = ("headless-server", "web-server", "headless-web-server")


def real_second(latest: float = 0.4) -> float:
    """The wall-clock second now begun, if no more than `latest` of it has passed, else the next
    one (after sleeping to it): kubectl prints ages from the real clock, so a cluster compared
    with it must stand on a whole second, and kubectl must answer before that second ends
    (callers that retry a late answer take the default; latest=0 always waits for a new second)."""
    import math
    import time
    t = time.time()
    if latest <= 0 or t - math.floor(t) > latest:
        time.sleep(math.ceil(t) - t + 0.005)
    return float(math.floor(time.time()))


def served_near_now(tmp_path_factory, name: str):
    """A module fixture's body: a served cluster whose virtual clock starts 15 minutes before the
    real one (kubectl reads ages against the wall clock), closed after the module."""
    import math
    import time

    import tests.conftest as conftest
    if KUBECTL is None:
        pytest.skip("no kubectl")
    root = tmp_path_factory.mktemp(name)
    mp = pytest.MonkeyPatch()
    mp.setattr(conftest, "T0", float(math.floor(time.time()) - 900))
    try:
        s = Served(root)
    finally:
        mp.undo()
    yield s
    s.close()


class Served:
    """A cluster, the API server over it, and a kubectl configured for it."""

    def __init__(self, root: Path):
        from minikctl.apiserver import http, kubeconfig
        from minikctl.env import Env
        self.mk = Minikctl(root / "state")
        self.mk("get", "ns")  # initialise the cluster (token, profile)
        env = Env(home=self.mk.home, clock=lambda: self.mk.clock, seed=self.mk.seed, no_color=True)
        self.env = env
        self.server = http.make_server(env, "127.0.0.1", 0)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()
        self.kubeconfig = kubeconfig.write(env, root / "kubeconfig", "127.0.0.1", self.port)
        self.home = root / "kube-home"
        self.home.mkdir()
        self.cert = (self.mk.home / "pki" / "apiserver.crt")
        from minikctl.apiserver import state
        self.token = state.token(env)

    def kubectl(self, *args: str, stdin: str = "", timeout: float = 60) -> subprocess.CompletedProcess:
        env = {**GO_SPEED, "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.home),
               "KUBECONFIG": str(self.kubeconfig)}
        return subprocess.run([KUBECTL, *args], input=stdin, capture_output=True, text=True, env=env,
                              timeout=timeout)

    def http(self, method: str, path: str, body: bytes | None = None, ctype: str = "application/json",
             token: str | None = None, accept: str = "application/json"):
        """A raw request: (code, parsed JSON or text)."""
        ctx = ssl.create_default_context(cafile=str(self.cert))
        req = urllib.request.Request(f"https://127.0.0.1:{self.port}{path}", data=body, method=method)
        req.add_header("Authorization", f"Bearer {self.token if token is None else token}")
        req.add_header("Accept", accept)
        if body is not None:
            req.add_header("Content-Type", ctype)
        try:
            with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
                code, data = r.status, r.read()
        except urllib.error.HTTPError as e:
            code, data = e.code, e.read()
        try:
            return code, json.loads(data)
        except ValueError:
            return code, data.decode()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = Served(tmp_path_factory.mktemp("serve"))
    for name in ("test-headless-server", "web-server", "headless-web-server", "busybox"):
        r = s.kubectl("apply", "-f", str(SPEC / f"{name}.yaml"))
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip().endswith(" created"), r.stdout
    s.mk.advance(30)
    yield s
    s.close()


# ---------------------------------------------------------------- same cluster, same bytes

@pytest.mark.parametrize("app", APPS)
def test_flagship_tables_identical_to_minikctl(served, app):
    k = served.kubectl("get", "svc,po", "-o", "wide", "-l", f"app={app}")
    m = served.mk("get", "svc,po", "-o", "wide", "-l", f"app={app}")
    assert k.returncode == 0, k.stderr
    assert k.stdout == m.out
    assert k.stdout.count("\n\n") == 1            # one blank line between the two groups
    code, report = table_check(k.stdout)
    assert code == 0, report


@pytest.mark.parametrize("args", [("get", "po"), ("get", "po", "-o", "wide"), ("get", "deploy,rs,sts"),
                                  ("get", "nodes", "-o", "wide"), ("get", "ep"), ("get", "po", "-A"),
                                  ("get", "all"), ("get", "po", "--show-labels"), ("get", "ns"),
                                  ("get", "po", "-L", "app"), ("get", "svc", "kubernetes")])
def test_more_tables_identical(served, args):
    k = served.kubectl(*args)
    m = served.mk(*args)
    assert (k.returncode, k.stdout) == (m.code, m.out), k.stderr


def test_minikctl_sees_what_kubectl_wrote_and_back(served):
    r = served.kubectl("label", "po", "busybox", "tier=probe")
    assert r.stdout == "pod/busybox labeled\n"
    m = served.mk("get", "po", "-l", "tier=probe", "-o", "name")
    assert m.out == "pod/busybox\n"
    served.mk("label", "po", "busybox", "tier-")
    assert served.kubectl("get", "po", "-l", "tier=probe").stderr == "No resources found in default namespace.\n"


# ---------------------------------------------------------------- exec over WebSocket

def _dns_lines(text: str) -> tuple[list[str], set[str]]:
    """(header lines, answers as 'IP NAME') : the numbering follows the per-query shuffle."""
    lines = text.splitlines()
    return lines[:4], {a.split(": ", 1)[1] for a in lines[4:]}


@pytest.mark.parametrize("name", ["headless-svc", "web-server-svc", "headless-web-server-svc"])
def test_exec_nslookup_is_busybox_128_output(served, name):
    k = served.kubectl("exec", "busybox", "--", "nslookup", name)
    m = served.mk("exec", "busybox", "--", "nslookup", name)
    assert k.returncode == 0, k.stderr
    head, addrs = _dns_lines(k.stdout)
    # busybox 1.28: printf("%-10s %s\n") for Server/Name, `Address N: IP NAME` (the spec's format)
    assert head == ["Server:    10.96.0.10", "Address 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local", "",
                    f"Name:      {name}"]
    assert (head, addrs) == _dns_lines(m.out)     # the answer order may be shuffled per query
    assert all(re.fullmatch(r"Address \d: \S+ \S+\.default\.svc\.cluster\.local", a) for a in k.stdout.splitlines()[4:])
    if name == "headless-svc":
        ips = served.kubectl("get", "po", "-l", "app=headless-server", "-o",
                             "jsonpath={.items[*].status.podIP}").stdout.split()
        assert {a.split()[0] for a in addrs} == set(ips) and len(ips) == 3


def test_exec_exit_codes_and_missing_executable(served):
    k = served.kubectl("exec", "busybox", "--", "sh", "-c", "echo out; exit 3")
    m = served.mk("exec", "busybox", "--", "sh", "-c", "echo out; exit 3")
    assert (k.returncode, k.stdout, k.stderr) == (3, "out\n", "command terminated with exit code 3\n")
    assert (m.code, m.out, m.err) == (k.returncode, k.stdout, k.stderr)
    k = served.kubectl("exec", "busybox", "--", "nslookup", "no-such-svc")     # stderr travels on channel 2
    m = served.mk("exec", "busybox", "--", "nslookup", "no-such-svc")
    assert k.returncode == 1 and "can't resolve 'no-such-svc'" in k.stderr
    assert (m.code, m.out, m.err) == (k.returncode, k.stdout, k.stderr)
    k = served.kubectl("exec", "busybox", "--", "no-such-tool")
    assert k.returncode == 1
    assert k.stderr.startswith("error: Internal error occurred: error executing command in container")
    assert 'exec: "no-such-tool": executable file not found in $PATH: unknown' in k.stderr
    k = served.kubectl("exec", "-i", "busybox", "--", "cat", stdin="piped\n")
    assert (k.returncode, k.stdout) == (0, "piped\n")


# ---------------------------------------------------------------- apply, mutate, delete

def test_apply_reports_created_configured_unchanged(served, tmp_path):
    path = SPEC / "web-server.yaml"
    r = served.kubectl("apply", "-f", str(path))
    assert r.stdout == "deployment.apps/web-server-pod unchanged\nservice/web-server-svc unchanged\n", r.stderr
    changed = tmp_path / "web.yaml"
    changed.write_text(path.read_text().replace("replicas: 3", "replicas: 4"))
    assert changed.read_text() != path.read_text()
    r = served.kubectl("apply", "-f", str(changed))
    assert r.stdout == "deployment.apps/web-server-pod configured\nservice/web-server-svc unchanged\n", r.stderr
    served.mk.advance(30)
    assert served.mk("get", "deploy", "web-server-pod", "-o", "jsonpath={.spec.replicas}").out == "4"
    r = served.kubectl("apply", "-f", str(path))
    assert "deployment.apps/web-server-pod configured" in r.stdout
    # and minikctl's own apply of what kubectl applied is unchanged (one last-applied format)
    assert served.mk("apply", "-f", str(path)).out.count("unchanged") == 2
    served.mk.advance(30)


def test_run_expose_scale_delete(served):
    r = served.kubectl("run", "probe", "--image=nginx:1.23", "--labels=app=probe")
    assert r.stdout == "pod/probe created\n", r.stderr
    r = served.kubectl("expose", "pod", "probe", "--port=8080", "--target-port=80")
    assert r.stdout == "service/probe exposed\n", r.stderr
    served.mk.advance(20)
    k = served.kubectl("get", "svc,po", "-o", "wide", "-l", "app=probe")
    assert k.stdout == served.mk("get", "svc,po", "-o", "wide", "-l", "app=probe").out
    assert "8080/TCP" in k.stdout
    r = served.kubectl("scale", "deploy", "pod-server", "--replicas=2")
    assert r.stdout == "deployment.apps/pod-server scaled\n", r.stderr
    served.mk.advance(40)
    assert served.mk("get", "deploy", "pod-server", "-o", "jsonpath={.status.readyReplicas}").out == "2"
    r = served.kubectl("scale", "deploy", "pod-server", "--replicas=3")
    served.mk.advance(30)
    for kind in ("svc", "po"):
        r = served.kubectl("delete", kind, "probe")
        assert r.stdout == f'{"service" if kind == "svc" else "pod"} "probe" deleted\n', r.stderr
    m = served.mk("get", "po", "probe")
    assert m.err == 'Error from server (NotFound): pods "probe" not found\n'


# ---------------------------------------------------------------- errors kubectl prints from our Status

def _both(served, *args, stdin=""):
    k = served.kubectl(*args, stdin=stdin)
    m = served.mk(*args, stdin=stdin)
    return k, m


def test_not_found_matches(served):
    k, m = _both(served, "get", "po", "nope")
    assert (k.returncode, k.stderr) == (1, 'Error from server (NotFound): pods "nope" not found\n')
    assert (m.code, m.err) == (k.returncode, k.stderr)
    k, m = _both(served, "delete", "deploy", "nope")
    assert k.stderr == 'Error from server (NotFound): deployments.apps "nope" not found\n'
    assert m.err == k.stderr


def test_already_exists_matches(served):
    k, m = _both(served, "create", "-f", str(SPEC / "busybox.yaml"))
    assert k.stderr == 'Error from server (AlreadyExists): error when creating "%s": pods "busybox" already exists\n' \
        % (SPEC / "busybox.yaml")
    assert (m.code, m.err) == (k.returncode, k.stderr)


INVALID = """apiVersion: v1
kind: Service
metadata:
  name: bad-svc
spec:
  selector:
    app: x
  ports:
  - port: 0
    targetPort: 70000
"""
UNKNOWN = """apiVersion: v1
kind: Pod
metadata:
  name: typo
spec:
  containers:
  - name: c
    image: nginx
    imagee: nginx
"""


@pytest.mark.parametrize("manifest", [INVALID, UNKNOWN], ids=["invalid", "unknown-field"])
def test_invalid_and_strict_decoding_match(served, tmp_path, manifest):
    f = tmp_path / "m.yaml"
    f.write_text(manifest)
    rev = served.http("GET", "/api/v1/namespaces/default/pods")[1]["metadata"]["resourceVersion"]
    k, m = _both(served, "apply", "-f", str(f))
    assert k.returncode == 1
    assert ("is invalid" in k.stderr) if manifest is INVALID else ('unknown field "spec.containers[0].imagee"' in k.stderr)
    assert (m.code, m.err) == (k.returncode, k.stderr)
    assert served.http("GET", "/api/v1/namespaces/default/pods")[1]["metadata"]["resourceVersion"] == rev


def test_unauthorized(served):
    r = served.kubectl("--token=wrong", "get", "po")
    assert (r.returncode, r.stderr) == (1, "error: You must be logged in to the server (Unauthorized)\n")
    code, body = served.http("GET", "/api/v1/pods", token="")
    assert (code, body["reason"], body["code"]) == (401, "Unauthorized", 401)


# ---------------------------------------------------------------- bad input never crashes or changes state

POD = "/api/v1/namespaces/default/pods"


@pytest.mark.parametrize("method,path,body,ctype,code,reason", [
    ("POST", POD, b"{not json", "application/json", 400, "BadRequest"),
    ("POST", POD, b"a: [b", "application/yaml", 400, "BadRequest"),
    ("POST", POD, b"<pod/>", "application/xml", 415, "UnsupportedMediaType"),
    ("POST", POD, b"x" * (3 * 1024 * 1024 + 1), "application/json", 413, "RequestEntityTooLarge"),
    ("POST", POD + "?fieldValidation=Strict", json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "z"},
                              "spec": {"containers": [{"name": "c", "image": "nginx", "bogus": 1}]}}).encode(),
     "application/json", 400, "BadRequest"),
    ("POST", POD, json.dumps({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "z"}}).encode(),
     "application/json", 400, "BadRequest"),
    ("POST", POD, json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "z"},
                              "spec": {"containers": []}}).encode(), "application/json", 422, "Invalid"),
    ("PATCH", POD + "/busybox", b'{"metadata":{"resourceVersion":"1"}}', "application/merge-patch+json", 409,
     "Conflict"),
    ("PATCH", POD + "/busybox", b"{}", "application/json", 415, "UnsupportedMediaType"),
    ("PATCH", POD + "/busybox", b'[{"op":"remove","path":"/nope"}]', "application/json-patch+json", 400,
     "BadRequest"),
    ("PUT", POD, b"{}", "application/json", 405, "MethodNotAllowed"),
    ("GET", "/api/v1/widgets", None, "", 404, "NotFound"),
    ("GET", "/no/such/path", None, "", 404, "NotFound"),
    ("GET", POD + "?labelSelector=a%20in%20(", None, "", 400, "BadRequest"),
    ("GET", POD + "?fieldSelector=spec.bogus%3Dx", None, "", 400, "BadRequest"),
    ("POST", POD, json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "busybox"},
                              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}).encode(),
     "application/json", 409, "AlreadyExists"),
])
def test_bad_input_gets_status_and_changes_nothing(served, method, path, body, ctype, code, reason):
    before = served.http("GET", POD)[1]
    got, status = served.http(method, path, body, ctype)
    assert (got, status["kind"], status["status"], status["reason"], status["code"]) == \
        (code, "Status", "Failure", reason, code)
    after = served.http("GET", POD)[1]
    assert after["items"] == before["items"]
    assert served.http("GET", "/version")[0] == 200          # still serving


def test_resource_version_conflict_on_update(served):
    code, pod = served.http("GET", POD + "/busybox")
    stale = dict(pod, metadata=dict(pod["metadata"], resourceVersion="1"))
    code, body = served.http("PUT", POD + "/busybox", json.dumps(stale).encode())
    assert (code, body["reason"]) == (409, "Conflict")
    assert body["message"] == ('Operation cannot be fulfilled on pods "busybox": the object has been modified; '
                               "please apply your changes to the latest version and try again")


# ---------------------------------------------------------------- discovery, table, watch

def test_discovery_and_table_columns_are_minikctl_columns(served):
    from minikctl.printers.table import columns_for
    code, agg = served.http("GET", "/apis", accept="application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
    from minikctl.api.kinds import KINDS
    assert agg["kind"] == "APIGroupDiscoveryList" and {i["metadata"]["name"] for i in agg["items"]} == \
        {k.group for k in KINDS if k.group} | {"authentication.k8s.io", "authorization.k8s.io"}
    assert {"apps", "batch", "policy", "discovery.k8s.io", "storage.k8s.io", "networking.k8s.io"} <= {i["metadata"]["name"] for i in agg["items"]}
    code, legacy = served.http("GET", "/apis")
    assert legacy["kind"] == "APIGroupList"
    code, t = served.http("GET", POD, accept="application/json;as=Table;v=v1;g=meta.k8s.io")
    cols = columns_for("Pod", wide=True)
    assert [(c["name"], c["priority"]) for c in t["columnDefinitions"]] == [(c.name, c.priority) for c in cols]
    assert any(c["priority"] == 1 for c in t["columnDefinitions"])
    assert all(len(r["cells"]) == len(cols) for r in t["rows"])


def test_watch_prints_the_initial_listing(served):
    env = {**GO_SPEED, "PATH": os.environ.get("PATH", ""), "HOME": str(served.home), "KUBECONFIG": str(served.kubeconfig)}
    p = subprocess.Popen([KUBECTL, "get", "po", "-w", "-l", "app=web-server"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    try:
        out, _ = p.communicate(timeout=2.5)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
    assert out == served.mk("get", "po", "-l", "app=web-server").out


def test_context_namespace_switch(served):
    r = served.kubectl("config", "set-context", "--current", "--namespace=kube-system")
    assert r.stdout == 'Context "minikctl" modified.\n'
    try:
        assert served.kubectl("get", "po").stdout == served.mk("get", "po", "-n", "kube-system").out
    finally:
        served.kubectl("config", "set-context", "--current", "--namespace=default")


# ---------------------------------------------------------------- the console script

def test_serve_command_and_kubeconfig(tmp_path):
    home = tmp_path / "state"
    env = dict(os.environ, MINIKCTL_HOME=str(home), HOME=str(tmp_path))
    kc = tmp_path / "kc"
    p = subprocess.Popen([sys.executable, "-m", "minikctl", "serve", "--port", "0", "--write-kubeconfig", str(kc)],
                         stderr=subprocess.PIPE, text=True, env=env, cwd=str(ROOT))
    try:
        line = ""
        for _ in range(3):
            line = p.stderr.readline()
            if "Serving" in line:
                break
        port = re.search(r"https://127\.0\.0\.1:(\d+)", line).group(1)
        r = subprocess.run([KUBECTL, "--kubeconfig", str(kc), "get", "nodes", "-o", "name"], capture_output=True,
                           text=True, env=env, timeout=60)
        assert r.stdout.split() == ["node/k8s-master", "node/k8s-worker-01", "node/k8s-worker-02", "node/k8s-worker-03"]
        assert f"server: https://127.0.0.1:{port}" in kc.read_text()
        assert oct(kc.stat().st_mode & 0o777) == "0o600"
        out = subprocess.run([sys.executable, "-m", "minikctl", "kubeconfig"], capture_output=True, text=True,
                             env=env, cwd=str(ROOT)).stdout
        assert "current-context: minikctl" in out and "token: " in out
    finally:
        p.terminate()
        p.wait(timeout=10)


# ---------------------------------------------------------------- logs, edit, server-side apply

def test_logs_match_minikctl(served):
    pod = served.mk("get", "po", "-l", "app=web-server", "-o", "jsonpath={.items[0].metadata.name}").out
    for args in (("logs", pod), ("logs", pod, "--tail=2"), ("logs", pod, "--timestamps")):
        k, m = _both(served, *args)
        assert k.returncode == 0 and k.stdout, k.stderr
        assert k.stdout == m.out
    k = served.kubectl("logs", pod, "-c", "nope")
    assert k.stderr == f"error: container nope is not valid for pod {pod}\n"


def test_edit_and_server_side_apply(served, tmp_path):
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/replicas: 3/replicas: 2/' \"$1\"\n")
    editor.chmod(0o755)
    env = {**GO_SPEED, "PATH": os.environ.get("PATH", ""), "HOME": str(served.home), "KUBECONFIG": str(served.kubeconfig),
           "KUBE_EDITOR": str(editor)}
    r = subprocess.run([KUBECTL, "edit", "deploy", "pod-server"], capture_output=True, text=True, env=env, timeout=60)
    assert r.stdout == "deployment.apps/pod-server edited\n", r.stderr
    assert served.mk("get", "deploy", "pod-server", "-o", "jsonpath={.spec.replicas}").out == "2"
    env["KUBE_EDITOR"] = "true"
    r = subprocess.run([KUBECTL, "edit", "deploy", "pod-server"], capture_output=True, text=True, env=env, timeout=60)
    assert r.stderr == "Edit cancelled, no changes made.\n"
    r = served.kubectl("apply", "--server-side", "-f", str(SPEC / "test-headless-server.yaml"))  # replicas: 3
    # kubectl edit's change is kubectl-edit's field (tests/test_serve_server_side_apply.py)
    assert r.returncode == 1 and r.stderr.startswith('error: Apply failed with 1 conflict: conflict with '
                                                     '"kubectl-edit" using apps/v1: .spec.replicas\n'), r.stderr
    assert r.stdout == "service/headless-svc serverside-applied\n"
    r = served.kubectl("apply", "--server-side", "--force-conflicts", "-f", str(SPEC / "test-headless-server.yaml"))
    assert r.returncode == 0 and r.stdout.splitlines()[0].endswith(" serverside-applied"), r.stderr
    assert served.mk("get", "deploy", "pod-server", "-o", "jsonpath={.spec.replicas}").out == "3"
    served.mk.advance(30)
