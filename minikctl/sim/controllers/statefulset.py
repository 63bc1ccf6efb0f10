"""The StatefulSet controller: pods <name>-<ordinal> with stable hostnames under serviceName.

OrderedReady (the default) creates one pod at a time in ascending ordinal, each only once the
previous one is Running and Ready, and removes them in descending ordinal; Parallel does all at
once. A template change rolls pods from the highest ordinal down.
"""
from __future__ import annotations

from minikctl.api import server
from minikctl.api.errors import ApiError

import copy

from minikctl.api.conditions import is_ready
from minikctl.sim import names
from minikctl.sim.controllers.common import guard, index_owned, is_terminating, new_pod, pod_room
from minikctl import lazy

rollout = lazy.module("minikctl.sim.rollout")


def reconcile(cluster) -> None:
    owned = index_owned(cluster, "Pod")
    for sts in cluster.list("StatefulSet"):
        if sts["metadata"].get("deletionTimestamp"):
            continue
        rollout.sync_sts_ledger(cluster, sts)   # the ControllerRevision history rollout history reads
        guard(cluster, "statefulset", sts, _sync, cluster, sts, owned.get(sts["metadata"]["uid"], []))


def revision_name(sts: dict) -> str:
    return f"{sts['metadata']['name']}-{names.revision_hash(sts['spec']['template'])}"


def _sync(cluster, sts: dict, pods: list[dict]) -> None:
    spec = sts["spec"]
    name = sts["metadata"]["name"]
    want = int(spec.get("replicas", 1))
    start = int((spec.get("ordinals") or {}).get("start", 0))
    parallel = spec.get("podManagementPolicy") == "Parallel"
    rev = revision_name(sts)
    by_ord: dict[int, dict] = {}
    for p in pods:
        try:
            by_ord[int(p["metadata"]["name"].rsplit("-", 1)[1])] = p
        except (ValueError, IndexError):
            continue
    wanted = range(start, start + want)
    # create missing pods
    for o in wanted:
        if o in by_ord:
            if not parallel and not (is_ready(by_ord[o]) and not is_terminating(by_ord[o])):
                break
            continue
        if not parallel and any(not is_ready(by_ord[x]) or is_terminating(by_ord[x]) for x in by_ord if x < o):
            break
        if not pod_room(cluster, sts):
            break
        tmpl, pod_rev = _versioned_template(cluster, sts, o, rev)
        if spec.get("volumeClaimTemplates"):
            _claims(cluster, sts, o)
        tmpl["spec"]["hostname"] = f"{name}-{o}"
        if spec.get("serviceName"):
            tmpl["spec"]["subdomain"] = spec["serviceName"]
        _claim_volumes(tmpl["spec"], spec, name, o)
        try:
            pod = new_pod(cluster, tmpl, sts, name=f"{name}-{o}", validate=True, extra_labels={
                "controller-revision-hash": pod_rev, "statefulset.kubernetes.io/pod-name": f"{name}-{o}",
                "apps.kubernetes.io/pod-index": str(o)})
        except ApiError as e:  # stateful_pod_control's recordPodEvent for a failed create
            cluster.record_event(sts, "Warning", "FailedCreate",
                                 f"create Pod {name}-{o} in StatefulSet {sts['metadata']['name']} failed error: "
                                 f"{_status_text(e)}", "statefulset-controller", stored=True)
            break
        by_ord[o] = pod
        cluster.record_event(sts, "Normal", "SuccessfulCreate",
                             f"create Pod {pod['metadata']['name']} in StatefulSet {name} successful", "statefulset-controller")
        if not parallel:
            break
    # remove extra pods, highest ordinal first, one at a time unless Parallel
    extra = sorted((o for o in by_ord if o not in wanted), reverse=True)
    for o in extra:
        p = by_ord[o]
        if not is_terminating(p):
            if not parallel and any(is_terminating(by_ord[x]) for x in by_ord if x != o):
                break
            server.delete_internal(cluster, p)
            cluster.record_event(sts, "Normal", "SuccessfulDelete",
                                 f"delete Pod {p['metadata']['name']} in StatefulSet {name} successful", "statefulset-controller")
        if not parallel:
            break
    # rolling update: replace the highest-ordinal pod on an old revision once all are ready
    live = [by_ord[o] for o in wanted if o in by_ord]
    if (spec.get("updateStrategy") or {}).get("type", "RollingUpdate") == "RollingUpdate" and len(live) == want \
            and all(is_ready(p) and not is_terminating(p) for p in live):
        partition = int(((spec.get("updateStrategy") or {}).get("rollingUpdate") or {}).get("partition", 0))
        for o in sorted(wanted, reverse=True):
            p = by_ord[o]
            if o >= partition and p["metadata"].get("labels", {}).get("controller-revision-hash") != rev:
                server.delete_internal(cluster, p, grace=None)
                break
    _status(cluster, sts, list(by_ord.values()), rev)


def _versioned_template(cluster, sts: dict, ordinal: int, update_rev: str) -> tuple[dict, str]:
    """newVersionedStatefulSetPod: under RollingUpdate, a pod below the partition (or, with no
    rollingUpdate, below status.currentReplicas) is made from the current revision's template, so
    a staged update leaves a deleted pod at its old version; every other pod from the update
    revision's. The templates of revisions are the rollout ledger's (sim/rollout.py)."""
    spec, st = sts["spec"], sts.get("status") or {}
    strategy = spec.get("updateStrategy") or {}
    current = st.get("currentRevision")
    ru = strategy.get("rollingUpdate")
    if strategy.get("type", "RollingUpdate") == "RollingUpdate" and current and current != update_rev and (
            (ru is None and ordinal < int(st.get("currentReplicas") or 0))
            or (ru is not None and ordinal < int(ru.get("partition") or 0))):
        for entry in rollout.sync_sts_ledger(cluster, sts):
            if f"{sts['metadata']['name']}-{names.revision_hash(entry['template'])}" == current:
                return copy.deepcopy(entry["template"]), current
    return copy.deepcopy(spec["template"]), update_rev


def _claims(cluster, sts: dict, ordinal: int) -> None:
    """createPersistentVolumeClaims: claim <template>-<set>-<ordinal> for each volumeClaimTemplate
    (kept if it exists: a re-created pod gets its old claim, and its data, back), labelled with
    the template's and the selector's labels; _claim_volumes mounts them in the pod."""
    name, ns = sts["metadata"]["name"], sts["metadata"]["namespace"]
    pod_name = f"{name}-{ordinal}"
    for t in sts["spec"]["volumeClaimTemplates"]:
        tname = (t.get("metadata") or {}).get("name", "")
        claim = f"{tname}-{name}-{ordinal}"
        if cluster.get("PersistentVolumeClaim", ns, claim) is None:
            labels = dict((t.get("metadata") or {}).get("labels") or {})
            labels.update(((sts["spec"].get("selector") or {}).get("matchLabels")) or {})
            meta = {"name": claim, "namespace": ns, "labels": labels}
            if (t.get("metadata") or {}).get("annotations"):
                meta["annotations"] = dict(t["metadata"]["annotations"])
            spec = copy.deepcopy(t.get("spec") or {})
            pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta, "spec": spec,
                   "status": {"phase": "Pending"}}
            server.create_internal(cluster, pvc)
            cluster.record_event(sts, "Normal", "SuccessfulCreate",
                                 f"create Claim {claim} Pod {pod_name} in StatefulSet {name} success", "statefulset-controller")


def _status(cluster, sts, pods, rev) -> None:
    """Status from the pods the set controls (from the owner index, plus this pass's creations,
    minus any already removed), without rescanning the namespace's pods."""
    ns = sts["metadata"]["namespace"]
    current = [p for p in pods if cluster.get("Pod", ns, p["metadata"]["name"]) is p]
    ready = [p for p in current if is_ready(p) and not is_terminating(p)]
    updated = [p for p in current if p["metadata"].get("labels", {}).get("controller-revision-hash") == rev]
    old = sts.get("status") or {}
    cur_rev = old.get("currentRevision") or rev
    if len(updated) == len(current) == int(sts["spec"].get("replicas", 1)):
        cur_rev = rev
    status = {"observedGeneration": sts["metadata"].get("generation", 1), "replicas": len(current),
              "readyReplicas": len(ready), "currentReplicas": sum(1 for p in current if p["metadata"].get("labels", {}).get("controller-revision-hash") == cur_rev),
              "updatedReplicas": len(updated), "currentRevision": cur_rev, "updateRevision": rev,
              "collisionCount": 0, "availableReplicas": len(ready)}
    for k in ("readyReplicas", "currentReplicas", "updatedReplicas"):
        if not status[k]:
            del status[k]
    server.update_status_internal(cluster, sts, status)


def _status_text(e: ApiError) -> str:
    """err.Error() of the apiserver's StatusError (no kubectl 'The ' prefix; causes aggregated)."""
    if e.reason == "Invalid" and e.causes:
        lines = list(dict.fromkeys(f"{f}: {b}" if f else b for f, b in e.causes))
        body = lines[0] if len(lines) == 1 else "[" + ", ".join(lines) + "]"
        return f'{e.kind} "{e.name}" is invalid: {body}'
    return e.message


def _claim_volumes(pod_spec: dict, spec: dict, set_name: str, ordinal: int) -> None:
    """stateful_set_utils.go updateStorage: each volumeClaimTemplate becomes a pod volume of the
    same name backed by the claim <template>-<set>-<ordinal> (replacing a template volume so named)."""
    templates = spec.get("volumeClaimTemplates") or []
    if not templates:
        return
    names = {(t.get("metadata") or {}).get("name") for t in templates}
    vols = [v for v in pod_spec.get("volumes") or [] if v.get("name") not in names]
    for t in templates:
        tname = (t.get("metadata") or {}).get("name")
        if tname:
            vols.append({"name": tname, "persistentVolumeClaim": {"claimName": f"{tname}-{set_name}-{ordinal}"}})
    pod_spec["volumes"] = vols
