"""Helpers the controllers share: owner references, pod lifecycle, pod creation from templates.

Pod readiness and status conditions are in minikctl/api/conditions.py (readers share them)."""
from __future__ import annotations

from minikctl.api import server

import copy


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


def new_pod(cluster, template: dict, owner: dict, *, name: str | None = None,
            extra_labels: dict | None = None, generate_name: str | None = None,
            finalizers: list[str] | None = None) -> dict:
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
    return server.create_internal(cluster, pod)
