"""Helpers the controllers share: owner references, pod lifecycle, pod creation from templates.

Pod readiness and status conditions are in minikctl/api/conditions.py (readers share them)."""
from __future__ import annotations

from minikctl.api import server

import copy
from minikctl.api.errors import ApiError
from minikctl import lazy

invalid = lazy.function("minikctl.api.errors", "invalid")
validate_obj = lazy.function("minikctl.api.validation", "validate")


def controller_ref(obj: dict) -> dict | None:
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return ref
    return None


def owner_ref(owner: dict) -> dict:
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": owner["metadata"]["name"],
            "uid": owner["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}


def index_owned(cluster, kind: str) -> dict[str, list[dict]]:
    """uid of controller -> objects it controls (one pass over the kind)."""
    out: dict[str, list[dict]] = {}
    for o in cluster.list(kind):
        ref = controller_ref(o)
        if ref:
            out.setdefault(ref["uid"], []).append(o)
    return out


def is_terminating(obj: dict) -> bool:
    return bool(obj["metadata"].get("deletionTimestamp"))


def is_active(pod: dict) -> bool:
    phase = (pod.get("status") or {}).get("phase")
    return not is_terminating(pod) and phase not in ("Succeeded", "Failed")


# A simulation limit, not a Kubernetes one (Kubernetes documents 110 pods per node and 150,000
# per cluster): past this many pods, a command would take seconds per thousand pods and memory
# per pod, so the controllers stop creating pods there and say so.
MAX_PODS = 5000


def pod_room(cluster, owner: dict) -> bool:
    """Whether a controller may create one more pod. At the limit: a Warning event on the owner
    and one stderr line per command, both saying it is minikctl's limit."""
    count = cluster.count("Pod") if hasattr(cluster, "count") else len(cluster.list("Pod"))
    if count < MAX_PODS:
        return True
    msg = f"minikctl: more than {MAX_PODS} pods in one cluster is not simulated; no more pods are created"
    notes = cluster.__dict__.setdefault("limit_notes", set())
    if msg not in notes:
        notes.add(msg)
        stream = getattr(getattr(cluster, "env", None), "stderr", None)
        if stream is not None:
            try:
                stream.write(msg + "\n")
            except (OSError, ValueError):
                pass
    cluster.record_event(owner, "Warning", "MinikctlPodLimit", msg, "minikctl", stored=True)
    return False


def guard(cluster, controller: str, obj: dict, fn, *args) -> None:
    """Run one controller's work on one object. If it fails (a simulation bug, or an object the
    apiserver accepted that the controller did not expect) the failure is reported and the
    controller goes on with the other objects: one object never wedges the cluster."""
    try:
        fn(*args)
    except Exception as e:  # noqa: BLE001 - the point is to survive any controller bug
        report_failure(cluster, controller, e, obj)


def report_failure(cluster, controller: str, e: Exception, obj: dict | None) -> None:
    """One stderr line per command and failure, and a Warning event on the object (aggregated
    across commands), both saying it is minikctl's simulation that failed."""
    why = f"{type(e).__name__}: {e}"
    seen = cluster.__dict__.setdefault("controller_failures", set())
    if (controller, why) not in seen:
        seen.add((controller, why))
        stream = getattr(getattr(cluster, "env", None), "stderr", None)
        if stream is not None:
            try:
                stream.write(f"minikctl: the simulated {controller} controller failed ({why}); it skipped that work "
                             "and the cluster goes on (a minikctl bug: please report it)\n")
            except (OSError, ValueError):
                pass
    if isinstance(obj, dict) and isinstance(obj.get("metadata"), dict) and obj.get("kind"):
        try:
            cluster.record_event(obj, "Warning", "MinikctlSimulationError",
                                 f"minikctl: the simulated {controller} controller failed on this object ({why})",
                                 "minikctl", stored=True)
        except Exception:  # noqa: BLE001 - reporting must not fail in turn
            pass


def new_pod(cluster, template: dict, owner: dict, *, name: str | None = None,
            extra_labels: dict | None = None, generate_name: str | None = None,
            finalizers: list[str] | None = None, validate: bool = False) -> dict:
    """A pod as a controller creates it: the template's metadata and spec, owned by `owner`."""
    tmeta = template.get("metadata") or {}
    labels = dict(tmeta.get("labels") or {})
    labels.update(extra_labels or {})
    meta: dict = {"labels": labels, "namespace": owner["metadata"].get("namespace", "default"),
                  "ownerReferences": [owner_ref(owner)]}
    if tmeta.get("annotations"):
        meta["annotations"] = dict(tmeta["annotations"])
    if finalizers:
        meta["finalizers"] = list(finalizers)
    if name:
        meta["name"] = name
    else:
        meta["generateName"] = generate_name or owner["metadata"]["name"] + "-"
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": copy.deepcopy(template.get("spec") or {})}
    if validate:
        # A real controller's create goes through the apiserver, which validates the pod. Only a
        # StatefulSet's template reaches here unvalidated (the apiserver skips it on the set).
        probe = copy.deepcopy(pod)
        probe["metadata"].setdefault("name", probe["metadata"].get("generateName", "") + "x")
        server._defaults(probe)
        causes = validate_obj(probe)
        if causes:
            raise invalid("Pod", probe["metadata"]["name"], causes)
    return server.create_internal(cluster, pod)


def create_pod_or_report(cluster, component: str, template: dict, owner: dict, **kw) -> dict | None:
    """new_pod, as the ReplicaSet, DaemonSet and Job controllers call the apiserver: a refusal
    (PodSecurity, ResourceQuota) is their Warning event `FailedCreate: Error creating: <the
    apiserver's message>`, and None. The controller then stops creating for this command (its
    real counterpart backs off), so one refusal is one event per command, not one per pass."""
    refused = cluster.__dict__.setdefault("refused_creates", set())
    uid = owner["metadata"].get("uid")
    if uid in refused:
        return None
    try:
        return new_pod(cluster, template, owner, **kw)
    except ApiError as e:
        refused.add(uid)
        cluster.record_event(owner, "Warning", "FailedCreate", f"Error creating: {e.message}", component,
                             stored=True)
        return None
