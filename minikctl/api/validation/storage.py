"""Validation of PersistentVolumeClaims, PersistentVolumes and StorageClasses (v1.32).

pkg/apis/core/validation ValidatePersistentVolume{,Claim}{,Update} and pkg/apis/storage/validation
ValidateStorageClass{,Update}, cause for cause in their order. The one version-dependent rule:
since 1.32 RecoverVolumeExpansionFailure is on by default, so a bound claim may shrink down to
(but not to or below) status.capacity; before, any shrink is 'less than previous value'.
"""
from __future__ import annotations

from minikctl.api import quantity
from minikctl.api.validation.fields import (dns1123_subdomain, forbidden, invalid, not_supported,
                                            qualified_name, required, too_long)
from minikctl.api.validation.meta import (validate_label_selector, validate_object_meta,
                                          validate_object_meta_update)
import copy
import json

ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]
VOLUME_MODES = ["Block", "Filesystem"]
PV_RECLAIM = ["Delete", "Recycle", "Retain"]
SC_RECLAIM = ["Delete", "Retain"]
BINDING_MODES = ["Immediate", "WaitForFirstConsumer"]
PV_SOURCES = ("gcePersistentDisk", "awsElasticBlockStore", "hostPath", "glusterfs", "nfs", "rbd", "quobyte",
              "cinder", "cephfs", "flexVolume", "fc", "flocker", "azureFile", "vsphereVolume", "azureDisk",
              "photonPersistentDisk", "portworxVolume", "scaleIO", "local", "storageos", "csi", "iscsi")


def _access_modes(modes, path: str, required_detail: str) -> list[tuple[str, str]]:
    errs = []
    if not modes:
        errs.append(required(path, required_detail))
    rwop = other = False
    for m in modes or []:
        if m not in ACCESS_MODES:
            errs.append(not_supported(path, m, ACCESS_MODES))
        if m == "ReadWriteOncePod":
            rwop = True
        else:
            other = True
    if rwop and other:
        errs.append(forbidden(path, "may not use ReadWriteOncePod with other access modes"))
    return errs


def _positive_quantity(q, path: str) -> list[tuple[str, str]]:
    try:
        v = quantity.value(q)
    except quantity.QuantityError:
        return []  # the decoder refused it already
    if v <= 0:
        return [invalid(path, quantity.canonical(q), "must be greater than zero")]
    return []


def _class_name(name, path: str) -> list[tuple[str, str]]:
    if name:
        return [invalid(path, name, m) for m in dns1123_subdomain(name)]
    return []


# ---------------------------------------------------------------------------------------------
# PersistentVolumeClaim


def validate_pvc_spec(spec: dict, path: str = "spec") -> list[tuple[str, str]]:
    errs = _access_modes(spec.get("accessModes"), f"{path}.accessModes", "at least 1 access mode is required")
    if spec.get("selector") is not None:
        errs += validate_label_selector(spec["selector"], f"{path}.selector")
    requests = ((spec.get("resources") or {}).get("requests") or {})
    if "storage" not in requests:
        errs.append(required(f"{path}.resources[storage]"))
    else:
        errs += _positive_quantity(requests["storage"], f"{path}.resources[storage]")
    errs += _class_name(spec.get("storageClassName"), f"{path}.storageClassName")
    vm = spec.get("volumeMode")
    if vm is not None and vm not in VOLUME_MODES:
        errs.append(not_supported(f"{path}.volumeMode", vm, VOLUME_MODES))
    return errs


def validate_pvc(pvc: dict) -> list[tuple[str, str]]:
    return validate_object_meta(pvc, True) + validate_pvc_spec(pvc.get("spec") or {})


def _size(spec_or_status: dict, key: str):
    q = ((spec_or_status or {}).get(key) or {})
    return q


def validate_pvc_update(pvc: dict, old: dict, kube_version=(1, 32)) -> list[tuple[str, str]]:
    errs = validate_object_meta_update(pvc, old) + validate_pvc(pvc)
    new_spec, old_spec = dict(pvc.get("spec") or {}), dict(old.get("spec") or {})
    if not old_spec.get("volumeName"):
        old_spec["volumeName"] = new_spec.get("volumeName")  # volumeName may be set once
        if old_spec["volumeName"] is None:
            old_spec.pop("volumeName")
    bound = (pvc.get("status") or old.get("status") or {}).get("phase") == "Bound"
    new_req = ((new_spec.get("resources") or {}).get("requests") or {})
    old_req = ((old_spec.get("resources") or {}).get("requests") or {})
    if bound:
        # a bound claim's storage request and attributes class may change: compare the rest
        cmp_new = _without_mutable(new_spec, old_req.get("storage"), old_spec.get("volumeAttributesClassName"))
    else:
        cmp_new = new_spec
    if _norm(cmp_new) != _norm(old_spec):
        errs.append(forbidden("spec", "spec is immutable after creation except resources.requests and "
                                      "volumeAttributesClassName for bound claims\n" + _diff(old_spec, cmp_new)))
    try:
        new_size = quantity.value(new_req.get("storage", 0))
        old_size = quantity.value(old_req.get("storage", 0))
        status_size = quantity.value(((old.get("status") or {}).get("capacity") or {}).get("storage", 0))
    except quantity.QuantityError:
        return errs
    if new_size < old_size:
        if kube_version < (1, 32):
            errs.append(forbidden("spec.resources.requests.storage", "field can not be less than previous value"))
        elif new_size <= status_size:
            errs.append(forbidden("spec.resources.requests.storage", "field can not be less than status.capacity"))
    if (new_spec.get("volumeMode") or None) != (old_spec.get("volumeMode") or None):
        errs.append(invalid("volumeMode", new_spec.get("volumeMode") or "", "field is immutable"))
    return errs


def _without_mutable(spec: dict, old_storage, old_vac) -> dict:
    out = copy.deepcopy(spec)
    req = (out.get("resources") or {}).get("requests")
    if req is not None and old_storage is not None:
        req["storage"] = old_storage
    if "volumeAttributesClassName" in out or old_vac is not None:
        out["volumeAttributesClassName"] = old_vac
        if old_vac is None:
            out.pop("volumeAttributesClassName")
    return out


def _norm(spec: dict):
    """Semantic equality: quantities compare by value, empty maps like absent ones."""
    def walk(v, key=""):
        if isinstance(v, dict):
            return {k: walk(x, k) for k, x in v.items() if x not in (None, {}, [])}
        if isinstance(v, list):
            return [walk(x) for x in v]
        if key in ("storage",):
            try:
                return ("qty", quantity.value(v))
            except quantity.QuantityError:
                return v
        return v
    return walk(spec)


def _diff(old: dict, new: dict) -> str:
    """A short field-by-field difference (the apiserver prints go-cmp's diff here, whose layout
    go-cmp randomises on purpose; we print the changed fields in the same -/+ spirit)."""
    lines = ["  core.PersistentVolumeClaimSpec{"]
    for k in sorted(set(old) | set(new)):
        if _norm({k: old.get(k)}) != _norm({k: new.get(k)}):
            lines.append(f"- \t{k}: {_go(old.get(k))},")
            lines.append(f"+ \t{k}: {_go(new.get(k))},")
    lines.append("  }")
    return "\n".join(lines) + "\n"


def _go(v) -> str:
    return "nil" if v is None else json.dumps(v, sort_keys=True)


# ---------------------------------------------------------------------------------------------
# PersistentVolume


def sources(spec: dict) -> list[str]:
    return [k for k in PV_SOURCES if spec.get(k) is not None]


def validate_pv(pv: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(pv, False)
    spec = pv.get("spec") or {}
    errs += _access_modes(spec.get("accessModes"), "spec.accessModes", "")
    cap = spec.get("capacity") or {}
    if not cap:
        errs.append(required("spec.capacity"))
    if "storage" not in cap or len(cap) > 1:
        errs.append(not_supported("spec.capacity", _GoMap(cap), ["storage"]))
    for r in sorted(cap):
        errs += _positive_quantity(cap[r], f"spec.capacity[{r}]")
    pol = spec.get("persistentVolumeReclaimPolicy")
    if pol and pol not in PV_RECLAIM:
        errs.append(not_supported("spec.persistentVolumeReclaimPolicy", pol, PV_RECLAIM))
    affinity = bool(((spec.get("nodeAffinity") or {}).get("required") or {}))
    if spec.get("nodeAffinity") is not None and not affinity:
        errs.append(required("spec.nodeAffinity.required"))
    srcs = sources(spec)
    for i, s in enumerate(srcs):
        if i:
            errs.append(forbidden(f"spec.{s}", "may not specify more than 1 volume type"))
            continue
        body = spec[s] or {}
        if s in ("hostPath", "local") and not body.get("path"):
            errs.append(required(f"spec.{s}.path"))
        if s == "nfs":
            if not body.get("server"):
                errs.append(required("spec.nfs.server"))
            if not body.get("path"):
                errs.append(required("spec.nfs.path"))
            elif not str(body["path"]).startswith("/"):
                errs.append(invalid("spec.nfs.path", body["path"], "must be an absolute path"))
        if s == "local" and not affinity:
            errs.append(required("spec.nodeAffinity", "Local volume requires node affinity"))
    if not srcs:
        errs.append(required("spec", "must specify a volume type"))
    errs += _class_name(spec.get("storageClassName"), "spec.storageClassName")
    vm = spec.get("volumeMode")
    if vm is not None and vm not in VOLUME_MODES:
        errs.append(not_supported("spec.volumeMode", vm, VOLUME_MODES))
    return errs


class _GoMap:
    """A ResourceList as %#v prints it in NotSupported: core.ResourceList{...}."""

    def __init__(self, m: dict):
        self.m = m

    def __str__(self) -> str:
        if not self.m:
            return "core.ResourceList(nil)"
        inner = ", ".join(f'"{k}":"{quantity.canonical(v)}"' for k, v in sorted(self.m.items()))
        return "core.ResourceList{" + inner + "}"


def validate_pv_update(pv: dict, old: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta_update(pv, old) + validate_pv(pv)
    spec, ospec = pv.get("spec") or {}, old.get("spec") or {}
    if {k: spec.get(k) for k in PV_SOURCES if spec.get(k) is not None} != \
            {k: ospec.get(k) for k in PV_SOURCES if ospec.get(k) is not None}:
        errs.append(forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation"))
    if spec.get("volumeMode") != ospec.get("volumeMode"):
        errs.append(invalid("volumeMode", spec.get("volumeMode") or "", "field is immutable"))
    if ospec.get("nodeAffinity") is not None and spec.get("nodeAffinity") != ospec.get("nodeAffinity"):
        errs.append(invalid("nodeAffinity", "", "field is immutable"))
    return errs


# ---------------------------------------------------------------------------------------------
# StorageClass


def validate_storageclass(sc: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(sc, False)
    prov = sc.get("provisioner") or ""
    if not prov:
        errs.append(required("provisioner"))
    elif len(prov) > 253:
        errs.append(too_long("provisioner", 253))
    else:
        errs += [invalid("provisioner", prov, m) for m in qualified_name(prov.lower())]
    pol = sc.get("reclaimPolicy")
    if pol is not None and pol not in SC_RECLAIM:
        errs.append(not_supported("reclaimPolicy", pol, SC_RECLAIM))
    mode = sc.get("volumeBindingMode")
    if mode is None:
        errs.append(required("volumeBindingMode"))
    elif mode not in BINDING_MODES:
        errs.append(not_supported("volumeBindingMode", mode, BINDING_MODES))
    return errs


def validate_storageclass_update(sc: dict, old: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta_update(sc, old)
    if (sc.get("parameters") or {}) != (old.get("parameters") or {}):
        errs.append(forbidden("parameters", "updates to parameters are forbidden."))
    if sc.get("provisioner") != old.get("provisioner"):
        errs.append(forbidden("provisioner", "updates to provisioner are forbidden."))
    if sc.get("reclaimPolicy") != old.get("reclaimPolicy"):
        errs.append(forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."))
    if sc.get("volumeBindingMode") != old.get("volumeBindingMode"):
        errs.append(invalid("volumeBindingMode", sc.get("volumeBindingMode") or "", "field is immutable"))
    return errs
