"""The node lifecycle controller's two jobs that kubectl users see: cordon's taint and NoExecute.

* `spec.unschedulable` mirrors into the `node.kubernetes.io/unschedulable:NoSchedule` taint (the
  controller's TaintNodesByCondition), so `describe node` and `-o yaml` show what a kubeadm
  cluster shows after `kubectl cordon`.
* The taint eviction controller (kube-controller-manager's taint manager): a pod on a node with
  NoExecute taints it does not tolerate is deleted at once; a pod that tolerates them all, some
  with tolerationSeconds, is deleted when the smallest of those runs out, counted from the
  taint's timeAdded. A pod whose tolerations have no tolerationSeconds stays forever.
"""
from __future__ import annotations

from minikctl.api import server

UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
TIMER = "taint-eviction"


def reconcile(cluster) -> None:
    for node in cluster.list("Node"):
        _sync_unschedulable(cluster, node)
    tainted = {n["metadata"]["name"]: n for n in cluster.list("Node") if _no_execute(n)}
    if not tainted:
        return
    for pod in cluster.list("Pod"):
        node = tainted.get(pod["spec"].get("nodeName") or "")
        if node is not None and not pod["metadata"].get("deletionTimestamp"):
            _check(cluster, node, pod)


def _sync_unschedulable(cluster, node: dict) -> None:
    spec = node.setdefault("spec", {})
    taints = spec.get("taints") or []
    has = any(t.get("key") == UNSCHEDULABLE and t.get("effect") == "NoSchedule" for t in taints)
    want = bool(spec.get("unschedulable"))
    if has == want:
        return
    if want:
        spec["taints"] = taints + [{"effect": "NoSchedule", "key": UNSCHEDULABLE, "timeAdded": cluster.timestamp()}]
    else:
        rest = [t for t in taints if not (t.get("key") == UNSCHEDULABLE and t.get("effect") == "NoSchedule")]
        if rest:
            spec["taints"] = rest
        else:
            spec.pop("taints", None)
    server.update_internal(cluster, node)


def _no_execute(node: dict) -> list[dict]:
    return [t for t in (node.get("spec") or {}).get("taints") or [] if t.get("effect") == "NoExecute"]


def eviction_time(pod: dict, node: dict, now: float) -> float | None:
    """When the taint manager deletes `pod` from `node`: `now` for an untolerated NoExecute taint,
    the earliest timeAdded + tolerationSeconds otherwise, None when it may stay for good."""
    from minikctl import timeutil
    from minikctl.sim.controllers.scheduler import tolerates
    tolerations = pod["spec"].get("tolerations") or []
    due: float | None = None
    for taint in _no_execute(node):
        used = [t for t in tolerations if tolerates([t], taint)]
        if not used:
            return now
        secs = [t["tolerationSeconds"] for t in used if t.get("tolerationSeconds") is not None]
        if not secs:
            continue
        start = timeutil.parse(taint["timeAdded"]) if taint.get("timeAdded") else now
        at = start + max(0, min(int(s) for s in secs))
        due = at if due is None else min(due, at)
    return due


def _check(cluster, node: dict, pod: dict) -> None:
    due = eviction_time(pod, node, cluster.now)
    if due is None:
        return
    if due <= cluster.now:
        _evict(cluster, pod)
        return
    uid = pod["metadata"]["uid"]
    if not any(t[2] == TIMER and t[3].get("uid") == uid and t[0] == due for t in cluster.timers):
        m = pod["metadata"]
        cluster.schedule(due, TIMER, {"namespace": m["namespace"], "name": m["name"], "uid": uid})


def _evict(cluster, pod: dict) -> None:
    m = pod["metadata"]
    cluster.record_event(pod, "Normal", "TaintManagerEviction", f"Marking for deletion Pod {m['namespace']}/{m['name']}",
                         "taint-eviction-controller")
    server.delete_internal(cluster, pod)


def on_timer(cluster, ref: dict) -> None:
    """A tolerationSeconds ran out: check the pod again (the taint may be gone by now)."""
    pod = cluster.get("Pod", ref["namespace"], ref["name"])
    if pod is None or pod["metadata"].get("uid") != ref["uid"] or pod["metadata"].get("deletionTimestamp"):
        return
    node = cluster.get("Node", None, pod["spec"].get("nodeName") or "")
    if node is not None and _no_execute(node):
        _check(cluster, node, pod)
