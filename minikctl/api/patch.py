"""The three patch dialects `kubectl patch --type` speaks, applied to plain-dict objects.

* strategic (the default for built-in kinds): maps merge, `null` deletes a key, lists whose
  field has a patchMergeKey (containers by name, ports by containerPort / port, env by name ...)
  merge item by item, other lists are replaced; `$patch: delete|replace|merge` directives and
  `$setElementOrder/...` / `$retainKeys` are honoured as the apimachinery strategicpatch does.
* merge (RFC 7386): maps merge, null deletes, lists are replaced.
* json (RFC 6902): a list of add/remove/replace/move/copy/test operations on JSON pointers.

Errors carry the texts the apiserver returns for a bad patch (reason BadRequest / Invalid /
UnprocessableEntity are the caller's to wrap).
"""
from __future__ import annotations

import copy

# list field -> merge key, for the kinds we model (k8s.io/api struct tags patchMergeKey)
MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "env": "name",
    "volumes": "name", "volumeMounts": "mountPath", "volumeDevices": "devicePath",
    "imagePullSecrets": "name", "hostAliases": "ip", "conditions": "type", "ownerReferences": "uid",
    "topologySpreadConstraints": "topologyKey", "resourceClaims": "name", "finalizers": None,
}
# Lists of scalars that strategic merge treats as sets (patchStrategy merge, no key).
SCALAR_MERGE = {"finalizers"}


class PatchError(Exception):
    """A patch the server cannot apply; message as the apiserver words it."""


def _port_key(path: tuple) -> str | None:
    # containers[*].ports merge on containerPort; a Service's spec.ports on port.
    if len(path) >= 1 and path[-1] == "ports":
        return "containerPort" if "containers" in path or "initContainers" in path else "port"
    return None


def merge_key(path: tuple) -> str | None:
    """The patchMergeKey of the list at `path` (field names only), or None (list is replaced)."""
    if not path:
        return None
    name = path[-1]
    if name == "ports":
        return _port_key(path)
    return MERGE_KEYS.get(name)


# ----------------------------------------------------------------- JSON merge patch (RFC 7386)

def create_merge_patch(original, modified):
    """The JSON merge patch (RFC 7386) that turns original into modified: changed and new keys,
    null for removed ones, nested maps as nested patches, anything else whole."""
    if not isinstance(original, dict) or not isinstance(modified, dict):
        return modified
    out = {}
    for k, v in modified.items():
        if k not in original:
            out[k] = v
        elif isinstance(v, dict) and isinstance(original[k], dict):
            sub = create_merge_patch(original[k], v)
            if sub:
                out[k] = sub
        elif v != original[k]:
            out[k] = v
    for k in original:
        if k not in modified:
            out[k] = None
    return out


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


# ----------------------------------------------------------------- strategic merge patch

def strategic_merge(target, patch, path: tuple = ()):
    """Apply a strategic merge patch (a dict) to `target` (a dict); returns a new object."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    patch = dict(patch)
    directive = patch.pop("$patch", None)
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items()}
    if directive == "delete":
        return None
    if directive not in (None, "merge"):
        raise PatchError(f"Unknown patch type: {directive} in map: {patch}")
    retain = patch.pop("$retainKeys", None)
    order: dict[str, list] = {}
    for k in [k for k in patch if k.startswith("$setElementOrder/")]:
        order[k.split("/", 1)[1]] = patch.pop(k)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k in [k for k in patch if k.startswith("$deleteFromPrimitiveList/")]:
        field = k.split("/", 1)[1]
        drop = patch.pop(k) or []
        if isinstance(out.get(field), list):
            out[field] = [x for x in out[field] if x not in drop]
    if retain is not None:
        for k in list(out):
            if k not in retain and k not in patch:
                del out[k]
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict):
            merged = strategic_merge(out.get(k), v, path + (k,))
            if merged is None:
                out.pop(k, None)
            else:
                out[k] = merged
        elif isinstance(v, list):
            out[k] = _merge_list(out.get(k), v, path + (k,))
        else:
            out[k] = copy.deepcopy(v)
    for field, wanted in order.items():
        if isinstance(out.get(field), list):
            out[field] = _reorder(out[field], wanted, merge_key(path + (field,)))
    return out


def _merge_list(current, patch: list, path: tuple) -> list:
    key = merge_key(path)
    current = current if isinstance(current, list) else []
    if key is None:
        if path and path[-1] in SCALAR_MERGE:
            return list(current) + [x for x in patch if x not in current]
        return [copy.deepcopy(x) for x in patch if not (isinstance(x, dict) and x.get("$patch"))]
    if any(isinstance(x, dict) and x.get("$patch") == "replace" for x in patch):
        return [copy.deepcopy({k: v for k, v in x.items() if k != "$patch"}) for x in patch
                if not (isinstance(x, dict) and x.get("$patch") == "replace")]
    out = [copy.deepcopy(x) for x in current]
    for item in patch:
        if not isinstance(item, dict):
            raise PatchError(f"unable to find api field in struct for the list item: {item!r}")
        if key not in item:
            raise PatchError(f"map: {_go_map(item)} does not contain declared merge key: {key}")
        idx = next((i for i, x in enumerate(out) if isinstance(x, dict) and x.get(key) == item[key]), None)
        if item.get("$patch") == "delete":
            if idx is not None:
                out.pop(idx)
            continue
        if idx is None:
            out.append(strategic_merge({}, item, path))
        else:
            out[idx] = strategic_merge(out[idx], item, path)
    return out


def _reorder(items: list, wanted: list, key: str | None) -> list:
    if key is None:
        return items
    pos = {(w.get(key) if isinstance(w, dict) else w): i for i, w in enumerate(wanted)}
    return sorted(items, key=lambda x: pos.get(x.get(key) if isinstance(x, dict) else x, len(pos)))


def _go_map(d: dict) -> str:
    return "map[" + " ".join(f"{k}:{v}" for k, v in sorted(d.items())) + "]"


# ----------------------------------------------------------------- JSON patch (RFC 6902)

def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f'doc is missing path: "{path}": missing value')
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _parent(doc, parts: list[str], path: str):
    node = doc
    for p in parts[:-1]:
        if isinstance(node, dict) and p in node:
            node = node[p]
        elif isinstance(node, list) and p.isdigit() and int(p) < len(node):
            node = node[int(p)]
        else:
            raise PatchError(f'doc is missing path: "{path}": missing value')
    return node


def _get(doc, path: str):
    parts = _pointer(path)
    if not parts:
        return doc
    node = _parent(doc, parts, path)
    last = parts[-1]
    if isinstance(node, dict) and last in node:
        return node[last]
    if isinstance(node, list) and last.isdigit() and int(last) < len(node):
        return node[int(last)]
    raise PatchError(f'doc is missing path: "{path}": missing value')


def _remove(doc, path: str):
    parts = _pointer(path)
    node = _parent(doc, parts, path)
    last = parts[-1]
    if isinstance(node, dict) and last in node:
        return node.pop(last)
    if isinstance(node, list) and last.isdigit() and int(last) < len(node):
        return node.pop(int(last))
    raise PatchError(f'Unable to remove nonexistent key: {last}: missing value'
                     if isinstance(node, dict) else f"Unable to access invalid index: {last}: invalid index referenced")


def _add(doc, path: str, value, replace: bool = False):
    parts = _pointer(path)
    if not parts:
        return value
    node = _parent(doc, parts, path)
    last = parts[-1]
    if isinstance(node, dict):
        if replace and last not in node:
            raise PatchError(f'replace operation does not apply: doc is missing key: {path}: missing value')
        node[last] = value
    elif isinstance(node, list):
        if last == "-" and not replace:
            node.append(value)
        elif last.isdigit() and int(last) <= len(node) - (1 if replace else 0):
            if replace:
                node[int(last)] = value
            else:
                node.insert(int(last), value)
        else:
            raise PatchError(f"Unable to access invalid index: {last}: invalid index referenced")
    else:
        raise PatchError(f'doc is missing path: "{path}": missing value')
    return doc


def json_patch(doc, ops) -> dict:
    if not isinstance(ops, list):
        raise PatchError("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    doc = copy.deepcopy(doc)
    for op in ops:
        kind = op.get("op") if isinstance(op, dict) else None
        path = op.get("path", "") if isinstance(op, dict) else ""
        if kind == "add":
            doc = _add(doc, path, copy.deepcopy(op.get("value")))
        elif kind == "remove":
            _remove(doc, path)
        elif kind == "replace":
            doc = _add(doc, path, copy.deepcopy(op.get("value")), replace=True)
        elif kind == "move":
            value = _remove(doc, op.get("from", ""))
            doc = _add(doc, path, value)
        elif kind == "copy":
            doc = _add(doc, path, copy.deepcopy(_get(doc, op.get("from", ""))))
        elif kind == "test":
            if _get(doc, path) != op.get("value"):
                raise PatchError(f"testing value {path} failed: test failed")
        else:
            raise PatchError(f"Unexpected kind: {kind}")
    return doc


def apply_patch(obj: dict, patch, ptype: str) -> dict:
    """ptype: 'strategic' | 'merge' | 'json'."""
    if ptype == "json":
        return json_patch(obj, patch)
    if not isinstance(patch, dict):
        raise PatchError("json: cannot unmarshal array into Go value of type map[string]interface {}")
    if ptype == "merge":
        return merge_patch(obj, patch)
    return strategic_merge(obj, patch)
