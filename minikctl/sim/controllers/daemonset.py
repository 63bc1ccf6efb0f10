"""The DaemonSet controller: one pod per eligible node (kube-proxy in a kubeadm cluster)."""
from __future__ import annotations

import copy

from minikctl.api.conditions import is_ready
from minikctl.sim.controllers.common import guard, index_owned, is_terminating, new_pod, pod_room
from minikctl.sim.controllers.scheduler import fits


def reconcile(cluster) -> None:
    owned = index_owned(cluster, "Pod")
    nodes = cluster.list("Node")
    for ds in cluster.list("DaemonSet"):
        guard(cluster, "daemonset", ds, _sync_set, cluster, ds, owned, nodes)


def _sync_set(cluster, ds: dict, owned, nodes) -> None:
    if ds["metadata"].get("deletionTimestamp"):
        return
    pods = [p for p in owned.get(ds["metadata"]["uid"], []) if not is_terminating(p)]
    on = {p["spec"].get("nodeName") for p in pods}
    eligible = [n for n in nodes if fits(ds["spec"]["template"]["spec"], n, daemon=True)]
    for n in eligible:
        if n["metadata"]["name"] not in on:
            if not pod_room(cluster, ds):
                break
            tmpl = copy.deepcopy(ds["spec"]["template"])
            tmpl["spec"]["nodeName"] = n["metadata"]["name"]
            p = new_pod(cluster, tmpl, ds)
            pods.append(p)
            cluster.record_event(ds, "Normal", "SuccessfulCreate", f"Created pod: {p['metadata']['name']}", "daemonset-controller")
    ready = sum(1 for p in pods if is_ready(p))
    status = {"currentNumberScheduled": len(pods), "numberMisscheduled": 0,
              "desiredNumberScheduled": len(eligible), "numberReady": ready,
              "observedGeneration": ds["metadata"].get("generation", 1),
              "updatedNumberScheduled": len(pods), "numberAvailable": ready}
    if not ready:
        del status["numberAvailable"]
        status["numberUnavailable"] = len(eligible)
    cluster.set_status(ds, status)

