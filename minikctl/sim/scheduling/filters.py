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
        # fitsRequest's order: cpu, memory, ephemeral-storage, then extended resources
        order = ["cpu", "memory", "ephemeral-storage"] + sorted(
            r for r in self.requests if r not in ("cpu", "memory", "ephemeral-storage", "pods"))
        self.wanted = [(r, int(self.requests[r] * 1000)) for r in order if self.requests.get(r)]   # milli-units
        self._spread = None
        self._affinity = None

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
    if "pods" in alloc and (len(info.pods) + 1) * 1000 > alloc["pods"]:
        out.append(("pods", Fraction(1), Fraction(len(info.pods)), Fraction(alloc["pods"], 1000)))
    for r, want in cy.wanted:
        used = info.requested.get(r, 0)
        cap = alloc.get(r, 0)
        if want > cap - used:
            out.append((r, Fraction(want, 1000), Fraction(used, 1000), Fraction(cap, 1000)))
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
        eligible = set()
        for info in cy.snap.nodes:
            if not all(k in info.labels for k in keys):
                continue
            if c.get("nodeAffinityPolicy", "Honor") == "Honor" and not affinity.node_matches_pod(cy.spec, info.node):
                continue
            if c.get("nodeTaintsPolicy", "Ignore") == "Honor" and taint_toleration(cy, info):
                continue
            eligible.add(info.name)
            counts.setdefault(info.labels[key], 0)
        for p, where in cy.snap.candidates(sel):
            if where.name in eligible and p["metadata"].get("namespace") == ns \
                    and not p["metadata"].get("deletionTimestamp") \
                    and label_selector_matches(sel, p["metadata"].get("labels") or {}):
                counts[where.labels[key]] += 1
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


def term_counts(cy: Cycle, term: dict, namespaces) -> dict[str, int]:
    """PreFilter's topology-pair counts: topologyKey value -> pods matching the term there."""
    key = term.get("topologyKey", "")
    counts: dict[str, int] = {}
    for other, where in cy.snap.candidates(term.get("labelSelector")):
        if other is cy.pod or key not in where.labels or other["metadata"].get("deletionTimestamp"):
            continue
        if affinity.pod_matches_term(term, other, namespaces):
            counts[where.labels[key]] = counts.get(where.labels[key], 0) + 1
    return counts


def _affinity_prefilter(cy: Cycle):
    pod, nss_of = cy.pod, (lambda t: affinity.term_namespaces(t, pod, cy.snap.namespaces))
    aff = []
    for t in _terms(cy.spec, "podAffinity"):
        nss = nss_of(t)
        counts = term_counts(cy, t, nss)
        # the first pod of a group: nothing in the cluster matches, but the pod matches itself
        alone_ok = not counts and affinity.pod_matches_term(t, pod, nss)
        aff.append((t.get("topologyKey", ""), counts, alone_ok))
    anti = [(t.get("topologyKey", ""), term_counts(cy, t, nss_of(t))) for t in _terms(cy.spec, "podAntiAffinity")]
    forbidden = set()
    for other, where, t in cy.snap.anti_terms_for(pod):
        if other is pod or other["metadata"].get("deletionTimestamp"):
            continue
        key = t.get("topologyKey", "")
        if key in where.labels and affinity.pod_matches_term(
                t, pod, affinity.term_namespaces(t, other, cy.snap.namespaces)):
            forbidden.add((key, where.labels[key]))
    return aff, anti, forbidden


def inter_pod_affinity(cy: Cycle, info: NodeInfo) -> Status | None:
    if cy._affinity is None:
        cy._affinity = _affinity_prefilter(cy)
    aff, anti, forbidden = cy._affinity
    labels = info.labels
    for key, counts, alone_ok in aff:
        if key not in labels or not (counts.get(labels[key]) or alone_ok):
            return Status(("node(s) didn't match pod affinity rules",), True)
    for key, counts in anti:
        if key in labels and counts.get(labels[key]):
            return Status(("node(s) didn't match pod anti-affinity rules",))
    if any((k, labels.get(k)) in forbidden for k, _v in forbidden):
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
