"""The default profile's preference scores, for pods and nodes that express a preference:
TaintToleration (weight 3: fewer untolerated PreferNoSchedule taints), NodeAffinity (weight 2:
preferred terms' weights) and InterPodAffinity (weight 2: preferred pod (anti-)affinity terms,
the incoming pod's and the existing pods'), each normalised to 0..100 as the plugins'
NormalizeScore does, then weighted and summed.

What is left to the scheduler controller's tie-break (sim/controllers/scheduler.py): spreading a
controller's pods over nodes, then the emptier node, then chance - the effect of the default
topology spreading and LeastAllocated for pods that express no preference. Soft topology spread
constraints (ScheduleAnyway) are PodTopologySpread's score (weight 2, soft_spread below).
"""
from __future__ import annotations

from minikctl.sim.scheduling import affinity
from minikctl.sim.scheduling.filters import Cycle, term_counts, tolerates
from minikctl.sim.scheduling.snapshot import NodeInfo
import math
from minikctl import lazy

_constraint_selector = lazy.function("minikctl.sim.scheduling.filters", "_constraint_selector")
label_selector_matches = lazy.function("minikctl.api.selectors", "label_selector_matches")
taint_toleration = lazy.function("minikctl.sim.scheduling.filters", "taint_toleration")


def _preferred(spec: dict, kind: str) -> list[dict]:
    return ((spec.get("affinity") or {}).get(kind) or {}).get("preferredDuringSchedulingIgnoredDuringExecution") or []


def _taint_count(cy: Cycle, info: NodeInfo) -> int:
    tols = [t for t in cy.spec.get("tolerations") or [] if t.get("effect") in (None, "", "PreferNoSchedule")]
    return sum(1 for t in info.node["spec"].get("taints") or []
               if t.get("effect") == "PreferNoSchedule" and not tolerates(tols, t))


def _inter_pod_counts(cy: Cycle) -> list[tuple[str, int, dict]]:
    """(topologyKey, signed weight, counts per topology value) for each preferred term."""
    out = []
    for kind, sign in (("podAffinity", 1), ("podAntiAffinity", -1)):
        for wt in _preferred(cy.spec, kind):
            term = wt.get("podAffinityTerm") or {}
            nss = affinity.term_namespaces(term, cy.pod, cy.snap.namespaces)
            out.append((term.get("topologyKey", ""), sign * int(wt.get("weight") or 0), term_counts(cy, term, nss)))
    return out


def _inter_pod(terms, info: NodeInfo) -> int:
    return sum(w * counts.get(info.labels[key], 0) for key, w, counts in terms if key in info.labels)


def _relevant(cy: Cycle, nodes: list[NodeInfo]) -> bool:
    return bool(_preferred(cy.spec, "nodeAffinity") or _preferred(cy.spec, "podAffinity")
                or _preferred(cy.spec, "podAntiAffinity") or _soft_constraints(cy.spec)
                or any(t.get("effect") == "PreferNoSchedule" for i in nodes for t in i.node["spec"].get("taints") or []))


def preference(cy: Cycle, nodes: list[NodeInfo]) -> dict[str, float] | None:
    """Weighted, normalised preference per node name; None when nothing is preferred anywhere."""
    if not _relevant(cy, nodes):
        return None
    taints = {i.name: _taint_count(cy, i) for i in nodes}
    node_aff = {i.name: affinity.preferred_node_score(cy.spec, i.node) for i in nodes}
    terms = _inter_pod_counts(cy)
    inter = {i.name: _inter_pod(terms, i) for i in nodes}
    t_max, a_max = max(taints.values()), max(node_aff.values())
    i_min, i_max = min(inter.values()), max(inter.values())
    spread = soft_spread(cy, nodes) if _soft_constraints(cy.spec) else {}
    out = {}
    for i in nodes:
        n = i.name
        t = 100 - taints[n] * 100 / t_max if t_max else 100
        a = node_aff[n] * 100 / a_max if a_max else 0
        p = (inter[n] - i_min) * 100 / (i_max - i_min) if i_max != i_min else 0
        out[n] = 3 * t + 2 * a + 2 * p + 2 * spread.get(n, 0)
    return out


# ---- PodTopologySpread (soft constraints, ScheduleAnyway) -----------------------------------

def _soft_constraints(spec: dict) -> list[dict]:
    return [c for c in spec.get("topologySpreadConstraints") or [] if c.get("whenUnsatisfiable") == "ScheduleAnyway"]


def soft_spread(cy: Cycle, nodes: list[NodeInfo]) -> dict[str, float]:
    """The PodTopologySpread score plugin for ScheduleAnyway constraints, normalised 0..100:
    PreScore counts the matching pods per topology domain over the nodes the constraint considers
    and weights each constraint by log(domains + 2); Score sums count * weight + (maxSkew - 1);
    NormalizeScore gives the node with the fewest matching pods 100. A node without one of the
    constraints' topology keys scores 0."""
    constraints = _soft_constraints(cy.spec)
    keys = [c.get("topologyKey", "") for c in constraints]
    ignored = {i.name for i in nodes if not all(k in i.labels for k in keys)}
    ns = cy.pod["metadata"].get("namespace", "default")
    prepared = []
    for c in constraints:
        sel = _constraint_selector(c, cy.pod)
        key = c.get("topologyKey", "")
        counts: dict[str, int] = {}
        considered = set()
        for info in cy.snap.nodes:
            if not all(k in info.labels for k in keys):
                continue
            if c.get("nodeAffinityPolicy", "Honor") == "Honor" and not affinity.node_matches_pod(cy.spec, info.node):
                continue
            if c.get("nodeTaintsPolicy", "Ignore") == "Honor" and taint_toleration(cy, info):
                continue
            considered.add(info.name)
        domains = {i.labels[key] for i in nodes if i.name not in ignored}
        for p, where in cy.snap.candidates(sel):
            if where.name in considered and p["metadata"].get("namespace") == ns \
                    and not p["metadata"].get("deletionTimestamp") \
                    and label_selector_matches(sel, p["metadata"].get("labels") or {}):
                v = where.labels[key]
                counts[v] = counts.get(v, 0) + 1
        size = len(nodes) - len(ignored) if key == "kubernetes.io/hostname" else len(domains)
        prepared.append((key, int(c.get("maxSkew", 1)), counts, math.log(size + 2)))
    raw = {}
    for info in nodes:
        if info.name in ignored:
            continue
        s = 0.0
        for key, max_skew, counts, weight in prepared:
            if key in info.labels:
                s += counts.get(info.labels[key], 0) * weight + (max_skew - 1)
        raw[info.name] = round(s)
    out = {i.name: 0.0 for i in nodes}
    if not raw:
        return out
    lo, hi = min(raw.values()), max(raw.values())
    for n, s in raw.items():
        out[n] = 100.0 if hi == 0 else float(100 * (hi + lo - s) // hi)
    return out
