"""What kubectl asks before anything else: /version, discovery (legacy and aggregated v2) and
the OpenAPI v3 index kubectl's client-side validation reads.

All of it is computed from minikctl/api/kinds.py, so a kind added there is served here.
"""
from __future__ import annotations

import hashlib
import json

from minikctl.api import kinds

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


def _reviews(group: str):
    return [r for r in REVIEWS if r[0] == group]


def versions(group: str) -> list[str]:
    """The group's served versions, the preferred one first (a CRD's: GA > beta > alpha)."""
    out: list[str] = []
    for k in groups().get(group, ()):
        vs = list(k.crd["versions"]) if k.crd is not None else ["v1"]
        for v in vs:
            if v not in out:
                out.append(v)
    if not out and _reviews(group):
        out = ["v1"]
    return out


def _serves(k: kinds.Kind, version: str) -> bool:
    if k.crd is None:
        return version == "v1"        # the built-in groups are discovered at v1 (HPA's kind is v2)
    return version in (k.version, *k.other_versions)


def api_group(group: str) -> dict | None:
    vs = versions(group)
    if not vs:
        return None
    gvs = [{"groupVersion": f"{group}/{v}", "version": v} for v in vs]
    return {"kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": gvs, "preferredVersion": gvs[0]}


def subresources(k: kinds.Kind) -> list[tuple[str, str, str, list[str]]]:
    """(name, group/version, kind, verbs) of the subresources served for a kind."""
    if k.crd is not None:         # what the CRD's storage version declares
        subs = k.crd.get("subresources") or {}
        out = []
        if "scale" in subs:
            out.append(("scale", "autoscaling/v1", "Scale", ["get", "patch", "update"]))
        if "status" in subs:
            out.append(("status", k.api_version, k.kind, ["get", "patch", "update"]))
        return out
    out = []
    if k.kind == "Pod":
        out += [("eviction", "policy/v1", "Eviction", ["create"]), ("exec", "v1", "PodExecOptions", ["create", "get"]),
                ("log", "v1", "Pod", ["get"])]
    if k.kind in SCALED:
        out.append(("scale", "autoscaling/v1", "Scale", ["get", "patch", "update"]))
    if k.kind == "ServiceAccount":
        out.append(("token", "authentication.k8s.io/v1", "TokenRequest", ["create"]))
    if k.kind not in ("ConfigMap", "Endpoints", "Event", "EndpointSlice", "Secret", "ServiceAccount",
                      "NetworkPolicy", "IngressClass", "ReferenceGrant"):
        out.append(("status", k.api_version, k.kind, ["get", "patch", "update"]))
    return out


def api_versions() -> dict:
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]}


def _gv(group: str) -> str:
    return f"{group}/v1" if group else "v1"


def group_list() -> dict:
    gs = []
    for g in served_groups():
        if g:
            body = api_group(g)
            gs.append({k: body[k] for k in ("name", "versions", "preferredVersion")})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": gs}


def resource_list(group: str, version: str = "v1") -> dict | None:
    ks = [k for k in groups().get(group, ()) if _serves(k, version)] or None
    if ks is None:
        if not _reviews(group) or version != "v1":
            return None
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": _gv(group),
                "resources": [{"name": plural, "singularName": kind.lower(), "namespaced": nsd, "kind": kind,
                               "verbs": ["create"]} for _, plural, kind, nsd in _reviews(group)]}
    res = []
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
            if "/" in gv:
                sub["group"], sub["version"] = gv.split("/")
            res.append(sub)
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": res}


def _agg_group(group: str, ks: list[kinds.Kind]) -> dict:
    res = [{"resource": plural, "responseKind": {"group": group, "version": "v1", "kind": kind},
            "scope": "Namespaced" if nsd else "Cluster", "singularResource": kind.lower(), "verbs": ["create"]}
           for _, plural, kind, nsd in _reviews(group)]
    by_version: dict[str, list] = {}
    for v in versions(group):
        if not any(_serves(k, v) for k in ks):
            continue
        by_version[v] = _agg_resources([k for k in ks if _serves(k, v)], v)
    if res:
        by_version.setdefault("v1", []).extend(res)
    return {"metadata": {"name": group, "creationTimestamp": None},
            "versions": [{"version": v, "resources": r, "freshness": "Current"} for v, r in by_version.items()]}


def _agg_resources(ks: list[kinds.Kind], version: str) -> list[dict]:
    res = []
    for k in ks:
        rv = version if k.crd is not None else k.version
        item = {"resource": k.plural, "responseKind": {"group": k.group, "version": rv, "kind": k.kind},
                "scope": "Namespaced" if k.namespaced else "Cluster", "singularResource": k.singular,
                "verbs": VERBS}
        if k.short:
            item["shortNames"] = list(k.short)
        if k.categories:
            item["categories"] = list(k.categories)
        subs = []
        for name, gv, kind, verbs in subresources(k):
            g, _, v = gv.rpartition("/")
            subs.append({"subresource": name, "responseKind": {"group": g, "version": v, "kind": kind},
                         "verbs": verbs})
        if subs:
            item["subresources"] = subs
        res.append(item)
    return res


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


# ---- OpenAPI v3: just enough for kubectl's fieldValidation check ----------------------------

def _gv_path(group: str) -> str:
    return f"apis/{group}/{(versions(group) or ['v1'])[0]}" if group else "api/v1"


def openapi_gv_doc(group: str) -> dict | None:
    """One group-version's OpenAPI v3 document: PATCH operations that declare fieldValidation."""
    ks = groups().get(group)
    if ks is None:
        return None
    params = [{"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": True},
               "description": "fieldValidation instructs the server on how to handle objects in the request "
                              "containing unknown or duplicate fields."},
              {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": True}}]
    paths = {}
    for k in ks:
        base = f"/{_gv_path(group)}/" + ("namespaces/{namespace}/" if k.namespaced else "")
        gvk = {"group": k.group, "version": k.version, "kind": k.kind}
        op = {"operationId": f"patch{k.kind}", "parameters": params,
              "x-kubernetes-action": "patch", "x-kubernetes-group-version-kind": gvk,
              "responses": {"200": {"description": "OK"}}}
        paths[base + k.plural + "/{name}"] = {"patch": op}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.0"}, "paths": paths}


def _hash(group: str) -> str:
    return hashlib.sha512(json.dumps(openapi_gv_doc(group), sort_keys=True).encode()).hexdigest()[:128].upper()


def openapi_root() -> dict:
    return {"paths": {_gv_path(g): {"serverRelativeURL": f"/openapi/v3/{_gv_path(g)}?hash={_hash(g)}"}
                      for g in groups()}}


def openapi_lookup(path: str) -> dict | None:
    """'/openapi/v3/apis/apps/v1' -> that document, or None."""
    rest = path[len("/openapi/v3/"):].strip("/")
    for g in groups():
        if rest == _gv_path(g):
            return openapi_gv_doc(g)
    return None
