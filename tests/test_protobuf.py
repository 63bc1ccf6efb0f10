"""Protobuf (application/vnd.kubernetes.protobuf) through `minikctl serve`, with the real kubectl as
the oracle: its typed clients (create <generator>, drain) write protobuf and read our protobuf
answers; a dry run through the server must come back as the same object minikctl's own dry run
makes. The codec itself round-trips every served kind's live objects."""
from __future__ import annotations

import json
import os
import ssl
import urllib.error
import urllib.request

import pytest

from tests.conftest import GO_SPEED, SPEC
from tests.test_serve_kubectl import KUBECTL, Served, pytestmark  # noqa: F401  (skips without kubectl/openssl)

PB = "application/vnd.kubernetes.protobuf"


def _kubectl_version(v: str) -> str | None:
    if KUBECTL is None:
        return None
    path = os.path.join(os.path.dirname(os.path.realpath(KUBECTL)), f"kubectl.{v}")
    return path if os.path.exists(path) else None


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = Served(tmp_path_factory.mktemp("pb"))
    for name in ("test-headless-server", "web-server", "headless-web-server", "busybox"):
        assert s.kubectl("apply", "-f", str(SPEC / f"{name}.yaml")).returncode == 0
    s.mk.advance(30)
    yield s
    s.close()


def raw(s: Served, method: str, path: str, body: bytes | None = None, ctype: str = PB, accept: str = PB):
    """(code, content type, bytes)."""
    ctx = ssl.create_default_context(cafile=str(s.cert))
    req = urllib.request.Request(f"https://127.0.0.1:{s.port}{path}", data=body, method=method)
    req.add_header("Authorization", f"Bearer {s.token}")
    req.add_header("Accept", accept)
    if body is not None:
        req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
            return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read()


# ---------------------------------------------------------------- the codec alone

def test_every_builtin_kind_has_a_schema_and_crds_none():
    from minikctl.api import kinds
    from minikctl.apiserver import protobuf
    for k in kinds.KINDS:
        has = protobuf.schema().message(k.api_version, k.kind) is not None
        lst = protobuf.schema().message(k.api_version, k.kind + "List") is not None
        # no schema: the Gateway API's CRD kinds, and CustomResourceDefinition itself (its types are the
        # apiextensions-apiserver's, not in k8s.io/api: served as JSON)
        no_schema = k.group.endswith("gateway.networking.k8s.io") or k.group == "apiextensions.k8s.io"
        assert (has, lst) == ((False, False) if no_schema else (True, True)), k


def test_every_served_kind_round_trips(mk):
    """Every object of every built-in kind in a busy cluster (CSRs aside), encoded then decoded,
    is the same dict (a template's zero creationTimestamp stays null, as JSON has it)."""
    from minikctl.api import kinds
    from minikctl.apiserver import protobuf
    from minikctl.env import Env
    from minikctl.sim.cluster import open_cluster
    mk.apply_spec()
    for line in ("create deployment d1 --image=nginx --replicas=2", "create cronjob cj --image=busybox --schedule=*/5_*_*_*_*",
                 "create job j1 --image=busybox", "create pdb p1 --selector=app=web --min-available=1",
                 "create secret generic s1 --from-literal=a=b", "create configmap c1 --from-literal=k=v",
                 "create role r1 --verb=get --resource=pods", "create rolebinding rb1 --role=r1 --user=u",
                 "create clusterrole cr1 --verb=get --resource=nodes", "create priorityclass pc1 --value=10",
                 "create quota q1 --hard=pods=10", "create ingress i1 --rule=a.com/=svc:80",
                 "autoscale deployment d1 --max=3", "create sa sa1", "create ns n1"):
        assert mk(*[a.replace("_", " ") for a in line.split()]).code == 0, line
    vwc = ('{"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration", '
           '"metadata": {"name": "demo"}, "webhooks": [{"name": "demo.example.com", "sideEffects": "None", '
           '"admissionReviewVersions": ["v1"], "clientConfig": {"service": {"namespace": "default", "name": "x"}}, '
           '"rules": [{"operations": ["CREATE"], "apiGroups": ["x.example.com"], "apiVersions": ["v1"], '
           '"resources": ["things"]}]}]}')
    assert mk("apply", "-f", "-", stdin=vwc).code == 0
    r = mk("apply", "-f", "-", stdin=MORE_KINDS)
    assert r.code == 0, r.err
    mk.advance(30)
    env = Env(home=mk.home, clock=lambda: mk.clock, seed=mk.seed, no_color=True)
    seen = 0
    with open_cluster(env) as cluster:
        for k in kinds.KINDS:
            if protobuf.schema().message(k.api_version, k.kind) is None:
                continue
            objs = cluster.list(k.kind)
            assert objs or k.kind == "CertificateSigningRequest", k.kind
            for o in objs:
                o = json.loads(json.dumps(o))
                back = protobuf.decode(protobuf.encode(o), "", "")
                assert back == o, (k.kind, o["metadata"]["name"])
                seen += 1
            lst = {"apiVersion": k.api_version, "kind": k.kind + "List", "metadata": {"resourceVersion": "7"},
                   "items": [dict(o) for o in objs]}
            back = protobuf.decode(protobuf.encode(lst), "", "")
            assert len(back.get("items", [])) == len(objs) and back["metadata"] == {"resourceVersion": "7"}
    assert seen > 50


MORE_KINDS = """
apiVersion: v1
kind: LimitRange
metadata: {name: lr}
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 256Mi}
    defaultRequest: {cpu: 100m}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv1}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /data/pv1}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: pvc1}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np1}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {}}]
    ports: [{port: 80, protocol: TCP}, {port: http}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: ic1}
spec: {controller: example.com/ingress}
"""


def test_wire_details():
    from minikctl.apiserver import protobuf as pb
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "labels": {"b": "2", "a": "1"}},
           "spec": {"ports": [{"port": 80, "targetPort": "http", "nodePort": 30080}, {"port": 443, "targetPort": 8443}],
                    "clusterIP": "10.0.0.1"}}
    data = pb.encode(svc)
    assert data.startswith(b"k8s\x00\x0a")
    assert pb.decode(data, "", "") == svc
    # a negative int32 is a 10-byte varint; an inline struct (Volume's VolumeSource) is merged
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "creationTimestamp": "2024-05-01T10:00:00Z"},
           "spec": {"containers": [{"name": "c", "image": "i", "resources": {"limits": {"cpu": "500m"}}}],
                    "volumes": [{"name": "v", "emptyDir": {"sizeLimit": "1Gi"}}], "priority": -5,
                    "securityContext": {"runAsUser": 0}}}
    assert pb.decode(pb.encode(pod), "", "") == pod


# ---------------------------------------------------------------- through serve

@pytest.mark.parametrize("version", ["1.32", "1.33"])
def test_real_kubectl_creates_through_protobuf(served, version, tmp_path):
    """kubectl's typed clients POST protobuf and read our protobuf answer (-v=8 shows both types)."""
    binary = _kubectl_version(version) or (KUBECTL if version == "1.32" else None)
    if binary is None:
        pytest.skip(f"no kubectl {version} here")
    import subprocess
    env = {**GO_SPEED, "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(served.home),
           "KUBECONFIG": str(served.kubeconfig)}
    tag = version.replace(".", "")
    lines = [f"create deployment d{tag} --image=nginx --replicas=2", f"create service clusterip s{tag} --tcp=80:8080",
             f"create configmap c{tag} --from-literal=a=b", f"create namespace n{tag}",
             f"create job j{tag} --image=busybox", f"create cronjob cj{tag} --image=busybox --schedule=*/1_*_*_*_*",
             f"create pdb p{tag} --selector=a=b --min-available=1", f"create secret generic s{tag} --from-literal=a=b"]
    for line in lines:
        args = [a.replace("_", " ") for a in line.split()]
        r = subprocess.run([binary, *args, "-v=8"], capture_output=True, text=True, env=env, timeout=60)
        assert r.returncode == 0, r.stderr[-2000:]
        assert f"Content-Type: {PB}" in r.stderr      # the request body
        assert "201 Created" in r.stderr
        out = [ln for ln in r.stdout.splitlines() if ln.strip()]
        assert out[-1].endswith(" created"), r.stdout
        # the answer was protobuf: kubectl logs its Content-Type among the response headers
        resp = r.stderr.split("201 Created", 1)[1]
        assert PB in resp.split("Response Body", 1)[0]
    r = served.kubectl("get", "deploy", f"d{tag}", "-o", "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}")
    assert r.stdout == "2 nginx"
    r = served.kubectl("get", "secret", f"s{tag}", "-o", "jsonpath={.data.a}")
    assert r.stdout == "Yg=="


@pytest.mark.parametrize("line", ["create deployment dd --image=nginx --replicas=3 --port=80",
                                  "create service nodeport np --tcp=80:8080 --node-port=30099",
                                  "create cronjob cjd --image=busybox --schedule=0_*_*_*_* -- echo hi",
                                  "create configmap cmd --from-literal=a=b --from-literal=c=d",
                                  "create role rd --verb=get,list --resource=pods,deployments.apps",
                                  "create priorityclass pcd --value=100 --description=x",
                                  "create quota qd --hard=cpu=1,memory=1Gi,pods=4"])
def test_dry_run_server_through_protobuf_is_minikctls_dry_run(served, line):
    """kubectl encodes the object in protobuf, serve decodes it, defaults and validates it, and
    answers in protobuf, which kubectl prints as YAML: the same YAML minikctl's own server dry run
    prints for the same command on the same cluster (uid and time aside)."""
    import re
    args = [a.replace("_", " ") for a in line.split()]
    cut = args.index("--") if "--" in args else len(args)
    args[cut:cut] = ["--dry-run=server", "-o", "yaml"]
    k = served.kubectl(*args)
    m = served.mk(*args)
    assert k.returncode == 0, k.stderr

    def norm(t: str) -> str:
        # a dry run still draws a fresh clusterIP; kubectl prints the Go struct, whose non-pointer
        # status is `{}` even when the server sent none (minikctl prints none for a quota)
        t = re.sub(r"(uid|creationTimestamp|clusterIP): .*", r"\1: X", t)
        t = re.sub(r"(clusterIPs:\n  - ).*", r"\1X", t)
        return t.replace("status: {}\n", "")
    assert norm(k.stdout) == norm(m.out)


def test_list_and_get_answered_in_protobuf(served):
    from minikctl.apiserver import protobuf
    code, ctype, body = raw(served, "GET", "/api/v1/namespaces/default/pods")
    assert (code, ctype) == (200, PB)
    lst = protobuf.decode(body, "", "")
    assert lst["kind"] == "PodList" and len(lst["items"]) >= 4
    code, _, js = raw(served, "GET", "/api/v1/namespaces/default/pods", accept="application/json")
    assert [p["metadata"]["name"] for p in json.loads(js)["items"]] == [p["metadata"]["name"] for p in lst["items"]]
    # a custom resource has no protobuf: JSON, the client's second choice
    code, ctype, _ = raw(served, "GET", "/apis/gateway.networking.k8s.io/v1/gatewayclasses", accept=f"{PB}, application/json")
    assert (code, ctype) == (200, "application/json")


def _pb_configmap(name: str) -> bytes:
    from minikctl.apiserver import protobuf
    return protobuf.encode({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"a": "b"}})


def test_bad_protobuf_gets_the_apiservers_status_and_serving_goes_on(served):
    path = "/api/v1/namespaces/default/configmaps"
    good = _pb_configmap("pb-good")
    from minikctl.apiserver import protobuf as pb
    inner = bytearray(pb.MAGIC)          # a whole envelope around a truncated object
    pb._put_bytes(inner, 1, pb.encode_message({"apiVersion": "v1", "kind": "ConfigMap"}, pb.UNKNOWN_TYPEMETA))
    pb._put_bytes(inner, 2, pb.encode_message({"metadata": {"name": "x"}, "data": {"a": "b"}},
                                              "k8s.io.api.core.v1.ConfigMap")[:-2])
    cases = [
        (bytes(inner), "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: unexpected EOF"),
        (good[:-9], "the object provided is unrecognized (must be of type ConfigMap): unexpected EOF ("
                    + good[:30].hex() + " ...)"),
        (good[:12], "the object provided is unrecognized (must be of type ConfigMap): unexpected EOF ("
                    + good[:12].hex() + ")"),
        (b"\x0a\x02{}", "the object provided is unrecognized (must be of type ConfigMap): provided data does not "
                        "appear to be a protobuf message, expected prefix [107 56 115 0] (0a027b7d)"),
        (b"k8s\x00", "the object provided is unrecognized (must be of type ConfigMap): empty body (6b387300)"),
        (good.replace(b"ConfigMap", b"ConfigMop"),
         'ConfigMop in version "v1" cannot be handled as a ConfigMap: no kind "ConfigMop" is registered for '
         'version "v1" in scheme "pkg/api/legacyscheme/scheme.go:30"'),
        (b"k8s\x00\x0f", "the object provided is unrecognized (must be of type ConfigMap): proto: illegal wireType 7 "
                         "(6b3873000f)"),
    ]
    for body, message in cases:
        code, ctype, data = raw(served, "POST", path, body, accept="application/json")
        st = json.loads(data)
        assert (code, st["reason"], st["message"]) == (400, "BadRequest", message)
    code, _, _ = raw(served, "POST", path, good)
    assert code == 201
    assert served.kubectl("get", "cm", "pb-good").returncode == 0


def test_object_without_apiversion_and_kind_takes_the_urls(served):
    """The official Python client builds objects without apiVersion/kind; the URL implies them."""
    code, body = served.http("POST", "/api/v1/namespaces/default/configmaps",
                             json.dumps({"metadata": {"name": "no-kind"}, "data": {"x": "y"}}).encode())
    assert code == 201, body
    assert (body["apiVersion"], body["kind"]) == ("v1", "ConfigMap")
    code, body = served.http("POST", "/apis/apps/v1/namespaces/default/deployments", json.dumps(
        {"metadata": {"name": "no-kind"}, "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {
            "metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}).encode())
    assert code == 201, body
    assert (body["apiVersion"], body["kind"]) == ("apps/v1", "Deployment")
    # still refused: a body whose apiVersion is another group's
    code, body = served.http("POST", "/apis/apps/v1/namespaces/default/deployments",
                             json.dumps({"apiVersion": "v1", "metadata": {"name": "x"}}).encode())
    assert code == 400 and "does not match the expected API version" in body["message"]


# ---------------------------------------------------------------- CBOR (1.33 clients)

def test_cbor_is_refused_as_a_132_apiserver_refuses_it(served):
    """CBORServingAndStorage is alpha and off in 1.32/1.33: a CBOR body is a 415 listing what is
    accepted, a CBOR-only Accept a 406, and a client preferring CBOR gets JSON."""
    code, _, data = raw(served, "POST", "/api/v1/namespaces/default/configmaps", b"\xa0", ctype="application/cbor",
                        accept="application/json")
    st = json.loads(data)
    assert (code, st["reason"], st["message"]) == (415, "UnsupportedMediaType", "the body of the request was in an "
                                                   "unknown format - accepted media types include: application/json, "
                                                   "application/yaml, application/vnd.kubernetes.protobuf")
    code, ctype, data = raw(served, "GET", "/api/v1/namespaces/default/configmaps", accept="application/cbor")
    st = json.loads(data)
    assert (code, st["reason"], st["message"]) == (406, "NotAcceptable", "only the following media types are "
                                                   "accepted: application/json, application/yaml, "
                                                   "application/vnd.kubernetes.protobuf")
    code, ctype, _ = raw(served, "GET", "/api/v1/namespaces/default/configmaps",
                         accept="application/json;q=0.9,application/cbor;q=1")
    assert (code, ctype) == (200, "application/json")


def test_kubectl_133_with_cbor_gates_works(served):
    binary = _kubectl_version("1.33")
    if binary is None:
        pytest.skip("no kubectl 1.33 here")
    import subprocess
    env = {**GO_SPEED, "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(served.home),
           "KUBECONFIG": str(served.kubeconfig), "KUBE_FEATURE_ClientsAllowCBOR": "true",
           "KUBE_FEATURE_ClientsPreferCBOR": "true"}
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cbor-cm\ndata:\n  a: b\n"
    for args, want in ((["apply", "-f", "-"], "configmap/cbor-cm created\n"),
                       (["get", "cm", "cbor-cm", "-o", "jsonpath={.data.a}"], "b"),
                       (["delete", "cm", "cbor-cm"], 'configmap "cbor-cm" deleted\n')):
        r = subprocess.run([binary, *args], input=manifest, capture_output=True, text=True, env=env, timeout=60)
        assert (r.returncode, r.stdout) == (0, want), r.stderr
