"""What kubectl asks before anything else: /version and discovery (legacy and aggregated v2);
the OpenAPI documents are apiserver/openapi.py's.

All of it is computed from minikctl/api/kinds.py, so a kind added there is served here.
"""
from __future__ import annotations

import hashlib

from minikctl.api import kinds
import dataclasses

VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
SCALED = {"Deployment", "ReplicaSet", "StatefulSet"}
AGG_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
AGG_TYPE_BETA = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"


def version(profile: dict) -> dict:
    v = (profile.get("kubernetesVersion") or "v1.32.0").lstrip("v")
    major, minor = v.split(".")[:2]
    return {"major": major, "minor": minor, "gitVersion": f"v{v}",
            "gitCommit": hashlib.sha1(v.encode()).hexdigest(), "gitTreeState": "clean",
            "buildDate": "2024-12-11T17:58:28Z", "goVersion": "go1.23.3", "compiler": "gc",
            "platform": "linux/amd64"}


def groups() -> dict[str, list[kinds.Kind]]:
    """group name ('' = core) -> its kinds, in discovery order."""
    out: dict[str, list[kinds.Kind]] = {}
    for k in kinds.all_kinds():
        if k.kind == "ReferenceGrant":
            continue        # v1beta1 beside its group's v1 kinds: not served (docs/simulation.md)
        out.setdefault(k.group, []).append(k)
    return out


# The create-only review resources (apiserver/reviews.py): served, listed after apps as the
# apiserver lists its groups, never stored.
REVIEWS = (("authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview", False),
           ("authorization.k8s.io", "localsubjectaccessreviews", "LocalSubjectAccessReview", True),
           ("authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview", False),
           ("authorization.k8s.io", "selfsubjectrulesreviews", "SelfSubjectRulesReview", False),
           ("authorization.k8s.io", "subjectaccessreviews", "SubjectAccessReview", False))


def served_groups() -> list[str]:
    """Every group discovery names, in order: the kinds' groups with the review groups after apps."""
    gs = list(groups())
    at = gs.index("apps") + 1 if "apps" in gs else len(gs)
    for g in dict.fromkeys(r[0] for r in REVIEWS):
        if g not in gs:
            gs.insert(at, g)
            at += 1
    return gs


def _reviews(group: str, version: str = "v1"):
    return [r for r in REVIEWS if r[0] == group] if version == "v1" else []


def versions(group: str) -> list[str]:
    """The group's served versions, the preferred (stored) one first: autoscaling is v2, v1."""
    out: list[str] = []
    for k in groups().get(group, ()):
        # a CRD's served versions, the preferred first (GA > beta > alpha)
        for v in (list(k.crd["versions"]) if k.crd is not None else (k.version, *k.other_versions)):
            if v not in out:
                out.append(v)
    if not out and _reviews(group):
        out.append("v1")
    return out


def _serves(k: kinds.Kind, version: str) -> bool:
    return version in (k.version, *k.other_versions)


# The subresources a 1.32 apiserver lists for each kind: (name, group/version, kind, verbs).
_PROXY = ["create", "delete", "get", "patch", "update"]
_STATUS = ["get", "patch", "update"]
SUBRESOURCES: dict[str, list[tuple[str, str, str, list[str]]]] = {
    "Pod": [("attach", "v1", "PodAttachOptions", ["create", "get"]), ("binding", "v1", "Binding", ["create"]),
            ("ephemeralcontainers", "v1", "Pod", ["get", "patch", "update"]),
            ("eviction", "policy/v1", "Eviction", ["create"]), ("exec", "v1", "PodExecOptions", ["create", "get"]),
            ("log", "v1", "Pod", ["get"]), ("portforward", "v1", "PodPortForwardOptions", ["create", "get"]),
            ("proxy", "v1", "PodProxyOptions", _PROXY), ("status", "", "", _STATUS)],
    "Node": [("proxy", "v1", "NodeProxyOptions", _PROXY), ("status", "", "", _STATUS)],
    "Service": [("proxy", "v1", "ServiceProxyOptions", _PROXY), ("status", "", "", _STATUS)],
    "Namespace": [("finalize", "v1", "Namespace", ["update"]), ("status", "", "", _STATUS)],
    "ServiceAccount": [("token", "authentication.k8s.io/v1", "TokenRequest", ["create"])],
    "CertificateSigningRequest": [("approval", "", "", _STATUS), ("status", "", "", _STATUS)],
}
_NO_STATUS = {"ConfigMap", "Endpoints", "Event", "EndpointSlice", "Secret", "ServiceAccount", "NetworkPolicy",
              "IngressClass", "LimitRange", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding",
              "PriorityClass", "StorageClass", "ReferenceGrant"}


def subresources(k: kinds.Kind) -> list[tuple[str, str, str, list[str]]]:
    """(name, group/version, kind, verbs) of the subresources served for a kind; an empty
    group/version and kind mean the kind's own."""
    if k.crd is not None:         # what the CRD's storage version declares
        subs = k.crd.get("subresources") or {}
        out = []
        if "scale" in subs:
            out.append(("scale", "autoscaling/v1", "Scale", ["get", "patch", "update"]))
        if "status" in subs:
            out.append(("status", k.api_version, k.kind, ["get", "patch", "update"]))
        return out
    if k.kind in SUBRESOURCES:
        out = list(SUBRESOURCES[k.kind])
    else:
        out = []
        if k.kind in SCALED:
            out.append(("scale", "autoscaling/v1", "Scale", ["get", "patch", "update"]))
        if k.kind not in _NO_STATUS:
            out.append(("status", "", "", _STATUS))
    return [(n, gv or k.api_version, kind or k.kind, verbs) for n, gv, kind, verbs in out]


def api_versions() -> dict:
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]}


def _gv(group: str, version: str) -> str:
    return f"{group}/{version}" if group else version


def api_group(g: str) -> dict | None:
    vs = versions(g)
    if not vs:
        return None
    gvs = [{"groupVersion": _gv(g, v), "version": v} for v in vs]
    return {"kind": "APIGroup", "apiVersion": "v1", "name": g, "versions": gvs, "preferredVersion": gvs[0]}


def group_list() -> dict:
    gs = []
    for g in served_groups():
        if g:
            body = api_group(g)
            gs.append({k: body[k] for k in ("name", "versions", "preferredVersion")})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": gs}


def _with_version(k: kinds.Kind, version: str) -> kinds.Kind:
    return k if k.version == version else dataclasses.replace(k, version=version, other_versions=())


def resource_list(group: str, version: str = "v1") -> dict | None:
    ks = [_with_version(k, version) for k in groups().get(group, ()) if _serves(k, version)]
    if not ks and not _reviews(group, version):
        return None
    res = [{"name": plural, "singularName": kind.lower(), "namespaced": nsd, "kind": kind, "verbs": ["create"]}
           for _, plural, kind, nsd in _reviews(group, version)]
    for k in ks:
        item = {"name": k.plural, "singularName": k.singular, "namespaced": k.namespaced, "kind": k.kind,
                "verbs": VERBS}
        if k.short:
            item["shortNames"] = list(k.short)
        if k.categories:
            item["categories"] = list(k.categories)
        res.append(item)
        for name, gv, kind, verbs in subresources(k):
            sub = {"name": f"{k.plural}/{name}", "singularName": "", "namespaced": k.namespaced,
                   "kind": kind, "verbs": verbs}
            if "/" in gv and gv != k.api_version:
                sub["group"], sub["version"] = gv.split("/")
            res.append(sub)
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": _gv(group, version), "resources": res}


def _agg_version(group: str, ks: list[kinds.Kind], version: str) -> dict:
    res = [{"resource": plural, "responseKind": {"group": group, "version": version, "kind": kind},
            "scope": "Namespaced" if nsd else "Cluster", "singularResource": kind.lower(), "verbs": ["create"]}
           for _, plural, kind, nsd in _reviews(group, version)]
    for k in ks:
        item = {"resource": k.plural, "responseKind": {"group": k.group, "version": version, "kind": k.kind},
                "scope": "Namespaced" if k.namespaced else "Cluster", "singularResource": k.singular,
                "verbs": VERBS}
        if k.short:
            item["shortNames"] = list(k.short)
        if k.categories:
            item["categories"] = list(k.categories)
        subs = []
        for name, gv, kind, verbs in subresources(_with_version(k, version)):
            g, _, v = gv.rpartition("/")
            subs.append({"subresource": name, "responseKind": {"group": g, "version": v, "kind": kind},
                         "verbs": verbs})
        if subs:
            item["subresources"] = subs
        res.append(item)
    return {"version": version, "resources": res, "freshness": "Current"}


def _agg_group(group: str, ks: list[kinds.Kind]) -> dict:
    return {"metadata": {"name": group, "creationTimestamp": None},
            "versions": [_agg_version(group, [k for k in ks if _serves(k, v)], v) for v in versions(group)]}


def aggregated(legacy: bool, beta: bool = False) -> dict:
    """The APIGroupDiscoveryList for /api (legacy=True) or /apis."""
    gs = groups()
    items = [_agg_group(g, gs.get(g, [])) for g in served_groups() if (g == "") == legacy]
    ver = "v2beta1" if beta else "v2"
    return {"kind": "APIGroupDiscoveryList", "apiVersion": f"apidiscovery.k8s.io/{ver}", "metadata": {},
            "items": items}


def wants_aggregated(accept: str) -> str | None:
    """The aggregated media type the client accepts (the first named), or None for legacy JSON."""
    for part in (accept or "").split(","):
        p = part.replace(" ", "")
        if "as=APIGroupDiscoveryList" in p and "g=apidiscovery.k8s.io" in p:
            return AGG_TYPE_BETA if "v=v2beta1" in p else AGG_TYPE
    return None
