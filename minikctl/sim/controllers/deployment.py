"""The Deployment controller: one ReplicaSet per pod template (named by its pod-template-hash),
scaled by the RollingUpdate (maxSurge / maxUnavailable) or Recreate strategy."""
from __future__ import annotations

from minikctl.api import server

import copy
import math

from minikctl.api.conditions import condition
from minikctl.sim import names
from minikctl.sim.controllers.common import guard, index_owned, owner_ref

REV = "deployment.kubernetes.io/revision"


def _int_or_percent(v, total: int, round_up: bool) -> int:
    if v is None:
        v = "25%"
    if isinstance(v, str) and v.endswith("%"):
        x = int(v[:-1]) * total / 100
        return math.ceil(x) if round_up else math.floor(x)
    return int(v)


def _rs_available(rs: dict) -> int:
    return int((rs.get("status") or {}).get("availableReplicas") or 0)


def reconcile(cluster) -> None:
    owned = index_owned(cluster, "ReplicaSet")
    for d in cluster.list("Deployment"):
        if d["metadata"].get("deletionTimestamp"):
            continue
        guard(cluster, "deployment", d, _sync, cluster, d, owned.get(d["metadata"]["uid"], []))


def _hash(d: dict) -> str:
    return names.template_hash(d["spec"]["template"], (d.get("status") or {}).get("collisionCount") or 0)


def _sync(cluster, d: dict, rss: list[dict]) -> None:
    spec = d["spec"]
    replicas = int(spec.get("replicas", 1))
    h = _hash(d)
    new_rs = next((rs for rs in rss if rs["metadata"].get("labels", {}).get("pod-template-hash") == h), None)
    old = [rs for rs in rss if rs is not new_rs]
    max_rev = max([int(rs["metadata"].get("annotations", {}).get(REV, "0")) for rs in rss] or [0])
    paused = bool(spec.get("paused"))
    if new_rs is None and not paused:
        tmpl = copy.deepcopy(spec["template"])
        tmpl.setdefault("metadata", {}).setdefault("labels", {})["pod-template-hash"] = h
        sel = copy.deepcopy(spec["selector"])
        sel.setdefault("matchLabels", {})["pod-template-hash"] = h
        strategy = spec.get("strategy") or {}
        surge = _int_or_percent((strategy.get("rollingUpdate") or {}).get("maxSurge"), replicas, True) \
            if strategy.get("type", "RollingUpdate") == "RollingUpdate" else 0
        first = _first_step(d, old, replicas)
        rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
              "metadata": {"name": f"{d['metadata']['name']}-{h}", "namespace": d["metadata"]["namespace"],
                           "labels": dict(tmpl["metadata"]["labels"]),
                           "annotations": {"deployment.kubernetes.io/desired-replicas": str(replicas),
                                           "deployment.kubernetes.io/max-replicas": str(replicas + surge),
                                           REV: str(max_rev + 1)},
                           "ownerReferences": [owner_ref(d)]},
              "spec": {"replicas": first, "selector": sel, "template": tmpl}}
        new_rs = server.create_internal(cluster, rs)
        # getNewReplicaSet creates the set at its first size and says so once (none when 0)
        if first > 0:
            cluster.record_event(d, "Normal", "ScalingReplicaSet",
                                 f"Scaled up replica set {rs['metadata']['name']} from 0 to {first}",
                                 "deployment-controller")
    elif new_rs is not None and int(new_rs["metadata"].get("annotations", {}).get(REV, "0")) < max_rev and not paused:
        new_rs["metadata"]["annotations"][REV] = str(max_rev + 1)  # rollback: the old RS becomes newest
        server.update_internal(cluster, new_rs)
    if new_rs is not None and _copy_annotations(d, new_rs):
        server.update_internal(cluster, new_rs)
    if new_rs is not None and not paused:
        _rollout(cluster, d, new_rs, old, replicas)
    if new_rs is not None:
        # SetDeploymentRevision: the Deployment carries its newest ReplicaSet's revision (describe
        # shows it; kubectl rollout undo's JSON patch replaces /metadata/annotations)
        rev = (new_rs["metadata"].get("annotations") or {}).get(REV)
        if rev and (d["metadata"].get("annotations") or {}).get(REV) != rev:
            d["metadata"].setdefault("annotations", {})[REV] = rev
            server.update_internal(cluster, d)
    _status(cluster, d, new_rs, old, replicas)


_NOT_COPIED = ("kubectl.kubernetes.io/last-applied-configuration", REV, "deployment.kubernetes.io/revision-history",
               "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas")


def _copy_annotations(d: dict, rs: dict) -> bool:
    """copyDeploymentAnnotationsToReplicaSet: the Deployment's own annotations (a
    kubernetes.io/change-cause among them) reach its newest ReplicaSet, where `rollout history`
    reads them. Returns whether anything changed."""
    ann = rs["metadata"].setdefault("annotations", {})
    changed = False
    for k, v in (d["metadata"].get("annotations") or {}).items():
        if k in _NOT_COPIED or ann.get(k) == v:
            continue
        ann[k] = v
        changed = True
    return changed


def _first_step(d, old, replicas) -> int:
    strategy = d["spec"].get("strategy") or {}
    if not old or strategy.get("type") == "Recreate":
        return replicas if not old else 0
    surge = _int_or_percent((strategy.get("rollingUpdate") or {}).get("maxSurge"), replicas, True)
    total_old = sum(int(rs["spec"].get("replicas", 0)) for rs in old)
    return max(0, min(replicas, replicas + surge - total_old))


def _scale(cluster, d, rs, to: int) -> None:
    frm = int(rs["spec"].get("replicas", 0))
    if frm == to:
        return
    rs["spec"]["replicas"] = to
    ann = rs["metadata"].setdefault("annotations", {})
    ann["deployment.kubernetes.io/desired-replicas"] = str(d["spec"].get("replicas", 1))
    server.update_internal(cluster, rs)
    verb = "up" if to > frm else "down"
    cluster.record_event(d, "Normal", "ScalingReplicaSet",
                         f"Scaled {verb} replica set {rs['metadata']['name']} from {frm} to {to}", "deployment-controller")


def _rollout(cluster, d, new_rs, old, replicas) -> None:
    strategy = d["spec"].get("strategy") or {}
    old_active = [rs for rs in old if int(rs["spec"].get("replicas", 0)) > 0]
    if not old_active:
        _scale(cluster, d, new_rs, replicas)
        return
    if strategy.get("type") == "Recreate":
        for rs in old_active:
            _scale(cluster, d, rs, 0)
        if not any(p for rs in old for p in _pods_of(cluster, rs)):
            _scale(cluster, d, new_rs, replicas)
        return
    ru = strategy.get("rollingUpdate") or {}
    surge = _int_or_percent(ru.get("maxSurge"), replicas, True)
    unavail = _int_or_percent(ru.get("maxUnavailable"), replicas, False)
    if surge == 0 and unavail == 0:
        unavail = 1
    # scale up the new RS within maxSurge
    total = sum(int(rs["spec"].get("replicas", 0)) for rs in old) + int(new_rs["spec"].get("replicas", 0))
    room = replicas + surge - total
    if room > 0 and int(new_rs["spec"].get("replicas", 0)) < replicas:
        _scale(cluster, d, new_rs, min(replicas, int(new_rs["spec"]["replicas"]) + room))
    # scale down old RSs while keeping replicas - maxUnavailable available
    min_available = replicas - unavail
    # first the old RSs' unhealthy replicas (rolling.go cleanupUnhealthyReplicas), else a rollout
    # that fixes never-ready pods stalls with maxUnavailable 0
    total = sum(int(rs["spec"].get("replicas", 0)) for rs in old) + int(new_rs["spec"].get("replicas", 0))
    new_unavail = max(0, int(new_rs["spec"].get("replicas", 0)) - _rs_available(new_rs))
    max_down = total - min_available - new_unavail
    for rs in sorted(old_active, key=lambda r: r["metadata"]["creationTimestamp"]):
        cur = int(rs["spec"]["replicas"])
        unhealthy = cur - _rs_available(rs)
        if max_down <= 0 or unhealthy <= 0:
            continue
        n = min(max_down, unhealthy)
        _scale(cluster, d, rs, cur - n)
        max_down -= n
    available = _rs_available(new_rs) + sum(_rs_available(rs) for rs in old)
    can_remove = available - min_available
    for rs in sorted(old_active, key=lambda r: r["metadata"]["creationTimestamp"]):
        if can_remove <= 0:
            break
        cur = int(rs["spec"]["replicas"])
        n = min(cur, can_remove)
        _scale(cluster, d, rs, cur - n)
        can_remove -= n


def _pods_of(cluster, rs) -> list[dict]:
    uid = rs["metadata"]["uid"]
    return [p for p in cluster.list("Pod", rs["metadata"]["namespace"])
            if any(r.get("uid") == uid for r in p["metadata"].get("ownerReferences") or [])]


def _status(cluster, d, new_rs, old, replicas) -> None:
    all_rs = ([new_rs] if new_rs else []) + old
    st = lambda rs, k: int((rs.get("status") or {}).get(k) or 0)  # noqa: E731
    total = sum(st(rs, "replicas") for rs in all_rs)
    ready = sum(st(rs, "readyReplicas") for rs in all_rs)
    available = sum(st(rs, "availableReplicas") for rs in all_rs)
    updated = st(new_rs, "replicas") if new_rs else 0
    now = cluster.timestamp()
    old_status = d.get("status") or {}

    def cond(ctype, status, reason, message):
        prev = condition(d, ctype)
        if prev and prev["status"] == status and prev["reason"] == reason and prev["message"] == message:
            return prev
        keep_transition = prev and prev["status"] == status
        return {"type": ctype, "status": status, "lastUpdateTime": now,
                "lastTransitionTime": prev["lastTransitionTime"] if keep_transition else now,
                "reason": reason, "message": message}

    avail_ok = available >= replicas - _int_or_percent(
        ((d["spec"].get("strategy") or {}).get("rollingUpdate") or {}).get("maxUnavailable"), replicas, False)
    conds = [cond("Available", "True" if avail_ok else "False",
                  "MinimumReplicasAvailable" if avail_ok else "MinimumReplicasUnavailable",
                  "Deployment has minimum availability." if avail_ok else "Deployment does not have minimum availability.")]
    name = new_rs["metadata"]["name"] if new_rs else ""
    done = new_rs is not None and updated == replicas and total == replicas and available == replicas
    if d["spec"].get("paused"):
        prog = cond("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused")
    elif done:
        prog = cond("Progressing", "True", "NewReplicaSetAvailable", f'ReplicaSet "{name}" has successfully progressed.')
    else:
        prev = condition(d, "Progressing")
        reason = "ReplicaSetUpdated" if prev else "NewReplicaSetCreated"
        msg = f'ReplicaSet "{name}" is progressing.' if prev else f'Created new replica set "{name}"'
        if prev and prev["reason"] in ("NewReplicaSetCreated", "ReplicaSetUpdated") and name in prev["message"]:
            reason, msg = prev["reason"], prev["message"]
        prog = cond("Progressing", "True", reason, msg)
    status = {"observedGeneration": d["metadata"].get("generation", 1), "replicas": total,
              "updatedReplicas": updated, "readyReplicas": ready, "availableReplicas": available,
              "unavailableReplicas": max(0, replicas - available), "conditions": [conds[0], prog]}
    for k in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas"):
        if not status[k]:
            del status[k]
    if old_status.get("collisionCount"):
        status["collisionCount"] = old_status["collisionCount"]
    server.update_status_internal(cluster, d, status)
