"""Watches through `minikctl serve`, served from the watch cache the commits push into
(minikctl/apiserver/watchcache.py): resourceVersion semantics, 410 Gone, bookmarks, filtered
watches, the simulation's own progress and another process's writes reaching a watcher, the
real kubectl's `get -w`, and the protobuf stream."""
from __future__ import annotations

import http.client
import json
import os
import ssl
import subprocess
import threading
import time

import pytest

from tests.conftest import SPEC, cli
from tests.test_serve_kubectl import KUBECTL, Served, pytestmark  # noqa: F401  (skips without kubectl/openssl)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = Served(tmp_path_factory.mktemp("watch"))
    yield s
    s.close()


class Stream:
    """A raw watch: events read by a thread, as (type, object) pairs, or protobuf frames."""

    def __init__(self, s: Served, path: str, accept: str = "application/json"):
        ctx = ssl.create_default_context(cafile=str(s.cert))
        self.conn = http.client.HTTPSConnection("127.0.0.1", s.port, context=ctx, timeout=30)
        self.conn.request("GET", path, headers={"Authorization": f"Bearer {s.token}", "Accept": accept})
        self.resp = self.conn.getresponse()
        self.events: list = []
        self.done = threading.Event()
        self.accept = accept
        if self.resp.status == 200:
            threading.Thread(target=self._read, daemon=True).start()
        else:
            self.status = json.loads(self.resp.read())
            self.done.set()

    def _read(self) -> None:
        buf = b""
        try:
            while True:
                chunk = self.resp.read1(65536)
                if not chunk:
                    break
                buf += chunk
                if "protobuf" in self.accept:
                    while len(buf) >= 4 and len(buf) >= 4 + int.from_bytes(buf[:4], "big"):
                        n = int.from_bytes(buf[:4], "big")
                        self.events.append(buf[4:4 + n])
                        buf = buf[4 + n:]
                    continue
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    ev = json.loads(line)
                    self.events.append((ev["type"], ev["object"]))
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            pass                          # closed by the test
        self.done.set()

    def wait(self, n: int, timeout: float = 10.0) -> list:
        end = time.monotonic() + timeout
        while len(self.events) < n and time.monotonic() < end and not self.done.is_set():
            time.sleep(0.01)
        return self.events

    def close(self):
        import socket
        try:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except (OSError, AttributeError):
            pass
        self.conn.close()


def _rv(s: Served, path: str) -> str:
    return s.http("GET", path)[1]["metadata"]["resourceVersion"]


def _cm(s: Served, name: str, data: dict, labels: dict | None = None, method: str = "POST"):
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": labels or {}}, "data": data}
    path = "/api/v1/namespaces/default/configmaps" + (f"/{name}" if method == "PUT" else "")
    if method == "PUT":
        body["metadata"]["resourceVersion"] = s.http("GET", path)[1]["metadata"]["resourceVersion"]
    code, out = s.http(method, path, json.dumps(body).encode())
    assert code in (200, 201), out
    return out


def test_watch_from_a_version_replays_what_changed_since(served):
    rv = _rv(served, "/api/v1/namespaces/default/configmaps")
    a = _cm(served, "w-a", {"k": "1"})
    b = _cm(served, "w-a", {"k": "2"}, method="PUT")
    code, gone = served.http("DELETE", "/api/v1/namespaces/default/configmaps/w-a")
    assert code == 200
    st = Stream(served, f"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={rv}")
    evs = st.wait(3)
    assert [(t, o["metadata"]["name"], o["data"]["k"]) for t, o in evs] == \
           [("ADDED", "w-a", "1"), ("MODIFIED", "w-a", "2"), ("DELETED", "w-a", "2")]
    rvs = [int(o["metadata"]["resourceVersion"]) for _, o in evs]
    assert rvs[0] == int(a["metadata"]["resourceVersion"]) and rvs[1] == int(b["metadata"]["resourceVersion"])
    assert rvs == sorted(rvs) and rvs[2] > rvs[1]
    st.close()
    # from the ADDED event's version: only what came after it
    st = Stream(served, f"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={rvs[0]}")
    assert [t for t, _ in st.wait(2)] == ["MODIFIED", "DELETED"]
    st.close()


def test_watch_without_version_starts_with_the_state_then_pushes_changes(served):
    _cm(served, "w-b", {"k": "1"})
    have = [o["metadata"]["name"] for o in served.http("GET", "/api/v1/namespaces/default/configmaps")[1]["items"]]
    st = Stream(served, "/api/v1/namespaces/default/configmaps?watch=true")
    first = st.wait(len(have))
    assert [(t, o["metadata"]["name"]) for t, o in first] == [("ADDED", n) for n in have]
    assert "w-b" in have and "kube-root-ca.crt" in have
    n = len(first)
    _cm(served, "w-c", {"k": "1"})
    evs = st.wait(n + 1)
    assert (evs[-1][0], evs[-1][1]["metadata"]["name"]) == ("ADDED", "w-c")
    st.close()


def test_too_old_version_is_410_gone(served):
    code, st = served.http("GET", "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1")
    assert code == 410
    assert st["reason"] == "Expired" and st["code"] == 410
    assert st["message"].startswith("too old resource version: 1 (")
    r = served.kubectl("get", "--raw", "/api/v1/configmaps?watch=true&resourceVersion=1")
    assert r.returncode == 1 and r.stderr.startswith("Error from server (Expired): too old resource version: 1 (")
    # the server keeps serving
    assert served.kubectl("get", "cm").returncode == 0


def test_too_large_version_is_the_apiservers_timeout(served):
    rv = int(_rv(served, "/api/v1/namespaces/default/configmaps"))
    code, st = served.http("GET", f"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={rv + 1000}")
    assert (code, st["reason"]) == (504, "Timeout")
    assert st["message"] == f"Too large resource version: {rv + 1000}, current: {rv}"


def test_bookmarks_before_the_deadline(served):
    rv = _rv(served, "/api/v1/namespaces/default/configmaps")
    st = Stream(served, "/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true"
                        f"&timeoutSeconds=3&resourceVersion={rv}")
    st.done.wait(10)
    marks = [o for t, o in st.events if t == "BOOKMARK"]
    assert len(marks) == 1
    assert marks[0]["kind"] == "ConfigMap" and marks[0]["metadata"]["resourceVersion"] == \
        _rv(served, "/api/v1/namespaces/default/configmaps")


def test_label_selected_watch_sees_objects_leave_and_enter(served):
    _cm(served, "w-sel", {"k": "1"}, labels={"tier": "x"})
    rv = _rv(served, "/api/v1/namespaces/default/configmaps")
    st = Stream(served, f"/api/v1/namespaces/default/configmaps?watch=true&labelSelector=tier%3Dx&resourceVersion={rv}")
    _cm(served, "w-sel", {"k": "2"}, labels={"tier": "y"}, method="PUT")
    _cm(served, "w-sel", {"k": "3"}, labels={"tier": "x"}, method="PUT")
    evs = st.wait(2)
    assert [(t, o["data"]["k"]) for t, o in evs] == [("DELETED", "1"), ("ADDED", "3")]
    st.close()


def test_the_simulation_moves_on_for_a_watcher(served):
    """Nobody sends a request: the watch cache's dispatcher fires the kubelet's timers when the
    clock reaches them, and the pods' progress reaches the watcher."""
    assert served.kubectl("create", "deployment", "w-dep", "--image=nginx").returncode == 0
    rv = _rv(served, "/api/v1/namespaces/default/pods")
    st = Stream(served, f"/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3Dw-dep&resourceVersion={rv}")
    served.mk.advance(30)
    end = time.monotonic() + 10
    while time.monotonic() < end and not any(o["status"].get("phase") == "Running" for _, o in st.events):
        time.sleep(0.05)
    assert any(t == "MODIFIED" and o["status"].get("phase") == "Running" for t, o in st.events)
    st.close()


def test_another_process_writes_reach_the_watcher(served):
    rv = _rv(served, "/api/v1/namespaces/default/configmaps")
    st = Stream(served, f"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={rv}")
    r = cli("create", "configmap", "w-ext", "--from-literal=a=b", home=served.mk.home)
    assert r.code == 0, r.err
    evs = st.wait(1)
    assert [(t, o["metadata"]["name"]) for t, o in evs] == [("ADDED", "w-ext")]
    st.close()


def test_real_kubectl_get_watch_only(served):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(served.home),
           "KUBECONFIG": str(served.kubeconfig)}
    from minikctl.apiserver import watchcache
    cache = watchcache.current(served.env)
    before = len(cache.watchers.get("ConfigMap", ()))
    p = subprocess.Popen([KUBECTL, "get", "cm", "--watch-only", "-o", "name"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    try:
        end = time.monotonic() + 30          # until kubectl's watch is registered
        while len(cache.watchers.get("ConfigMap", ())) <= before and time.monotonic() < end:
            time.sleep(0.05)
        _cm(served, "w-kubectl", {"a": "b"})
        got = []
        reader = threading.Thread(target=lambda: got.append(p.stdout.readline()), daemon=True)
        reader.start()
        reader.join(30)
        assert got == ["configmap/w-kubectl\n"]
    finally:
        p.terminate()
        p.wait(5)


def test_protobuf_watch_stream(served):
    from minikctl.apiserver import protobuf
    rv = _rv(served, "/api/v1/namespaces/default/configmaps")
    st = Stream(served, f"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={rv}",
                accept="application/vnd.kubernetes.protobuf;stream=watch, application/vnd.kubernetes.protobuf")
    assert st.resp.getheader("Content-Type") == "application/vnd.kubernetes.protobuf;stream=watch"
    _cm(served, "w-pb", {"a": "b"})
    frames = st.wait(1)
    kind, raw = _event_of(frames[0])
    assert kind == "ADDED"
    obj = protobuf.decode(raw, "v1", "ConfigMap")
    assert (obj["kind"], obj["metadata"]["name"], obj["data"]) == ("ConfigMap", "w-pb", {"a": "b"})
    st.close()


def _event_of(frame: bytes) -> tuple[str, bytes]:
    """A WatchEvent frame's type (field 1) and enveloped object (field 2, a RawExtension's raw)."""
    from minikctl.apiserver import protobuf
    kind, raw = "", b""
    for num, _, v in protobuf.fields(frame):
        if num == 1:
            kind = frame[v[0]:v[1]].decode()
        elif num == 2:
            for n2, _, v2 in protobuf.fields(frame, v[0], v[1]):
                if n2 == 1:
                    raw = frame[v2[0]:v2[1]]
    return kind, raw


def test_a_watcher_that_hangs_up_is_let_go(served):
    """A client gone is noticed without an event to write (its connection slot comes back)."""
    from minikctl.apiserver import watchcache
    cache = watchcache.current(served.env)
    before = len(cache.watchers.get("Secret", ()))
    st = Stream(served, "/api/v1/namespaces/default/secrets?watch=true")
    end = time.monotonic() + 10
    while len(cache.watchers.get("Secret", ())) <= before and time.monotonic() < end:
        time.sleep(0.02)
    assert len(cache.watchers.get("Secret", ())) == before + 1
    st.close()
    end = time.monotonic() + 10
    while len(cache.watchers.get("Secret", ())) > before and time.monotonic() < end:
        time.sleep(0.05)
    assert len(cache.watchers.get("Secret", ())) == before


def test_official_python_client_objects_without_kind_and_its_watch(served):
    """The official `kubernetes` client builds objects without apiVersion/kind (the URL implies
    them), watches from a resourceVersion, and gets 410 for a too old one."""
    kubernetes = pytest.importorskip("kubernetes")
    from kubernetes import client, watch
    cfg = client.Configuration()
    cfg.host = f"https://127.0.0.1:{served.port}"
    cfg.api_key = {"authorization": f"Bearer {served.token}"}
    cfg.ssl_ca_cert = str(served.cert)
    api = client.CoreV1Api(client.ApiClient(cfg))
    rv = api.list_namespaced_config_map("default").metadata.resource_version
    made = api.create_namespaced_config_map("default", client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="py-cm"), data={"a": "b"}))
    assert (made.api_version, made.kind, made.data) == ("v1", "ConfigMap", {"a": "b"})
    api.delete_namespaced_config_map("py-cm", "default")
    seen = [(e["type"], e["object"].metadata.name)
            for e in watch.Watch().stream(api.list_namespaced_config_map, "default", resource_version=rv,
                                          timeout_seconds=2)]
    assert seen == [("ADDED", "py-cm"), ("DELETED", "py-cm")]
    with pytest.raises(client.exceptions.ApiException) as e:
        for _ in watch.Watch().stream(api.list_namespaced_config_map, "default", resource_version="1",
                                      timeout_seconds=2):
            pass
    assert e.value.status == 410
    del kubernetes
