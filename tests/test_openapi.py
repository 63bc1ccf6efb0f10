"""Kubernetes' own OpenAPI documents through `minikctl serve` (api/openapi), proven with the real
kubectl: `kubectl explain` against serve and `minikctl explain` print the same bytes; kubectl
1.27/1.28 (which validate with the protobuf OpenAPI v2 document) apply without --validate=false;
discovery lists every subresource (pods/eviction: drain evicts through it, a budget refuses).
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import GO_SPEED
from tests.test_serve_kubectl import KUBECTL, Served

KDIR = Path(os.path.realpath(KUBECTL)).parent if KUBECTL else None

EXPLAIN = ["pod", "pod.spec", "pods.spec.containers", "pod.spec.containers.resources",
           "pod.spec.containers.resources.limits", "svc.spec.ports.targetPort", "deploy",
           "deploy.spec.strategy.rollingUpdate.maxSurge", "deployments.apps.spec.replicas", "cm.data", "secret",
           "netpol.spec.ingress", "pvc.spec", "pv", "sc", "ingress.spec.rules", "cronjob.spec.jobTemplate",
           "job.spec", "node.status.capacity", "ns", "sts.spec.volumeClaimTemplates", "ds.spec.updateStrategy",
           "role.rules", "clusterrolebinding.subjects", "sa", "limitrange.spec", "quota.spec", "pdb.spec",
           "hpa.spec", "hpa.spec.metrics.resource.target", "pc", "csr.spec", "ep", "endpointslice.endpoints",
           "pods.metadata.labels", "deploy.spec.template --recursive", "pod.spec.nope", "svc.nope.deeper",
           # enum fields (data/openapi_enums.json): the ENUM: block, the `enum:` line, the paragraph
           "svc.spec.type", "svc.spec", "pod.spec.restartPolicy", "svc.spec.externalTrafficPolicy",
           "pod.spec.containers.imagePullPolicy", "deploy.spec.strategy", "pod.spec.tolerations"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = Served(tmp_path_factory.mktemp("openapi"))
    yield s
    s.close()


def _kubectl(served, binary: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**GO_SPEED, "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(served.home),
           "KUBECONFIG": str(served.kubeconfig)}
    return subprocess.run([binary, *args], input=stdin, capture_output=True, text=True, env=env, timeout=60)


@pytest.mark.parametrize("target", EXPLAIN)
def test_explain_identical_to_kubectl_through_serve(served, target):
    args = ["explain", *target.split()]
    k = served.kubectl(*args)
    m = served.mk(*args)
    assert (k.returncode, k.stdout, k.stderr) == (m.code, m.out, m.err)


def test_explain_reads_the_upstream_descriptions(served):
    r = served.mk("explain", "deploy.spec")
    assert r.out.startswith("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nFIELD: spec <DeploymentSpec>"
                            "\n\n\nDESCRIPTION:\n    Specification of the desired behavior of the Deployment.\n"
                            "    DeploymentSpec is the specification of the desired behavior of the\n    Deployment.\n")
    assert "  progressDeadlineSeconds\t<integer>\n    The maximum time in seconds for a deployment" in r.out


@pytest.mark.parametrize("version", ["1.27", "1.28", "1.29", "1.33"])
def test_old_and_new_kubectl_apply_with_client_side_validation(served, version, tmp_path):
    binary = KDIR / f"kubectl.{version}" if KDIR else None
    if binary is None or not binary.exists():
        pytest.skip(f"no kubectl.{version} beside kubectl")
    name = f"v{version.replace('.', '')}"
    manifest = (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  a: b\n")
    r = _kubectl(served, str(binary), "apply", "-f", "-", stdin=manifest)
    assert (r.returncode, r.stdout) == (0, f"configmap/{name} created\n"), r.stderr
    r = _kubectl(served, str(binary), "diff", "-f", "-", stdin=manifest.replace("a: b", "a: c"))
    assert r.returncode == 1 and "+  a: c" in r.stdout, r.stderr
    r = _kubectl(served, str(binary), "explain", "pod.spec.restartPolicy")
    assert r.returncode == 0 and "FIELD: restartPolicy <string>" in r.stdout, r.stderr


def test_openapi_v2_protobuf_and_json(served):
    code, doc = served.http("GET", "/openapi/v2")
    assert code == 200 and doc["swagger"] == "2.0"
    pod = doc["definitions"]["io.k8s.api.core.v1.Pod"]
    assert pod["x-kubernetes-group-version-kind"] == [{"group": "", "kind": "Pod", "version": "v1"}]
    assert "enum" not in pod["properties"]["apiVersion"]
    containers = doc["definitions"]["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name" and containers["type"] == "array"
    import ssl
    import urllib.request
    req = urllib.request.Request(f"https://127.0.0.1:{served.port}/openapi/v2")
    req.add_header("Authorization", f"Bearer {served.token}")
    req.add_header("Accept", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf")
    with urllib.request.urlopen(req, context=ssl.create_default_context(cafile=str(served.cert))) as r:
        body = r.read()
    fields = _fields(body)        # openapi.v2.Document: 1 swagger, 9 definitions
    assert fields[1] == [b"2.0"]
    names = [_fields(named)[1][0].decode() for named in _fields(fields[9][0])[1]]
    assert names == sorted(doc["definitions"]) and "io.k8s.api.apps.v1.Deployment" in names


def _fields(buf: bytes) -> dict[int, list]:
    """A protobuf message's fields (number -> values; length-delimited ones as bytes)."""
    out: dict[int, list] = {}
    i = 0

    def varint():
        nonlocal i
        n = shift = 0
        while True:
            b = buf[i]
            i += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return n
    while i < len(buf):
        key = varint()
        num, wt = key >> 3, key & 7
        if wt == 0:
            v = varint()
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 2:
            n = varint()
            v, i = buf[i:i + n], i + n
        else:
            raise AssertionError(f"wire type {wt}")
        out.setdefault(num, []).append(v)
    return out


def test_openapi_v3_index_and_group_documents(served):
    code, root = served.http("GET", "/openapi/v3")
    assert code == 200
    assert {"api/v1", "apis/apps/v1", "apis/autoscaling/v2", "apis/autoscaling/v1"} <= set(root["paths"])
    url = root["paths"]["apis/apps/v1"]["serverRelativeURL"]
    code, doc = served.http("GET", url)
    assert code == 200 and doc["openapi"].startswith("3.")
    spec = doc["components"]["schemas"]["io.k8s.api.apps.v1.DeploymentSpec"]["properties"]
    assert spec["template"]["allOf"] == [{"$ref": "#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec"}]
    patch = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert patch["x-kubernetes-group-version-kind"] == {"group": "apps", "kind": "Deployment", "version": "v1"}
    assert "fieldValidation" in [p["name"] for p in patch["parameters"]]
    code, _ = served.http("GET", "/openapi/v3/apis/nothing/v1")
    assert code == 404


def test_discovery_lists_every_subresource(served):
    code, core = served.http("GET", "/api/v1")
    names = {r["name"]: r for r in core["resources"]}
    assert {"pods/eviction", "pods/exec", "pods/log", "pods/attach", "pods/portforward", "pods/binding",
            "pods/status", "nodes/proxy", "namespaces/finalize", "serviceaccounts/token"} <= set(names)
    assert (names["pods/eviction"]["group"], names["pods/eviction"]["version"]) == ("policy", "v1")
    code, agg = served.http("GET", "/api", accept="application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
    pods = next(r for r in agg["items"][0]["versions"][0]["resources"] if r["resource"] == "pods")
    ev = next(s for s in pods["subresources"] if s["subresource"] == "eviction")
    assert ev == {"subresource": "eviction", "responseKind": {"group": "policy", "version": "v1", "kind": "Eviction"},
                  "verbs": ["create"]}
    code, group = served.http("GET", "/apis/autoscaling")
    assert [v["version"] for v in group["versions"]] == ["v2", "v1"] and group["preferredVersion"]["version"] == "v2"


def test_eviction_subresource(served):
    mk = served.mk
    mk("create", "deployment", "evict-me", "--image=nginx", "--replicas=2")
    mk("create", "pdb", "evict-me", "--selector=app=evict-me", "--min-available=2")
    served.mk.advance(20)
    pods = json.loads(mk("get", "po", "-l", "app=evict-me", "-o", "json").out)["items"]
    name = pods[0]["metadata"]["name"]
    body = json.dumps({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name}}).encode()
    code, st = served.http("POST", f"/api/v1/namespaces/default/pods/{name}/eviction", body)
    assert (code, st["reason"]) == (429, "TooManyRequests"), st
    mk("patch", "pdb", "evict-me", "-p", '{"spec":{"minAvailable":1}}')
    served.mk.advance(5)
    code, st = served.http("POST", f"/api/v1/namespaces/default/pods/{name}/eviction", body)
    assert (code, st["status"]) == (201, "Success"), st
    code, st = served.http("POST", f"/api/v1/namespaces/default/pods/{name}/proxy", b"{}")
    assert code == 501 and "not simulated" in st["message"]


def test_custom_schemas_hook():
    from minikctl.api.openapi import custom, explain, v3
    from minikctl.api import kinds
    crd = custom.CustomSchema("stable.example.com", "v1", "CronTab", "crontabs", True, {
        "type": "object", "description": "A cron tab.",
        "properties": {"spec": {"type": "object", "properties": {
            "cronSpec": {"type": "string", "description": "The schedule."},
            "mode": {"type": "string", "enum": ["a", "b"]}}}}})
    doc = v3.document("stable.example.com", "v1", v3.served_from_kinds(kinds.KINDS), (crd,))
    assert "com.example.stable.v1.CronTab" in doc["components"]["schemas"]
    out = explain.render(doc, "stable.example.com", "v1", "crontabs", ["spec"])
    assert out.startswith("GROUP:      stable.example.com\nKIND:       CronTab\nVERSION:    v1\n\nFIELD: spec <Object>\n")
    assert "  cronSpec\t<string>\n    The schedule.\n" in out and "  mode\t<string>\n  enum: a, b\n" in out


def test_crd_schemas_reach_the_documents():
    """The built-in source reads CustomResourceDefinitions from the cluster: served versions only."""
    from minikctl.api import kinds
    from minikctl.api.openapi import custom, explain, v3
    from minikctl.sim.view import StaticView
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "crontabs.stable.example.com"},
           "spec": {"group": "stable.example.com", "scope": "Namespaced",
                    "names": {"kind": "CronTab", "plural": "crontabs", "singular": "crontab"},
                    "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                        "type": "object", "properties": {"spec": {"type": "object", "description": "The spec.",
                                                                  "properties": {"image": {"type": "string"}}}}}}},
                                 {"name": "v0", "served": False, "storage": False}]}}
    got = list(custom.crd_schemas(StaticView([crd])))
    assert [(c.group, c.version, c.kind, c.plural, c.namespaced) for c in got] == \
        [("stable.example.com", "v1", "CronTab", "crontabs", True)]
    served = v3.served_from_kinds(kinds.KINDS)
    assert "apis/stable.example.com/v1" in v3.root(served, got)["paths"]
    doc = v3.document("stable.example.com", "v1", served, got)
    out = explain.render(doc, "stable.example.com", "v1", "crontabs", ["spec"])
    assert out == ("GROUP:      stable.example.com\nKIND:       CronTab\nVERSION:    v1\n\nFIELD: spec <Object>\n\n\n"
                   "DESCRIPTION:\n    The spec.\n    \nFIELDS:\n  image\t<string>\n    <no description>\n\n\n")


CRD_EXPLAIN = ["crontab", "crontab.spec", "crontabs.spec.cronSpec", "ct --recursive", "ct.spec.nope",
               "crontab --api-version=stable.example.com/v1", "widget", "widget.spec --recursive"]


@pytest.fixture(scope="module")
def served_crds(tmp_path_factory):
    s = Served(tmp_path_factory.mktemp("openapi-crd"))
    data = Path(__file__).parent / "data" / "crd"
    for f in ("crontab-crd.yaml", "widget-crd.yaml"):
        assert s.kubectl("apply", "-f", str(data / f)).returncode == 0
    # kubectl cached discovery before the CRDs existed; a short name (`ct`) is expanded from that
    # cache, so start explain from a fresh one, as `kubectl api-resources` would leave it
    import shutil
    shutil.rmtree(s.home / ".kube" / "cache", ignore_errors=True)
    yield s
    s.close()


@pytest.mark.parametrize("target", CRD_EXPLAIN)
def test_explain_of_a_custom_kind_from_its_structural_schema(served_crds, target):
    """A CRD's served version's openAPIV3Schema is the kind's document: kubectl explain through
    serve and minikctl explain print the same bytes."""
    args = ["explain", *target.split()]
    k = served_crds.kubectl(*args)
    m = served_crds.mk(*args)
    assert (k.returncode, k.stdout, k.stderr) == (m.code, m.out, m.err)
    if k.returncode == 0:
        assert "KIND:       " in m.out


def test_explain_plaintext_openapiv2_says_it_is_not_simulated(mk):
    r = mk("explain", "pod", "-o", "plaintext-openapiv2")
    assert (r.code, r.out) == (1, "")
    assert r.err == "minikctl: kubectl explain -o plaintext-openapiv2 is not simulated (use -o plaintext)\n"
