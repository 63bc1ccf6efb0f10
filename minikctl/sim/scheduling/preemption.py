"""DefaultPreemption (PostFilter): when no node fits, find the node where evicting lower-priority
pods makes room, evict as few and as unimportant pods as possible, and nominate the node.

The rules are pkg/scheduler/framework/preemption and plugins/defaultpreemption: only nodes whose
failure was resolvable are candidates; on each, remove every lower-priority pod, check the pod
fits, then reprieve victims from the highest priority down while it still fits; pick the node
with the lowest highest-victim priority, then the lowest priority sum, then the fewest victims.
(PodDisruptionBudget violations, the first criterion upstream, are counted when PDBs exist.)
"""
from __future__ import annotations

from minikctl.sim.scheduling.filters import Cycle, run_filters
from minikctl.sim.scheduling.snapshot import NodeInfo


def priority(pod: dict) -> int:
    return int((pod.get("spec") or {}).get("priority") or 0)


def _fits(cy: Cycle, info: NodeInfo) -> bool:
    return run_filters(cy, info) is None


def _victims_on(cy: Cycle, info: NodeInfo) -> list[dict] | None:
    mine = priority(cy.pod)
    lower = [p for p in info.pods if priority(p) < mine and not p["metadata"].get("deletionTimestamp")]
    if not lower:
        return None
    trial = info.without(lower)
    if not _fits(cy, trial):
        return None
    victims = []
    for p in sorted(lower, key=lambda p: -priority(p)):   # reprieve the most important first
        trial.add(p)
        if not _fits(cy, trial):
            trial = trial.without([p])
            victims.append(p)
    return victims


def eligible(cy: Cycle) -> str | None:
    """PodEligibleToPreemptOthers: None if it may preempt, else the reason message."""
    spec = cy.spec
    if spec.get("preemptionPolicy") == "Never":
        return "not eligible due to preemptionPolicy=Never."
    nominated = (cy.pod.get("status") or {}).get("nominatedNodeName")
    info = cy.snap.by_name.get(nominated or "")
    if info is not None and any(p["metadata"].get("deletionTimestamp") and priority(p) < priority(cy.pod)
                                for p in info.pods):
        return "not eligible due to a terminating pod on the nominated node."
    return None


def select(cy: Cycle, candidates: list[NodeInfo]) -> tuple[NodeInfo, list[dict]] | None:
    """The node and its victims, or None when no node can be helped."""
    found = []
    for info in candidates:
        victims = _victims_on(cy, info)
        if victims:
            found.append((info, victims))
    if not found:
        return None
    return min(found, key=lambda nv: (max(priority(v) for v in nv[1]), sum(priority(v) for v in nv[1]),
                                      len(nv[1])))
