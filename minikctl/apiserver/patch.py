"""The three patch types of PATCH requests: JSON merge (RFC 7386), JSON patch (RFC 6902) and
strategic merge (lists merged by their patchMergeKey, `$patch`, `$setElementOrder`,
`$retainKeys`, `$deleteFromPrimitiveList` directives, as kubectl's apply and edit send them).

When minikctl/api/patch.py (the `kubectl patch` verb's engine: `apply_patch(obj, patch,
'strategic'|'merge'|'json')`) is present it is used, so the CLI and the server patch alike; the
functions here are the fallback.
"""
from __future__ import annotations

import copy

MERGE = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"
APPLY = "application/apply-patch+yaml"
TYPES = (MERGE, STRATEGIC, JSON_PATCH)

# list field -> patchMergeKey (from the Kubernetes types' struct tags)
MERGE_KEYS = {"containers": "name", "initContainers": "name", "ephemeralContainers": "name", "env": "name",
              "volumes": "name", "volumeMounts": "mountPath", "volumeDevices": "devicePath",
              "imagePullSecrets": "name", "hostAliases": "ip", "conditions": "type", "ownerReferences": "uid",
              "readinessGates": "conditionType", "topologySpreadConstraints": "topologyKey",
              "resourceClaims": "name", "ports": None}
PRIMITIVE_MERGE = {"finalizers"}


class PatchError(ValueError):
    """A patch that cannot be applied; the apiserver answers 422 (or 400 for bad JSON patch)."""


_SHARED_NAMES = {MERGE: "merge", STRATEGIC: "strategic", JSON_PATCH: "json"}


def apply_patch(obj: dict, patch, patch_type: str) -> dict:
    """obj patched by a PATCH body of the given content type; PatchError when it cannot be."""
    if patch_type not in TYPES:
        raise PatchError(f"unknown patch type {patch_type}")
    try:
        from minikctl.api import patch as shared  # the CLI's `kubectl patch` implementation, when present
    except ImportError:
        shared = None
    if shared is not None and hasattr(shared, "apply_patch"):
        try:
            return shared.apply_patch(obj, patch, _SHARED_NAMES[patch_type])
        except getattr(shared, "PatchError", PatchError) as e:
            raise PatchError(str(e)) from None
    if patch_type == JSON_PATCH:
        return json_patch(obj, patch)
    if not isinstance(patch, dict):
        raise PatchError("json: cannot unmarshal array into Go value of type map[string]interface {}")
    if patch_type == MERGE:
        return merge_patch(obj, patch)
    return strategic(obj, patch, ())


def merge_patch(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


# ---- RFC 6902 --------------------------------------------------------------------------------

def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f'JSON pointer must start with "/": {path!r}')
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _parent(doc, parts: list[str]):
    cur = doc
    for p in parts[:-1]:
        if isinstance(cur, dict) and p in cur:
            cur = cur[p]
        elif isinstance(cur, list) and p.isdigit() and int(p) < len(cur):
            cur = cur[int(p)]
        else:
            raise PatchError(f"doc is missing path: /{'/'.join(parts)}")
    return cur


def _get(doc, parts):
    parent = _parent(doc, parts)
    last = parts[-1]
    if isinstance(parent, dict) and last in parent:
        return parent[last]
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return parent[int(last)]
    raise PatchError(f"doc is missing path: /{'/'.join(parts)}")


def _remove(doc, parts):
    parent = _parent(doc, parts)
    last = parts[-1]
    if isinstance(parent, dict) and last in parent:
        return parent.pop(last)
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return parent.pop(int(last))
    raise PatchError(f"unable to remove nonexistent key: {last}: missing value")


def _add(doc, parts, value):
    parent = _parent(doc, parts)
    last = parts[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-":
            parent.append(value)
        elif last.isdigit() and int(last) <= len(parent):
            parent.insert(int(last), value)
        else:
            raise PatchError(f"add operation does not apply: doc is missing path: /{'/'.join(parts)}")
    else:
        raise PatchError(f"doc is missing path: /{'/'.join(parts)}")


def json_patch(obj: dict, ops) -> dict:
    if not isinstance(ops, list):
        raise PatchError("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    doc = copy.deepcopy(obj)
    for op in ops:
        if not isinstance(op, dict) or "op" not in op:
            raise PatchError("Unexpected kind: <nil>")
        kind, path = op.get("op"), _pointer(op.get("path", ""))
        if not path:
            raise PatchError("the root document cannot be patched in place")
        if kind == "add":
            _add(doc, path, copy.deepcopy(op.get("value")))
        elif kind == "remove":
            _remove(doc, path)
        elif kind == "replace":
            _get(doc, path)
            parent, last = _parent(doc, path), path[-1]
            if isinstance(parent, list):
                parent[int(last)] = copy.deepcopy(op.get("value"))
            else:
                parent[last] = copy.deepcopy(op.get("value"))
        elif kind in ("move", "copy"):
            src = _pointer(op.get("from", ""))
            value = _remove(doc, src) if kind == "move" else copy.deepcopy(_get(doc, src))
            _add(doc, path, value)
        elif kind == "test":
            if _get(doc, path) != op.get("value"):
                raise PatchError("testing value failed")
        else:
            raise PatchError(f"Unexpected kind: {kind}")
    return doc


# ---- strategic merge -------------------------------------------------------------------------

def _key_for(field: str, items: list) -> str | None:
    if field == "ports":
        sample = next((i for i in items if isinstance(i, dict)), {})
        return "containerPort" if "containerPort" in sample else "port"
    return MERGE_KEYS.get(field)


def strategic(target, patch: dict, path: tuple) -> dict:
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if patch.get("$patch") == "delete":
        return {}
    orders = {}
    for k, v in patch.items():
        if k.startswith("$setElementOrder/"):
            orders[k.split("/", 1)[1]] = v
        elif k.startswith("$deleteFromPrimitiveList/"):
            f = k.split("/", 1)[1]
            if isinstance(out.get(f), list) and isinstance(v, list):
                out[f] = [x for x in out[f] if x not in v]
        elif k in ("$retainKeys", "$patch"):
            continue
        elif v is None:
            out.pop(k, None)
        elif isinstance(v, dict):
            out[k] = strategic(out.get(k), v, path + (k,))
        elif isinstance(v, list) and isinstance(out.get(k), list):
            out[k] = _merge_list(k, out[k], v, path + (k,))
        elif isinstance(v, list):
            out[k] = [({kk: vv for kk, vv in i.items() if kk != "$patch"} if isinstance(i, dict) else i)
                      for i in copy.deepcopy(v) if not (isinstance(i, dict) and i.get("$patch") == "delete")]
        else:
            out[k] = copy.deepcopy(v)
    for f, order in orders.items():
        if isinstance(out.get(f), list) and isinstance(order, list):
            out[f] = _reorder(f, out[f], order)
    if isinstance(patch.get("$retainKeys"), list):
        keep = set(patch["$retainKeys"])
        out = {k: v for k, v in out.items() if k in keep}
    return out


def _merge_list(field: str, live: list, patch: list, path: tuple) -> list:
    if field in PRIMITIVE_MERGE:
        return live + [x for x in patch if x not in live]
    key = _key_for(field, live + patch)
    if key is None or not all(isinstance(i, dict) for i in patch):
        return copy.deepcopy(patch)
    out = copy.deepcopy(live)
    for item in patch:
        kv = item.get(key)
        idx = next((i for i, x in enumerate(out) if isinstance(x, dict) and x.get(key) == kv), None)
        if item.get("$patch") == "delete":
            if idx is not None:
                out.pop(idx)
        elif item.get("$patch") == "replace":
            out = [x for x in out if not (isinstance(x, dict) and x.get(key) == kv)]
        elif idx is None:
            out.append({k: v for k, v in copy.deepcopy(item).items() if v is not None})
        else:
            out[idx] = strategic(out[idx], item, path)
    return out


def _reorder(field: str, items: list, order: list) -> list:
    key = _key_for(field, items)
    if key is None:
        return items

    def k(x):
        return x.get(key) if isinstance(x, dict) else x
    wanted = [k(o) for o in order]
    ranked = [x for w in wanted for x in items if k(x) == w]
    return ranked + [x for x in items if k(x) not in wanted]
