"""Server-side apply through `minikctl serve`, driven by the real kubectl: managedFields per
manager, conflicts (409, the apiserver's message and causes, which kubectl prints with its own
advice), --force-conflicts, co-ownership of equal values, and removal of the fields an applier
stops applying. The conflict texts follow k8s.io/apiserver's fieldmanager (getConflictMessage,
printManager) and structured-merge-diff's fieldpath.Path String()."""
from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.test_serve_kubectl import KUBECTL, Served

BIN = os.path.dirname(os.path.realpath(KUBECTL)) if KUBECTL else ""
VERSIONS = [v for v in ("default", "1.27", "1.33") if v == "default" or os.path.exists(os.path.join(BIN, f"kubectl.{v}"))]

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels: {{app: {name}, tier: web}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
      - name: nginx
        image: {image}
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    if KUBECTL is None:
        pytest.skip("no kubectl")
    s = Served(tmp_path_factory.mktemp("ssa"))
    yield s
    s.close()


def kubectl(served, v: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    binary = KUBECTL if v == "default" else os.path.join(BIN, f"kubectl.{v}")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(served.home),
           "KUBECONFIG": str(served.kubeconfig)}
    return subprocess.run([binary, *args], input=stdin, capture_output=True, text=True, env=env, timeout=60)


def apply(served, v, manifest: str, *flags: str) -> subprocess.CompletedProcess:
    return kubectl(served, v, "apply", "--server-side", *flags, "-f", "-", stdin=manifest)


def managed(served, name: str) -> list[dict]:
    r = kubectl(served, "default", "get", "deploy", name, "-o", "jsonpath={.metadata.managedFields}")
    return json.loads(r.stdout)


@pytest.mark.parametrize("v", VERSIONS)
def test_apply_records_ownership_and_a_scale_conflicts(served, v):
    name = "ssa-" + v.replace(".", "")
    m = DEPLOY.format(name=name, replicas=2, image="nginx")
    r = apply(served, v, m)
    assert (r.returncode, r.stdout) == (0, f"deployment.apps/{name} serverside-applied\n"), r.stderr
    [entry] = managed(served, name)
    assert (entry["manager"], entry["operation"], entry["apiVersion"], entry["fieldsType"]) == \
        ("kubectl", "Apply", "apps/v1", "FieldsV1")
    assert entry["fieldsV1"] == {
        "f:metadata": {"f:labels": {"f:app": {}, "f:tier": {}}},
        "f:spec": {"f:replicas": {}, "f:selector": {}, "f:template": {
            "f:metadata": {"f:labels": {"f:app": {}}},
            "f:spec": {"f:containers": {'k:{"name":"nginx"}': {".": {}, "f:image": {}, "f:name": {}}}}}}}
    # the same configuration again: nothing changes, not even the resourceVersion
    rv = kubectl(served, v, "get", "deploy", name, "-o", "jsonpath={.metadata.resourceVersion}").stdout
    assert apply(served, v, m).returncode == 0
    assert kubectl(served, v, "get", "deploy", name, "-o", "jsonpath={.metadata.resourceVersion}").stdout == rv

    # kubectl scale names no field manager: the apiserver takes the User-Agent's product, the
    # binary's own name (kubectl.1.27 for that binary)
    assert kubectl(served, v, "scale", "deploy", name, "--replicas=5").returncode == 0
    ua = "kubectl" if v == "default" else f"kubectl.{v}"
    scaler = [e for e in managed(served, name) if e["operation"] == "Update"]
    assert [(e["manager"], e.get("subresource"), e["fieldsV1"]) for e in scaler] == \
        [(ua, "scale", {"f:spec": {"f:replicas": {}}})]
    r = apply(served, v, m)
    assert r.returncode == 1
    assert r.stderr.startswith(f'error: Apply failed with 1 conflict: conflict with "{ua}" with subresource "scale" '
                               "using apps/v1: .spec.replicas\nPlease review the fields above--they currently have "
                               "other managers."), r.stderr
    assert kubectl(served, v, "get", "deploy", name, "-o", "jsonpath={.spec.replicas}").stdout == "5"
    r = apply(served, v, m, "--force-conflicts")
    assert r.returncode == 0, r.stderr
    assert kubectl(served, v, "get", "deploy", name, "-o", "jsonpath={.spec.replicas}").stdout == "2"
    assert [e["operation"] for e in managed(served, name)] == ["Apply"]     # the scaler owned nothing else


def test_two_appliers_conflict_share_equal_values_and_prune(served):
    m = DEPLOY.format(name="shared", replicas=1, image="nginx")
    assert apply(served, "default", m).returncode == 0
    other = DEPLOY.format(name="shared", replicas=1, image="nginx:1.25")
    r = apply(served, "default", other, "--field-manager=ci")
    assert r.returncode == 1
    assert r.stderr.startswith('error: Apply failed with 1 conflict: conflict with "kubectl": '
                               '.spec.template.spec.containers[name="nginx"].image\n'), r.stderr
    # the same values: co-owned, no conflict
    r = apply(served, "default", m, "--field-manager=ci")
    assert r.returncode == 0, r.stderr
    assert sorted(e["manager"] for e in managed(served, "shared")) == ["ci", "kubectl"]
    # kubectl stops applying the tier label: ci owns it too, so it stays
    assert apply(served, "default", m.replace(", tier: web", "")).returncode == 0
    labels = kubectl(served, "default", "get", "deploy", "shared", "-o", "jsonpath={.metadata.labels}").stdout
    assert json.loads(labels) == {"app": "shared", "tier": "web"}
    # ci stops applying it as well: no one owns it any more, so it goes
    assert apply(served, "default", m.replace(", tier: web", ""), "--field-manager=ci").returncode == 0
    labels = kubectl(served, "default", "get", "deploy", "shared", "-o", "jsonpath={.metadata.labels}").stdout
    assert json.loads(labels) == {"app": "shared"}


def test_imperative_writers_own_what_they_set(served):
    """kubectl create is an Update by kubectl-create; an apply that changes its values conflicts
    with every field, listed under that manager (several conflicts: the multi-line form)."""
    assert kubectl(served, "default", "create", "deployment", "made", "--image=nginx").returncode == 0
    [entry] = managed(served, "made")
    assert (entry["manager"], entry["operation"], entry["apiVersion"]) == ("kubectl-create", "Update", "apps/v1")
    m = DEPLOY.format(name="made", replicas=3, image="httpd").replace(", tier: web", "")
    r = apply(served, "default", m)
    assert r.returncode == 1
    assert r.stderr.startswith('error: Apply failed with 2 conflicts: conflicts with "kubectl-create" using apps/v1:\n'
                               '- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image\n'), r.stderr
    assert apply(served, "default", m, "--force-conflicts").returncode == 0
    got = kubectl(served, "default", "get", "deploy", "made", "-o",
                  "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}").stdout
    assert got == "3 httpd"
    # minikctl's own yaml, like kubectl's, leaves managedFields out
    assert "managedFields" not in served.mk("get", "deploy", "made", "-o", "yaml").out


def test_the_apiservers_conflict_status_and_required_field_manager(served):
    body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "owned"}, "data": {"a": "1"}})
    path = "/api/v1/namespaces/default/configmaps/owned"
    code, obj = served.http("PATCH", path + "?fieldManager=first", body.encode(), ctype="application/apply-patch+yaml")
    assert code == 201 and obj["metadata"]["managedFields"][0]["manager"] == "first"
    changed = body.replace('"1"', '"2"').encode()
    code, st = served.http("PATCH", path + "?fieldManager=second", changed, ctype="application/apply-patch+yaml")
    assert code == 409
    assert (st["reason"], st["message"], st["details"]["causes"]) == (
        "Conflict", 'Apply failed with 1 conflict: conflict with "first": .data.a',
        [{"reason": "FieldManagerConflict", "message": 'conflict with "first"', "field": ".data.a"}])
    code, st = served.http("PATCH", path, changed, ctype="application/apply-patch+yaml")
    assert (code, st["reason"], st["message"]) == (
        422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply '
                        "patch")
    code, obj = served.http("PATCH", path + "?fieldManager=second&force=true", changed,
                            ctype="application/apply-patch+yaml")
    assert code == 200 and obj["data"] == {"a": "2"}
    assert [(e["manager"], e["fieldsV1"]) for e in obj["metadata"]["managedFields"]] == [
        ("second", {"f:data": {"f:a": {}}})]


def test_field_paths_and_sets():
    from minikctl.api import managedfields as mf
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "finalizers": ["a/b"]},
           "spec": {"ports": [{"port": 80, "protocol": "TCP", "targetPort": 8080}], "selector": {"app": "x"}}}
    _, members = mf.walk(svc)
    tree = mf.to_fields_v1(members)
    assert tree == {"f:metadata": {"f:finalizers": {'v:"a/b"': {}}},
                    "f:spec": {"f:ports": {'k:{"port":80,"protocol":"TCP"}': {".": {}, "f:port": {}, "f:protocol": {},
                                                                              "f:targetPort": {}}},
                               "f:selector": {}}}         # a Service's selector is an atomic map
    assert mf.from_fields_v1(tree) == members
    assert sorted(mf.path_string(p) for p in members) == [
        '.metadata.finalizers[="a/b"]', ".spec.ports[port=80,protocol=\"TCP\"]",
        ".spec.ports[port=80,protocol=\"TCP\"].port", ".spec.ports[port=80,protocol=\"TCP\"].protocol",
        ".spec.ports[port=80,protocol=\"TCP\"].targetPort", ".spec.selector"]


def test_a_patch_that_rewrites_managed_fields_is_honoured(served):
    """kubectl's csaupgrade rewrites metadata.managedFields with a JSON patch: the apiserver
    stores what the client wrote (then adds the patcher's own changes)."""
    body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "rewritten"},
                       "data": {"a": "1"}}).encode()
    path = "/api/v1/namespaces/default/configmaps/rewritten"
    code, _ = served.http("PATCH", path + "?fieldManager=old", body, ctype="application/apply-patch+yaml")
    assert code == 201
    ops = [{"op": "replace", "path": "/metadata/managedFields",
            "value": [{"manager": "new", "operation": "Apply", "apiVersion": "v1", "fieldsType": "FieldsV1",
                       "fieldsV1": {"f:data": {"f:a": {}}}}]}]
    code, obj = served.http("PATCH", path + "?fieldManager=upgrader", json.dumps(ops).encode(),
                            ctype="application/json-patch+json")
    assert code == 200
    assert [(e["manager"], e["operation"]) for e in obj["metadata"]["managedFields"]] == [("new", "Apply")]
    code, st = served.http("PATCH", path + "?fieldManager=old", body.replace(b'"1"', b'"2"'),
                           ctype="application/apply-patch+yaml")
    assert code == 409 and st["message"] == 'Apply failed with 1 conflict: conflict with "new": .data.a'
