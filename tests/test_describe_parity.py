"""`minikctl describe` against the real kubectl's describe, byte for byte.

kubectl describe runs client-side: its own describers over the objects it GETs from
`minikctl serve`, plus an events list by a field selector on involvedObject. So on one state
at one instant, `kubectl describe X` is what a real kubectl prints for our objects, and
`minikctl describe X` must print the same bytes. kubectl computes ages (the Events column)
from the machine's real clock, so here the virtual clock is pinned to whole real seconds just
before each comparison (Go's HumanDuration truncates: kubectl has one second to answer).
"""
from __future__ import annotations

import math
import re
import time
from pathlib import Path

import pytest

import tests.conftest as conftest
from tests.conftest import SPEC
from tests.test_serve_kubectl import KUBECTL, Served, pytestmark, real_second  # noqa: F401  (same skips)

EXTRA = """\
apiVersion: v1
kind: Namespace
metadata:
  name: team-a
  labels:
    team: a
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: team-quota
  namespace: team-a
spec:
  hard:
    pods: "4"
    configmaps: "3"
    requests.cpu: "2"
    limits.memory: 1024Mi
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: best-effort
  namespace: team-a
spec:
  hard:
    pods: "2"
  scopes: ["BestEffort", "NotTerminating"]
---
apiVersion: v1
kind: LimitRange
metadata:
  name: mem-limits
  namespace: team-a
spec:
  limits:
  - type: Container
    max:
      memory: 1Gi
  - type: Pod
    max:
      cpu: "2"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
  namespace: default
data:
  mode: prod
  app.properties: |
    color=blue
    size=3
---
apiVersion: v1
kind: Secret
metadata:
  name: db-pass
  labels:
    app: db
stringData:
  password: s3cr3t!
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: pod-reader
rules:
- apiGroups: [""]
  resources: ["pods", "pods/log"]
  verbs: ["get", "watch", "list"]
- apiGroups: ["apps", ""]
  resources: ["deployments", "configmaps"]
  resourceNames: ["a", "b"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["delete"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: read-pods
subjects:
- kind: User
  name: jane
- kind: ServiceAccount
  name: default
  namespace: default
- kind: Group
  name: devs
roleRef:
  kind: Role
  name: pod-reader
  apiGroup: rbac.authorization.k8s.io
---
apiVersion: v1
kind: Service
metadata:
  name: np-svc
spec:
  type: NodePort
  selector:
    app: web-server
  ports:
  - name: http
    port: 80
    targetPort: 80
    nodePort: 30080
---
apiVersion: v1
kind: Service
metadata:
  name: lb-svc
spec:
  type: LoadBalancer
  selector:
    app: web-server
  ports:
  - port: 8080
    targetPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: ext-svc
spec:
  type: ExternalName
  externalName: example.com
---
apiVersion: v1
kind: Service
metadata:
  name: manual-svc
spec:
  ports:
  - port: 5432
    targetPort: 5432
---
apiVersion: v1
kind: Endpoints
metadata:
  name: manual-svc
subsets:
- addresses:
  - ip: 192.168.10.5
  ports:
  - port: 5432
---
apiVersion: v1
kind: Pod
metadata:
  name: rich
  labels:
    app: rich
    tier: backend
  annotations:
    note: hello
spec:
  containers:
  - name: app
    image: nginx:1.23
    command: ["nginx"]
    args: ["-g", "daemon off;"]
    ports:
    - containerPort: 80
      name: http
    env:
    - name: MODE
      valueFrom:
        configMapKeyRef:
          name: app-config
          key: mode
    - name: PLAIN
      value: "yes"
    - name: MY_POD
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    envFrom:
    - configMapRef:
        name: app-config
    resources:
      requests:
        cpu: 100m
        memory: 64Mi
      limits:
        cpu: 200m
        memory: 128Mi
    readinessProbe:
      httpGet:
        path: /
        port: 80
      initialDelaySeconds: 2
      periodSeconds: 5
    livenessProbe:
      tcpSocket:
        port: 80
    volumeMounts:
    - name: cfg
      mountPath: /etc/cfg
      readOnly: true
    - name: scratch
      mountPath: /scratch
  volumes:
  - name: cfg
    configMap:
      name: app-config
  - name: scratch
    emptyDir: {}
---
apiVersion: v1
kind: Pod
metadata:
  name: crasher
spec:
  containers:
  - name: c
    image: busybox:1.28
    command: ["sh", "-c", "exit 1"]
---
apiVersion: v1
kind: Pod
metadata:
  name: pending
spec:
  nodeSelector:
    disktype: ssd
  containers:
  - name: c
    image: nginx:1.23
---
apiVersion: v1
kind: Pod
metadata:
  name: badimage
spec:
  containers:
  - name: c
    image: nginx:1.277
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory, request):
    root = tmp_path_factory.mktemp("describe")
    start = math.floor(time.time()) - 900       # the cluster was born 15 minutes ago
    mp = pytest.MonkeyPatch()
    mp.setattr(conftest, "T0", float(start))    # Minikctl starts its virtual clock at T0
    try:
        s = Served(root)
    finally:
        mp.undo()
    for name in ("test-headless-server", "web-server", "headless-web-server", "busybox"):
        r = s.kubectl("apply", "-f", str(SPEC / f"{name}.yaml"))
        assert r.returncode == 0, r.stderr
    extra = root / "extra.yaml"
    extra.write_text(EXTRA)
    r = s.kubectl("apply", "-f", str(extra))
    assert r.returncode == 0, r.stderr
    r = s.mk("taint", "nodes", "k8s-worker-03", "dedicated=db:NoSchedule")
    assert r.code == 0, r.err
    for _ in range(12):                          # two minutes in steps, timers fire in order
        s.mk.advance(10)
        s.mk("get", "ns")
    yield s
    s.close()


def _first(served, kind: str, ns: str, label: str) -> str:
    r = served.mk("get", kind, "-n", ns, "-l", label, "-o", "jsonpath={.items[0].metadata.name}")
    assert r.code == 0 and r.out, r.err
    return r.out


_DATA_KEY = re.compile(r"^(?=[^\s][^\n]*:\n----\n)", re.M)


def _unordered_data(text: str) -> str:
    """A ConfigMap's Data entries sorted by key. kubectl ranges over the Go map (random order on
    every run; minikctl prints them sorted, one of kubectl's possible outputs), so compare the
    entries as a set; everything around them stays byte for byte."""
    out = []
    for one in re.split(r"(?=^Name:\s)", text, flags=re.M):
        head, sep, rest = one.partition("\nData\n====\n")
        if not sep:
            out.append(one)
            continue
        data, sep2, tail = rest.rpartition("\nBinaryData\n====\n")     # entries: key, ----, value, blank
        blocks = sorted(b for b in _DATA_KEY.split(data) if b)
        out.append(head + sep + "".join(blocks) + sep2 + tail)
    return "".join(out)


def _compare(served, *args: str):
    for _ in range(3):          # a kubectl slower than one second may age events by one more: retry
        pinned = served.mk.clock = max(served.mk.clock, real_second())
        k = served.kubectl("describe", *args)
        late = time.time() - pinned >= 1.0
        m = served.mk("describe", *args)
        if args[0] in ("configmap", "configmaps", "cm"):
            assert m.out == _unordered_data(m.out)          # minikctl's own order: sorted keys
            k.stdout = _unordered_data(k.stdout)
        if m.out == k.stdout or not late:
            break
    assert k.returncode == 0, k.stderr
    assert (m.code, m.err) == (0, "")
    if m.out != k.stdout:                        # a readable diff in the failure report
        import difflib
        diff = "".join(difflib.unified_diff(k.stdout.splitlines(True), m.out.splitlines(True), "kubectl", "minikctl"))
        pytest.fail("describe " + " ".join(args) + " differs:\n" + diff)
    return k.stdout


NAMED = [
    ("pod", "rich"), ("pod", "crasher"), ("pod", "pending"), ("pod", "badimage"), ("pod", "busybox"),
    ("service", "web-server-svc"), ("service", "headless-svc"), ("service", "headless-web-server-svc"),
    ("service", "np-svc"), ("service", "lb-svc"), ("service", "ext-svc"), ("service", "manual-svc"),
    ("service", "kubernetes"),
    ("endpoints", "web-server-svc"), ("endpoints", "headless-svc"), ("endpoints", "manual-svc"),
    ("endpoints", "kubernetes"),
    ("deployment", "web-server-pod"), ("deployment", "pod-server"),
    ("statefulset", "web-server"),
    ("node", "k8s-master"), ("node", "k8s-worker-01"), ("node", "k8s-worker-03"),
    ("namespace", "default"), ("namespace", "team-a"), ("namespace", "kube-system"),
    ("configmap", "app-config"), ("secret", "db-pass"), ("serviceaccount", "default"),
    ("role", "pod-reader"), ("rolebinding", "read-pods"), ("clusterrole", "view"), ("clusterrole", "admin"),
    ("clusterrole", "edit"), ("clusterrole", "cluster-admin"), ("clusterrole", "system:node"),
    ("clusterrole", "system:discovery"), ("clusterrolebinding", "kubeadm:node-proxier"),
    ("clusterrolebinding", "system:public-info-viewer"),
]


@pytest.mark.parametrize("name", ["team-quota", "best-effort"])
def test_describe_quota_matches_kubectl(served, name):
    _compare(served, "quota", name, "-n", "team-a")


def test_describe_limitrange_matches_kubectl(served):
    _compare(served, "limits", "mem-limits", "-n", "team-a")


@pytest.mark.parametrize("kind,name", NAMED, ids=[f"{k}/{n}" for k, n in NAMED])
def test_describe_named_object_matches_kubectl(served, kind, name):
    _compare(served, kind, name)


def test_describe_replicaset_matches_kubectl(served):
    _compare(served, "replicaset", _first(served, "rs", "default", "app=web-server"))


def test_describe_statefulset_pod_matches_kubectl(served):
    _compare(served, "pod", "web-server-0")


def test_describe_deployment_pod_matches_kubectl(served):
    _compare(served, "pod", _first(served, "po", "default", "app=web-server"))


def test_describe_kube_proxy_daemonset_matches_kubectl(served):
    _compare(served, "daemonset", "kube-proxy", "-n", "kube-system")


def test_describe_kube_system_objects_match_kubectl(served):
    _compare(served, "configmap", "coredns", "-n", "kube-system")
    _compare(served, "service", "kube-dns", "-n", "kube-system")
    _compare(served, "pod", _first(served, "po", "kube-system", "k8s-app=kube-dns"), "-n", "kube-system")


def test_describe_endpointslice_matches_kubectl(served):
    _compare(served, "endpointslice", _first(served, "endpointslices", "default",
                                             "kubernetes.io/service-name=web-server-svc"))


def test_describe_all_of_a_kind_matches_kubectl(served):
    """No name: every object of the kind, separated as kubectl separates them."""
    out = _compare(served, "svc")
    assert out.count("\n\n\nName:") >= 1 or out.count("\nName:") >= 8
    _compare(served, "deploy")
    _compare(served, "po", "-l", "app=headless-server")


def test_events_are_part_of_the_comparison(served):
    """The Events section is compared too, and it is not empty for a pod the kubelet keeps restarting."""
    out = _compare(served, "pod", "crasher")
    assert "BackOff" in out and "Back-off restarting failed container c in pod crasher_default" in out


def test_the_state_is_as_rich_as_intended(served):
    """Guard the scenario itself: each special pod is in the state its comparison is meant to cover."""
    k = served.kubectl("describe", "pod", "pending", "crasher", "badimage")
    assert "FailedScheduling" in k.stdout and "didn't match Pod's node affinity/selector" in k.stdout
    assert "CrashLoopBackOff" in k.stdout and "ImagePullBackOff" in k.stdout
    node = served.kubectl("describe", "node", "k8s-worker-03").stdout
    assert "Taints:             dedicated=db:NoSchedule" in node and "HolderIdentity:  k8s-worker-03" in node
    assert "No resource quota." in served.kubectl("describe", "ns", "default").stdout
    assert "Resource Quotas\n  Name:" in served.kubectl("describe", "ns", "team-a").stdout


@pytest.mark.parametrize("args", [
    ("deployment", "coredns", "-n", "kube-system"),
    ("pod", "-n", "kube-system", "-l", "k8s-app=kube-proxy"),
    ("endpointslice", "-l", "kubernetes.io/service-name=headless-svc"),
    ("endpoints", "kube-dns", "-n", "kube-system"),
    ("rs", "-n", "kube-system"),
    ("nodes",),
    ("ns",),
    ("cm",),
    ("deploy,svc,po", "-l", "app=web-server"),
], ids=lambda a: "-".join(a))
def test_describe_more_matches_kubectl(served, args):
    _compare(served, *args)
