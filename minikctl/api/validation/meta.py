"""ObjectMeta and label selectors: the rules every kind shares before its own spec is looked at.

Names (DNS-1123 subdomain, label, or DNS-1035 for Services), namespaces, labels, annotations
and their size limit, the update rule that identity fields may not change, and
metav1.LabelSelector. Kept apart because every kind's validator starts here.
"""
from __future__ import annotations

from minikctl.api.validation.fields import (dns1035_label, dns1123_label, dns1123_subdomain,
                                            forbidden, invalid, label_value, nonnegative,
                                            qualified_name, required, too_long)
from minikctl import lazy

rbac = lazy.module("minikctl.api.validation.rbac")


# ---------------------------------------------------------------------------------------------
# Metadata


def _name_rule(kind: str):
    if kind == "Service":
        return dns1035_label
    if kind == "Namespace":
        return dns1123_label
    if kind in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"):
        return rbac.path_segment_name
    return dns1123_subdomain


def _mask_trailing_dash(name: str) -> str:
    return name[:-1] + "a" if len(name) > 1 and name.endswith("-") else name


def validate_labels(labels, path: str) -> list[tuple[str, str]]:
    errs = []
    for k in sorted(labels or {}):
        errs += [invalid(path, k, m) for m in qualified_name(k)]
        v = labels[k]
        if isinstance(v, str):
            errs += [invalid(path, v, m) for m in label_value(v)]
    return errs


def validate_annotations(annotations, path: str) -> list[tuple[str, str]]:
    errs = []
    total = 0
    for k in sorted(annotations or {}):
        errs += [invalid(path, k, m) for m in qualified_name(k.lower())]
        total += len(k) + len(str(annotations[k]))
    if total > 256 * 1024:
        errs.append(too_long(path, 256 * 1024))
    return errs


def validate_object_meta(obj: dict, namespaced: bool) -> list[tuple[str, str]]:
    """ValidateObjectMeta. A missing namespace is not an error here: the server fills it in
    from the request before validating. A missing name with a generateName is fine too: names
    are generated before validation."""
    meta = obj.get("metadata") or {}
    rule = _name_rule(obj.get("kind", ""))
    errs = []
    gen = meta.get("generateName")
    if gen:
        errs += [invalid("metadata.generateName", gen, m) for m in rule(_mask_trailing_dash(gen))]
    name = meta.get("name")
    if not name:
        if not gen:
            errs.append(required("metadata.name", "name or generateName is required"))
    else:
        errs += [invalid("metadata.name", name, m) for m in rule(name)]
    ns = meta.get("namespace")
    if namespaced:
        if ns:
            errs += [invalid("metadata.namespace", ns, m) for m in dns1123_label(ns)]
    elif ns:
        errs.append(forbidden("metadata.namespace", "not allowed on this type"))
    errs += nonnegative("metadata.generation", meta.get("generation"))
    errs += validate_labels(meta.get("labels"), "metadata.labels")
    errs += validate_annotations(meta.get("annotations"), "metadata.annotations")
    return errs


def validate_object_meta_update(obj: dict, old: dict) -> list[tuple[str, str]]:
    meta, ometa = obj.get("metadata") or {}, old.get("metadata") or {}
    errs = []
    for key in ("name", "namespace"):
        if (meta.get(key) or "") != (ometa.get(key) or ""):
            errs.append(invalid(f"metadata.{key}", meta.get(key) or "", "field is immutable"))
    return errs


# ---------------------------------------------------------------------------------------------
# Label selectors


def validate_label_selector(sel: dict, path: str) -> list[tuple[str, str]]:
    errs = []
    for i, e in enumerate(sel.get("matchExpressions") or []):
        p = f"{path}.matchExpressions[{i}]"
        op = e.get("operator")
        if op in ("In", "NotIn"):
            if not e.get("values"):
                errs.append(required(f"{p}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
        elif op in ("Exists", "DoesNotExist"):
            if e.get("values"):
                errs.append(forbidden(f"{p}.values",
                                      "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        else:
            errs.append(invalid(f"{p}.operator", op or "", "not a valid selector operator"))
        errs += [invalid(f"{p}.key", e.get("key", ""), m) for m in qualified_name(e.get("key") or "")]
    errs += validate_labels(sel.get("matchLabels"), f"{path}.matchLabels")
    return errs


# On update the name is not re-validated (ValidateObjectMetaUpdate checks it did not change).
_IDENTITY = ("metadata.name", "metadata.generateName", "metadata.namespace")
