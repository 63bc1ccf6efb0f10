"""The RBAC objects a kubeadm cluster starts with (data/rbac-bootstrap.yaml): the apiserver's
bootstrap ClusterRoles and ClusterRoleBindings (label kubernetes.io/bootstrapping=rbac-defaults,
annotation rbac.authorization.kubernetes.io/autoupdate=true) and kubeadm's own.

Made once per cluster (at init, or on first use by a state made before RBAC existed); uids are
derived from the seed so the seeded rng is not drawn from.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from minikctl.api import server
from minikctl import lazy

_uid = lazy.function("minikctl.sim.controllers.serviceaccount", "_uid")
yaml = lazy.module("yaml")

DONE = "rbacBootstrapped"
GROUP = "rbac.authorization.k8s.io"
_LABELS = {"kubernetes.io/bootstrapping": "rbac-defaults"}
_ANNOTATIONS = {"rbac.authorization.kubernetes.io/autoupdate": "true"}


def _rule(r: dict) -> dict:
    out: dict = {}
    if "u" in r:
        out["nonResourceURLs"] = list(r["u"])
    else:
        out["apiGroups"] = list(r["g"])
        out["resources"] = list(r["r"])
        if r.get("n"):
            out["resourceNames"] = list(r["n"])
    out["verbs"] = list(r["v"])
    return out


def _meta(cluster, name: str, spec: dict) -> dict:
    meta: dict = {"name": name, "uid": _uid(cluster, "", f"rbac/{name}")}
    if spec.get("bootstrap", True):
        meta["labels"] = {**_LABELS, **(spec.get("labels") or {})}
        meta["annotations"] = dict(_ANNOTATIONS)
    elif spec.get("labels"):
        meta["labels"] = dict(spec["labels"])
    return meta


@lru_cache(maxsize=2)
def _data(name: str) -> dict:
    """A data file, parsed once per process (read only: the objects below copy what they take).
    Every `cluster reset` and `drill start` bootstraps RBAC; the pure-Python parser took 0.3 s."""
    text = (Path(__file__).resolve().parent.parent / "data" / name).read_text()
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def objects(cluster) -> list[dict]:
    data = _data("rbac-bootstrap.yaml")
    out = []
    for name, spec in data["clusterroles"].items():
        role: dict = {"apiVersion": f"{GROUP}/v1", "kind": "ClusterRole", "metadata": _meta(cluster, name, spec)}
        if spec.get("aggregate"):
            role["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": dict(s)} for s in spec["aggregate"]]}
        role["rules"] = [_rule(r) for r in spec.get("rules") or []]
        out.append(role)
    for name, spec in data["clusterrolebindings"].items():
        subjects = []
        for s in spec["subjects"]:
            sub = {"kind": s[0], "name": s[1]}
            if s[0] == "ServiceAccount":
                sub["namespace"] = s[2]
            else:
                sub["apiGroup"] = GROUP
            subjects.append(sub)
        binding = {"apiVersion": f"{GROUP}/v1", "kind": "ClusterRoleBinding", "metadata": _meta(cluster, name, spec),
                   "roleRef": {"apiGroup": GROUP, "kind": "ClusterRole", "name": spec["role"]}}
        if subjects:
            binding["subjects"] = subjects
        out.append(binding)
    return out


CONTROLLERS_DONE = "rbacControllerRoles"


def controller_objects(cluster) -> list[dict]:
    """The system:controller:<name> ClusterRoles (data/rbac-controller-roles.yaml) and their
    ClusterRoleBindings to ServiceAccount kube-system/<name>."""
    data = _data("rbac-controller-roles.yaml")
    roles, bindings = [], []
    for short, rules in data["controllers"].items():
        name = f"system:controller:{short}"
        roles.append({"apiVersion": f"{GROUP}/v1", "kind": "ClusterRole", "metadata": _meta(cluster, name, {}),
                      "rules": [_rule(r) for r in rules]})
        meta = _meta(cluster, name, {})
        meta["uid"] = _meta(cluster, f"binding/{name}", {})["uid"]
        bindings.append({"apiVersion": f"{GROUP}/v1", "kind": "ClusterRoleBinding", "metadata": meta,
                         "roleRef": {"apiGroup": GROUP, "kind": "ClusterRole", "name": name},
                         "subjects": [{"kind": "ServiceAccount", "name": short, "namespace": "kube-system"}]})
    return roles + bindings


def ensure(cluster) -> None:
    if not cluster.meta.get(DONE):
        cluster.meta[DONE] = True
        for obj in objects(cluster):
            if cluster.get(obj["kind"], None, obj["metadata"]["name"]) is None:
                server.create_internal(cluster, obj, keep_uid=True)
    if not cluster.meta.get(CONTROLLERS_DONE):
        cluster.meta[CONTROLLERS_DONE] = True
        for obj in controller_objects(cluster):
            if cluster.get(obj["kind"], None, obj["metadata"]["name"]) is None:
                server.create_internal(cluster, obj, keep_uid=True)
