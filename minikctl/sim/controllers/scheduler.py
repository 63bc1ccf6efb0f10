"""The scheduler: each pending pod goes through the default profile's filters (sim/scheduling/
filters.py), the feasible nodes are ranked by the preference scores (scores.py) and then by the
tie-break below, and the pod is bound; when no node fits, the FailedScheduling message is built as
FitError builds it and DefaultPreemption (preemption.py) may evict lower-priority pods.

Tie-break among equally preferred nodes: fewer pods of the same owner (the default topology
spreading), then fewer pods (LeastAllocated), then chance from the cluster's seeded rng.
"""
from __future__ import annotations

from minikctl.api import server
from minikctl.sim.controllers.common import controller_ref
from minikctl.sim.scheduling import filters, preemption, scores
from minikctl.sim.scheduling.filters import Cycle, tolerates  # noqa: F401  (tolerates: nodelifecycle)
from minikctl.sim.scheduling.snapshot import NodeInfo, Snapshot
from minikctl import lazy

volume_binding = lazy.module("minikctl.sim.controllers.volume_binding")

NO_NODES = "no nodes available to schedule pods"


def fits(spec: dict, node: dict, daemon: bool = False) -> bool:
    """nodeShouldRunDaemonPod's predicates (unschedulable, node name, taints, node affinity): what
    the DaemonSet controller asks before creating a pod for a node; resources are the scheduler's."""
    cy = Cycle({"metadata": {}, "spec": spec}, Snapshot([], []), daemon=daemon)
    info = NodeInfo(node)
    return all(f(cy, info) is None for f in (filters.node_unschedulable, filters.node_name,
                                             filters.taint_toleration, filters.node_affinity))


def _pending(cluster) -> list[dict]:
    pods = [p for p in cluster.list("Pod") if not p["spec"].get("nodeName")
            and not p["metadata"].get("deletionTimestamp")
            and (p["spec"].get("schedulerName") or "default-scheduler") == "default-scheduler"
            and not p["spec"].get("schedulingGates")]
    # PrioritySort: higher priority first, then the order they arrived in (list order is stable)
    return sorted(pods, key=lambda p: -preemption.priority(p))


def reconcile(cluster) -> None:
    pending = _pending(cluster)
    if not pending:
        return
    snap = Snapshot.take(cluster)
    load: dict[str, int] = {}
    by_owner: dict[tuple[str, str], int] = {}
    for p in cluster.list("Pod"):
        n = p["spec"].get("nodeName")
        # terminal pods (a Job's Completed ones) hold no resources: the scheduler skips them
        if n and not p["metadata"].get("deletionTimestamp") and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed"):
            load[n] = load.get(n, 0) + 1
            ref = controller_ref(p)
            if ref:
                by_owner[(ref["uid"], n)] = by_owner.get((ref["uid"], n), 0) + 1
    for pod in pending:
        cy = Cycle(pod, snap)
        claims = any("persistentVolumeClaim" in v for v in pod["spec"].get("volumes") or [])
        if claims:
            why = volume_binding.prepare(cluster, cy)      # VolumeBinding's PreFilter
            if why:
                _unschedulable(cluster, cy, {i.name: filters.Status((why,), True) for i in snap.nodes}, prefilter=why)
                continue
        verdicts = {info.name: filters.run_filters(cy, info) for info in snap.nodes}
        ok = [info for info in snap.nodes if verdicts[info.name] is None]
        if not ok:
            _unschedulable(cluster, cy, verdicts)
            continue
        ref = controller_ref(pod)
        owner = ref["uid"] if ref else None
        cluster.rng.shuffle(ok)
        prefer = scores.preference(cy, ok) or {}
        best = min(ok, key=lambda i: (-prefer.get(i.name, 0),
                                      by_owner.get((owner, i.name), 0) if owner else 0,
                                      load.get(i.name, 0)))
        name = best.name
        if claims:
            volume_binding.assume(cluster, pod, best.node)  # Reserve/PreBind: bind or mark claims for this node
        _bind(cluster, pod, name)
        snap.bind(pod, best)
        load[name] = load.get(name, 0) + 1
        if owner:
            by_owner[(owner, name)] = by_owner.get((owner, name), 0) + 1


def _bind(cluster, pod: dict, name: str) -> None:
    pod["spec"]["nodeName"] = name
    st = pod.setdefault("status", {})
    st.pop("nominatedNodeName", None)
    st["phase"] = "Pending"
    st["conditions"] = [{"type": "PodScheduled", "status": "True", "lastProbeTime": None,
                         "lastTransitionTime": cluster.timestamp()}]
    st["qosClass"] = st.get("qosClass", "BestEffort")
    server.update_internal(cluster, pod)
    ns = pod["metadata"]["namespace"]
    cluster.record_event(pod, "Normal", "Scheduled", f"Successfully assigned {ns}/{pod['metadata']['name']} to {name}",
                         "default-scheduler")


def fit_error(total: int, verdicts: dict) -> str:
    """FitError.Error(): `0/N nodes are available: ` + the sorted `count reason` histogram."""
    if not total:
        return NO_NODES
    counts: dict[str, int] = {}
    for st in verdicts.values():
        for r in st.reasons if st else ():
            counts[r] = counts.get(r, 0) + 1
    hist = ", ".join(sorted(f"{n} {r}" for r, n in counts.items()))
    return f"0/{total} nodes are available: {hist}."


def _postfilter(cluster, cy: Cycle, verdicts: dict) -> str:
    """DefaultPreemption: evict and nominate, returning '' on success, else its message."""
    why = preemption.eligible(cy)
    if why:
        return why
    total = len(verdicts)
    helpable = [cy.snap.by_name[n] for n, st in verdicts.items() if st and not st.unresolvable]
    chosen = preemption.select(cy, helpable) if helpable else None
    if chosen is None:
        parts = {"Preemption is not helpful for scheduling": total - len(helpable),
                 "No preemption victims found for incoming pod": len(helpable)}
        hist = ", ".join(sorted(f"{n} {r}" for r, n in parts.items() if n))
        return f"preemption: 0/{total} nodes are available: {hist}."
    info, victims = chosen
    for v in victims:
        _preempt(cluster, v, cy.pod, info.name)
    cy.pod.setdefault("status", {})["nominatedNodeName"] = info.name
    return ""


def _preempt(cluster, victim: dict, by: dict, node: str) -> None:
    st = victim.setdefault("status", {})
    conds = [c for c in st.get("conditions") or [] if c.get("type") != "DisruptionTarget"]
    conds.append({"type": "DisruptionTarget", "status": "True", "lastProbeTime": None,
                  "lastTransitionTime": cluster.timestamp(), "reason": "PreemptionByScheduler",
                  "message": f"{by['spec'].get('schedulerName') or 'default-scheduler'}: preempting to accommodate a higher priority pod"})
    st["conditions"] = conds
    cluster.record_event(victim, "Normal", "Preempted", f"Preempted by pod {by['metadata'].get('uid', '')} on node {node}",
                         "default-scheduler")
    server.delete_internal(cluster, victim)


def _unschedulable(cluster, cy: Cycle, verdicts: dict, prefilter: str | None = None) -> None:
    pod = cy.pod
    st = pod.setdefault("status", {})
    nominated = st.get("nominatedNodeName")
    # a PreFilter failure is told once, in place of the per-node histogram (FitError.PreFilterMsg)
    msg = f"0/{len(verdicts)} nodes are available: {prefilter}." if prefilter and verdicts else \
        fit_error(len(verdicts), verdicts)
    if verdicts:
        post = _postfilter(cluster, cy, verdicts)
        if post:
            msg = f"{msg} {post}"
    prev = next((c for c in st.get("conditions") or [] if c.get("type") == "PodScheduled"), {})
    if prev.get("status") == "False" and prev.get("message") == msg and st.get("nominatedNodeName") == nominated:
        return
    cond = {"type": "PodScheduled", "status": "False", "lastProbeTime": None,
            "lastTransitionTime": cluster.timestamp(), "reason": "Unschedulable", "message": msg}
    st["phase"] = "Pending"
    st["conditions"] = [cond]
    st["qosClass"] = st.get("qosClass", "BestEffort")
    server.update_internal(cluster, pod)
    cluster.record_event(pod, "Warning", "FailedScheduling", msg, "default-scheduler")
