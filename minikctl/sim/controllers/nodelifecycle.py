"""The node lifecycle controller's two jobs that kubectl users see: cordon's taint and NoExecute.

* `spec.unschedulable` mirrors into the `node.kubernetes.io/unschedulable:NoSchedule` taint (the
  controller's TaintNodesByCondition), so `describe node` and `-o yaml` show what a kubeadm
  cluster shows after `kubectl cordon`.
* The taint eviction controller (kube-controller-manager's taint manager): a pod on a node with
  NoExecute taints it does not tolerate is deleted at once; a pod that tolerates them all, some
  with tolerationSeconds, is deleted when the smallest of those runs out, counted from the
  taint's timeAdded. A pod whose tolerations have no tolerationSeconds stays forever.
* The node monitor (monitorNodeHealth, every nodeMonitorPeriod 5 s): a node whose kubelet has
  not posted for nodeMonitorGracePeriod (50 s since v1.29) gets its conditions set to Unknown
  ("Kubelet stopped posting node status."), the node.kubernetes.io/unreachable NoSchedule and
  NoExecute taints, and its pods marked not Ready; the NoExecute taint then evicts them after
  their tolerationSeconds (300 s by DefaultTolerationSeconds). A kubelet running without its
  container runtime posts Ready=False ("container runtime is down"): the not-ready taints. When
  the kubelet posts again the conditions come back and the taints go. Whether a kubelet posts is
  the node's own business (sim/nodehost: systemctl stop kubelet, a broken config).
"""
from __future__ import annotations

from minikctl.api import server
import math
from minikctl import lazy

fmt = lazy.function("minikctl.timeutil", "fmt")
join = lazy.module("minikctl.sim.kubeadm.join")
kubelet_host = lazy.module("minikctl.sim.nodehost.kubelet_host")
parse = lazy.function("minikctl.timeutil", "parse")
timeutil = lazy.module("minikctl.timeutil")
tolerates = lazy.function("minikctl.sim.controllers.scheduler", "tolerates")

UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
UNREACHABLE = "node.kubernetes.io/unreachable"
NOT_READY = "node.kubernetes.io/not-ready"
TIMER = "taint-eviction"
MONITOR_TIMER = "node-monitor"
GRACE = 50.0            # --node-monitor-grace-period (v1.29+)
PERIOD = 5.0            # --node-monitor-period


def reconcile(cluster) -> None:
    for node in cluster.list("Node"):
        _sync_unschedulable(cluster, node)
    if cluster.meta.get("nodeUnits"):
        for node in cluster.list("Node"):
            _monitor(cluster, node)
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


# -- the node monitor -----------------------------------------------------------------------------

STOPPED = "Kubelet stopped posting node status."
KUBELET_SAYS = {"MemoryPressure": ("False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                "DiskPressure": ("False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                "PIDPressure": ("False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                "Ready": ("True", "KubeletReady", "kubelet is posting ready status")}


def _monitor(cluster, node: dict) -> None:
    name = node["metadata"]["name"]
    since = kubelet_host.not_posting_since(cluster, name)
    conds = (node.get("status") or {}).get("conditions") or []
    ready = next((c for c in conds if c.get("type") == "Ready"), {})
    if since is None and name in (cluster.meta.get("cniPending") or []):
        _network(cluster, node, ready)
        return
    if since is None:
        runtime_down = kubelet_host.runtime_down(cluster, name)
        if ready.get("status") == "Unknown" or (not runtime_down and ready.get("reason") == "KubeletNotReady"):
            _kubelet_posts(cluster, node, ready=True)
        elif runtime_down and ready.get("status") == "True":
            _kubelet_posts(cluster, node, ready=False)
        return
    due = math.ceil((since + GRACE) / PERIOD) * PERIOD
    if cluster.now < due:
        if not any(t[2] == MONITOR_TIMER and t[3].get("node") == name for t in cluster.timers):
            cluster.schedule(due, MONITOR_TIMER, {"node": name})
        return
    if ready.get("status") != "Unknown":
        _mark_unknown(cluster, node, due)


def _network(cluster, node: dict, ready: dict) -> None:
    """A node that joined with no CNI configuration yet (sim/kubeadm/join.py): NotReady
    ("cni plugin not initialized") until its DaemonSet pods run there - calico-node's install-cni
    is not modelled as a pod of its own: it is taken to be done 15-30 s after the node's kube-proxy
    runs (join.cni_due)."""
    name = node["metadata"]["name"]
    for pod in cluster.list("Pod", "kube-system"):
        if (pod.get("spec") or {}).get("nodeName") == name and \
                (pod["metadata"].get("labels") or {}).get("k8s-app") == "kube-proxy" and \
                (pod.get("status") or {}).get("phase") == "Running" and not pod["metadata"].get("deletionTimestamp"):
            started = parse(pod["status"].get("startTime")) or cluster.now
            due = join.cni_due(cluster, name, started)
            if cluster.now < due:
                if not any(t[2] == MONITOR_TIMER and t[3].get("node") == name for t in cluster.timers):
                    cluster.schedule(due, MONITOR_TIMER, {"node": name})
                return
            join.cni_installed(cluster, name)
            _kubelet_posts(cluster, node, ready=True)
            return


def on_monitor(cluster, ref: dict) -> None:
    """The monitor's period came round for a node that stopped posting: reconcile decides."""
    cluster.settled = False


def _set_taints(node: dict, key: str, want: bool, at: str) -> None:
    spec = node.setdefault("spec", {})
    taints = [t for t in spec.get("taints") or [] if t.get("key") != key]
    if want:
        taints += [{"effect": "NoSchedule", "key": key, "timeAdded": at}, {"effect": "NoExecute", "key": key, "timeAdded": at}]
    if taints:
        spec["taints"] = taints
    else:
        spec.pop("taints", None)


def _mark_unknown(cluster, node: dict, at_time: float) -> None:
    at = fmt(at_time)
    for c in (node.get("status") or {}).get("conditions") or []:
        if c.get("status") != "Unknown":
            c["lastTransitionTime"] = at
        c.update(status="Unknown", reason="NodeStatusUnknown", message=STOPPED)
    _set_taints(node, NOT_READY, False, at)
    _set_taints(node, UNREACHABLE, True, at)
    server.update_internal(cluster, node)
    name = node["metadata"]["name"]
    cluster.record_event(node, "Normal", "NodeNotReady", f"Node {name} status is now: NodeNotReady", "node-controller")
    _mark_pods_not_ready(cluster, name, at)


def _mark_pods_not_ready(cluster, name: str, at: str) -> None:
    """markPodsNotReady: every pod on the node gets Ready=False (endpoints drop it)."""
    for pod in cluster.list("Pod"):
        if (pod.get("spec") or {}).get("nodeName") != name:
            continue
        changed = False
        for c in (pod.get("status") or {}).get("conditions") or []:
            if c.get("type") == "Ready" and c.get("status") != "False":
                c.update(status="False", lastTransitionTime=at)
                changed = True
        if changed:
            server.update_internal(cluster, pod)
            cluster.record_event(pod, "Warning", "NodeNotReady", "Node is not ready", "node-controller")


def _kubelet_posts(cluster, node: dict, ready: bool) -> None:
    """The kubelet's status update: its four conditions (Ready=False while the runtime is down)."""
    at = fmt(cluster.now)
    for c in (node.get("status") or {}).get("conditions") or []:
        status, reason, message = KUBELET_SAYS.get(c.get("type"), (c.get("status"), c.get("reason"), c.get("message")))
        if c.get("type") == "Ready" and not ready:
            status, reason, message = "False", "KubeletNotReady", "container runtime is down"
        if c.get("status") != status:
            c["lastTransitionTime"] = at
        c.update(status=status, reason=reason, message=message, lastHeartbeatTime=at)
    _set_taints(node, UNREACHABLE, False, at)
    _set_taints(node, NOT_READY, not ready, at)
    server.update_internal(cluster, node)
    name = node["metadata"]["name"]
    cluster.record_event(node, "Normal", "NodeReady" if ready else "NodeNotReady",
                         f"Node {name} status is now: {'NodeReady' if ready else 'NodeNotReady'}", "kubelet")
