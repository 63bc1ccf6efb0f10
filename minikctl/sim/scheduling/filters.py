"""The default profile's Filter plugins, in kube-scheduler's order, with their reason texts.

Each filter takes (cycle, node info) and returns None (the node passes) or a Status: the reason
strings FitError counts, and whether preemption could help (Unschedulable) or not
(UnschedulableAndUnresolvable). A node's first failing filter decides its reasons, as
RunFilterPlugins stops at the first failure. Texts are the plugins' own (pkg/scheduler/framework/
plugins/*): FitError sorts and counts them into `0/4 nodes are available: ...`.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from minikctl.api.resources import pod_totals
from minikctl.api.selectors import label_selector_matches
from minikctl.sim.scheduling import affinity
from minikctl.sim.scheduling.snapshot import NodeInfo, Snapshot, host_ports

UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"


@dataclass(frozen=True)
class Status:
    reasons: tuple[str, ...]
    unresolvable: bool = False


class Cycle:
    """One pod's scheduling cycle: the pod, the snapshot, and what PreFilter would compute."""

    def __init__(self, pod: dict, snap: Snapshot, daemon: bool = False):
        self.pod, self.snap, self.daemon = pod, snap, daemon
        self.spec = pod.get("spec") or {}
        self.requests = pod_totals(pod)
        self._spread = None

    # -- PodTopologySpread's PreFilter state: matching pods per (key, value) over eligible nodes
    def spread_state(self):
        if self._spread is None:
            self._spread = _spread_prefilter(self)
        return self._spread


def tolerates(tolerations: list[dict] | None, taint: dict) -> bool:
    """v1.Toleration.ToleratesTaint for any of the tolerations."""
    for t in tolerations or []:
        if t.get("effect") and t["effect"] != taint.get("effect"):
            continue
        if t.get("operator") == "Exists":
            if not t.get("key") or t["key"] == taint.get("key"):
                return True
        elif t.get("key") == taint.get("key") and (t.get("value") or "") == (taint.get("value") or ""):
            return True
    return False


# ---- the plugins ----------------------------------------------------------------------------

def node_unschedulable(cy: Cycle, info: NodeInfo) -> Status | None:
    if not info.node["spec"].get("unschedulable") or cy.daemon:
        return None
    if tolerates(cy.spec.get("tolerations"), {"key": UNSCHEDULABLE_TAINT, "effect": "NoSchedule"}):
        return None
    return Status(("node(s) were unschedulable",), True)


def node_name(cy: Cycle, info: NodeInfo) -> Status | None:
    want = cy.spec.get("nodeName")
    if want and want != info.name:
        return Status(("node(s) didn't match the requested node name",), True)
    return None


def taint_toleration(cy: Cycle, info: NodeInfo) -> Status | None:
    for taint in info.node["spec"].get("taints") or []:
        if cy.daemon and taint.get("key") == UNSCHEDULABLE_TAINT:
            continue  # the DaemonSet controller adds this toleration to its pods
        if taint.get("effect") in ("NoSchedule", "NoExecute") and not tolerates(cy.spec.get("tolerations"), taint):
            return Status((f"node(s) had untolerated taint {{{taint.get('key', '')}: {taint.get('value') or ''}}}",), True)
    return None


def node_affinity(cy: Cycle, info: NodeInfo) -> Status | None:
    if affinity.node_matches_pod(cy.spec, info.node):
        return None
    return Status(("node(s) didn't match Pod's node affinity/selector",), True)


def _ports_clash(want: set, have: set) -> bool:
    for proto, ip, port in want:
        for p2, ip2, port2 in have:
            if proto == p2 and port == port2 and (ip == ip2 or "0.0.0.0" in (ip, ip2)):
                return True
    return False


def node_ports(cy: Cycle, info: NodeInfo) -> Status | None:
    want = host_ports(cy.pod)
    if want and _ports_clash(want, info.ports):
        return Status(("node(s) didn't have free ports for the requested pod ports",))
    return None


def insufficient(cy: Cycle, info: NodeInfo) -> list[tuple[str, Fraction, Fraction, Fraction]]:
    """fitsRequest: (resource, requested, used, allocatable) for each resource that does not fit;
    the pod count first, then cpu, memory, ephemeral-storage, then extended resources."""
    alloc = info.allocatable
    out = []
    if "pods" in alloc and len(info.pods) + 1 > alloc["pods"]:
        out.append(("pods", Fraction(1), Fraction(len(info.pods)), alloc["pods"]))
    req = cy.requests
    if not any(v for r, v in req.items() if r != "pods"):
        return out
    order = ["cpu", "memory", "ephemeral-storage"] + sorted(r for r in req if r not in ("cpu", "memory", "ephemeral-storage", "pods"))
    for r in order:
        want = req.get(r, Fraction(0))
        if not want:
            continue
        used = info.requested.get(r, Fraction(0))
        if want > alloc.get(r, Fraction(0)) - used:
            out.append((r, want, used, alloc.get(r, Fraction(0))))
    return out


def node_resources_fit(cy: Cycle, info: NodeInfo) -> Status | None:
    short = insufficient(cy, info)
    if not short:
        return None
    return Status(tuple("Too many pods" if r == "pods" else f"Insufficient {r}" for r, *_ in short))


# ---- PodTopologySpread (hard constraints) ---------------------------------------------------

def _constraint_selector(c: dict, pod: dict) -> dict | None:
    sel = c.get("labelSelector")
    keys = c.get("matchLabelKeys") or []
    if not keys:
        return sel
    labels = pod["metadata"].get("labels") or {}
    sel = dict(sel or {})
    exprs = list(sel.get("matchExpressions") or [])
    exprs += [{"key": k, "operator": "In", "values": [labels[k]]} for k in keys if k in labels]
    sel["matchExpressions"] = exprs
    return sel


def _spread_prefilter(cy: Cycle):
    constraints = [c for c in cy.spec.get("topologySpreadConstraints") or []
                   if c.get("whenUnsatisfiable", "DoNotSchedule") == "DoNotSchedule"]
    if not constraints:
        return []
    ns = cy.pod["metadata"].get("namespace", "default")
    keys = [c.get("topologyKey", "") for c in constraints]
    out = []
    for c in constraints:
        sel = _constraint_selector(c, cy.pod)
        key = c.get("topologyKey", "")
        counts: dict[str, int] = {}
        for info in cy.snap.nodes:
            if not all(k in info.labels for k in keys):
                continue
            if c.get("nodeAffinityPolicy", "Honor") == "Honor" and not affinity.node_matches_pod(cy.spec, info.node):
                continue
            if c.get("nodeTaintsPolicy", "Ignore") == "Honor" and taint_toleration(cy, info):
                continue
            dom = info.labels[key]
            counts.setdefault(dom, 0)
            counts[dom] += sum(1 for p in info.pods if p["metadata"].get("namespace") == ns
                               and not p["metadata"].get("deletionTimestamp")
                               and label_selector_matches(sel, p["metadata"].get("labels") or {}))
        low = min(counts.values()) if counts else 0
        if c.get("minDomains") and len(counts) < int(c["minDomains"]):
            low = 0
        self_match = 1 if label_selector_matches(sel, cy.pod["metadata"].get("labels") or {}) else 0
        out.append((key, int(c.get("maxSkew", 1)), counts, low, self_match))
    return out


def pod_topology_spread(cy: Cycle, info: NodeInfo) -> Status | None:
    state = cy.spread_state()
    if not state:
        return None
    for key, max_skew, counts, low, self_match in state:
        if key not in info.labels:
            return Status(("node(s) didn't match pod topology spread constraints (missing required label)",), True)
    for key, max_skew, counts, low, self_match in state:
        if counts.get(info.labels[key], 0) + self_match - low > max_skew:
            return Status(("node(s) didn't match pod topology spread constraints",))
    return None


# ---- InterPodAffinity -----------------------------------------------------------------------

def _terms(spec: dict, kind: str) -> list[dict]:
    return ((spec.get("affinity") or {}).get(kind) or {}).get("requiredDuringSchedulingIgnoredDuringExecution") or []


def _domain_has(cy: Cycle, info: NodeInfo, term: dict, namespaces) -> bool:
    key = term.get("topologyKey", "")
    if key not in info.labels:
        return False
    value = info.labels[key]
    for other, where in cy.snap.all_pods():
        if where.labels.get(key) == value and other is not cy.pod \
                and affinity.pod_matches_term(term, other, namespaces):
            return True
    return False


def inter_pod_affinity(cy: Cycle, info: NodeInfo) -> Status | None:
    pod = cy.pod
    for term in _terms(cy.spec, "podAffinity"):
        nss = affinity.term_namespaces(term, pod, cy.snap.namespaces)
        if term.get("topologyKey", "") not in info.labels:
            return Status(("node(s) didn't match pod affinity rules",), True)
        if _domain_has(cy, info, term, nss):
            continue
        # the first pod of a group: nothing in the cluster matches, but the pod matches itself
        anywhere = any(affinity.pod_matches_term(term, o, nss) for o, _ in cy.snap.all_pods() if o is not pod)
        if anywhere or not affinity.pod_matches_term(term, pod, nss):
            return Status(("node(s) didn't match pod affinity rules",), True)
    for term in _terms(cy.spec, "podAntiAffinity"):
        nss = affinity.term_namespaces(term, pod, cy.snap.namespaces)
        if _domain_has(cy, info, term, nss):
            return Status(("node(s) didn't match pod anti-affinity rules",))
    for other, where in cy.snap.anti:
        for term in _terms(other.get("spec") or {}, "podAntiAffinity"):
            key = term.get("topologyKey", "")
            if key not in info.labels or where.labels.get(key) != info.labels[key]:
                continue
            if affinity.pod_matches_term(term, pod, affinity.term_namespaces(term, other, cy.snap.namespaces)):
                return Status(("node(s) didn't satisfy existing pods anti-affinity rules",))
    return None


# Extra filters other modules register (VolumeBinding, ...): name -> function, run in this order
# between NodeResourcesFit and PodTopologySpread, as the volume plugins sit in the default profile.
VOLUME_FILTERS: list = []

FILTERS = (node_unschedulable, node_name, taint_toleration, node_affinity, node_ports, node_resources_fit)
LATE_FILTERS = (pod_topology_spread, inter_pod_affinity)


def run_filters(cy: Cycle, info: NodeInfo) -> Status | None:
    for f in (*FILTERS, *VOLUME_FILTERS, *LATE_FILTERS):
        st = f(cy, info)
        if st is not None:
            return st
    return None
