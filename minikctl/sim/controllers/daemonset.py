"""The DaemonSet controller: one pod per eligible node (kube-proxy in a kubeadm cluster), and its
updates (pkg/controller/daemon/update.go): pods carry the template's controller-revision-hash and
pod-template-generation; on a template change a RollingUpdate replaces old pods node by node, at
most maxUnavailable unavailable at a time (or with maxSurge, the new pod first and the old one
once the new is ready); OnDelete leaves old pods until someone deletes them."""
from __future__ import annotations

import copy

from minikctl.api.conditions import is_ready
from minikctl.sim.controllers.common import create_pod_or_report, guard, index_owned, is_terminating, pod_room
from minikctl.sim.controllers.scheduler import fits
import math
from minikctl import lazy

names = lazy.module("minikctl.sim.names")
rollout = lazy.module("minikctl.sim.rollout")
server = lazy.module("minikctl.api.server")


def _hash(ds: dict) -> str:
    return names.revision_hash(ds["spec"]["template"])


def _scaled(v, total: int, round_up: bool) -> int:
    if v is None:
        return 0
    if isinstance(v, int):
        return v
    x = int(str(v).rstrip("%")) * total / 100
    return math.ceil(x) if round_up else math.floor(x)


def reconcile(cluster) -> None:
    owned = index_owned(cluster, "Pod")
    nodes = cluster.list("Node")
    for ds in cluster.list("DaemonSet"):
        guard(cluster, "daemonset", ds, _sync_set, cluster, ds, owned, nodes)


def _sync_set(cluster, ds: dict, owned, nodes) -> None:
    if ds["metadata"].get("deletionTimestamp"):
        return
    rev = _hash(ds)
    gen = str(ds["metadata"].get("generation", 1))
    rollout.sync_sts_ledger(cluster, ds)   # the ControllerRevision history rollout history reads
    all_pods = owned.get(ds["metadata"]["uid"], [])
    pods = [p for p in all_pods if not is_terminating(p)]
    on: dict[str, list[dict]] = {}
    for p in all_pods:   # a node whose old pod is still terminating gets its new pod after
        on.setdefault(p["spec"].get("nodeName"), []).append(p)
    eligible = [n for n in nodes if fits(ds["spec"]["template"]["spec"], n, daemon=True)]
    strategy = ds["spec"].get("updateStrategy") or {}
    ru = strategy.get("rollingUpdate") or {}
    surge = _scaled(ru.get("maxSurge"), len(eligible), True) if strategy.get("type", "RollingUpdate") == "RollingUpdate" else 0
    for n in eligible:
        name = n["metadata"]["name"]
        here = on.get(name, [])
        new_here = [p for p in here if _rev(p) == rev]
        old_here = [p for p in here if _rev(p) != rev and not is_terminating(p)]
        want_new = not here or (surge and old_here and not new_here and
                                sum(1 for x in on.values() if len(x) > 1) < surge)
        if want_new:
            if not pod_room(cluster, ds):
                break
            tmpl = copy.deepcopy(ds["spec"]["template"])
            tmpl["spec"]["nodeName"] = name
            labels = tmpl.setdefault("metadata", {}).setdefault("labels", {})
            labels["controller-revision-hash"] = rev
            labels["pod-template-generation"] = gen
            p = create_pod_or_report(cluster, "daemonset-controller", tmpl, ds)
            if p is None:
                break
            pods.append(p)
            on.setdefault(name, []).append(p)
            cluster.record_event(ds, "Normal", "SuccessfulCreate", f"Created pod: {p['metadata']['name']}", "daemonset-controller")
    if strategy.get("type", "RollingUpdate") == "RollingUpdate":
        _roll(cluster, ds, eligible, on, rev, surge, ru)
    pods = [p for p in pods if cluster.get("Pod", p["metadata"]["namespace"], p["metadata"]["name"]) is p
            and not is_terminating(p)]
    ready = sum(1 for p in pods if is_ready(p))
    updated = sum(1 for p in pods if _rev(p) == rev)
    status = {"currentNumberScheduled": len({p["spec"].get("nodeName") for p in pods}), "numberMisscheduled": 0,
              "desiredNumberScheduled": len(eligible), "numberReady": ready,
              "observedGeneration": ds["metadata"].get("generation", 1),
              "updatedNumberScheduled": updated, "numberAvailable": ready}
    if ready < len(eligible):
        status["numberUnavailable"] = len(eligible) - ready
    if not ready:
        del status["numberAvailable"]
    server.update_status_internal(cluster, ds, status)


def _rev(pod: dict) -> str | None:
    return (pod["metadata"].get("labels") or {}).get("controller-revision-hash")


def _roll(cluster, ds: dict, eligible: list, on: dict, rev: str, surge: int, ru: dict) -> None:
    """rollingUpdate: old pods go node by node, never more than maxUnavailable down at once."""
    total = len(eligible)
    max_unavailable = _scaled(ru.get("maxUnavailable", 1), total, True) if not surge else 0
    names = [n["metadata"]["name"] for n in eligible]
    unavailable = sum(1 for n in names if not any(is_ready(p) and not is_terminating(p) for p in on.get(n, [])))
    for n in names:
        here = on.get(n, [])
        old = [p for p in here if _rev(p) != rev and not is_terminating(p)]
        new = [p for p in here if _rev(p) == rev]
        if not old:
            continue
        if surge:
            if new and all(is_ready(p) for p in new):       # surge: the old one goes once the new is ready
                for p in old:
                    _delete(cluster, ds, p, server)
            continue
        if new:
            continue
        ready_old = any(is_ready(p) for p in old)
        if ready_old and unavailable >= max_unavailable:
            continue
        for p in old:
            _delete(cluster, ds, p, server)
        if ready_old:
            unavailable += 1


def _delete(cluster, ds: dict, pod: dict, server) -> None:
    server.delete_internal(cluster, pod)
    cluster.record_event(ds, "Normal", "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}", "daemonset-controller")
