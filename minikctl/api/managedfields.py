"""Field ownership: metadata.managedFields and server-side apply (structured-merge-diff's rules).

Every write through `minikctl serve` names a field manager (the request's fieldManager, else the
User-Agent's product, as the apiserver does). An object's managedFields list, per manager and
operation (Apply, or Update with the apiVersion it wrote), the set of fields that manager owns,
encoded as FieldsV1 (`{"f:spec":{"f:replicas":{}}}`; list items by their keys,
`k:{"name":"nginx"}`, or by value, `v:"x"`; `.` marks a node that is owned and has children).

* An Update takes the fields it added or changed from every other manager and adds them to its
  own set, drops those it removed.
* An Apply owns exactly the fields of the configuration it sent. A field another manager owns
  whose value the apply would change is a conflict: the request fails (409, the apiserver's
  text) unless forced, when the field moves to the applier. A field the applier applied last
  time, no longer in its configuration and owned by no one else, is removed from the object.

Which lists are keyed maps, sets or atomic, and which structs are atomic, is read from the
served release's OpenAPI definitions (x-kubernetes-list-type, -list-map-keys, -map-type); a
part the schema does not cover is deduced as structured-merge-diff deduces it (maps granular,
lists atomic).

Limits (docs/clients.md): controllers' own writes are not attributed to their managers (only
requests through serve are); an Update's set is taken from the stored object (defaults and
allocated fields included) and marks a newly created struct as owned (`.`) only for maps and list
items, where the apiserver also marks new pointer structs.
"""
from __future__ import annotations

import copy
import json
from minikctl import lazy

source = lazy.module("minikctl.api.openapi.source")

# fields the apiserver never tracks (fieldmanager's stripMeta) and status, reset on the main
# resource of the kinds that have a status subresource
_STRIPPED_META = ("name", "namespace", "creationTimestamp", "selfLink", "uid", "generation", "managedFields",
                  "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "generateName")
APPLY, UPDATE = "Apply", "Update"


class Conflicts(Exception):
    """An apply would change fields other managers own: [(entry, path)], in detection order."""

    def __init__(self, conflicts: list[tuple[dict, tuple]]):
        super().__init__(message(conflicts))
        self.conflicts = conflicts


# ---- the schema --------------------------------------------------------------------------

def _defs() -> dict:
    try:
        return source.definitions()
    except Exception:  # noqa: BLE001 - no schemas installed: every part is deduced
        return {}


def root_schema(obj: dict) -> dict | None:
    """The OpenAPI definition of obj's kind (a built-in kind's, or a CRD's), or None."""
    api = obj.get("apiVersion") or ""
    group, _, version = api.rpartition("/")
    defs = _defs()
    if defs:
        name = _gvk_index().get((group, version, obj.get("kind") or ""))
        if name:
            return defs[name]
    return None


_INDEX: dict | None = None


def _gvk_index() -> dict:
    global _INDEX
    if _INDEX is None:
        _INDEX = source.gvk_index(_defs())
    return _INDEX


def _resolve(s: dict | None) -> dict | None:
    seen = 0
    while s is not None and "$ref" in s and seen < 50:
        name = s["$ref"].rsplit("/", 1)[-1]
        s = _defs().get(name)
        seen += 1
    if s is not None and "allOf" in s and len(s["allOf"]) == 1:
        return _resolve(s["allOf"][0])
    return s


def _field_schema(s: dict | None, key: str) -> tuple[dict | None, bool]:
    """(schema of child `key`, whether `key` is a declared struct field)."""
    if s is None:
        return None, True           # deduced: a struct-like map whose keys are fields
    props = s.get("properties")
    if props is not None and key in props:
        return props[key], True
    ap = s.get("additionalProperties")
    if isinstance(ap, dict):
        return ap, False
    return None, props is None and s.get("type") != "object"


def _kind_of(s: dict | None, value) -> str:
    """leaf | atomic | struct | map | list-map | list-set | list-atomic"""
    if isinstance(value, dict):
        if s is not None and s.get("x-kubernetes-map-type") == "atomic":
            return "atomic"
        if s is not None and isinstance(s.get("additionalProperties"), dict) and not s.get("properties"):
            return "map"
        if s is not None and s.get("x-kubernetes-preserve-unknown-fields") and not s.get("properties"):
            return "map"
        return "struct"
    if isinstance(value, list):
        lt = (s or {}).get("x-kubernetes-list-type")
        if lt == "map" and (s or {}).get("x-kubernetes-list-map-keys"):
            return "list-map"
        if lt == "set":
            return "list-set"
        return "list-atomic"
    return "leaf"


def _jv(v) -> str:
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


# A key field the configuration leaves out takes its default (structured-merge-diff reads the
# defaults of list-map keys from the schema): `+default="TCP"` on ContainerPort.protocol and
# ServicePort.protocol in k8s.io/api core/v1 (the package's data drops OpenAPI defaults).
_KEY_DEFAULTS = {("containerPort", "protocol"): {"protocol": "TCP"}, ("port", "protocol"): {"protocol": "TCP"}}


def _item_key(s: dict, item, item_schema: dict | None) -> str:
    keys = {}
    names = tuple(s["x-kubernetes-list-map-keys"])
    props = (item_schema or {}).get("properties") or {}
    defaults = _KEY_DEFAULTS.get(names, {})
    for k in names:
        if isinstance(item, dict) and item.get(k) is not None:
            keys[k] = item[k]
        elif "default" in (props.get(k) or {}):
            keys[k] = props[k]["default"]
        elif k in defaults:
            keys[k] = defaults[k]
    return "k:" + _jv(dict(sorted(keys.items())))


# ---- walking an object: every node's path, leaves with their values -------------------------

class _Node:
    """A path that has children; `owned_when_new`: a list item, a map's entry or a map (labels,
    data...), which an Update that creates it owns itself (`.`), unlike a struct."""
    __slots__ = ("owned_when_new",)

    def __init__(self, owned_when_new: bool):
        self.owned_when_new = owned_when_new


def walk(obj: dict, schema: dict | None = None) -> tuple[dict, set]:
    """(path -> value for leaves / a _Node for inner nodes, the paths that are members of the
    object's own field set: ToFieldSet's rule). Paths are tuples of FieldsV1 keys."""
    nodes: dict[tuple, object] = {}
    members: set[tuple] = set()
    s = schema if schema is not None else root_schema(obj)
    _walk(strip(obj), _resolve(s), (), nodes, members, False)
    return nodes, members


def _walk(value, s, path, nodes, members, entry: bool) -> None:
    kind = _kind_of(s, value)
    if kind in ("leaf", "atomic", "list-atomic") or (isinstance(value, (dict, list)) and not value):
        nodes[path] = value
        if path:
            members.add(path)
        return
    if path:
        nodes[path] = _Node(entry or kind == "map")
    if kind in ("struct", "map"):
        ap = (s or {}).get("additionalProperties")
        for k, v in value.items():
            if kind == "struct":
                cs, declared = _field_schema(s, k)
            else:
                cs, declared = (ap if isinstance(ap, dict) else None), False
            cp = path + ("f:" + k,)
            _walk(v, _resolve(cs), cp, nodes, members, not declared)
            if not declared or v is None or v == {}:
                members.add(cp)
        return
    items = _resolve((s or {}).get("items"))
    for item in value:
        if kind == "list-set":
            cp = path + ("v:" + _jv(item),)
            nodes[cp] = item
        else:
            cp = path + (_item_key(s, item, items),)
            _walk(item, items, cp, nodes, members, True)
        members.add(cp)


def strip(obj: dict) -> dict:
    out = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "status")}
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in _STRIPPED_META}
    if meta:
        out["metadata"] = meta
    else:
        out.pop("metadata", None)
    return out


def compare(old: dict | None, new: dict) -> tuple[set, set, set]:
    """(added, modified, removed) paths from old to new (None: nothing before)."""
    before = walk(old)[0] if old else {}
    after = walk(new)[0]
    added = {p for p, v in after.items() if p not in before and (not isinstance(v, _Node) or v.owned_when_new)}
    modified = {p for p, v in after.items() if p in before and not isinstance(v, _Node) and
                (isinstance(before[p], _Node) or before[p] != v)}
    removed = {p for p in before if p not in after}
    return added, modified, removed


# ---- FieldsV1 ----------------------------------------------------------------------------

def _order(key: str) -> tuple:
    return ({".": 0, "f": 1, "k": 2, "v": 3, "i": 4}.get(key[0] if key != "." else ".", 5), key)


def to_fields_v1(paths: set) -> dict:
    tree: dict = {}
    for p in paths:
        node = tree
        for k in p:
            node = node.setdefault(k, {})
    for p in paths:
        node = tree
        for k in p:
            node = node[k]
        if node and "." not in node:
            node["."] = {}

    def ordered(n: dict) -> dict:
        return {k: ordered(n[k]) for k in sorted(n, key=_order)}
    return ordered(tree)


def from_fields_v1(tree, prefix: tuple = ()) -> set:
    out: set = set()
    if not isinstance(tree, dict):
        return out
    for k, sub in tree.items():
        if k == ".":
            if prefix:
                out.add(prefix)
            continue
        p = prefix + (k,)
        if not sub:
            out.add(p)
        else:
            out |= from_fields_v1(sub, p)
    return out


def path_string(path: tuple) -> str:
    """fieldpath.Path's String(): .spec.replicas, .containers[name="nginx"], [="x"], [0]."""
    out = []
    for k in path:
        kind, body = k[0], k[2:]
        if kind == "f":
            out.append("." + body)
        elif kind == "k":
            keys = json.loads(body)
            out.append("[" + ",".join(f"{n}={_jv(v)}" for n, v in keys.items()) + "]")
        elif kind == "v":
            out.append(f"[={body}]")
        else:
            out.append(f"[{body}]")
    return "".join(out)


# ---- managers ----------------------------------------------------------------------------

def identity(e: dict) -> tuple:
    """BuildManagerIdentifier: an applier is itself whatever version it applies."""
    return (e.get("manager", ""), e.get("operation", ""), "" if e.get("operation") == APPLY else e.get("apiVersion", ""),
            e.get("subresource", ""))


def entries(obj: dict | None) -> list[dict]:
    return [e for e in ((obj or {}).get("metadata") or {}).get("managedFields") or [] if isinstance(e, dict)]


def _entry(manager: str, op: str, api_version: str, time: str, paths: set, subresource: str = "") -> dict:
    e = {"manager": manager, "operation": op, "apiVersion": api_version, "time": time, "fieldsType": "FieldsV1",
         "fieldsV1": to_fields_v1(paths)}
    if subresource:
        e["subresource"] = subresource
    return e


def _sorted(es: list[dict]) -> list[dict]:
    """The apiserver's order: Apply before Update, then by time, manager, apiVersion, subresource."""
    return sorted(es, key=lambda e: (e.get("operation", ""), e.get("time", ""), e.get("manager", ""),
                                     e.get("apiVersion", ""), e.get("subresource", "")))


def printable_manager(e: dict) -> str:
    """printManager: "name" [with subresource "s"] [using apiVersion] (Update's time is never in
    the identifier the conflict carries)."""
    s = _jv(e.get("manager", ""))
    if e.get("subresource"):
        s += f" with subresource {_jv(e['subresource'])}"
    if e.get("operation") == UPDATE:
        s += f" using {e.get('apiVersion', '')}"
    return s


def message(conflicts: list[tuple[dict, tuple]]) -> str:
    if len(conflicts) == 1:
        e, p = conflicts[0]
        return f"Apply failed with 1 conflict: conflict with {printable_manager(e)}: {path_string(p)}"
    by: dict[str, list] = {}
    for e, p in conflicts:
        by.setdefault(_identifier(e), []).append((e, p))
    lines = []
    for key in sorted(by):
        lines.append(f"conflicts with {printable_manager(by[key][0][0])}:")
        lines += [f"- {path_string(p)}" for _, p in by[key]]
    return f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)


def _identifier(e: dict) -> str:
    """The manager's identifier as the apiserver encodes it (the JSON of the entry without time
    and fields, empty fields omitted), by which a conflict message orders its managers."""
    manager, op, version, sub = identity(e)
    return _jv({k: v for k, v in (("manager", manager), ("operation", op), ("apiVersion", version),
                                  ("subresource", sub)) if v})


def causes(conflicts: list[tuple[dict, tuple]]) -> list[dict]:
    return [{"reason": "FieldManagerConflict", "message": f"conflict with {printable_manager(e)}",
             "field": path_string(p)} for e, p in conflicts]


def record_update(old: dict | None, new: dict, manager: str, time: str, subresource: str = "") -> None:
    """An Update by `manager` turned old into new: set new's managedFields (in place)."""
    added, modified, removed = compare(old, new)
    changed = added | modified
    me = (manager, UPDATE, new.get("apiVersion", ""), subresource)
    kept, mine = [], set()
    for e in entries(old):
        owned = from_fields_v1(e.get("fieldsV1"))
        if identity(e) == me:
            mine = owned
            continue
        left = owned - changed - removed
        if left:
            kept.append({**e, "fieldsV1": to_fields_v1(left)})
    mine = (mine - removed) | changed
    if mine:
        kept.append(_entry(manager, UPDATE, new.get("apiVersion", ""), time, mine, subresource))
    new.setdefault("metadata", {})["managedFields"] = _sorted(kept)


def apply(live: dict | None, config: dict, manager: str, time: str, force: bool) -> tuple[dict, bool]:
    """Server-side apply of config by manager onto live (None: absent). Returns (the object to
    store, whether anything changed); raises Conflicts."""
    nodes, applied = walk(config)
    if live is None:
        obj = copy.deepcopy(config)
        obj.setdefault("metadata", {})["managedFields"] = [_entry(manager, APPLY, config.get("apiVersion", ""), time,
                                                                  applied)]
        return obj, True
    merged = merge(live, config)
    added, modified, _ = compare(live, merged)
    changed = added | modified
    me = (manager, APPLY, "", "")
    others, last = [], set()
    conflicts = []
    for e in entries(live):
        owned = from_fields_v1(e.get("fieldsV1"))
        if identity(e) == me:
            last = owned
            continue
        hit = sorted(owned & changed & _with_ancestors(applied), key=lambda p: path_string(p))
        conflicts += [(e, p) for p in hit]
        others.append((e, owned))
    if conflicts and not force:
        raise Conflicts(conflicts)
    taken = {p for _, p in conflicts}
    others = [(e, owned - taken) for e, owned in others]
    owned_by_others = set().union(*(o for _, o in others)) if others else set()
    for p in sorted(last - applied, key=len, reverse=True):
        if p not in owned_by_others and not any(q[:len(p)] == p for q in owned_by_others):
            _remove(merged, p)
            for i in range(len(p) - 1, 1, -1):      # a map or list the removal emptied goes too
                if _get(merged, p[:i]) in ({}, []):
                    _remove(merged, p[:i])
    kept = [{**e, "fieldsV1": to_fields_v1(o)} for e, o in others if o]
    kept.append(_entry(manager, APPLY, config.get("apiVersion", ""), time, applied))
    same = strip(merged) == strip(live) and applied == last and not taken
    if same:
        return live, False
    merged.setdefault("metadata", {})["managedFields"] = _sorted(kept)
    return merged, True


def _with_ancestors(paths: set) -> set:
    out = set(paths)
    for p in paths:
        for i in range(1, len(p)):
            out.add(p[:i])
    return out


# ---- merging a configuration into the live object ----------------------------------------

def merge(live: dict, config: dict) -> dict:
    """live with config merged in, structurally (keyed lists by key, sets by value, atomic
    parts replaced), as structured-merge-diff's Merge."""
    out = copy.deepcopy(live)
    s = _resolve(root_schema(config) or root_schema(live))
    for k, v in config.items():
        if k == "status":
            continue
        cs, _ = _field_schema(s, k)
        out[k] = _merge(out.get(k), v, _resolve(cs))
    return out


def _merge(lv, cv, s):
    kind = _kind_of(s, cv)
    if kind in ("struct", "map") and isinstance(lv, dict):
        out = dict(lv)
        for k, v in cv.items():
            if kind == "struct":
                cs, _ = _field_schema(s, k)
            else:
                ap = (s or {}).get("additionalProperties")
                cs = ap if isinstance(ap, dict) else None
            out[k] = _merge(lv.get(k), v, _resolve(cs))
        return out
    if kind == "list-map" and isinstance(lv, list):
        items = _resolve(s.get("items"))
        out = list(lv)
        index = {_item_key(s, it, items): i for i, it in enumerate(out)}
        for it in cv:
            key = _item_key(s, it, items)
            if key in index:
                out[index[key]] = _merge(out[index[key]], it, items)
            else:
                index[key] = len(out)
                out.append(copy.deepcopy(it))
        return out
    if kind == "list-set" and isinstance(lv, list):
        return list(lv) + [x for x in cv if x not in lv]
    return copy.deepcopy(cv)


def _get(obj: dict, path: tuple):
    """The value at a path of field names (None when a step is not a field or is absent)."""
    cur = obj
    for k in path:
        if not k.startswith("f:") or not isinstance(cur, dict) or k[2:] not in cur:
            return None
        cur = cur[k[2:]]
    return cur


def _remove(obj: dict, path: tuple) -> None:
    """Remove the field / list item at path from obj (nothing when absent)."""
    parent, s = obj, _resolve(root_schema(obj))
    for i, k in enumerate(path):
        last = i == len(path) - 1
        kind, body = k[0], k[2:]
        if kind == "f":
            if not isinstance(parent, dict) or body not in parent:
                return
            if last:
                del parent[body]
                return
            cs, _ = _field_schema(s, body)
            parent, s = parent[body], _resolve(cs)
        elif isinstance(parent, list):
            items = _resolve((s or {}).get("items"))
            if kind == "k":
                at = next((j for j, it in enumerate(parent) if _item_key(s, it, items) == k), None)
            else:
                at = next((j for j, it in enumerate(parent) if "v:" + _jv(it) == k), None)
            if at is None:
                return
            if last:
                del parent[at]
                return
            parent, s = parent[at], items
        else:
            return
