"""Custom objects (the kinds CRDs serve) and CRDs themselves at the apiserver's one door:
the hooks api/server.py calls where a built-in kind has its schema, defaults and validation.

Why a module: a custom object's rules are data in its CRD (api/kinds.py keeps the served entry:
schema, subresources), so the same few steps apply to every such kind: strict decoding against
the structural schema, its defaults, metadata rules, then the schema's checks (api/structural).
"""
from __future__ import annotations

from minikctl.api import kinds
from minikctl import lazy

crd = lazy.module("minikctl.api.crd")
invalid = lazy.function("minikctl.api.validation.fields", "invalid")
required = lazy.function("minikctl.api.validation.fields", "required")
structural = lazy.module("minikctl.api.structural")
validate_object_meta_update = lazy.function("minikctl.api.validation.meta", "validate_object_meta_update")


def kind_of(obj: dict):
    """The served CRD kind of an object, or None for a built-in kind."""
    k = kinds.by_kind(obj.get("kind", "")) if isinstance(obj, dict) else None
    return k if k is not None and k.crd is not None else None


def strict_message(obj: dict) -> str | None:
    """Strict decoding of a custom object: the fields its schema does not declare."""
    k = kind_of(obj)
    if k is None:
        return None
    unknown = structural.unknown_fields(obj, k.crd.get("schema") or {})
    if not unknown:
        return None
    version = (obj.get("apiVersion") or "").rpartition("/")[2]
    return (f'{k.kind} in version "{version}" cannot be handled as a {k.kind}: strict decoding error: '
            + ", ".join(f'unknown field "{p}"' for p in unknown))


def default(obj: dict) -> bool:
    """Defaults of a CRD or a custom object; False when the object is neither."""
    if obj.get("kind") == "CustomResourceDefinition":
        crd.default(obj)
        return True
    k = kind_of(obj)
    if k is None:
        return False
    schema = k.crd.get("schema") or {}
    structural.prune(obj, schema)
    structural.apply_defaults(obj, schema)
    obj["apiVersion"] = k.api_version          # stored in the storage version (conversion None)
    return True


def validate(obj: dict, old: dict | None) -> list[tuple[str, str]] | None:
    """The causes for a CRD or a custom object, or None when the object is neither."""
    if obj.get("kind") == "CustomResourceDefinition":
        errs = crd.validate(obj, old)
        return (validate_object_meta_update(obj, old) + errs) if old is not None else errs
    k = kind_of(obj)
    if k is None:
        return None
    meta = obj.get("metadata") or {}
    errs = []
    name = meta.get("name") or ""
    if not name and not meta.get("generateName"):
        errs.append(required("metadata.name", "name or generateName is required"))
    for bad in (".", ".."):
        if name == bad:
            errs.append(invalid("metadata.name", name, f'may not be \'{bad}\''))
    for ch in ("/", "%"):
        if ch in name:
            errs.append(invalid("metadata.name", name, f"may not contain '{ch}'"))
    if old is not None:
        errs += validate_object_meta_update(obj, old)
    return errs + structural.validate(obj, k.crd.get("schema") or {})


def has_status_subresource(obj: dict) -> bool:
    k = kind_of(obj)
    return k is not None and "status" in (k.crd.get("subresources") or {})


def scale_paths(obj_or_kind) -> dict | None:
    """The scale subresource of a custom kind (specReplicasPath, statusReplicasPath,
    labelSelectorPath), or None when its CRD declares none."""
    k = obj_or_kind if hasattr(obj_or_kind, "crd") else kind_of(obj_or_kind)
    if k is None or k.crd is None:
        return None
    scale = (k.crd.get("subresources") or {}).get("scale")
    return scale if isinstance(scale, dict) else None


def replicas(obj: dict, paths: dict, which: str = "specReplicasPath"):
    return structural.get_path(obj, paths.get(which) or "")


def set_replicas(obj: dict, paths: dict, n: int) -> None:
    structural.set_path(obj, paths["specReplicasPath"], n)
