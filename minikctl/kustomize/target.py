"""The build of one kustomization directory (kustomize's KustTarget): accumulate resources
(files, then sub-kustomizations, each built on its own and merged), run generators, fold in
components, run the builtin transformers in kustomize's order; at the top, add hash suffixes,
fix name back-references, and sort in kustomize's legacy order."""
from __future__ import annotations

import os

from minikctl.kustomize import KustomizeError, NotSimulated, kustfile, yamlio
from minikctl.kustomize import generators, patches, transformers
from minikctl.kustomize.fieldspecs import NAME_REFERENCES, visit
from minikctl.kustomize.resource import Res
import functools
from minikctl import lazy

in_root = lazy.function("minikctl.kustomize", "in_root")
replacements = lazy.module("minikctl.kustomize.replacements")
resolve = lazy.function("minikctl.kustomize.refvars", "resolve")


class Accumulator:
    def __init__(self):
        self.resources: list[Res] = []
        self.vars: list[dict] = []
        self.sort_options = None

    def append(self, r: Res) -> None:
        for x in self.resources:
            if x.same_id(r):
                raise KustomizeError(f"may not add resource with an already registered id: {r.cur_id()}")
        self.resources.append(r)

    def merge(self, other: "Accumulator") -> None:
        for r in other.resources:
            self.append(r)
        for v in other.vars:
            self.add_var(v)

    def add_var(self, v: dict) -> None:
        if not isinstance(v, dict) or not v.get("name"):
            raise KustomizeError(f"var {v} has no name")
        if any(x["name"] == v["name"] for x in self.vars):
            raise KustomizeError(f"var '{v['name']}' already encountered")
        self.vars.append(v)


def _lstat_error(path: str) -> str:
    return f"evalsymlink failure on '{path}' : lstat {path}: no such file or directory"


def _check_dir(path: str) -> str:
    full = os.path.abspath(path)
    if not os.path.exists(full):
        raise KustomizeError(f"must build at directory: not a valid directory: {_lstat_error(full)}")
    if not os.path.isdir(full):
        raise KustomizeError(f"must build at directory: '{path}': file is not directory")
    return os.path.realpath(full)


def run(path: str):
    warnings: list[str] = []
    root = _check_dir(path)
    ra = _accumulate_target(root, Accumulator(), warnings, is_component=False, top=True)
    ra.sort_options = kustfile.load(root, lambda w: None).get("sortOptions")
    res = ra.resources
    _add_hashes(res)
    _fix_name_references(res)
    if ra.vars:
        resolve(res, ra.vars)
    res = _sort(res, ra.sort_options)
    for r in res:   # RemoveBuildAnnotations rewrites annotations: an empty or non-map one goes
        ann = r.meta.get("annotations", 0)
        if ann != 0 and not (isinstance(ann, dict) and ann):
            del r.meta["annotations"]
    return [r.obj for r in res], warnings


def _sort(res: list[Res], options) -> list[Res]:
    """kustomization sortOptions (the top one): fifo keeps accumulation order; legacy (the
    default) with optional orderFirst / orderLast lists."""
    if not options:
        return _legacy_sort(res)
    order = options.get("order")
    if order not in ("fifo", "legacy"):
        raise KustomizeError("the field 'sortOptions.order' must be one of [fifo, legacy]")
    legacy = options.get("legacySortOptions")
    if order == "fifo":
        if legacy is not None:
            raise KustomizeError("the field 'sortOptions.legacySortOptions' is set but the selected sort order is "
                                 "'fifo', not 'legacy'")
        return res
    if legacy is None:
        return _legacy_sort(res)
    return _legacy_sort(res, legacy.get("orderFirst") or [], legacy.get("orderLast") or [])


def _in_root(root: str, full: str) -> bool:
    return in_root(root, full)


def _accumulate_file(root: str, rel: str, ra: Accumulator) -> None:
    full = os.path.normpath(os.path.join(root, rel))
    if not os.path.exists(full):
        raise KustomizeError(_lstat_error(full))
    if os.path.isdir(full):
        raise IsADirectoryError(full)
    if not _in_root(root, os.path.realpath(full)):
        raise KustomizeError(f"security; file '{full}' is not in or below '{root}'")
    with open(full, "rb") as f:
        text = f.read().decode("utf-8", errors="replace")
    try:
        docs = yamlio.load_all(text, rel)
    except KustomizeError as e:
        raise KustomizeError(f"MalformedYAMLError: {e.message} in File: {rel}") from None
    for doc in docs:
        items = doc.get("items") if isinstance(doc, dict) and str(doc.get("kind", "")).endswith("List") \
            and isinstance(doc.get("items"), list) else [doc]
        for obj in items:
            if not isinstance(obj, dict):
                raise KustomizeError("missing Resource metadata")
            meta = obj.get("metadata")
            if not isinstance(meta, dict) or not meta.get("name"):
                raise KustomizeError("missing metadata.name in object "
                                     f"{{{{{obj.get('apiVersion', '')} {obj.get('kind', '')}}} {{{{ }} map[] map[]}}}}")
            if obj.get("kind") in ("Kustomization", "Component") and str(obj.get("apiVersion", "")).startswith(
                    "kustomize.config.k8s.io"):
                continue
            r = Res(obj)
            ra.append(r)


def _accumulate_resources(root: str, paths: list, ra: Accumulator, warnings: list) -> None:
    for rel in paths:
        if not isinstance(rel, str):
            continue
        if "://" in rel or rel.startswith(("github.com/", "git@")):
            raise NotSimulated(f"minikctl: remote kustomize resources ({rel}) are not simulated")
        try:
            _accumulate_file(root, rel, ra)
            continue
        except IsADirectoryError:
            file_err = None
        except KustomizeError as e:
            if "MalformedYAMLError" in e.message:
                raise KustomizeError(f"accumulating resources from '{rel}': {e.message}") from None
            file_err = f"accumulating resources from '{rel}': {e.message}"
        full = os.path.normpath(os.path.join(root, rel))
        if file_err is not None:
            if not os.path.exists(full):
                raise KustomizeError(f"accumulation err='{file_err}': must build at directory: not a valid directory: "
                                     f"{_lstat_error(full)}")
            raise KustomizeError(f"accumulation err='{file_err}': must build at directory: '{full}': file is not "
                                 "directory")
        sub = os.path.realpath(full)
        if root == sub or root.startswith(sub.rstrip("/") + "/"):
            raise KustomizeError(f"cycle detected: candidate root '{sub}' contains visited root '{root}'")
        try:
            sub_ra = _accumulate_target(sub, Accumulator(), warnings, is_component=False)
        except NotSimulated:
            raise
        except KustomizeError as e:
            raise KustomizeError(f"accumulation err='accumulating resources from '{rel}': read {full}: is a "
                                 f"directory': recursed accumulation of path '{sub}': {e.message}") from None
        try:
            ra.merge(sub_ra)
        except KustomizeError as e:
            raise KustomizeError(f"accumulation err='accumulating resources from '{rel}': read {full}: is a "
                                 f"directory': recursed merging from path '{sub}': {e.message}") from None


def _load(root: str, warnings: list, is_component: bool) -> dict:
    try:
        k = kustfile.load(root, warnings.append)
    except NotSimulated:
        raise
    except KustomizeError as e:
        if not os.path.isdir(root) or "unable to find one of" in e.message:
            raise
        raise
    if is_component and k.get("kind") != "Component":
        raise KustomizeError(f"expected kind 'Component' for path '{root}' but got '{k.get('kind')}'")
    if not is_component and k.get("kind") == "Component":
        raise KustomizeError(f"expected kind != 'Component' for path '{root}'")
    return k


def _accumulate_target(root: str, ra: Accumulator, warnings: list, is_component: bool, top: bool = False):
    try:
        k = _load(root, warnings, is_component)
    except NotSimulated:
        raise
    except KustomizeError as e:
        if top:
            raise
        raise KustomizeError(f"couldn't make target for path '{root}': {e.message}") from None
    try:
        _accumulate_resources(root, k.get("resources") or [], ra, warnings)
    except NotSimulated:
        raise
    except KustomizeError as e:
        raise KustomizeError(f"accumulating resources: {e.message}") from None
    _run_generators(root, k, ra)
    for comp in k.get("components") or []:
        sub = os.path.realpath(os.path.join(root, comp))
        if not os.path.isdir(sub):
            raise KustomizeError(f"loader.New \"must build at directory: not a valid directory: "
                                 f"{_lstat_error(os.path.normpath(os.path.join(root, comp)))}\"")
        try:
            ra = _accumulate_target(sub, ra, warnings, is_component=True)
        except NotSimulated:
            raise
        except KustomizeError as e:
            raise KustomizeError(f"accumulating components: accumulateDirectory: \"recursed accumulation of path "
                                 f"'{sub}': {e.message}\"") from None
    _run_transformers(root, k, ra.resources)
    for v in k.get("vars") or []:
        ra.add_var(v)
    return ra


def _run_generators(root: str, k: dict, ra: Accumulator) -> None:
    opts = k.get("generatorOptions") or {}
    for kind, field in (("ConfigMap", "configMapGenerator"), ("Secret", "secretGenerator")):
        for args in k.get(field) or []:
            r = generators.make(root, kind, args, opts)
            existing = [x for x in ra.resources if x.kind == kind and x.org_name() == r.name
                        and (not r.namespace or x.org_namespace() in (r.namespace,)
                             or (r.namespace == "default" and not x.org_namespace()))]
            if r.behavior == "create":
                try:
                    ra.append(r)
                except KustomizeError:
                    raise KustomizeError(f"may not add resource with an already registered id: {r.cur_id()}") from None
                continue
            if not existing:
                raise KustomizeError(f"id {_gen_id(r)} does not exist; cannot merge or replace")
            old = existing[0]
            if r.behavior == "replace":
                for f in ("data", "binaryData"):
                    old.obj.pop(f, None)
                    if f in r.obj:
                        old.obj[f] = r.obj[f]
            else:
                for f in ("data", "binaryData"):
                    if f in r.obj:
                        merged = dict(old.obj.get(f) or {})
                        merged.update(r.obj[f])
                        old.obj[f] = merged
                for f in ("labels", "annotations"):
                    if r.meta.get(f):
                        m = dict(old.meta.get(f) or {})
                        m.update(r.meta[f])
                        old.meta[f] = m
            old.needs_hash = old.needs_hash and r.needs_hash


def _gen_id(r: Res) -> str:
    return f"{r.kind}.v1.[noGrp]/{r.name}.{r.namespace or '[noNs]'}"


def _run_transformers(root: str, k: dict, res: list[Res]) -> None:
    if k.get("patchesStrategicMerge"):
        patches.patches_strategic_merge(root, res, k["patchesStrategicMerge"])
    if k.get("patches"):
        patches.patches(root, res, k["patches"])
    if k.get("namespace"):
        transformers.namespace(res, k["namespace"])
    if "namePrefix" in k or "nameSuffix" in k:
        transformers.prefix_suffix(res, k.get("namePrefix"), k.get("nameSuffix"))
    transformers.labels(res, k)
    if k.get("commonAnnotations"):
        transformers.annotations(res, k["commonAnnotations"])
    if k.get("patchesJson6902"):
        patches.patches_json6902(root, res, k["patchesJson6902"])
    if k.get("replicas"):
        transformers.replicas(res, k["replicas"])
    if k.get("images"):
        transformers.images(res, k["images"])
    if k.get("replacements"):
        replacements.apply(res, k["replacements"], lambda p: patches._load_text(root, p))


def _add_hashes(res: list[Res]) -> None:
    for r in res:
        if r.needs_hash and r.kind in ("ConfigMap", "Secret"):
            r.store_previous()
            r.meta["name"] = f"{r.name}-{generators.content_hash(r.obj)}"


def _fix_name_references(res: list[Res]) -> None:
    for kind, group, specs in NAME_REFERENCES:
        referrals = [r for r in res if r.kind == kind and (group is None or r.group == group)]
        if not referrals or not any(r.prev for r in referrals):
            continue
        for referrer in res:
            for spec in specs:
                if not spec.applies(referrer.obj):
                    continue
                visit(referrer.obj, spec.path, _fixer(referrer, referrals, kind))


def _select(referrer: Res, candidates: list[Res], old: str) -> Res | None:
    cands = [c for c in candidates if old in c.previous_names()]
    if not referrer.cluster_scoped():
        cands = [c for c in cands if c.cluster_scoped() or c.kind == "ServiceAccount"
                 or (c.namespace or "default") == (referrer.namespace or "default")]
    if len(cands) == 1:
        return cands[0]
    same = [c for c in cands if c.prefixes == referrer.prefixes and c.suffixes == referrer.suffixes]
    if len(same) == 1:
        return same[0]
    if cands and all(c.name == cands[0].name for c in cands):
        return cands[0]
    return None


def _fixer(referrer: Res, referrals: list[Res], kind: str):
    def fix(parent, key):
        v = parent[key]
        if isinstance(v, str):
            hit = _select(referrer, referrals, v)
            if hit is not None:
                parent[key] = hit.name
        elif isinstance(v, list):
            if key == "subjects":
                for s in v:
                    if isinstance(s, dict) and s.get("kind") == kind and isinstance(s.get("name"), str):
                        hit = _select_subject(referrals, s)
                        if hit is not None:
                            s["name"] = hit.name
                            if hit.namespace or s.get("namespace"):
                                s["namespace"] = hit.namespace
                return
            for i, x in enumerate(v):
                if isinstance(x, str):
                    hit = _select(referrer, referrals, x)
                    if hit is not None:
                        v[i] = hit.name
        elif isinstance(v, dict) and key == "service":
            if isinstance(v.get("name"), str):
                ns = v.get("namespace") or ""
                for c in referrals:
                    if v["name"] in c.previous_names() and (not ns or ns in [n for _, n in c.prev] + [c.namespace]):
                        v["name"] = c.name
                        if "namespace" in v:
                            v["namespace"] = c.namespace
                        break
    return fix


def _select_subject(referrals: list[Res], s: dict) -> Res | None:
    """A (Cluster)RoleBinding subject names a ServiceAccount by name and namespace ("" is
    "default"), as it was before any rename."""
    ns = s.get("namespace") or ""
    cands = [c for c in referrals if s["name"] in c.previous_names()
             and (not ns or (ns or "default") in [n or "default" for _, n in c.prev] + [c.namespace or "default"])]
    return cands[0] if len(cands) >= 1 else None


ORDER_FIRST = ["Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount",
               "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap",
               "Secret", "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume",
               "PersistentVolumeClaim", "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget"]
ORDER_LAST = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]


def _legacy_sort(res: list[Res], first: list | None = None, last: list | None = None) -> list[Res]:
    """kustomize's legacy order: kinds in its fixed list first, webhooks last, others between by
    group/version/kind; ties by kind.version.group|namespace|name. Go's sort.Sort is not stable,
    but the keys leave no ties between distinct resources."""
    first = ORDER_FIRST if first is None else first
    last = ORDER_LAST if last is None else last
    rank = {k: -len(first) + i for i, k in enumerate(first)}
    rank.update({k: 1 + i for i, k in enumerate(last)})

    def gvk_str(r: Res) -> str:
        return f"{r.group or '~G'}_{r.version or '~V'}_{r.kind or '~K'}"

    def id_str(r: Res) -> str:
        return f"{r.gvk_string()}|{r.namespace or '~X'}|{r.name or '~N'}"

    def cmp(a: Res, b: Res) -> int:
        if (a.group, a.version, a.kind) != (b.group, b.version, b.kind):
            ia, ib = rank.get(a.kind, 0), rank.get(b.kind, 0)
            if ia != ib:
                return -1 if ia < ib else 1
            sa, sb = gvk_str(a), gvk_str(b)
            if a.kind == "Namespace" and b.kind == "Namespace" and (a.group == "" or b.group == ""):
                return -1 if sa > sb else (1 if sa < sb else 0)
            return -1 if sa < sb else (1 if sa > sb else 0)
        sa, sb = id_str(a), id_str(b)
        return -1 if sa < sb else (1 if sa > sb else 0)
    return sorted(res, key=functools.cmp_to_key(cmp))
