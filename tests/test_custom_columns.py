"""custom-columns and --sort-by: kubectl's printer and sorter rules, plus parity with `kubectl get`.

`kubectl get` needs an apiserver, so the parity tests serve discovery and a pod list from a
loopback HTTP server inside the test (127.0.0.1 only) and point kubectl at it.
"""
from __future__ import annotations

import copy
import json
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from minikctl.api.errors import CliError
from minikctl.printers.custom_columns import parse_spec, parse_template, render_custom_columns
from minikctl.printers.serialize import list_wrap, to_json, to_yaml
from minikctl.printers.sort import parse_quantity, sort_objects, string_less
from conftest import table_check

KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed: no oracle")


def pod(name, ip=None, node="k8s-worker-01", ts="2024-05-01T10:00:00Z", restarts=0, image="nginx:1.25"):
    p = {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"},
                      "creationTimestamp": ts},
         "spec": {"containers": [{"name": "app", "image": image}, {"name": "side", "image": "busybox"}],
                  "nodeName": node},
         "status": {"phase": "Running", "containerStatuses": [{"name": "app", "restartCount": restarts}]}}
    if ip:
        p["status"]["podIP"] = ip
    return p


PODS = [pod("web-10", "10.244.1.10", ts="2024-05-01T10:00:05Z", restarts=3),
        pod("web-2", None, node="k8s-worker-02", ts="2024-05-01T09:59:00Z", restarts=12),
        pod("web-1", "10.244.2.7", ts="2024-05-01T10:01:00Z", restarts=1, image="nginx:1.24")]


def test_columns_values_none_and_layout():
    out = render_custom_columns("NAME:.metadata.name,IP:{.status.podIP},IMAGES:.spec.containers[*].image,"
                                "LABELS:metadata.labels", PODS)
    assert out.splitlines() == [
        "NAME     IP            IMAGES               LABELS",
        "web-10   10.244.1.10   nginx:1.25,busybox   map[app:web]",
        "web-2    <none>        nginx:1.25,busybox   map[app:web]",
        "web-1    10.244.2.7    nginx:1.24,busybox   map[app:web]"]
    assert table_check(out)[0] == 0, table_check(out)[1]
    assert render_custom_columns("N:.metadata.name", PODS[:1], no_headers=True) == "web-10\n"


def test_spec_errors_and_template_file():
    with pytest.raises(CliError) as e:
        parse_spec("")
    assert e.value.render() == "error: custom-columns format specified but no custom columns given"
    with pytest.raises(CliError) as e:
        parse_spec("NAME:.metadata.name,IP")
    assert e.value.message == "unexpected custom-columns spec: IP, expected <header>:<json-path-expr>"
    assert parse_template("NAME   IP\n.metadata.name  {.status.podIP}\n") == [
        ("NAME", "{.metadata.name}"), ("IP", "{.status.podIP}")]
    with pytest.raises(CliError) as e:
        parse_template("A B\n.x\n")
    assert e.value.message == "number of headers (2) and field specifications (1) don't match"


def test_sort_rules():
    names = lambda objs: [o["metadata"]["name"] for o in objs]  # noqa: E731
    assert names(sort_objects(PODS, ".metadata.name")) == ["web-1", "web-10", "web-2"]
    assert names(sort_objects(PODS, "{.metadata.creationTimestamp}")) == ["web-2", "web-10", "web-1"]
    assert names(sort_objects(PODS, ".status.containerStatuses[0].restartCount")) == ["web-1", "web-10", "web-2"]
    assert names(sort_objects(PODS, ".status.podIP"))[0] == "web-2"  # missing sorts first
    with pytest.raises(CliError) as e:
        sort_objects(PODS, "{.foo}")
    assert e.value.render() == 'error: couldn\'t find any field with path "{.foo}" in the list of objects'
    assert string_less("web-10", "web-2") and string_less("B", "a")
    qty = [pod(n) for n in ("1Gi", "web", "500Mi")]
    assert names(sort_objects(qty, ".metadata.name")) == ["500Mi", "1Gi", "web"]
    assert parse_quantity("100m") < parse_quantity("1") < parse_quantity("1Ki")


# ---------------------------------------------------------------- kubectl get parity

class _FakeApiserver:
    """Discovery for core/v1 pods and one list of pods, on 127.0.0.1."""

    def __init__(self, pods):
        items = pods

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path = self.path.split("?")[0]
                bodies = {
                    "/api": {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                        {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]},
                    "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": []},
                    "/api/v1": {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
                        {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod",
                         "verbs": ["get", "list"], "shortNames": ["po"]}]},
                    "/api/v1/namespaces/default/pods": {"kind": "PodList", "apiVersion": "v1",
                                                        "metadata": {"resourceVersion": "7"},
                                                        "items": items},
                }
                if path not in bodies:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = json.dumps(bodies[path]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def kubectl(self, *args):
        port = self.server.server_address[1]
        return subprocess.run([KUBECTL, "--kubeconfig=/dev/null", "--server", f"http://127.0.0.1:{port}",
                               "get", "pods", *args], capture_output=True, text=True, timeout=60)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def apiserver():
    if KUBECTL is None:
        pytest.skip("kubectl not installed: no oracle")
    srv = _FakeApiserver(copy.deepcopy(PODS))
    yield srv
    srv.close()


SPECS = ["NAME:.metadata.name,IP:.status.podIP,NODE:.spec.nodeName",
         "N:{.metadata.name},IMAGES:.spec.containers[*].image,L:.metadata.labels,X:.nope",
         "CONTAINER:.spec.containers[0].name,R:.status.containerStatuses[*].restartCount",
         "A:.metadata.name,B:.status.containerStatuses"]


@needs_kubectl
@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("sort_by", [None, ".metadata.name", "{.status.podIP}",
                                     ".status.containerStatuses[0].restartCount",
                                     ".metadata.creationTimestamp", ".spec.containers[0].image"])
def test_custom_columns_and_sort_match_kubectl(apiserver, spec, sort_by):
    args = ["-o", "custom-columns=" + spec] + (["--sort-by=" + sort_by] if sort_by else [])
    k = apiserver.kubectl(*args)
    assert k.returncode == 0, k.stderr
    objs = sort_objects(PODS, sort_by) if sort_by else PODS
    assert render_custom_columns(spec, objs) == k.stdout


@needs_kubectl
def test_sort_of_names_and_quantities_matches_kubectl():
    names = ["web-10", "web-2", "web-1", "a02", "a2", "a1x", "B", "b", "x9", "x10", "1Gi", "500Mi"]
    pods = [pod(n) for n in names]
    srv = _FakeApiserver(pods)
    try:
        k = srv.kubectl("-o", "name", "--sort-by=.metadata.name")
    finally:
        srv.close()
    assert [f"pod/{o['metadata']['name']}" for o in sort_objects(pods, ".metadata.name")] == k.stdout.split()


@needs_kubectl
def test_sort_error_matches_kubectl(apiserver):
    k = apiserver.kubectl("-o", "name", "--sort-by=.foo")
    with pytest.raises(CliError) as e:
        sort_objects(PODS, ".foo")
    assert e.value.render() + "\n" == k.stderr


@needs_kubectl
def test_list_get_yaml_and_json_match_kubectl(apiserver):
    assert to_yaml(list_wrap(PODS)) == apiserver.kubectl("-o", "yaml").stdout
    assert to_json(list_wrap(PODS)) == apiserver.kubectl("-o", "json").stdout
