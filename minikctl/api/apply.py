"""Client-side apply: a three-way merge of the last-applied configuration, the new manifest and
the live object, with strategic-merge keys for the lists that have them (containers by name,
ports by port number ...). The result is created / configured / unchanged, as kubectl reports."""
from __future__ import annotations

import copy
import json

from minikctl.api.errors import ApiError
from minikctl import lazy

kinds = lazy.module("minikctl.api.kinds")
server = lazy.module("minikctl.api.server")

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

# list field name -> the key that identifies an item (strategic merge patch `patchMergeKey`)
MERGE_KEYS = {"containers": "name", "initContainers": "name", "env": "name", "volumes": "name",
              "volumeMounts": "mountPath", "imagePullSecrets": "name", "hostAliases": "ip",
              "conditions": "type", "envFrom": None}


def last_applied(manifest: dict) -> str:
    """The annotation's value: the manifest as compact JSON with sorted keys, plus a newline."""
    m = copy.deepcopy(manifest)
    # kubectl's GetModifiedConfiguration keeps an empty map: the value always has "annotations":{}
    meta = m.setdefault("metadata", {})
    ann = dict(meta.get("annotations") or {})
    ann.pop(LAST_APPLIED, None)
    meta["annotations"] = ann
    return json.dumps(m, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def _port_key(item: dict, path: tuple):
    if "containerPort" in item:
        return (item.get("containerPort"), item.get("protocol", "TCP"))
    return (item.get("port"), item.get("protocol", "TCP"))


def _key_fn(name: str, path: tuple):
    if name == "ports":
        return lambda i: _port_key(i, path) if isinstance(i, dict) else i
    key = MERGE_KEYS.get(name)
    if key:
        return lambda i: i.get(key) if isinstance(i, dict) else i
    return None


def merge(live, last, new, path: tuple = ()):
    """Three-way merge of dicts: keys dropped from `last` are removed, `new` wins, others stay."""
    if not isinstance(new, dict) or not isinstance(live, dict):
        return copy.deepcopy(new)
    last = last if isinstance(last, dict) else {}
    out = copy.deepcopy(live)
    for k in last:
        if k not in new:
            out.pop(k, None)
    for k, v in new.items():
        if isinstance(v, dict) and isinstance(live.get(k), dict):
            out[k] = merge(live[k], last.get(k), v, path + (k,))
        elif isinstance(v, list) and isinstance(live.get(k), list) and _key_fn(k, path):
            out[k] = _merge_list(live[k], last.get(k) if isinstance(last.get(k), list) else [], v, _key_fn(k, path), path + (k,))
        else:
            out[k] = copy.deepcopy(v)
    return out


def _merge_list(live: list, last: list, new: list, key, path):
    live_by = {key(i): i for i in live}
    last_by = {key(i): i for i in last}
    new_keys = [key(i) for i in new]
    out = []
    for item in new:
        k = key(item)
        out.append(merge(live_by[k], last_by.get(k), item, path) if k in live_by else copy.deepcopy(item))
    for item in live:
        k = key(item)
        if k not in new_keys and k not in last_by:
            out.append(copy.deepcopy(item))
    return out


def apply(cluster, manifest: dict, *, dry_run: bool = False) -> tuple[dict, str, list[str]]:
    """Apply one manifest; returns (object, 'created'|'configured'|'unchanged', warnings)."""
    manifest = copy.deepcopy(manifest)
    k = kinds.by_kind(manifest["kind"])
    meta = manifest.setdefault("metadata", {})
    if k.namespaced:
        meta["namespace"] = meta.get("namespace") or "default"
    annotation = last_applied(manifest)
    warnings: list[str] = []
    live = cluster.get(manifest["kind"], meta.get("namespace") if k.namespaced else None, meta.get("name", ""))
    if live is None or not meta.get("name"):
        body = copy.deepcopy(manifest)
        body["metadata"].setdefault("annotations", {})[LAST_APPLIED] = annotation
        return server.create(cluster, body, dry_run=dry_run), "created", warnings
    prev = (live["metadata"].get("annotations") or {}).get(LAST_APPLIED)
    if prev is None:
        warnings.append(f"Warning: resource {k.resource.split('.')[0]}/{meta['name']} is missing the {LAST_APPLIED} "
                        "annotation which is required by kubectl apply. kubectl apply should only be used on resources "
                        "created declaratively by either kubectl create --save-config or kubectl apply. The missing "
                        "annotation will be patched automatically.")
    last = json.loads(prev) if prev else {}
    wanted = {key: v for key, v in manifest.items() if key != "status"}
    # kubectl's "modified" object carries the new last-applied annotation, so annotations are
    # merged key by key: those a controller added (pv.kubernetes.io/bind-completed, ...) stay
    wanted["metadata"] = dict(wanted.get("metadata") or {})
    wanted["metadata"]["annotations"] = dict(wanted["metadata"].get("annotations") or {}, **{LAST_APPLIED: annotation})
    merged = merge({key: v for key, v in live.items() if key != "status"}, last, wanted)
    merged["metadata"].setdefault("annotations", {})[LAST_APPLIED] = annotation
    for key in ("resourceVersion", "uid", "creationTimestamp", "generation", "ownerReferences"):
        if key in live["metadata"]:
            merged["metadata"][key] = live["metadata"][key]
    if meta.get("resourceVersion"):  # kubectl's patch carries it: the apiserver then checks it
        merged["metadata"]["resourceVersion"] = str(meta["resourceVersion"])
    if "status" in live:
        merged["status"] = live["status"]
    if merged == live:
        return live, "unchanged", warnings
    try:
        return server.update(cluster, merged, live, dry_run=dry_run), "configured", warnings
    except ApiError as e:
        if e.reason == "Conflict":  # kubectl shows the patch it sent, and where to
            sent = dict(wanted)
            sent["metadata"] = dict(sent.get("metadata") or {})
            sent["metadata"]["annotations"] = dict(sent["metadata"].get("annotations") or {}, **{LAST_APPLIED: annotation})
            e.patch = json.dumps(three_way_patch(live, last, sent), sort_keys=True, separators=(",", ":"))
            e.target = live
        raise


def three_way_patch(current, original, modified):
    """The patch kubectl sends for apply, as a merge patch: what `modified` (the manifest and its
    annotation) sets that `current` lacks or has otherwise, and null for what `original` (the
    last-applied configuration) had and the manifest dropped. Lists go whole."""
    out = {}
    for k in modified:
        m = modified[k]
        if isinstance(current, dict) and k in current:
            c = current[k]
            if isinstance(m, dict) and isinstance(c, dict):
                sub = three_way_patch(c, (original or {}).get(k) if isinstance(original, dict) else None, m)
                if sub:
                    out[k] = sub
            elif m != c:
                out[k] = m
        else:
            out[k] = m
    if isinstance(original, dict):
        for k in original:
            if k not in modified and isinstance(current, dict) and k in current:
                out[k] = None
    return out
