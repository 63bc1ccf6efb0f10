"""The kubelet's own admission of a pod bound to its node (lifecycle/predicate.go): a pod whose
spec.nodeName was set by hand skips the scheduler, so the kubelet re-checks resources and node
affinity and rejects what does not fit - the pod is Failed with reason OutOfcpu (or
OutOfmemory, OutOfpods, NodeAffinity) and a Warning event, as on a real node."""
from __future__ import annotations

from minikctl.api import server
from minikctl.sim.scheduling import filters
from minikctl.sim.scheduling.snapshot import Snapshot


def _scaled(resource: str, v) -> int:
    return int(v * 1000) if resource == "cpu" else int(v)   # MilliCPU for cpu, plain units otherwise


def rejection(cluster, pod: dict) -> tuple[str, str] | None:
    """(reason, message) when the node's kubelet refuses pod, else None."""
    snap = Snapshot.take(cluster)
    info = snap.by_name.get(pod["spec"]["nodeName"])
    if info is None:
        return None
    info = info.without([pod])
    cy = filters.Cycle(pod, snap)
    short = filters.insufficient(cy, info)
    if short:
        r, want, used, cap = short[0]
        return (f"OutOf{r}", f"Node didn't have enough resource: {r}, requested: {_scaled(r, want)}, "
                             f"used: {_scaled(r, used)}, capacity: {_scaled(r, cap)}")
    st = filters.node_affinity(cy, info)
    if st is not None:
        return "NodeAffinity", f"Predicate NodeAffinity failed: {st.reasons[0]}"
    return None


def admit(cluster, pod: dict) -> bool:
    """False (and the pod rejected) when the kubelet refuses it."""
    if (pod["metadata"].get("annotations") or {}).get("kubernetes.io/config.mirror"):
        return True   # static pods are the node's own
    if any(c.get("type") == "PodScheduled" and c.get("status") == "True"
           for c in (pod.get("status") or {}).get("conditions") or []):
        return True   # the scheduler placed it, with the same rules
    why = rejection(cluster, pod)
    if why is None:
        return True
    reason, message = why
    st = pod.setdefault("status", {})
    st.update({"phase": "Failed", "reason": reason, "message": f"Pod was rejected: {message}",
               "startTime": cluster.timestamp()})
    server.update_internal(cluster, pod)
    cluster.record_event(pod, "Warning", reason, message, "kubelet", pod["spec"]["nodeName"])
    return False
