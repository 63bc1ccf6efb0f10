"""The ReplicaSet controller: keep spec.replicas active pods, named <rs>-<5 random chars>."""
from __future__ import annotations

from minikctl.api import server

from minikctl.api.conditions import is_ready
from minikctl.sim.controllers.common import create_pod_or_report, guard, index_owned, is_active, pod_room
from minikctl import lazy

label_selector_matches = lazy.function("minikctl.api.selectors", "label_selector_matches")
owner_ref = lazy.function("minikctl.sim.controllers.common", "owner_ref")
parse = lazy.function("minikctl.timeutil", "parse")


def reconcile(cluster) -> None:
    owned = index_owned(cluster, "Pod")
    orphans: dict[str, list[dict]] | None = None
    for rs in cluster.list("ReplicaSet"):
        if rs["metadata"].get("deletionTimestamp"):
            continue
        pods = owned.get(rs["metadata"]["uid"], [])
        pods = _release(cluster, rs, pods)
        if orphans is None:
            orphans = _orphans(cluster)
        pods = pods + _adopt(cluster, rs, orphans.get(rs["metadata"]["namespace"], []))
        guard(cluster, "replicaset", rs, _sync, cluster, rs, pods)


def _matches(rs: dict, pod: dict) -> bool:
    return label_selector_matches(rs["spec"].get("selector"), pod["metadata"].get("labels"))


def _release(cluster, rs: dict, pods: list[dict]) -> list[dict]:
    """ClaimPods: a pod whose labels no longer match the selector is released (its controller
    reference removed), and the ReplicaSet replaces it."""
    kept = []
    for p in pods:
        if _matches(rs, p):
            kept.append(p)
            continue
        uid = rs["metadata"]["uid"]
        refs = [r for r in p["metadata"].get("ownerReferences") or [] if r.get("uid") != uid]
        if refs:
            p["metadata"]["ownerReferences"] = refs
        else:
            p["metadata"].pop("ownerReferences", None)
        server.update_internal(cluster, p)
    return kept


def _orphans(cluster) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for p in cluster.list("Pod"):
        m = p["metadata"]
        if not m.get("deletionTimestamp") and not any(r.get("controller") for r in m.get("ownerReferences") or []):
            out.setdefault(m.get("namespace", ""), []).append(p)
    return out


def _adopt(cluster, rs: dict, orphans: list[dict]) -> list[dict]:
    """ClaimPods: an orphan pod the selector matches is adopted (a controller reference added)."""
    taken = []
    for p in list(orphans):
        if (p.get("status") or {}).get("phase") in ("Succeeded", "Failed") or not _matches(rs, p):
            continue
        if not (rs["spec"].get("selector") or {}).get("matchLabels") and not (rs["spec"].get("selector") or {}).get("matchExpressions"):
            continue
        p["metadata"].setdefault("ownerReferences", []).append(owner_ref(rs))
        server.update_internal(cluster, p)
        orphans.remove(p)
        taken.append(p)
    return taken


def _delete_order(p: dict):
    """Which pods go first on scale-down: unscheduled, then not ready, then the youngest."""
    st = p.get("status") or {}
    return (bool(p["spec"].get("nodeName")), is_ready(p), st.get("phase") == "Running",
            -_ts(p["metadata"].get("creationTimestamp")))


def _ts(s):
    return parse(s) or 0


def _sync(cluster, rs: dict, pods: list[dict]) -> None:
    want = int(rs["spec"].get("replicas", 1))
    active = [p for p in pods if is_active(p)]
    if len(active) < want:
        for _ in range(want - len(active)):
            if not pod_room(cluster, rs):
                break
            pod = create_pod_or_report(cluster, "replicaset-controller", rs["spec"]["template"], rs)
            if pod is None:
                break
            cluster.record_event(rs, "Normal", "SuccessfulCreate", f"Created pod: {pod['metadata']['name']}",
                                 "replicaset-controller")
    elif len(active) > want:
        for p in sorted(active, key=_delete_order)[: len(active) - want]:
            server.delete_internal(cluster, p)
            cluster.record_event(rs, "Normal", "SuccessfulDelete", f"Deleted pod: {p['metadata']['name']}",
                                 "replicaset-controller")
        active = [p for p in pods if is_active(p)]
    labels = rs["spec"]["template"].get("metadata", {}).get("labels") or {}
    ready = [p for p in active if is_ready(p)]
    status = {"replicas": len(active),
              "fullyLabeledReplicas": sum(1 for p in active if all(p["metadata"].get("labels", {}).get(k) == v for k, v in labels.items())),
              "readyReplicas": len(ready), "availableReplicas": len(ready),
              "observedGeneration": rs["metadata"].get("generation", 1)}
    for k in ("fullyLabeledReplicas", "readyReplicas", "availableReplicas"):
        if not status[k]:
            del status[k]
    server.update_status_internal(cluster, rs, status)
