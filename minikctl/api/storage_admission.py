"""The apiserver's storage admission plugins, in the order the default chain runs them.

DefaultStorageClass (mutating): a claim that names no class (the field absent, not "") gets the
default class - the one annotated storageclass.kubernetes.io/is-default-class=true, the newest if
several are. StorageObjectInUseProtection (mutating): every claim gets the
kubernetes.io/pvc-protection finalizer and every volume kubernetes.io/pv-protection, so neither
disappears while in use. PersistentVolumeClaimResize (validating): a claim may grow only if its
class allows volume expansion.
"""
from __future__ import annotations

from minikctl.api import quantity
from minikctl.api.errors import ApiError

DEFAULT_ANNOTATIONS = ("storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class")
PVC_FINALIZER = "kubernetes.io/pvc-protection"
PV_FINALIZER = "kubernetes.io/pv-protection"


def is_default(sc: dict) -> bool:
    ann = (sc.get("metadata") or {}).get("annotations") or {}
    return any(ann.get(a) == "true" for a in DEFAULT_ANNOTATIONS)


def default_class(cluster) -> dict | None:
    """GetDefaultClass: the newest default class (ties: the name first in order)."""
    defaults = [sc for sc in cluster.list("StorageClass") if is_default(sc)]
    if not defaults:
        return None
    return sorted(defaults, key=lambda sc: (sc["metadata"].get("creationTimestamp") or "",
                                            sc["metadata"]["name"]), reverse=True)[0]


def _add_finalizer(obj: dict, name: str) -> None:
    fins = obj["metadata"].setdefault("finalizers", [])
    if name not in fins:
        fins.append(name)


def admit_create(cluster, obj: dict) -> None:
    if obj["kind"] == "PersistentVolumeClaim":
        spec = obj.setdefault("spec", {})
        if "storageClassName" not in spec or spec.get("storageClassName") is None:
            sc = default_class(cluster)
            if sc is not None:
                spec["storageClassName"] = sc["metadata"]["name"]
        _add_finalizer(obj, PVC_FINALIZER)
    elif obj["kind"] == "PersistentVolume":
        _add_finalizer(obj, PV_FINALIZER)


def admit_resize(cluster, pvc: dict, old: dict) -> None:
    """PersistentVolumeClaimResize: growing a claim needs a class with allowVolumeExpansion."""
    try:
        new = quantity.value((((pvc.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage", 0))
        was = quantity.value((((old.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage", 0))
    except quantity.QuantityError:
        return
    if new <= was:
        return
    name = pvc["metadata"]["name"]
    if (old.get("status") or {}).get("phase") != "Bound":
        raise ApiError("Forbidden", f'persistentvolumeclaims "{name}" is forbidden: Only bound persistent volume '
                                    "claims can be expanded", 403, kind="PersistentVolumeClaim", name=name)
    cls = (pvc.get("spec") or {}).get("storageClassName") or ""
    sc = cluster.get("StorageClass", None, cls) if cls else None
    if sc is None or not sc.get("allowVolumeExpansion"):
        raise ApiError("Forbidden", f'persistentvolumeclaims "{name}" is forbidden: only dynamically provisioned '
                                    "pvc can be resized and the storageclass that provisions the pvc must support "
                                    "resize", 403, kind="PersistentVolumeClaim", name=name)
