"""The disruption controller (pkg/controller/disruption, 1.32): a PodDisruptionBudget's status.

expectedPods and desiredHealthy follow the budget's form: minAvailable as a number counts the
selected pods; a percentage or maxUnavailable needs the scale of the pods' controllers
(Deployment through its ReplicaSet, ReplicaSet, StatefulSet); currentHealthy counts the selected
pods that are Ready and not being deleted (nor just evicted); disruptionsAllowed is their
difference, never below 0. The DisruptionAllowed condition says SufficientPods or
InsufficientPods. Pods the eviction subresource took (status.disruptedPods) stop counting as
healthy until they are gone or two minutes have passed.
"""
from __future__ import annotations

import math

from minikctl import timeutil
from minikctl.api import server
from minikctl.api.conditions import is_ready
from minikctl.api.selectors import label_selector_matches
from minikctl.sim.controllers.common import controller_ref
from minikctl import lazy

ApiError = lazy.function("minikctl.api.errors", "ApiError")

COMPONENT = "controllermanager"
DELETION_TIMEOUT = 120.0


def _scaled(value, total: int, round_up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent."""
    if isinstance(value, int):
        return value
    pct = int(str(value).rstrip("%"))
    x = pct * total / 100
    return math.ceil(x) if round_up else math.floor(x)


def _expected_scale(cluster, pods: list[dict]) -> tuple[int | None, str | None]:
    """getExpectedScale: each controller's spec.replicas once; a pod with none is an error."""
    seen: dict[str, int] = {}
    for p in pods:
        ref = controller_ref(p)
        if ref is None:
            return None, f'found no controllers for pod "{p["metadata"]["name"]}"'
        if ref["uid"] in seen:
            continue
        ns = p["metadata"]["namespace"]
        owner = cluster.get(ref["kind"], ns, ref["name"]) if ref["kind"] in ("ReplicaSet", "StatefulSet") else None
        if owner is not None and ref["kind"] == "ReplicaSet":
            dref = controller_ref(owner)
            if dref and dref.get("kind") == "Deployment":
                dep = cluster.get("Deployment", ns, dref["name"])
                if dep is not None:
                    seen[ref["uid"]] = int((dep.get("spec") or {}).get("replicas", 1))
                    continue
        if owner is None:
            return None, f'found no controllers for pod "{p["metadata"]["name"]}"'
        seen[ref["uid"]] = int((owner.get("spec") or {}).get("replicas", 1))
    return sum(seen.values()), None


def reconcile(cluster) -> None:
    pdbs = cluster.list("PodDisruptionBudget")
    for pdb in pdbs:
        if not pdb["metadata"].get("deletionTimestamp"):
            _sync(cluster, pdb)


def selected_pods(cluster, pdb: dict) -> list[dict]:
    sel = (pdb.get("spec") or {}).get("selector")
    if sel is None:
        return []
    return [p for p in cluster.list("Pod", pdb["metadata"]["namespace"])
            if label_selector_matches(sel, p["metadata"].get("labels"))]


def _sync(cluster, pdb: dict) -> None:
    spec = pdb.get("spec") or {}
    st = pdb.setdefault("status", {})
    before = repr(st)
    pods = selected_pods(cluster, pdb)
    error = None
    if spec.get("maxUnavailable") is not None:
        expected, error = _expected_scale(cluster, pods)
        if expected is not None:
            desired = max(0, expected - _scaled(spec["maxUnavailable"], expected, True))
    elif isinstance(spec.get("minAvailable"), int):
        expected, desired = len(pods), int(spec["minAvailable"])
    elif spec.get("minAvailable") is not None:
        expected, error = _expected_scale(cluster, pods)
        if expected is not None:
            desired = _scaled(spec["minAvailable"], expected, True)
    else:
        expected, desired = len(pods), 0
    disrupted = dict(st.get("disruptedPods") or {})
    for name, when in list(disrupted.items()):
        p = next((p for p in pods if p["metadata"]["name"] == name), None)
        if p is None or p["metadata"].get("deletionTimestamp") or \
                cluster.now - (timeutil.parse(when) or 0) > DELETION_TIMEOUT:
            del disrupted[name]
    if error is not None:
        cluster.record_event(pdb, "Warning", "CalculateExpectedPodCountFailed",
                             f"Failed to calculate the number of expected pods: {error}", COMPONENT)
        _write(cluster, pdb, st, before, 0, st.get("currentHealthy", 0), st.get("desiredHealthy", 0),
               st.get("expectedPods", 0), disrupted, sync_failed=error)
        return
    healthy = sum(1 for p in pods if not p["metadata"].get("deletionTimestamp") and p["metadata"]["name"] not in disrupted
                  and is_ready(p))
    allowed = healthy - desired
    if expected <= 0 or allowed <= 0:
        allowed = 0
    _write(cluster, pdb, st, before, allowed, healthy, desired, expected, disrupted)


def _write(cluster, pdb, st, before, allowed, healthy, desired, expected, disrupted, sync_failed=None) -> None:
    prev = next((c for c in st.get("conditions") or [] if c.get("type") == "DisruptionAllowed"), None)
    if sync_failed:
        status, reason, message = "False", "SyncFailed", sync_failed
    elif allowed > 0:
        status, reason, message = "True", "SufficientPods", ""
    else:
        status, reason, message = "False", "InsufficientPods", ""
    moved = prev is None or prev.get("status") != status
    cond = {"type": "DisruptionAllowed", "status": status, "observedGeneration": pdb["metadata"].get("generation", 1),
            "lastTransitionTime": cluster.timestamp() if moved else prev.get("lastTransitionTime"),
            "reason": reason, "message": message}
    st.clear()
    if disrupted:
        st["disruptedPods"] = disrupted
    st.update({"disruptionsAllowed": allowed, "currentHealthy": healthy, "desiredHealthy": desired,
               "expectedPods": expected, "observedGeneration": pdb["metadata"].get("generation", 1),
               "conditions": [cond]})
    if repr(st) != before:
        server.update_internal(cluster, pdb)


def evict(cluster, pod: dict, grace: int | None = None) -> None:
    """The pods/eviction subresource (registry/core/pod/storage/eviction.go): a terminal pod goes at
    once; otherwise the one budget selecting it must allow a disruption (or the pod is unhealthy
    and the budget is met), which the eviction spends; then a graceful delete. A refusal is the
    apiserver's 429 TooManyRequests, as kubectl drain retries it."""
    phase = (pod.get("status") or {}).get("phase")
    if phase not in ("Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp"):
        pdbs = [b for b in cluster.list("PodDisruptionBudget", pod["metadata"]["namespace"])
                if label_selector_matches((b.get("spec") or {}).get("selector") or {"matchLabels": {"\x00": ""}},
                                          pod["metadata"].get("labels"))]
        if len(pdbs) > 1:
            raise ApiError("InternalError", "This pod has more than one PodDisruptionBudget, which the eviction "
                                            "subresource does not support.", 500)
        if pdbs:
            pdb = pdbs[0]
            st = pdb.get("status") or {}
            unhealthy_ok = not is_ready(pod) and (
                (pdb.get("spec") or {}).get("unhealthyPodEvictionPolicy") == "AlwaysAllow"
                or int(st.get("currentHealthy") or 0) >= int(st.get("desiredHealthy") or 0))
            if not unhealthy_ok:
                if int(st.get("observedGeneration") or 0) < int(pdb["metadata"].get("generation") or 1) \
                        or int(st.get("disruptionsAllowed") or 0) <= 0:
                    raise ApiError("TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.",
                                   429)
                st["disruptionsAllowed"] = int(st["disruptionsAllowed"]) - 1
                st.setdefault("disruptedPods", {})[pod["metadata"]["name"]] = cluster.timestamp()
                server.update_internal(cluster, pdb)
    if pod["metadata"].get("deletionTimestamp"):
        return
    server.delete_internal(cluster, pod, grace if grace is not None and grace >= 0 else None)
