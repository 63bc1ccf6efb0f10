"""The scheduler: place pending pods on nodes that fit (taints/tolerations, nodeSelector,
unschedulable), preferring nodes with fewer pods of the same owner, then fewer pods, then chance."""
from __future__ import annotations

from minikctl.api import server

from minikctl.sim.controllers.common import controller_ref


def tolerates(tolerations: list[dict], taint: dict) -> bool:
    for t in tolerations or []:
        if t.get("effect") and t["effect"] != taint.get("effect"):
            continue
        if t.get("operator") == "Exists":
            if not t.get("key") or t["key"] == taint.get("key"):
                return True
        elif t.get("key") == taint.get("key") and (t.get("value") or "") == (taint.get("value") or ""):
            return True
    return False


def _why_not(spec: dict, node: dict, daemon: bool = False) -> str | None:
    if node["spec"].get("unschedulable") and not daemon:
        return "unschedulable"
    for taint in node["spec"].get("taints") or []:
        if daemon and taint.get("key") == "node.kubernetes.io/unschedulable":
            continue  # the DaemonSet controller adds this toleration to its pods
        if taint.get("effect") in ("NoSchedule", "NoExecute") and not tolerates(spec.get("tolerations"), taint):
            return "taint:" + taint["key"] + (f"={taint['value']}" if taint.get("value") else "") + ": "
    labels = node["metadata"].get("labels") or {}
    for k, v in (spec.get("nodeSelector") or {}).items():
        if labels.get(k) != v:
            return "selector"
    return None


def fits(spec: dict, node: dict, daemon: bool = False) -> bool:
    return _why_not(spec, node, daemon) is None


def reconcile(cluster) -> None:
    pending = [p for p in cluster.list("Pod") if not p["spec"].get("nodeName")
               and not p["metadata"].get("deletionTimestamp")]
    if not pending:
        return
    nodes = cluster.list("Node")
    load: dict[str, int] = {}
    by_owner: dict[tuple[str, str], int] = {}
    for p in cluster.list("Pod"):
        n = p["spec"].get("nodeName")
        if n and not p["metadata"].get("deletionTimestamp"):
            load[n] = load.get(n, 0) + 1
            ref = controller_ref(p)
            if ref:
                by_owner[(ref["uid"], n)] = by_owner.get((ref["uid"], n), 0) + 1
    for pod in pending:
        spec = pod["spec"]
        volumes = None
        if any("persistentVolumeClaim" in v for v in spec.get("volumes") or []):
            from minikctl.sim.controllers import volume_binding as volumes
            msg = volumes.prefilter(cluster, pod)
            if msg:
                _unschedulable(cluster, pod, {}, len(nodes), prefilter=msg)
                continue
        reasons = {n["metadata"]["name"]: _why_not(spec, n) or _full(n, load)
                   or (volumes and _vol(volumes.filter_node(cluster, pod, n))) for n in nodes}
        ok = [n for n in nodes if reasons[n["metadata"]["name"]] is None]
        if not ok:
            _unschedulable(cluster, pod, reasons, len(nodes))
            continue
        ref = controller_ref(pod)
        owner = ref["uid"] if ref else None
        cluster.rng.shuffle(ok)
        best = min(ok, key=lambda n: (by_owner.get((owner, n["metadata"]["name"]), 0) if owner else 0,
                                      load.get(n["metadata"]["name"], 0)))
        name = best["metadata"]["name"]
        if volumes:
            volumes.assume(cluster, pod, best)
        spec["nodeName"] = name
        load[name] = load.get(name, 0) + 1
        if owner:
            by_owner[(owner, name)] = by_owner.get((owner, name), 0) + 1
        st = pod.setdefault("status", {})
        st["phase"] = "Pending"
        st["conditions"] = [{"type": "PodScheduled", "status": "True", "lastProbeTime": None,
                             "lastTransitionTime": cluster.timestamp()}]
        st["qosClass"] = st.get("qosClass", "BestEffort")
        server.update_internal(cluster, pod)
        ns = pod["metadata"]["namespace"]
        cluster.record_event(pod, "Normal", "Scheduled", f"Successfully assigned {ns}/{pod['metadata']['name']} to {name}",
                             "default-scheduler")


def _vol(reason: str | None) -> str | None:
    return "vol:" + reason if reason else None


def _full(node: dict, load: dict[str, int]) -> str | None:
    """NodeResourcesFit's pod count: a node holds at most status.allocatable.pods (kubelet's maxPods)."""
    cap = ((node.get("status") or {}).get("allocatable") or {}).get("pods")
    if cap is not None and str(cap).isdigit() and load.get(node["metadata"]["name"], 0) >= int(cap):
        return "pods"
    return None


def _unschedulable(cluster, pod, reasons: dict, total: int, prefilter: str | None = None) -> None:
    counts: dict[str, int] = {}
    full = sum(1 for r in reasons.values() if r == "pods")
    for r in reasons.values():
        if r == "pods":
            key = "Too many pods"
        elif r and r.startswith("taint:"):
            key = f"node(s) had untolerated taint {{{r[6:]}}}"
        elif r == "selector":
            key = "node(s) didn't match Pod's node affinity/selector"
        elif r == "unschedulable":
            key = "node(s) were unschedulable"
        elif r and r.startswith("vol:"):
            key = r[4:]
        else:
            continue
        counts[key] = counts.get(key, 0) + 1
    # FitError sorts "N reason" strings; a PreFilter failure replaces the per-node reasons
    parts = prefilter if prefilter else ", ".join(sorted(f"{n} {k}" for k, n in counts.items()))
    # preemption: a full node could make room by evicting lower-priority pods (none here); the others cannot
    tried = sorted(f"{n} {k}" for k, n in (("Preemption is not helpful for scheduling", total - full),
                                           ("No preemption victims found for incoming pod", full)) if n)
    msg = f"0/{total} nodes are available: {parts}. preemption: 0/{total} nodes are available: {', '.join(tried)}."
    st = pod.setdefault("status", {})
    cond = {"type": "PodScheduled", "status": "False", "lastProbeTime": None,
            "lastTransitionTime": cluster.timestamp(), "reason": "Unschedulable", "message": msg}
    prev = (st.get("conditions") or [{}])[0]
    if prev.get("message") == msg:
        return
    st["phase"] = "Pending"
    st["conditions"] = [cond]
    st["qosClass"] = st.get("qosClass", "BestEffort")
    server.update_internal(cluster, pod)
    cluster.record_event(pod, "Warning", "FailedScheduling", msg, "default-scheduler")
