"""A kustomization file as kustomize reads it: found by one of its three names, decoded strictly
(an unknown field is `json: unknown field "x"`), deprecated fields warned about on stderr, empty
files refused, and the fixes kustomize applies before building (bases -> resources,
imageTags -> images, env -> envs)."""
from __future__ import annotations

import os

from minikctl.kustomize import KustomizeError, NotSimulated
from minikctl import lazy

yamlio = lazy.module("minikctl.kustomize.yamlio")

FILE_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

# field -> Go type name for json's "cannot unmarshal" message
FIELDS = {
    "apiVersion": "string", "kind": "string", "metadata": "types.ObjectMeta", "openapi": "map[string]string",
    "namePrefix": "string", "nameSuffix": "string", "namespace": "string",
    "commonLabels": "map[string]string", "labels": "[]types.Label", "commonAnnotations": "map[string]string",
    "patchesStrategicMerge": "[]types.PatchStrategicMerge", "patchesJson6902": "[]types.Patch",
    "patches": "[]types.Patch", "images": "[]types.Image", "imageTags": "[]types.Image",
    "replacements": "[]types.ReplacementField", "replicas": "[]types.Replica", "vars": "[]types.Var",
    "sortOptions": "types.SortOptions", "resources": "[]string", "components": "[]string",
    "crds": "[]string", "bases": "[]string", "configMapGenerator": "[]types.ConfigMapArgs",
    "secretGenerator": "[]types.SecretArgs", "helmGlobals": "types.HelmGlobals",
    "helmCharts": "[]types.HelmChart", "helmChartInflationGenerator": "[]types.HelmChartArgs",
    "generatorOptions": "types.GeneratorOptions", "configurations": "[]string", "generators": "[]string",
    "transformers": "[]string", "validators": "[]string", "buildMetadata": "[]string",
}
NOT_SIMULATED = ("openapi", "crds", "helmGlobals", "helmCharts",
                 "helmChartInflationGenerator", "configurations", "generators", "transformers", "validators")
_EDIT_FIX = "Run 'kustomize edit fix' to update your Kustomization automatically."
DEPRECATED = (
    ("bases", f"# Warning: 'bases' is deprecated. Please use 'resources' instead. {_EDIT_FIX}"),
    ("commonLabels", f"# Warning: 'commonLabels' is deprecated. Please use 'labels' instead. {_EDIT_FIX}"),
    ("imageTags", f"# Warning: 'imageTags' is deprecated. Please use 'images' instead. {_EDIT_FIX}"),
    ("patchesJson6902", f"# Warning: 'patchesJson6902' is deprecated. Please use 'patches' instead. {_EDIT_FIX}"),
    ("patchesStrategicMerge", "# Warning: 'patchesStrategicMerge' is deprecated. Please use 'patches' instead. "
                              f"{_EDIT_FIX}"),
    ("vars", "# Warning: 'vars' is deprecated. Please use 'replacements' instead. [EXPERIMENTAL] Run "
             "'kustomize edit fix' to update your Kustomization automatically."),
)


def _json_kind(v) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def _type_ok(v, typ: str) -> bool:
    if v is None:
        return True
    if typ == "string":
        return isinstance(v, str)
    if typ.startswith("[]"):
        return isinstance(v, list)
    return isinstance(v, dict)


_GEN = {"name": "string", "namespace": "string", "behavior": "string", "literals": "[]string",
        "files": "[]string", "envs": "[]string", "env": "string", "options": "GeneratorOptions"}
_OPTIONS = {"labels": "map[string]string", "annotations": "map[string]string", "disableNameSuffixHash": "bool",
            "immutable": "bool"}
_SELECTOR = {"group": "string", "version": "string", "kind": "string", "name": "string", "namespace": "string",
             "labelSelector": "string", "annotationSelector": "string"}
_PATCH = {"path": "string", "patch": "string", "target": "Selector", "options": "map[string]bool"}
# list field -> (Go struct name, its fields) for the items json decodes strictly
ITEMS = {
    "images": ("Image", {"name": "string", "newName": "string", "tagSuffix": "string", "newTag": "string",
                         "digest": "string"}),
    "imageTags": ("Image", {"name": "string", "newName": "string", "tagSuffix": "string", "newTag": "string",
                            "digest": "string"}),
    "replicas": ("Replica", {"name": "string", "count": "int64"}),
    "patches": ("Patch", _PATCH),
    "patchesJson6902": ("Patch", _PATCH),
    "configMapGenerator": ("ConfigMapArgs", _GEN),
    "secretGenerator": ("SecretArgs", dict(_GEN, type="string")),
    "labels": ("Label", {"pairs": "map[string]string", "includeSelectors": "bool", "includeTemplates": "bool",
                         "fields": "[]types.FieldSpec"}),
}
_NESTED = {"GeneratorOptions": _OPTIONS, "Selector": _SELECTOR}


def _check_value(v, typ: str, where: str) -> None:
    """encoding/json's strict decoding of one field: its type, and unknown keys in structs."""
    if v is None:
        return
    ok = {"string": lambda: isinstance(v, str), "bool": lambda: isinstance(v, bool),
          "int64": lambda: isinstance(v, int) and not isinstance(v, bool)}.get(typ)
    if ok is not None:
        if not ok():
            raise KustomizeError(f"invalid Kustomization: json: cannot unmarshal {_json_kind(v)} into Go struct "
                                 f"field {where} of type {typ}")
        return
    if typ.startswith("[]"):
        if not isinstance(v, list):
            raise KustomizeError(f"invalid Kustomization: json: cannot unmarshal {_json_kind(v)} into Go struct "
                                 f"field {where} of type {typ}")
        if typ == "[]string":
            for x in v:
                if not isinstance(x, str):
                    raise KustomizeError(f"invalid Kustomization: json: cannot unmarshal {_json_kind(x)} into Go "
                                         f"struct field {where} of type string")
        return
    if not isinstance(v, dict):
        raise KustomizeError(f"invalid Kustomization: json: cannot unmarshal {_json_kind(v)} into Go struct "
                             f"field {where} of type {'types.' + typ if typ in _NESTED else typ}")
    if typ.startswith("map[string]"):
        inner = typ[len("map[string]"):]
        for x in v.values():
            if inner == "string" and x is not None and not isinstance(x, str):
                raise KustomizeError(f"invalid Kustomization: json: cannot unmarshal {_json_kind(x)} into Go "
                                     f"struct field {where} of type string")
        return
    fields = _NESTED.get(typ, {})
    _check_struct(v, typ, fields, where.rsplit(".", 1)[0] + "." + where.rsplit(".", 1)[-1])


def _check_struct(item: dict, struct: str, fields: dict, path: str) -> None:
    canon = {f.lower(): f for f in fields}
    for key, val in item.items():
        name = canon.get(str(key).lower())
        if name is None:
            raise KustomizeError(f'invalid Kustomization: json: unknown field "{key}"')
        _check_value(val, fields[name], f"{struct}.{path}.{name}")


def _check_items(field: str, v) -> None:
    struct, fields = ITEMS[field]
    for item in v or []:
        if not isinstance(item, dict):
            if field in ("patchesStrategicMerge",):
                continue
            raise KustomizeError(f"invalid Kustomization: json: cannot unmarshal {_json_kind(item)} into Go struct "
                                 f"field Kustomization.{field} of type types.{struct}")
        _check_struct(item, struct, fields, field)


def find(root: str) -> tuple[str, str]:
    """(path of the kustomization file, its text)."""
    found = [n for n in FILE_NAMES if os.path.isfile(os.path.join(root, n))]
    if not found:
        raise KustomizeError("unable to find one of 'kustomization.yaml', 'kustomization.yml' or "
                             f"'Kustomization' in directory '{root}'")
    if len(found) > 1:
        raise KustomizeError(f"Found multiple kustomization files under: {root}\n")
    path = os.path.join(root, found[0])
    with open(path, "rb") as f:
        return path, f.read().decode("utf-8", errors="replace")


def load(root: str, warn) -> dict:
    _, text = find(root)
    try:
        k = yamlio.load_one(text, "kustomization.yaml")
    except KustomizeError as e:
        raise KustomizeError(f"invalid Kustomization: {e.message}") from None
    if k is None:
        k = {}
    if not isinstance(k, dict):
        raise KustomizeError(f"invalid Kustomization: json: cannot unmarshal {_json_kind(k)} into Go value "
                             "of type types.Kustomization")
    canon = {f.lower(): f for f in FIELDS}
    fixed: dict = {}
    for key, v in k.items():
        name = canon.get(key.lower()) if isinstance(key, str) else None
        if name is None:
            raise KustomizeError(f'invalid Kustomization: json: unknown field "{key}"')
        if not _type_ok(v, FIELDS[name]):
            raise KustomizeError(f"invalid Kustomization: json: cannot unmarshal {_json_kind(v)} into Go struct "
                                 f"field Kustomization.{name} of type {FIELDS[name]}")
        if FIELDS[name] in ("map[string]string", "[]string"):
            _check_value(v, FIELDS[name], f"Kustomization.{name}")
        if name in ITEMS and isinstance(v, list):
            _check_items(name, v)
        if name == "generatorOptions" and isinstance(v, dict):
            _check_struct(v, "GeneratorOptions", _OPTIONS, "generatorOptions")
        fixed[name] = v
    k = {f: v for f, v in fixed.items() if v not in (None, "", [], {})}
    for field, msg in DEPRECATED:
        if field in fixed and fixed[field] is not None:
            warn(msg)
    if not {f for f in k if f not in ("apiVersion", "kind")}:
        raise KustomizeError("kustomization.yaml is empty")
    kind = k.get("kind", "")
    errs = []
    if kind and kind not in ("Kustomization", "Component"):
        errs.append("kind should be Kustomization or Component")
    required = "kustomize.config.k8s.io/v1alpha1" if kind == "Component" else "kustomize.config.k8s.io/v1beta1"
    if k.get("apiVersion") and k["apiVersion"] != required:
        errs.append(f"apiVersion for {kind or 'Kustomization'} should be {required}")
    if errs:
        raise KustomizeError(f"Failed to read kustomization file under {root}:\n" + "\n".join(errs))
    k.setdefault("kind", "Kustomization")
    for field in NOT_SIMULATED:
        if field in k:
            raise NotSimulatedField(field)
    k["resources"] = list(k.get("resources") or []) + list(k.pop("bases", None) or [])
    k["images"] = list(k.get("images") or []) + list(k.pop("imageTags", None) or [])
    for g in list(k.get("configMapGenerator") or []) + list(k.get("secretGenerator") or []):
        if isinstance(g, dict) and g.get("env"):
            g["envs"] = list(g.get("envs") or []) + [g.pop("env")]
    return k


class NotSimulatedField(NotSimulated):
    def __init__(self, field: str):
        super().__init__(f"minikctl: the kustomization field '{field}' is not simulated")
