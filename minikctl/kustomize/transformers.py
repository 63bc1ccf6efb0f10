"""kustomize's builtin transformers, in the order a kustomization runs them: namespace,
namePrefix / nameSuffix, labels (commonLabels and labels), commonAnnotations, replicas, images.
Patches live in patches.py."""
from __future__ import annotations

import re

from minikctl.kustomize import KustomizeError, NotSimulated
from minikctl.kustomize import fieldspecs as fs
from minikctl.kustomize.resource import Res


def _str(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return ""
    return str(v)


def namespace(resources: list[Res], ns: str) -> None:
    for r in resources:
        obj = r.obj
        r.store_previous()   # kustomize's NamespaceTransformer: StorePreviousId, then set
        if not r.cluster_scoped():
            r.meta["namespace"] = ns
        if r.kind in ("RoleBinding", "ClusterRoleBinding"):
            for s in obj.get("subjects") or []:
                if isinstance(s, dict) and s.get("name") == "default":
                    s["namespace"] = ns
        for spec in fs.NAMESPACE_EXTRA:
            if spec.path == "metadata/name" and obj.get("apiVersion") != "v1":
                continue
            if spec.applies(obj):
                fs.visit(obj, spec.path, lambda p, k: p.__setitem__(k, ns), spec.create, lambda: ns)


_SKIP_RENAME = (("", "CustomResourceDefinition"), ("apiregistration.k8s.io", "APIService"), ("", "Namespace"))


def _skip_rename(r: Res) -> bool:
    kind = r.prev[0][2] if False else r.kind
    return kind in ("CustomResourceDefinition", "Namespace") or (kind == "APIService" and r.group == "apiregistration.k8s.io")


def prefix_suffix(resources: list[Res], prefix: str, suffix: str) -> None:
    for r in resources:
        if _skip_rename(r):
            continue
        if prefix is not None:
            r.prefixes.append(prefix)
        if suffix is not None:
            r.suffixes.append(suffix)
        if (prefix or suffix) and "name" in r.meta:
            r.store_previous()
            r.meta["name"] = f"{prefix or ''}{r.meta['name']}{suffix or ''}"


def _set_map(obj: dict, specs, pairs: dict) -> None:
    for spec in specs:
        if not spec.applies(obj):
            continue

        def put(parent, key):
            if not isinstance(parent[key], dict):
                parent[key] = {}
            for k, v in pairs.items():
                parent[key][k] = _str(v)
        fs.visit(obj, spec.path, put, spec.create, dict)


def labels(resources: list[Res], k: dict) -> None:
    for label in k.get("labels") or []:
        if not isinstance(label, dict):
            continue
        pairs = label.get("pairs") or {}
        if label.get("fields"):
            raise NotSimulated("minikctl: labels[].fields is not simulated")
        if label.get("includeSelectors"):
            specs = fs.COMMON_LABELS
        elif label.get("includeTemplates"):
            specs = fs.METADATA_LABELS
        else:
            specs = [fs.FieldSpec("metadata/labels", create=True)]
        for r in resources:
            _set_map(r.obj, specs, pairs)
    common = k.get("commonLabels") or {}
    if common:
        for r in resources:
            _set_map(r.obj, fs.COMMON_LABELS, common)


def annotations(resources: list[Res], pairs: dict) -> None:
    for r in resources:
        _set_map(r.obj, fs.COMMON_ANNOTATIONS, pairs)


def _name_matches(pattern: str, value: str) -> bool:
    return value == pattern


def replicas(resources: list[Res], items: list) -> None:
    for item in items:
        name, count = item.get("name"), item.get("count")
        found = False
        for r in resources:
            if r.name != name and name not in r.previous_names():
                continue
            for spec in fs.REPLICAS:
                if spec.applies(r.obj):
                    found = True
                    fs.visit(r.obj, spec.path, lambda p, key: p.__setitem__(key, count), True, lambda: count)
        if not found:
            raise KustomizeError(f"resource with name {name} does not match a config with the following GVK "
                                 "[Deployment.[noVer].[noGrp] StatefulSet.[noVer].[noGrp] ReplicaSet.[noVer].[noGrp] "
                                 "ReplicationController.[noVer].[noGrp]]")


# ------------------------------------------------------------------ images

_DIGEST = re.compile(r"@sha256:[0-9a-f]+$")


def _split_image(image: str) -> tuple[str, str, str]:
    """(name, ':tag' or '', '@digest' or '') as kustomize's image.Split reads a reference."""
    digest = ""
    at = image.find("@")
    if at >= 0:
        image, digest = image[:at], image[at:]
    tag = ""
    colon = image.rfind(":")
    if colon >= 0 and "/" not in image[colon:]:
        image, tag = image[:colon], image[colon:]
    return image, tag, digest


def _image_matches(name: str, image: str) -> bool:
    return _split_image(image)[0] == name


def _new_image(img: dict, image: str) -> str:
    name, tag, digest = _split_image(image)
    if img.get("newName"):
        name = img["newName"]
    if img.get("newTag"):
        tag, digest = ":" + _str(img["newTag"]), ""
    if img.get("tagSuffix"):
        tag = tag + _str(img["tagSuffix"])
    if img.get("digest"):
        d = _str(img["digest"])
        tag, digest = "", "@" + (d if d.startswith("sha256:") or ":" in d else d)
    return name + tag + digest


def images(resources: list[Res], items: list) -> None:
    for img in items:
        if not isinstance(img, dict):
            continue
        name = img.get("name", "")
        for r in resources:
            _images_in(r.obj, name, img)


def _images_in(node, name: str, img: dict) -> None:
    if isinstance(node, list):
        for x in node:
            _images_in(x, name, img)
        return
    if not isinstance(node, dict):
        return
    for key, v in node.items():
        if key in ("containers", "initContainers") and isinstance(v, list):
            for c in v:
                if isinstance(c, dict) and isinstance(c.get("image"), str) and _image_matches(name, c["image"]):
                    c["image"] = _new_image(img, c["image"])
        if isinstance(v, (dict, list)):
            _images_in(v, name, img)
