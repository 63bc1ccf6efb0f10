"""`replacements`: copy a field of one resource (the source: by id, default fieldPath
metadata.name, optionally one part of a delimited string) into fields of others (targets:
select / reject by id, label and annotation selectors; fieldPaths in kyaml's syntax:
`spec.template.spec.containers.[name=app].image`, `ports.0.port`, `*`; options delimiter, index,
create)."""
from __future__ import annotations

import copy
import re

from minikctl.kustomize import KustomizeError
from minikctl.kustomize.resource import Res
from minikctl import lazy

selectors = lazy.module("minikctl.api.selectors")
yamlio = lazy.module("minikctl.kustomize.yamlio")


def split_path(path: str) -> list[str]:
    """kyaml's SmarterPathSplitter: dots split, except inside [...]."""
    out, cur, depth = [], "", 0
    for c in path:
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        if c == "." and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += c
    out.append(cur)
    return out


def _selector_str(sel: dict) -> str:
    """ResId's String() as kustomize prints a selector: KIND.VERSION.GROUP/NAME.NAMESPACE."""
    return (f"{sel.get('kind') or '[noKind]'}.{sel.get('version') or '[noVer]'}.{sel.get('group') or '[noGrp]'}"
            f"/{sel.get('name') or '[noName]'}.{sel.get('namespace') or '[noNs]'}")


def _selected(r: Res, sel: dict) -> bool:
    if sel.get("group") and r.group != sel["group"]:
        return False
    if sel.get("version") and r.version != sel["version"]:
        return False
    if sel.get("kind") and r.kind != sel["kind"]:
        return False
    if sel.get("name") and sel["name"] not in r.previous_names():
        return False
    if sel.get("namespace") and sel["namespace"] not in [n for _, n in r.prev] + [r.namespace]:
        return False
    return True


def _label_match(r: Res, sel: dict) -> bool:
    for field, key in (("labelSelector", "labels"), ("annotationSelector", "annotations")):
        if sel.get(field) and not selectors.matches(selectors.parse_selector(sel[field]), r.meta.get(key) or {}):
            return False
    return True


def _match_elem(seg: str, item) -> bool:
    m = re.fullmatch(r"\[(.*?)=(.*)\]", seg)
    if not m:
        return False
    key, val = m.group(1), m.group(2)
    if key == "":
        return isinstance(item, (str, int, float, bool)) and str(item) == val
    return isinstance(item, dict) and str(item.get(key)) == val


def lookup(node, parts: list[str]):
    for seg in parts:
        if isinstance(node, list):
            if seg.isdigit():
                i = int(seg)
                node = node[i] if i < len(node) else None
            else:
                node = next((x for x in node if _match_elem(seg, x)), None)
        elif isinstance(node, dict):
            node = node.get(seg)
        else:
            return None
        if node is None:
            return None
    return node


def _targets(node, parts: list[str], create: bool, value):
    """(parent, key) of every field the path matches; with create, missing map fields are made."""
    if not parts:
        return []
    seg, rest = parts[0], parts[1:]
    out = []
    if isinstance(node, list):
        if seg == "*":
            idxs = range(len(node))
        elif seg.isdigit():
            idxs = [int(seg)] if int(seg) < len(node) else []
        else:
            idxs = [i for i, x in enumerate(node) if _match_elem(seg, x)]
            m = re.fullmatch(r"\[(.+?)=(.*)\]", seg)
            if not idxs and create and m:
                node.append({m.group(1): m.group(2)})
                idxs = [len(node) - 1]
        for i in idxs:
            out += [(node, i)] if not rest else _targets(node[i], rest, create, value)
        return out
    if not isinstance(node, dict):
        return []
    if seg not in node or node[seg] is None:
        if not create:
            return []
        node[seg] = copy.deepcopy(value) if not rest else ([] if rest[0].startswith("[") else {})
    if not rest:
        return [(node, seg)]
    return _targets(node[seg], rest, create, value)


def _scalar_str(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v == int(v):
        return str(int(v))
    return str(v)


def apply(res: list[Res], items: list, load) -> None:
    for item in items:
        if isinstance(item, dict) and item.get("path"):
            docs = yamlio.load_all(load(item["path"]), item["path"])
            batch = [x for d in docs for x in (d if isinstance(d, list) else [d])]
        else:
            batch = [item]
        for r in batch:
            _one(res, r)


def _one(res: list[Res], r: dict) -> None:
    src, targets = r.get("source"), r.get("targets")
    if not src or not targets:
        raise KustomizeError("replacements must specify a source and at least one target")
    matches = [x for x in res if _selected(x, src)]
    if len(matches) > 1:
        raise KustomizeError(f"multiple matches for selector {_selector_str(src)}")
    if not matches:
        raise KustomizeError(f"nothing selected by {_selector_str(src)}")
    path = src.get("fieldPath") or "metadata.name"
    value = lookup(matches[0].obj, split_path(path))
    if value in (None, "", {}, []):
        raise KustomizeError(f"fieldPath `{path}` is missing for replacement source {_selector_str(src)}")
    opts = src.get("options") or {}
    if opts.get("delimiter"):
        if isinstance(value, (dict, list)):
            raise KustomizeError("delimiter option can only be used with scalar nodes")
        parts = _scalar_str(value).split(opts["delimiter"])
        i = int(opts.get("index") or 0)
        if i >= len(parts) or i < 0:
            raise KustomizeError(f"options.index {i} is out of bounds for value {_scalar_str(value)}")
        value = parts[i]
    for t in targets:
        sel = t.get("select")
        if sel is None:
            raise KustomizeError("target must specify resources to select")
        for x in res:
            if not _selected(x, sel) or not _label_match(x, sel):
                continue
            rejects = t.get("reject") or []
            if any((rj.get("labelSelector") or rj.get("annotationSelector")) and _label_match(x, rj) for rj in rejects):
                continue
            if any(any(rj.get(k) for k in ("group", "version", "kind", "name", "namespace")) and _selected(x, rj)
                   for rj in rejects):
                continue
            _copy(x, value, t)


def _copy(x: Res, value, t: dict) -> None:
    opts = t.get("options") or {}
    for fp in t.get("fieldPaths") or ["metadata.name"]:
        fields = _targets(x.obj, split_path(fp), bool(opts.get("create")), value)
        if not fields:
            raise KustomizeError(f"unable to find or create field \"{fp}\" in replacement target"
                                 if opts.get("create") else f"unable to find field \"{fp}\" in replacement target")
        for parent, key in fields:
            cur = parent[key]
            new = copy.deepcopy(value)
            if opts.get("delimiter"):
                if isinstance(cur, (dict, list)):
                    raise KustomizeError("delimiter option can only be used with scalar nodes")
                tv = _scalar_str(cur).split(opts["delimiter"])
                v = _scalar_str(value)
                i = int(opts.get("index") or 0)
                if i < 0:
                    tv = [v] + tv
                elif i >= len(tv):
                    tv.append(v)
                else:
                    tv[i] = v
                new = opts["delimiter"].join(tv)
            if cur is not None and not isinstance(cur, (dict, list)) and not isinstance(new, (dict, list)):
                new = _retyped(cur, _scalar_str(new))   # kyaml keeps the target scalar's tag
            parent[key] = new


def _retyped(cur, text: str):
    if isinstance(cur, bool):
        return text == "true" if text in ("true", "false") else text
    if isinstance(cur, int):
        try:
            return int(text)
        except ValueError:
            return text
    if isinstance(cur, float):
        try:
            return float(text)
        except ValueError:
            return text
    return text
