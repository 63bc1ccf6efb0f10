"""The scheduler as a learner meets it: requests against allocatable, the FailedScheduling text
built as kube-scheduler's FitError builds it, node and pod (anti-)affinity, topology spreading,
host ports, priority and preemption, and the kubelet's own admission of hand-placed pods.

The default cluster: k8s-master (tainted control-plane) and three workers of 4 CPUs, 8008Mi."""
from __future__ import annotations

import json
import re

import pytest

from minikctl.api.resources import amount, parse, pod_totals

TAINT = "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"


def pods(mk, *args) -> list[dict]:
    r = mk("get", "pods", *args, "-o", "json")
    assert r.code == 0, r.err
    return json.loads(r.out)["items"]


def pod(name, cpu=None, extra="", labels="{}", mem=None, priority=None):
    res = {}
    if cpu:
        res["cpu"] = cpu
    if mem:
        res["memory"] = mem
    spec_extra = f"  priority: {priority}\n" if priority is not None else ""
    return f"""apiVersion: v1
kind: Pod
metadata:
  name: {name}
  labels: {labels}
spec:
{spec_extra}{extra}  containers:
  - name: c
    image: nginx
    resources: {{requests: {json.dumps(res)}}}
---
"""


def apply(mk, text, settle=5):
    r = mk("apply", "-f", "-", stdin=text)
    assert r.code == 0, r.err
    mk.advance(settle)
    mk("get", "po")  # a command lets the controllers settle at the new time


def scheduled_message(mk, name) -> str:
    p = next(p for p in pods(mk) if p["metadata"]["name"] == name)
    cond = next(c for c in p["status"]["conditions"] if c["type"] == "PodScheduled")
    assert cond["status"] == "False"
    return cond["message"]


def histogram(msg: str, one_per_node: bool = True) -> dict[str, int]:
    """'0/4 nodes are available: 1 a, 3 b. preemption: ...' -> {'a': 1, 'b': 3} (the filter part)."""
    m = re.match(r"0/(\d+) nodes are available: (.*?)\.(?: |$)", msg)
    assert m, msg
    parts = m.group(2).split(", ")
    assert parts == sorted(parts), "FitError sorts its 'count reason' strings"
    out = {}
    for p in parts:
        n, reason = p.split(" ", 1)
        out[reason] = int(n)
    if one_per_node:
        assert sum(out.values()) == int(m.group(1)), "every node gives exactly one failing reason"
    return out


# ---- quantities -----------------------------------------------------------------------------

@pytest.mark.parametrize("text,value", [("500m", "1/2"), ("128Mi", 128 * 2**20), ("1e3", 1000), ("1.5", "3/2"),
                                        ("2k", 2000), ("0.1", "1/10"), ("100n", "1/10000000"), (4, 4)])
def test_quantities_are_exact(text, value):
    from fractions import Fraction
    assert parse(text) == Fraction(value)


def test_malformed_quantities_are_not_amounts():
    assert parse("ten") is None and parse("1Q") is None and amount("x") == 0


def test_pod_totals_follow_component_helpers():
    spec = {"containers": [{"resources": {"requests": {"cpu": "100m"}}}, {"resources": {"requests": {"cpu": "200m"}}}],
            "initContainers": [{"resources": {"requests": {"cpu": "250m"}}},
                               {"restartPolicy": "Always", "resources": {"requests": {"cpu": "50m"}}}],
            "overhead": {"cpu": "10m"}}
    # containers 300m + the sidecar 50m that keeps running = 350m (> the 250m init peak) + overhead
    assert pod_totals({"spec": spec})["cpu"] == parse("360m")


# ---- resources ------------------------------------------------------------------------------

def test_a_pod_larger_than_any_node_stays_pending_with_the_fit_error(mk):
    apply(mk, pod("big", cpu="10"))
    msg = scheduled_message(mk, "big")
    assert histogram(msg) == {TAINT: 1, "Insufficient cpu": 3}
    assert msg.endswith(" preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, "
                        "3 No preemption victims found for incoming pod.")
    r = mk("describe", "pod", "big")
    assert "FailedScheduling" in r.out and "Insufficient cpu" in r.out
    r = mk("get", "pod", "big")
    assert "Pending" in r.out


def test_requests_add_up_until_the_nodes_are_full(mk):
    apply(mk, "".join(pod(f"p{i}", cpu="1500m") for i in range(7)))
    placed = [p for p in pods(mk) if p["spec"].get("nodeName")]
    assert len(placed) == 6, "two 1.5-CPU pods fit a 4-CPU worker, a third does not"
    per_node: dict[str, int] = {}
    for p in placed:
        per_node[p["spec"]["nodeName"]] = per_node.get(p["spec"]["nodeName"], 0) + 1
    assert sorted(per_node.values()) == [2, 2, 2] and "k8s-master" not in per_node
    pending = next(p["metadata"]["name"] for p in pods(mk) if not p["spec"].get("nodeName"))
    assert histogram(scheduled_message(mk, pending)) == {TAINT: 1, "Insufficient cpu": 3}
    # describe node's Allocated resources agree with what the scheduler counted, never over 100%
    for node in per_node:
        out = mk("describe", "node", node).out
        cpu_line = next(line for line in out.splitlines() if line.strip().startswith("cpu "))
        assert re.search(r"cpu\s+3 \(75%\)", cpu_line), cpu_line


def test_memory_and_cpu_both_short_counts_one_reason_per_resource(mk):
    apply(mk, pod("huge", cpu="8", mem="64Gi"))
    hist = histogram(scheduled_message(mk, "huge"), one_per_node=False)
    # NodeResourcesFit returns every short resource of a node, so counts exceed one per node here
    assert hist.get("Insufficient cpu") == 3 and hist.get("Insufficient memory") == 3


def test_allocatable_is_capacity_less_the_kubelet_eviction_thresholds(mk):
    node = json.loads(mk("get", "node", "k8s-worker-01", "-o", "json").out)
    cap, alloc = node["status"]["capacity"], node["status"]["allocatable"]
    assert amount(cap["memory"]) - amount(alloc["memory"]) == 100 * 2**20
    assert amount(alloc["ephemeral-storage"]) == amount(cap["ephemeral-storage"]) - int(amount(cap["ephemeral-storage"]) * 0.1)
    assert alloc["cpu"] == cap["cpu"] and alloc["pods"] == cap["pods"]


def test_kubelet_rejects_a_hand_placed_pod_that_does_not_fit(mk):
    apply(mk, pod("pinned", cpu="5", extra="  nodeName: k8s-worker-01\n"))
    p = next(p for p in pods(mk) if p["metadata"]["name"] == "pinned")
    assert p["status"]["phase"] == "Failed" and p["status"]["reason"] == "OutOfcpu"
    assert p["status"]["message"] == ("Pod was rejected: Node didn't have enough resource: cpu, "
                                      "requested: 5000, used: 0, capacity: 4000")
    assert re.search(r"pinned\s+0/1\s+OutOfcpu", mk("get", "po").out)
    ev = mk("get", "events").out
    assert re.search(r"Warning\s+OutOfcpu\s+pod/pinned\s+Node didn't have enough resource: cpu", ev)


# ---- node selection -------------------------------------------------------------------------

def test_node_selector_mismatch(mk):
    apply(mk, pod("sel", extra="  nodeSelector: {disktype: ssd}\n"))
    assert histogram(scheduled_message(mk, "sel")) == {TAINT: 1, "node(s) didn't match Pod's node affinity/selector": 3}
    assert mk("label", "node", "k8s-worker-02", "disktype=ssd").code == 0
    mk.advance(2)
    assert next(p for p in pods(mk) if p["metadata"]["name"] == "sel")["spec"]["nodeName"] == "k8s-worker-02"


@pytest.mark.parametrize("expr,expected", [
    ('{key: kubernetes.io/hostname, operator: In, values: [k8s-worker-03]}', {"k8s-worker-03"}),
    ('{key: kubernetes.io/hostname, operator: NotIn, values: [k8s-worker-01, k8s-worker-02]}', {"k8s-worker-03"}),
    ('{key: node-role.kubernetes.io/control-plane, operator: DoesNotExist}', {"k8s-worker-01", "k8s-worker-02", "k8s-worker-03"}),
    ('{key: gpu, operator: Exists}', set()),
    ('{key: cores, operator: Gt, values: ["8"]}', set()),
])
def test_required_node_affinity_operators(mk, expr, expected):
    extra = ("  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
             f"        nodeSelectorTerms:\n        - matchExpressions:\n          - {expr}\n")
    apply(mk, "".join(pod(f"a{i}", extra=extra) for i in range(3)))
    nodes = {p["spec"].get("nodeName") for p in pods(mk)} - {None}
    assert nodes == expected or (expected and nodes <= expected)
    if not expected:
        assert "node(s) didn't match Pod's node affinity/selector" in scheduled_message(mk, "a0")


def test_match_fields_on_the_node_name(mk):
    extra = ("  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
             "        nodeSelectorTerms:\n        - matchFields:\n          - {key: metadata.name, operator: In, values: [k8s-worker-02]}\n")
    apply(mk, pod("mf", extra=extra))
    assert pods(mk)[0]["spec"]["nodeName"] == "k8s-worker-02"


def test_preferred_node_affinity_wins_over_spreading(mk):
    extra = ("  affinity:\n    nodeAffinity:\n      preferredDuringSchedulingIgnoredDuringExecution:\n"
             "      - weight: 50\n        preference:\n          matchExpressions:\n"
             "          - {key: kubernetes.io/hostname, operator: In, values: [k8s-worker-01]}\n")
    apply(mk, "".join(pod(f"pref{i}", extra=extra) for i in range(4)))
    assert {p["spec"]["nodeName"] for p in pods(mk)} == {"k8s-worker-01"}


def test_a_valued_taint_is_quoted_key_colon_value(mk):
    assert mk("taint", "node", "k8s-worker-01", "dedicated=db:NoSchedule").code == 0
    assert mk("taint", "node", "k8s-worker-02", "dedicated=db:NoSchedule").code == 0
    assert mk("taint", "node", "k8s-worker-03", "dedicated=db:NoSchedule").code == 0
    apply(mk, pod("t"))
    assert histogram(scheduled_message(mk, "t")) == {TAINT: 1, "node(s) had untolerated taint {dedicated: db}": 3}


def test_host_port_clash(mk):
    port = "  containers:\n  - name: c\n    image: nginx\n    ports: [{containerPort: 80, hostPort: 8080}]\n"
    text = "".join(f"apiVersion: v1\nkind: Pod\nmetadata: {{name: hp{i}}}\nspec:\n{port}---\n" for i in range(4))
    apply(mk, text)
    nodes = [p["spec"].get("nodeName") for p in pods(mk)]
    assert len(set(n for n in nodes if n)) == 3 and nodes.count(None) == 1
    pending = next(p["metadata"]["name"] for p in pods(mk) if not p["spec"].get("nodeName"))
    assert histogram(scheduled_message(mk, pending)) == {
        TAINT: 1, "node(s) didn't have free ports for the requested pod ports": 3}


# ---- inter-pod affinity and spreading -------------------------------------------------------

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
{extra}      containers:
      - name: c
        image: nginx
"""


def test_pod_anti_affinity_one_per_node(mk):
    extra = ("      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n"
             "          - labelSelector: {matchLabels: {app: web}}\n            topologyKey: kubernetes.io/hostname\n")
    apply(mk, DEPLOY.format(name="web", replicas=4, extra=extra))
    placed = [p["spec"].get("nodeName") for p in pods(mk)]
    assert sorted(n for n in placed if n) == ["k8s-worker-01", "k8s-worker-02", "k8s-worker-03"]
    pending = next(p["metadata"]["name"] for p in pods(mk) if not p["spec"].get("nodeName"))
    assert histogram(scheduled_message(mk, pending)) == {TAINT: 1, "node(s) didn't match pod anti-affinity rules": 3}


def test_existing_pods_anti_affinity_keeps_others_away(mk):
    extra = ("  affinity:\n    podAntiAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
             "      - labelSelector: {matchLabels: {role: noisy}}\n        topologyKey: kubernetes.io/hostname\n")
    apply(mk, pod("loner", extra=extra + "  nodeSelector: {kubernetes.io/hostname: k8s-worker-01}\n"))
    apply(mk, pod("noisy", labels="{role: noisy}", extra="  nodeSelector: {kubernetes.io/hostname: k8s-worker-01}\n"))
    assert histogram(scheduled_message(mk, "noisy")) == {
        TAINT: 1, "node(s) didn't match Pod's node affinity/selector": 2,
        "node(s) didn't satisfy existing pods anti-affinity rules": 1}


def test_pod_affinity_follows_its_peer_and_the_first_pod_may_start_a_group(mk):
    apply(mk, pod("cache", labels="{app: cache}"))
    cache_node = pods(mk)[0]["spec"]["nodeName"]
    extra = ("  affinity:\n    podAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
             "      - labelSelector: {matchLabels: {app: cache}}\n        topologyKey: kubernetes.io/hostname\n")
    apply(mk, "".join(pod(f"web{i}", extra=extra) for i in range(3)))
    assert {p["spec"]["nodeName"] for p in pods(mk)} == {cache_node}
    # a pod whose term selects its own labels may start the group when nothing else matches
    extra2 = extra.replace("app: cache", "app: solo")
    apply(mk, pod("solo", labels="{app: solo}", extra=extra2))
    assert next(p for p in pods(mk) if p["metadata"]["name"] == "solo")["spec"].get("nodeName")
    # ... but not when it does not match its own term
    apply(mk, pod("orphan", extra=extra.replace("app: cache", "app: nothing")))
    assert histogram(scheduled_message(mk, "orphan")) == {
        TAINT: 1, "node(s) didn't match pod affinity rules": 3}


def test_topology_spread_counts_the_tainted_control_plane_unless_taints_are_honoured(mk):
    spread = ("      topologySpreadConstraints:\n      - maxSkew: 1\n        topologyKey: kubernetes.io/hostname\n"
              "        whenUnsatisfiable: DoNotSchedule\n        labelSelector: {{matchLabels: {{app: {app}}}}}\n")
    apply(mk, DEPLOY.format(name="s", replicas=6, extra=spread.format(app="s")))
    placed = [p["spec"].get("nodeName") for p in pods(mk)]
    # nodeTaintsPolicy Ignore (the default): k8s-master is a domain with 0 pods, so skew caps each worker at 1
    assert sorted(n for n in placed if n) == ["k8s-worker-01", "k8s-worker-02", "k8s-worker-03"]
    pending = next(p["metadata"]["name"] for p in pods(mk) if not p["spec"].get("nodeName"))
    assert histogram(scheduled_message(mk, pending)) == {
        TAINT: 1, "node(s) didn't match pod topology spread constraints": 3}
    honour = spread + "        nodeTaintsPolicy: Honor\n"
    apply(mk, DEPLOY.format(name="h", replicas=6, extra=honour.format(app="h")))
    counts: dict[str, int] = {}
    for p in pods(mk, "-l", "app=h"):
        counts[p["spec"]["nodeName"]] = counts.get(p["spec"]["nodeName"], 0) + 1
    assert sorted(counts.values()) == [2, 2, 2]


def test_spread_on_a_missing_topology_label_is_unresolvable(mk):
    extra = ("  topologySpreadConstraints:\n  - maxSkew: 1\n    topologyKey: topology.kubernetes.io/zone\n"
             "    whenUnsatisfiable: DoNotSchedule\n    labelSelector: {matchLabels: {app: z}}\n")
    apply(mk, pod("z", labels="{app: z}", extra=extra))
    msg = scheduled_message(mk, "z")
    assert histogram(msg) == {TAINT: 1, "node(s) didn't match pod topology spread constraints (missing required label)": 3}
    assert msg.endswith("preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.")


# ---- priority and preemption ----------------------------------------------------------------

def test_preemption_evicts_the_lowest_priority_pod_and_nominates_its_node(mk):
    apply(mk, DEPLOY.format(name="low", replicas=3,
                            extra="").replace("image: nginx\n", "image: nginx\n        resources: {requests: {cpu: '3'}}\n"))
    low = {p["metadata"]["name"]: p["spec"]["nodeName"] for p in pods(mk)}
    assert len(set(low.values())) == 3
    r = mk("apply", "-f", "-", stdin=pod("vip", cpu="2", priority=1000))
    assert r.code == 0
    mk.advance(1)
    events = mk("get", "events").out
    m = re.search(r"Normal\s+Preempted\s+pod/(\S+)\s+Preempted by pod (\S+) on node (\S+)", events)
    assert m, events
    victim, uid, node = m.groups()
    assert victim in low and low[victim] == node
    vip = next(p for p in pods(mk) if p["metadata"]["name"] == "vip")
    assert uid == vip["metadata"]["uid"]
    mk.advance(40)
    vip = next(p for p in pods(mk) if p["metadata"]["name"] == "vip")
    assert vip["spec"]["nodeName"] == node and vip["status"]["phase"] == "Running"
    assert victim not in {p["metadata"]["name"] for p in pods(mk)}
    # the ReplicaSet's replacement cannot fit anywhere and cannot preempt the higher-priority pod
    repl = next(p["metadata"]["name"] for p in pods(mk) if not p["spec"].get("nodeName"))
    assert histogram(scheduled_message(mk, repl)) == {TAINT: 1, "Insufficient cpu": 3}


def test_preemption_policy_never(mk):
    apply(mk, "".join(pod(f"f{i}", cpu="3") for i in range(3)))
    apply(mk, pod("polite", cpu="2", priority=1000, extra="  preemptionPolicy: Never\n"))
    msg = scheduled_message(mk, "polite")
    assert msg.endswith("3 Insufficient cpu. not eligible due to preemptionPolicy=Never.")
    assert "Preempted" not in mk("get", "events").out


def test_equal_priority_never_preempts(mk):
    apply(mk, "".join(pod(f"e{i}", cpu="3") for i in range(4)))
    pending = next(p["metadata"]["name"] for p in pods(mk) if not p["spec"].get("nodeName"))
    assert scheduled_message(mk, pending).endswith("3 No preemption victims found for incoming pod.")


def test_placement_is_reproducible_under_a_seed(tmp_path):
    from conftest import Minikctl
    runs = []
    for i in range(2):
        m = Minikctl(tmp_path / f"s{i}", seed=11)
        apply(m, "".join(pod(f"r{i}", cpu="500m") for i in range(9)))
        runs.append({p["metadata"]["name"]: p["spec"]["nodeName"] for p in pods(m)})
    assert runs[0] == runs[1]
