"""patchesStrategicMerge, patchesJson6902 and patches: reading a patch (file or inline), telling a
JSON 6902 patch (a list) from a strategic merge one, picking its targets (the patch's own id, or a
target selector: group/version/kind/name/namespace as anchored regular expressions, label and
annotation selectors), and applying it."""
from __future__ import annotations

import copy
import json
import os
import re

from minikctl.kustomize import KustomizeError, yamlio
from minikctl.kustomize.resource import Res
from minikctl import lazy

in_root = lazy.function("minikctl.kustomize", "in_root")
json_patch = lazy.function("minikctl.api.patch", "json_patch")
merge = lazy.function("minikctl.kustomize.smp", "merge")
selectors = lazy.module("minikctl.api.selectors")
split_api_version = lazy.function("minikctl.kustomize.fieldspecs", "split_api_version")
to_yaml = lazy.function("minikctl.printers.serialize", "to_yaml")
api_patch = lazy.module("minikctl.api.patch")


def _load_text(root: str, path: str) -> str:
    full = os.path.normpath(os.path.join(root, path))
    if not in_root(root, full):
        raise KustomizeError(f"security; file '{full}' is not in or below '{root}'")
    try:
        with open(full, "rb") as f:
            return f.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        raise KustomizeError(f"evalsymlink failure on '{full}' : lstat {full}: no such file or directory") from None


def _regex(pattern: str, value: str) -> bool:
    if not pattern:
        return True
    try:
        return re.fullmatch(pattern, value or "") is not None
    except re.error:
        return pattern == value


def _labels_match(selector: str, labels: dict) -> bool:
    try:
        return selectors.matches(selectors.parse_selector(selector), labels or {})
    except Exception:  # noqa: BLE001 - a selector kustomize cannot parse matches nothing
        return False


def select(resources: list[Res], target: dict) -> list[Res]:
    out = []
    for r in resources:
        if not _regex(target.get("group", ""), r.group):
            continue
        if not _regex(target.get("version", ""), r.version):
            continue
        if not _regex(target.get("kind", ""), r.kind):
            continue
        if target.get("name") and not any(_regex(target["name"], n) for n in [r.name]):
            continue
        if target.get("namespace") and not _regex(target["namespace"], r.namespace):
            continue
        if target.get("labelSelector") and not _labels_match(target["labelSelector"], r.meta.get("labels")):
            continue
        if target.get("annotationSelector") and not _labels_match(target["annotationSelector"],
                                                                   r.meta.get("annotations")):
            continue
        out.append(r)
    return out


def _is_json6902(text: str) -> tuple[bool, object]:
    s = text.strip()
    if s.startswith("["):
        try:
            return True, json.loads(s)
        except ValueError:
            pass
    docs = yamlio.load_all(text, "patch")
    if len(docs) == 1 and isinstance(docs[0], list):
        return True, docs[0]
    return False, docs


def _smp(target: dict, patch: dict) -> dict:
    return merge(target, patch)


def _json6902(obj: dict, ops) -> dict:
    try:
        return json_patch(obj, ops)
    except api_patch.PatchError as e:
        raise KustomizeError(str(e)) from None
    except (KeyError, IndexError, TypeError, ValueError) as e:
        raise KustomizeError(f"unable to apply json patch: {e}") from None


def _replace(r: Res, new: dict, options: dict) -> None:
    old_name = r.name
    old_kind = r.kind
    r.obj.clear()
    r.obj.update(new)
    if r.name != old_name:
        if not options.get("allowNameChange"):
            r.meta["name"] = old_name
        else:
            r.prev.append((old_name, r.namespace))
    if r.kind != old_kind and not options.get("allowKindChange"):
        r.obj["kind"] = old_kind


def _patch_id(p: dict) -> str:
    g, v = split_api_version(p.get("apiVersion", ""))
    meta = p.get("metadata") or {}
    return f"{p.get('kind') or '[noKind]'}.{v or '[noVer]'}.{g or '[noGrp]'}/{meta.get('name', '')}.{meta.get('namespace') or '[noNs]'}"


def _smp_targets(resources: list[Res], p: dict) -> list[Res]:
    meta = p.get("metadata") or {}
    name, ns = meta.get("name"), meta.get("namespace")
    g, v = split_api_version(p.get("apiVersion", ""))
    out = []
    for r in resources:
        if r.kind != p.get("kind") or (g and r.group != g) or (v and r.version != v):
            continue
        if name not in r.previous_names():
            continue
        if ns and r.namespace != ns and ns not in [n for _, n in r.prev]:
            continue
        out.append(r)
    return out


def apply_smp_docs(resources: list[Res], docs: list, options: dict | None = None) -> None:
    for p in docs:
        if not isinstance(p, dict):
            continue
        targets = _smp_targets(resources, p)
        if len(targets) != 1:
            pid = _patch_id(p)
            if not targets:
                raise KustomizeError(f"no resource matches strategic merge patch \"{pid}\": no matches for Id "
                                     f"{pid}; failed to find unique target for patch {pid}")
            raise KustomizeError(f"multiple matches for Id {pid}; failed to find unique target for patch {pid}")
        t = targets[0]
        patch = copy.deepcopy(p)
        patch.setdefault("metadata", {})
        if isinstance(patch["metadata"], dict):
            patch["metadata"]["name"] = t.name
            if t.namespace:
                patch["metadata"]["namespace"] = t.namespace
        _replace(t, _smp(t.obj, patch), options or {})


def patches_strategic_merge(root: str, resources: list[Res], items: list) -> None:
    for item in items:
        text = item if "\n" in item or not os.path.exists(os.path.join(root, item)) and (
            ":" in item) else _load_text(root, item)
        docs = yamlio.load_all(text, item)
        apply_smp_docs(resources, docs)


def patches(root: str, resources: list[Res], items: list) -> None:
    for item in items:
        if not isinstance(item, dict):
            continue
        if item.get("path") and item.get("patch"):
            raise KustomizeError("patch and path can't be set at the same time")
        if not item.get("path") and not item.get("patch"):
            raise KustomizeError("must specify one of patch and path in\n" + yamlio_dump(item))
        text = _load_text(root, item["path"]) if item.get("path") else item["patch"]
        is_json, parsed = _is_json6902(text)
        target = item.get("target")
        options = item.get("options") or {}
        if is_json:
            if not target:
                raise KustomizeError("must specify a target for JSON patch " + text.strip())
            for r in select(resources, target):
                _replace(r, _json6902(r.obj, parsed), options)
            continue
        if not target:
            apply_smp_docs(resources, parsed, options)
            continue
        for r in select(resources, target):
            for p in parsed:
                patch = copy.deepcopy(p)
                if isinstance(patch.get("metadata"), dict):
                    patch["metadata"]["name"] = r.name
                    if r.namespace:
                        patch["metadata"]["namespace"] = r.namespace
                    elif "namespace" in patch["metadata"]:
                        del patch["metadata"]["namespace"]
                patch["kind"] = r.kind
                patch["apiVersion"] = r.obj.get("apiVersion")
                _replace(r, _smp(r.obj, patch), options)


def patches_json6902(root: str, resources: list[Res], items: list) -> None:
    for item in items:
        if not isinstance(item, dict):
            continue
        text = _load_text(root, item["path"]) if item.get("path") else item.get("patch", "")
        is_json, parsed = _is_json6902(text)
        if not is_json:
            raise KustomizeError("json patch must be a list")
        for r in select(resources, item.get("target") or {}):
            _replace(r, _json6902(r.obj, parsed), item.get("options") or {})


def yamlio_dump(item) -> str:
    return to_yaml(item)
