"""The verbs on one kind: list, get, create, update, patch, delete, and the scale and status
subresources, each through minikctl/api/server.py so the API's checks are the CLI's checks.

Each function takes the open cluster (one store transaction); an error raised here rolls the
transaction back, so a refused request changes nothing.
"""
from __future__ import annotations

import copy
import re

from minikctl.api import managedfields, server
from minikctl.api.errors import ApiError
from minikctl.apiserver import patch as patching
from minikctl.apiserver import selection
from minikctl.apiserver.status import HttpError, conflict, fail, from_api_error, success
import json
from minikctl.api.errors import invalid
from minikctl import lazy

custom = lazy.module("minikctl.api.custom")
selector_string = lazy.function("minikctl.api.selectors", "selector_string")
structural = lazy.module("minikctl.api.structural")
unknown_fields = lazy.function("minikctl.api.schema", "unknown_fields")


def api_error(kind, e: ApiError) -> HttpError:
    return from_api_error(e, kind.plural, kind.group)


def _strip_path(obj: dict, path: str) -> None:
    parts = re.findall(r"([^.\[\]]+)|\[([^\]]*)\]", path)
    keys = [a if a else (int(b) if b.isdigit() else b) for a, b in parts]
    cur = obj
    for k in keys[:-1]:
        try:
            cur = cur[k]
        except (KeyError, IndexError, TypeError):
            return
    if isinstance(cur, dict):
        cur.pop(keys[-1], None)


def field_validation(obj: dict, mode: str) -> list[str]:
    """Strict: unknown fields are a 400 (left to server.create/update). Ignore/Warn: dropped;
    Warn returns the warnings the apiserver sends in Warning headers."""
    if mode == "Strict":
        return []
    k = custom.kind_of(obj)
    if k is not None:
        found = structural.unknown_fields(obj, k.crd.get("schema") or {})
    else:
        found = unknown_fields(obj)
    for p in reversed(found):
        _strip_path(obj, p)
    return [f'unknown field "{p}"' for p in found] if mode != "Ignore" else []


def _check_body(kind, obj, ns: str | None, name: str | None = None) -> dict:
    if not isinstance(obj, dict):
        raise fail("BadRequest", "Object 'Kind' is missing in the request body", 400)
    # The URL's kind and version fill what the body leaves out (the serializers' copyKindDefaults):
    # the official Python client sends objects built without apiVersion/kind.
    if not obj.get("kind"):
        obj["kind"] = kind.kind
    if not obj.get("apiVersion"):
        obj["apiVersion"] = kind.api_version
    if kind.crd is not None and obj.get("apiVersion") in (f"{kind.group}/{v}" for v in kind.crd.get("versions") or ()):
        obj = {**obj, "apiVersion": kind.api_version}
    served = (kind.api_version, *(f"{kind.group}/{v}" if kind.group else v for v in kind.other_versions))
    if obj.get("apiVersion") not in served or obj["kind"] != kind.kind:   # older versions: api/conversion.py
        raise fail("BadRequest", f'the API version in the data ({obj.get("apiVersion")}) does not match the '
                   f'expected API version ({kind.api_version})' if obj.get("apiVersion") not in served
                   else f'{obj["kind"]} in version "{kind.version}" cannot be handled as a {kind.kind}: '
                        f'no kind "{obj["kind"]}" is registered for the expected kind', 400)
    meta = obj.get("metadata")
    if meta is None:
        meta = obj["metadata"] = {}
    if not isinstance(meta, dict):
        raise fail("BadRequest", f'{kind.kind} in version "{kind.version}" cannot be handled as a {kind.kind}: '
                   "json: cannot unmarshal into Go struct field .metadata of type v1.ObjectMeta", 400)
    if kind.namespaced:
        if meta.get("namespace") and ns and meta["namespace"] != ns:
            raise fail("BadRequest", "the namespace of the provided object does not match the namespace sent on "
                       "the request", 400)
        meta["namespace"] = ns or meta.get("namespace") or "default"
    if name is not None and meta.get("name") != name:
        raise fail("BadRequest", f"the name of the object ({meta.get('name')}) does not match the name on the URL "
                   f"({name})", 400)
    return obj


def _short(obj) -> str:
    text = json.dumps(obj)
    return text if len(text) < 200 else text[:200] + "..."


def list_objects(cluster, kind, ns, req) -> tuple[list[dict], str]:
    labels = selection.label_filter(req.q("labelSelector"))
    fields = selection.field_filter(req.q("fieldSelector"), kind)
    objs = [o for o in cluster.list(kind.kind, ns if kind.namespaced else None)
            if selection.matches(o, labels, fields)]
    return selection.page(objs, req.q("limit"), req.q("continue"))


def get(cluster, kind, ns, name) -> dict:
    try:
        return server.get(cluster, kind.kind, ns if kind.namespaced else None, name)
    except ApiError as e:
        raise api_error(kind, e)


def create(cluster, kind, ns, obj, req) -> tuple[dict, list[str]]:
    obj = _check_body(kind, obj, ns)
    warnings = field_validation(obj, req.q("fieldValidation", "Warn"))
    cluster.warning_sink = warnings          # admission's warnings (PodSecurity) join the headers
    try:
        stored = server.create(cluster, obj, dry_run=req.q("dryRun") == "All")
    except ApiError as e:
        raise api_error(kind, e)
    managedfields.record_update(None, stored, manager(req), cluster.timestamp())
    return stored, warnings


def _check_rv(kind, old: dict, new: dict) -> None:
    rv = (new.get("metadata") or {}).get("resourceVersion")
    if rv and rv != old["metadata"].get("resourceVersion"):
        raise conflict(kind.plural, old["metadata"]["name"], kind.group)


def update(cluster, kind, ns, name, obj, req) -> tuple[dict, list[str]]:
    obj = _check_body(kind, obj, ns, name)
    old = get(cluster, kind, ns, name)
    _check_rv(kind, old, obj)
    warnings = field_validation(obj, req.q("fieldValidation", "Warn"))
    cluster.warning_sink = warnings
    base = copy.deepcopy(old)         # server.update changes the live dict in place
    if (obj.get("metadata") or {}).get("managedFields"):      # a client may set them (or reset them)
        base["metadata"]["managedFields"] = copy.deepcopy(obj["metadata"]["managedFields"])
    try:
        stored = server.update(cluster, obj, copy.deepcopy(old), dry_run=req.q("dryRun") == "All")
    except ApiError as e:
        raise api_error(kind, e)
    managedfields.record_update(base, stored, manager(req), cluster.timestamp())
    return stored, warnings


def manager(req) -> str:
    """The request's field manager: fieldManager, else the User-Agent's product
    (managerOrUserAgent)."""
    return req.q("fieldManager") or (req.headers.get("user-agent") or "").split("/", 1)[0]


def apply_patch(kind, target: dict, body, ctype: str) -> dict:
    if ctype not in patching.TYPES:
        raise fail("UnsupportedMediaType", f"the body of the request was in an unknown format - accepted media "
                   f"types include: {', '.join(patching.TYPES)}, {patching.APPLY}", 415)
    try:
        return patching.apply_patch(target, body, ctype)
    except patching.PatchError as e:
        code = 400 if ctype == patching.JSON_PATCH else 422
        raise fail("BadRequest" if code == 400 else "Invalid", str(e), code)


def patch(cluster, kind, ns, name, body, req) -> tuple[dict, list[str]]:
    old = get(cluster, kind, ns, name)
    new = apply_patch(kind, copy.deepcopy(old), body, req.content_type)
    if not isinstance(new, dict):
        raise fail("BadRequest", "the patch produced an object that is not a JSON object", 400)
    _check_rv(kind, old, new)
    if (new.get("metadata") or {}).get("name") != name or new.get("kind") != kind.kind:
        raise fail("BadRequest", f"the name of the object ({(new.get('metadata') or {}).get('name')}) does not "
                   f"match the name on the URL ({name})", 400)
    warnings = field_validation(new, req.q("fieldValidation", "Warn"))
    cluster.warning_sink = warnings
    before = copy.deepcopy(old)       # server.update changes the live dict in place
    patched = (new.get("metadata") or {}).get("managedFields")
    if patched != (old.get("metadata") or {}).get("managedFields"):
        before["metadata"]["managedFields"] = copy.deepcopy(patched)    # a client rewrote them (csaupgrade)
    try:
        stored = server.update(cluster, new, copy.deepcopy(old), dry_run=req.q("dryRun") == "All")
    except ApiError as e:
        raise api_error(kind, e)
    managedfields.record_update(before, stored, manager(req), cluster.timestamp())
    return stored, warnings


def server_side_apply(cluster, kind, ns, name, body, req) -> tuple[dict, bool]:
    """`kubectl apply --server-side`: create if absent, else merge the applied configuration in,
    with field ownership (api/managedfields.py): a field another manager owns whose value would
    change is a 409 conflict unless `force`; fields this manager applied before and no longer
    applies (owned by no one else) are removed."""
    body = _check_body(kind, body, ns, name)
    who = req.q("fieldManager")
    if not who:
        raise fail("Invalid", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required '
                   "for apply patch", 422, {"group": "meta.k8s.io", "kind": "PatchOptions",
                                            "causes": [{"reason": "FieldValueRequired", "message":
                                                        "Required value: is required for apply patch",
                                                        "field": "fieldManager"}]})
    dry = req.q("dryRun") == "All"
    now = cluster.timestamp()
    live = cluster.get(kind.kind, ns if kind.namespaced else None, name)
    warnings = field_validation(body, req.q("fieldValidation", "Warn"))
    cluster.warning_sink = warnings
    if live is None:
        entries = managedfields.apply(None, body, who, now, False)[0]["metadata"]["managedFields"]
        try:
            stored = server.create(cluster, {k: v for k, v in body.items() if k != "status"}, dry_run=dry)
        except ApiError as e:
            raise api_error(kind, e)
        stored["metadata"]["managedFields"] = entries
        return stored, True
    _check_rv(kind, live, body)
    try:
        merged, changed = managedfields.apply(live, body, who, now, req.flag("force"))
    except managedfields.Conflicts as e:
        raise fail("Conflict", str(e), 409, {"causes": managedfields.causes(e.conflicts)})
    if not changed:
        return live, False
    entries = merged["metadata"]["managedFields"]
    try:
        stored = server.update(cluster, merged, copy.deepcopy(live), dry_run=dry)
    except ApiError as e:
        raise api_error(kind, e)
    stored["metadata"]["managedFields"] = entries
    return stored, False


def delete(cluster, kind, ns, name, options: dict, req) -> dict:
    grace = options.get("gracePeriodSeconds", req.q("gracePeriodSeconds") or None)
    dry = req.q("dryRun") == "All" or "All" in (options.get("dryRun") or [])
    try:
        obj = server.delete(cluster, kind.kind, ns if kind.namespaced else None, name,
                            grace=int(grace) if grace is not None else None, dry_run=dry)
    except ApiError as e:
        raise api_error(kind, e)
    except (TypeError, ValueError):
        raise fail("BadRequest", f"invalid gracePeriodSeconds: {grace}", 400)
    if kind.kind == "Pod":
        return obj
    details = {"name": name, "kind": kind.plural, "uid": obj["metadata"].get("uid", "")}
    if kind.group:
        details["group"] = kind.group
    return success(details)


def delete_collection(cluster, kind, ns, req) -> dict:
    objs, _ = list_objects(cluster, kind, ns, req)
    for o in list(objs):
        delete(cluster, kind, o["metadata"].get("namespace"), o["metadata"]["name"], {}, req)
    return {"kind": f"{kind.kind}List", "apiVersion": kind.api_version,
            "metadata": {"resourceVersion": str(cluster.revision)}, "items": objs}


# ---- subresources ----------------------------------------------------------------------------

def scale_of(obj: dict) -> dict:
    m = obj["metadata"]
    paths = custom.scale_paths(obj)
    if paths is not None:           # a custom object: the paths its CRD's scale subresource names
        def num(v):
            return int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else 0
        status = {"replicas": num(custom.replicas(obj, paths, "statusReplicasPath"))}
        sel = custom.replicas(obj, paths, "labelSelectorPath") if paths.get("labelSelectorPath") else None
        if isinstance(sel, str) and sel:
            status["selector"] = sel
        return {"kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": {k: m[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                             if k in m},
                "spec": {"replicas": num(custom.replicas(obj, paths))}, "status": status}
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {k: m[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in m},
            "spec": {"replicas": int((obj.get("spec") or {}).get("replicas", 1))},
            "status": {"replicas": int((obj.get("status") or {}).get("replicas") or 0),
                       "selector": selector_string((obj.get("spec") or {}).get("selector"))}}


def scale(cluster, kind, ns, name, method: str, body, req) -> dict:
    old = get(cluster, kind, ns, name)
    if method == "GET":
        return scale_of(old)
    current = scale_of(old)
    if method == "PATCH":
        wanted = apply_patch(kind, current, body, req.content_type)
    else:
        if not isinstance(body, dict) or body.get("kind") != "Scale":
            raise fail("BadRequest", 'Scale in version "v1" cannot be handled as a Scale', 400)
        wanted = body
    _check_rv(kind, old, wanted)
    replicas = (wanted.get("spec") or {}).get("replicas", 0)
    if not isinstance(replicas, int) or isinstance(replicas, bool):
        raise fail("BadRequest", 'Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal '
                   "into Go struct field ScaleSpec.spec.replicas of type int32", 400)
    new = copy.deepcopy(old)
    old = copy.deepcopy(old)          # server.update changes the live dict in place
    paths = custom.scale_paths(old)
    if paths is not None:
        custom.set_replicas(new, paths, replicas)
    else:
        new.setdefault("spec", {})["replicas"] = replicas
    try:
        if req.q("dryRun") != "All":
            new = server.update(cluster, new, copy.deepcopy(old))
    except ApiError as e:
        raise api_error(kind, e)
    managedfields.record_update(old, new, manager(req), cluster.timestamp(), "scale")
    return scale_of(new)


def status(cluster, kind, ns, name, method: str, body, req) -> dict:
    old = get(cluster, kind, ns, name)
    if method == "GET":
        return old
    new = apply_patch(kind, copy.deepcopy(old), body, req.content_type) if method == "PATCH" else body
    if not isinstance(new, dict):
        raise fail("BadRequest", "the body of the request is not an object", 400)
    _check_rv(kind, old, new)
    if kind.crd is not None:        # a custom object's status is checked against its schema's status
        schema = kind.crd.get("schema") or {}
        probe = {"status": copy.deepcopy(new.get("status") or {})}
        structural.prune(probe, schema)
        structural.apply_defaults(probe, schema)
        causes = [c for c in structural.validate(probe, schema) if c[0].startswith("status")]
        if causes:
            raise api_error(kind, invalid(kind.kind, name, causes))
        new = {**new, "status": probe["status"]}
    if req.q("dryRun") == "All":
        return new
    live = cluster.get(kind.kind, ns if kind.namespaced else None, name)
    server.update_status_internal(cluster, live, new.get("status") or {})
    return live
