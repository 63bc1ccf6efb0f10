"""Rollout bookkeeping shared by `rollout` and `wait`: status lines, revision history, and
driving the simulation forward until a condition holds.

Why here and not in the verbs: the status texts are kubectl's status viewers (rollout_status.go)
applied to our objects, and "advance until" is a simulation primitive: a command that waits on a
real cluster (rollout status, wait) fires our due timers one by one instead, so the learner sees
the same sequence of states without real seconds passing.
"""
from __future__ import annotations

import copy
from minikctl import lazy

clock = lazy.module("minikctl.sim.clock")

REV = "deployment.kubernetes.io/revision"
CHANGE_CAUSE = "kubernetes.io/change-cause"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
STS_LEDGER = "statefulsetRevisions"   # cluster.meta key: {sts uid: [template, ...]} oldest first


class Timeout(Exception):
    """The deadline passed before the condition held."""


# ---------------------------------------------------------------------------------------------
# Driving the clock


def advance_until(cluster, check, deadline: float, on_step=None):
    """Fire due timers in time order until `check(cluster)` returns a truthy value or the next timer
    lies past `deadline`. Calls on_step(cluster) after every step (to print progress lines).
    Returns check's value; raises Timeout (with the clock moved to the deadline) otherwise."""
    while True:
        if on_step:
            on_step(cluster)
        got = check(cluster)
        if got:
            return got
        if not cluster.timers or cluster.timers[0][0] > deadline:
            clock.advance(cluster, max(deadline, cluster.now))
            if on_step:
                on_step(cluster)
            got = check(cluster)
            if got:
                return got
            raise Timeout()
        clock.advance(cluster, cluster.timers[0][0])  # every timer due at that instant, then settle


# ---------------------------------------------------------------------------------------------
# Status viewers (kubectl/pkg/polymorphichelpers/rollout_status.go)


def _int(v) -> int:
    return int(v or 0)


def deployment_status(d: dict) -> tuple[str, bool]:
    """(message line, done). Raises ValueError with kubectl's text on a progress-deadline timeout."""
    name = d["metadata"]["name"]
    st = d.get("status") or {}
    if _int(d["metadata"].get("generation")) <= _int(st.get("observedGeneration")):
        for c in st.get("conditions") or []:
            if c.get("type") == "Progressing" and c.get("reason") == "ProgressDeadlineExceeded":
                raise ValueError(f'deployment "{name}" exceeded its progress deadline')
        want = d["spec"].get("replicas", 1)
        updated, total, avail = _int(st.get("updatedReplicas")), _int(st.get("replicas")), _int(st.get("availableReplicas"))
        if want is not None and updated < int(want):
            return (f'Waiting for deployment "{name}" rollout to finish: {updated} out of {want} new replicas '
                    "have been updated...", False)
        if total > updated:
            return (f'Waiting for deployment "{name}" rollout to finish: {total - updated} old replicas are '
                    "pending termination...", False)
        if avail < updated:
            return (f'Waiting for deployment "{name}" rollout to finish: {avail} of {updated} updated replicas '
                    "are available...", False)
        return f'deployment "{name}" successfully rolled out', True
    return "Waiting for deployment spec update to be observed...", False


def statefulset_status(s: dict) -> tuple[str, bool]:
    spec, st = s["spec"], s.get("status") or {}
    strategy = spec.get("updateStrategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        raise ValueError("rollout status is only available for RollingUpdate strategy type")
    if not _int(st.get("observedGeneration")) or _int(s["metadata"].get("generation")) > _int(st.get("observedGeneration")):
        return "Waiting for statefulset spec update to be observed...", False
    want = int(spec.get("replicas", 1))
    ready = _int(st.get("readyReplicas"))
    if ready < want:
        return f"Waiting for {want - ready} pods to be ready...", False
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        # kubectl's viewer: a RollingUpdate with rollingUpdate set (the apiserver defaults it, with
        # partition 0, for every StatefulSet that names no strategy) is a partitioned roll out
        partition = rolling.get("partition")
        if partition is not None:
            need = want - int(partition)
            if _int(st.get("updatedReplicas")) < need:
                return (f"Waiting for partitioned roll out to finish: {_int(st.get('updatedReplicas'))} out of "
                        f"{need} new pods have been updated...", False)
        return f"partitioned roll out complete: {_int(st.get('updatedReplicas'))} new pods have been updated...", True
    if st.get("updateRevision") != st.get("currentRevision"):
        return (f"waiting for statefulset rolling update to complete {_int(st.get('updatedReplicas'))} pods at "
                f"revision {st.get('updateRevision')}...", False)
    return (f"statefulset rolling update complete {_int(st.get('currentReplicas'))} pods at revision "
            f"{st.get('currentRevision')}...", True)


def daemonset_status(ds: dict) -> tuple[str, bool]:
    """kubectl's DaemonSetStatusViewer."""
    if ((ds.get("spec") or {}).get("updateStrategy") or {}).get("type", "RollingUpdate") != "RollingUpdate":
        raise ValueError("rollout status is only available for RollingUpdate strategy type")
    st, name = ds.get("status") or {}, ds["metadata"]["name"]
    if _int(ds["metadata"].get("generation")) <= _int(st.get("observedGeneration")):
        desired = _int(st.get("desiredNumberScheduled"))
        if _int(st.get("updatedNumberScheduled")) < desired:
            return (f'Waiting for daemon set "{name}" rollout to finish: {_int(st.get("updatedNumberScheduled"))} out of '
                    f"{desired} new pods have been updated...", False)
        if _int(st.get("numberAvailable")) < desired:
            return (f'Waiting for daemon set "{name}" rollout to finish: {_int(st.get("numberAvailable"))} of {desired} '
                    "updated pods are available...", False)
        return f'daemon set "{name}" successfully rolled out', True
    return "Waiting for daemon set spec update to be observed...", False


def status_of(obj: dict) -> tuple[str, bool]:
    if obj["kind"] == "Deployment":
        return deployment_status(obj)
    if obj["kind"] == "DaemonSet":
        return daemonset_status(obj)
    if obj["kind"] == "StatefulSet":
        return statefulset_status(obj)
    raise LookupError(obj["kind"])


# ---------------------------------------------------------------------------------------------
# History


def replica_sets(view, d: dict) -> list[dict]:
    uid = d["metadata"]["uid"]
    return [rs for rs in view.list("ReplicaSet", d["metadata"]["namespace"])
            if any(r.get("uid") == uid and r.get("controller") for r in rs["metadata"].get("ownerReferences") or [])]


def revision_of(rs: dict) -> int:
    try:
        return int((rs["metadata"].get("annotations") or {}).get(REV, "0"))
    except ValueError:
        return 0


def strip_hash(template: dict) -> dict:
    t = copy.deepcopy(template)
    labels = (t.get("metadata") or {}).get("labels") or {}
    labels.pop("pod-template-hash", None)
    return t


def sync_sts_ledger(cluster, sts: dict) -> list[dict]:
    """StatefulSets keep history in ControllerRevisions, which minikctl does not model; the rollout
    verbs keep a ledger in cluster.meta instead ([{"revision": n, "template": t}]), recording the
    current template when it differs from the newest entry. As with ControllerRevisions, a template
    that comes back (undo) takes the next revision number and its old entry goes. Templates changed
    and reverted between two rollout commands are not seen (documented limitation)."""
    ledger = cluster.meta.setdefault(STS_LEDGER, {})
    revs = ledger.setdefault(sts["metadata"]["uid"], [])
    tmpl = sts["spec"]["template"]
    if not revs or revs[-1]["template"] != tmpl:
        nxt = max((r["revision"] for r in revs), default=0) + 1
        revs[:] = [r for r in revs if r["template"] != tmpl] + [{"revision": nxt, "template": copy.deepcopy(tmpl)}]
        cluster.changed = True
    return revs


def history(cluster, obj: dict, keep_hash: bool = False) -> list[tuple[int, dict, dict]]:
    """[(revision, annotations, pod template)] oldest first. A Deployment's templates are its
    ReplicaSets', without the pod-template-hash label unless keep_hash (`rollout history
    --revision` shows the ReplicaSet's template as it is, label included)."""
    if obj["kind"] == "Deployment":
        out = [(revision_of(rs), rs["metadata"].get("annotations") or {},
                copy.deepcopy(rs["spec"]["template"]) if keep_hash else strip_hash(rs["spec"]["template"]))
               for rs in replica_sets(cluster, obj)]
        return sorted((r for r in out if r[0] > 0), key=lambda r: r[0])
    return [(r["revision"], {}, copy.deepcopy(r["template"])) for r in sync_sts_ledger(cluster, obj)]


def rollback_template(cluster, obj: dict, to_revision: int) -> dict:
    """The template to roll back to (kubectl's DeploymentRollbacker / StatefulSetRollbacker):
    the given revision, or the one before the newest. Raises ValueError with kubectl's text."""
    hist = history(cluster, obj)
    name = obj["metadata"]["name"]
    kind = obj["kind"].lower()
    if to_revision:
        for rev, _ann, tmpl in hist:
            if rev == to_revision:
                return tmpl
        raise ValueError(f"unable to find specified revision {to_revision} in history")
    if len(hist) < 2:
        raise ValueError(f'no rollout history found for {kind} "{name}"')
    return hist[-2][2]
