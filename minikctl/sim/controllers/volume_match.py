"""Which PersistentVolume satisfies a claim: pkg/controller/volume/persistentvolume's matching
rules (index.go findByClaim / util.FindMatchingVolume, checkVolumeSatisfyClaim), shared by the
PV controller (no node) and the scheduler's VolumeBinding plugin (a node).

* the volume must offer every access mode the claim asks for; among the volumes that do, the
  groups with the fewest modes are tried first (a RWO claim prefers a RWO volume to a RWO+RWX one);
* capacity >= the request, same volumeMode, same class ("" matches only ""), labels matching the
  claim's selector, phase Available and no claimRef - unless the volume is pre-bound to this very
  claim (claimRef namespace/name, uid empty or the claim's), which wins at once;
* a volume being deleted never matches; on the scheduler path the volume's node affinity must
  admit the node;
* the smallest volume that fits wins (ties: the first in name order).
"""
from __future__ import annotations

from minikctl.api import quantity, selectors
from minikctl.printers.table import volume_class


def claim_class(pvc: dict) -> str:
    return volume_class(pvc)


def requested(pvc: dict):
    q = (((pvc.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage", 0)
    try:
        return quantity.value(q)
    except quantity.QuantityError:
        return 0


def capacity(pv: dict):
    q = ((pv.get("spec") or {}).get("capacity") or {}).get("storage", 0)
    try:
        return quantity.value(q)
    except quantity.QuantityError:
        return 0


def bound_to_claim(pv: dict, pvc: dict) -> bool:
    """IsVolumeBoundToClaim: the volume's claimRef names this claim (uid unset or equal)."""
    ref = (pv.get("spec") or {}).get("claimRef")
    if not ref:
        return False
    m = pvc["metadata"]
    if ref.get("name") != m["name"] or (ref.get("namespace") or "") != (m.get("namespace") or ""):
        return False
    return not ref.get("uid") or ref.get("uid") == m.get("uid")


def mode_mismatch(pvc: dict, pv: dict) -> bool:
    return ((pvc.get("spec") or {}).get("volumeMode") or "Filesystem") != \
           ((pv.get("spec") or {}).get("volumeMode") or "Filesystem")


def access_modes_ok(pvc: dict, pv: dict) -> bool:
    have = set((pv.get("spec") or {}).get("accessModes") or [])
    return set((pvc.get("spec") or {}).get("accessModes") or []) <= have


def node_affinity_ok(pv: dict, node: dict | None) -> bool:
    """CheckNodeAffinity: any term whose expressions all match the node's labels."""
    if node is None:
        return True
    req = (((pv.get("spec") or {}).get("nodeAffinity") or {}).get("required") or {})
    terms = req.get("nodeSelectorTerms")
    if not terms:
        return True
    labels = node["metadata"].get("labels") or {}
    return any(all(_expr(e, labels) for e in (t.get("matchExpressions") or [])) and (t.get("matchExpressions") or t.get("matchFields"))
               for t in terms)


def _expr(e: dict, labels: dict) -> bool:
    key, op, vals = e.get("key"), e.get("operator"), e.get("values") or []
    if op == "In":
        return labels.get(key) in vals
    if op == "NotIn":
        return labels.get(key) not in vals
    if op == "Exists":
        return key in labels
    if op == "DoesNotExist":
        return key not in labels
    if op in ("Gt", "Lt") and key in labels and vals:
        try:
            a, b = int(labels[key]), int(vals[0])
        except ValueError:
            return False
        return a > b if op == "Gt" else a < b
    return False


def find_match(pvc: dict, volumes: list[dict], node: dict | None = None, delay_binding: bool = False) -> dict | None:
    """findByClaim: the best volume for the claim, or None."""
    want = set((pvc.get("spec") or {}).get("accessModes") or [])
    groups: dict[frozenset, list[dict]] = {}
    for pv in volumes:
        modes = frozenset((pv.get("spec") or {}).get("accessModes") or [])
        if want <= modes:
            groups.setdefault(modes, []).append(pv)
    for modes in sorted(groups, key=lambda m: (len(m), sorted(m))):
        found = _find_in(pvc, groups[modes], node, delay_binding)
        if found is not None:
            return found if found is not _NONE else None
    return None


_NONE = object()  # a pre-bound volume that the node cannot use: no match at all


def _find_in(pvc, volumes, node, delay_binding):
    need = requested(pvc)
    cls = claim_class(pvc)
    sel = (pvc.get("spec") or {}).get("selector")
    best, best_size = None, None
    for pv in sorted(volumes, key=lambda v: v["metadata"]["name"]):
        size = capacity(pv)
        if size < need or mode_mismatch(pvc, pv) or pv["metadata"].get("deletionTimestamp"):
            continue
        affinity = node_affinity_ok(pv, node)
        if bound_to_claim(pv, pvc):
            return pv if affinity else _NONE
        if node is None and delay_binding:
            continue
        if (pv.get("status") or {}).get("phase") != "Available" or (pv.get("spec") or {}).get("claimRef"):
            continue
        if sel is not None and not selectors.label_selector_matches(sel, pv["metadata"].get("labels")):
            continue
        if volume_class(pv) != cls or not affinity:
            continue
        if node is not None and not access_modes_ok(pvc, pv):
            continue
        if best is None or size < best_size:
            best, best_size = pv, size
    return best


def why_not(pv: dict, pvc: dict) -> str | None:
    """checkVolumeSatisfyClaim: why a claim cannot bind the volume it names (spec.volumeName)."""
    if pv["metadata"].get("deletionTimestamp"):
        return f'the volume is marked for deletion "{pv["metadata"]["name"]}"'
    if capacity(pv) < requested(pvc):
        return "requested PV is too small"
    if volume_class(pv) != claim_class(pvc):
        return "storageClassName does not match"
    if mode_mismatch(pvc, pv):
        return "incompatible volumeMode"
    if not access_modes_ok(pvc, pv):
        return "incompatible accessMode"
    return None
