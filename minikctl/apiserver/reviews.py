"""The create-only review resources `kubectl auth can-i` and `kubectl auth whoami` POST:
authorization.k8s.io/v1 SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview,
SelfSubjectRulesReview, and authentication.k8s.io/v1 SelfSubjectReview.

Why a module: these are not stored kinds (pkg/registry/authorization/*): the apiserver answers
each POST by asking its authorizer (api/rbac.py, the same rules the CLI's `auth can-i` uses)
about the requesting user, or about the user the review names, and returns the review with its
status filled in. Nothing is written to the cluster.
"""
from __future__ import annotations

from minikctl.api import rbac
from minikctl.apiserver.request import Request, Response, decode_body, json_response
from minikctl.apiserver.status import fail, method_not_allowed
from minikctl import lazy

_cause_reason = lazy.function("minikctl.apiserver.status", "_cause_reason")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
protobuf = lazy.module("minikctl.apiserver.protobuf")

AUTHZ = "authorization.k8s.io"
AUTHN = "authentication.k8s.io"
# (group, resource) -> (kind, namespaced)
RESOURCES = {
    (AUTHZ, "selfsubjectaccessreviews"): ("SelfSubjectAccessReview", False),
    (AUTHZ, "subjectaccessreviews"): ("SubjectAccessReview", False),
    (AUTHZ, "localsubjectaccessreviews"): ("LocalSubjectAccessReview", True),
    (AUTHZ, "selfsubjectrulesreviews"): ("SelfSubjectRulesReview", False),
    (AUTHN, "selfsubjectreviews"): ("SelfSubjectReview", False),
}


def match(path: str) -> tuple[str, str, str] | None:
    """'/apis/authorization.k8s.io/v1/namespaces/ns/localsubjectaccessreviews' ->
    (group, resource, namespace), or None for any other path."""
    parts = [p for p in path.split("/") if p]
    if len(parts) < 4 or parts[0] != "apis" or parts[2] != "v1" or parts[1] not in (AUTHZ, AUTHN):
        return None
    group, rest, ns = parts[1], parts[3:], ""
    if len(rest) == 3 and rest[0] == "namespaces":
        ns, rest = rest[1], rest[2:]
    if len(rest) != 1 or (group, rest[0]) not in RESOURCES:
        return None
    if bool(ns) != RESOURCES[(group, rest[0])][1]:
        return None
    return group, rest[0], ns


def _user(req: Request) -> rbac.User:
    return getattr(req, "user", None) or rbac.ADMIN


def _invalid(kind: str, group: str, causes: list[tuple[str, str, str]]) -> Exception:
    """The apiserver's Invalid Status for a review (it has no name: `Kind.group "" is invalid`)."""
    msg = "; ".join(f"{f}: {body}" for f, body, _ in causes)
    return fail("Invalid", f'{kind}.{group} "" is invalid: {msg}', 422,
                {"group": group, "kind": kind,
                 "causes": [{"reason": _cause_reason(body), "message": body, "field": f} for f, body, _ in causes]})


def _request(spec: dict, kind: str, group: str) -> rbac.Request:
    ra, nra = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    if (ra is None) == (nra is None):
        which = "null" if ra is None else "{...}"
        raise _invalid(kind, group, [("spec.resourceAttributes", f'Invalid value: "{which}": exactly one of '
                                      "nonResourceAttributes or resourceAttributes must be specified", "")])
    if nra is not None:
        return rbac.Request(verb=nra.get("verb") or "", path=nra.get("path") or "")
    return rbac.Request(verb=ra.get("verb") or "", resource=ra.get("resource") or "",
                        subresource=ra.get("subresource") or "", name=ra.get("name") or "",
                        namespace=ra.get("namespace") or "", api_group=ra.get("group") or "")


def _subject(spec: dict, kind: str, group: str) -> rbac.User:
    name, groups = spec.get("user") or "", list(spec.get("groups") or [])
    if not name and not groups:
        raise _invalid(kind, group, [("spec.user", 'Invalid value: "": at least one of user or group must be '
                                      "specified", "")])
    return rbac.User(name, tuple(groups))


def respond(req: Request, env) -> Response:
    group, resource, ns = match(req.path)
    kind = RESOURCES[(group, resource)][0]
    if req.method != "POST":
        raise method_not_allowed(req.method)
    if req.content_type == "application/vnd.kubernetes.protobuf":
        try:
            body = protobuf.decode(req.body, f"{group}/v1", kind)
        except protobuf.DecodeFailure as e:
            raise fail("BadRequest", str(e), 400)
    else:
        body = decode_body(req)
    if not isinstance(body, dict):
        raise fail("BadRequest", f"couldn't get version/kind; json parse error: cannot unmarshal into {kind}", 400)
    spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
    out = {"kind": kind, "apiVersion": f"{group}/v1",
           "metadata": {**(body.get("metadata") or {}), "creationTimestamp": None}, "spec": spec}
    if kind == "SelfSubjectReview":
        user = _user(req)
        info: dict = {"username": user.name}
        if user.groups:
            info["groups"] = list(user.groups)
        out["status"] = {"userInfo": info}
        return json_response(out, 201)
    with open_cluster(env) as cluster:
        if kind == "SelfSubjectRulesReview":
            namespace = spec.get("namespace") or ""
            res, urls = rbac.rules_for_review(cluster, _user(req), namespace)
            for r in res:
                r.setdefault("apiGroups", [])
                r.setdefault("resources", [])
            out["status"] = {"resourceRules": res, "nonResourceRules": urls, "incomplete": False}
            return json_response(out, 201)
        attrs = _request(spec, kind, group)
        if kind == "LocalSubjectAccessReview":
            out["metadata"]["namespace"] = ns
            got = (spec.get("resourceAttributes") or {}).get("namespace")
            if spec.get("resourceAttributes") is not None and got != ns:
                raise _invalid(kind, group, [("spec.resourceAttributes.namespace",
                                              f'Invalid value: "{got or ""}": must match metadata.namespace', "")])
        user = _user(req) if kind == "SelfSubjectAccessReview" else _subject(spec, kind, group)
        allowed, reason = rbac.authorize(cluster, user, attrs)
    out["status"] = {"allowed": allowed}
    if reason:
        out["status"]["reason"] = reason
    return json_response(out, 201)


def attributes(req: Request) -> rbac.Request | None:
    """The authorizer's attributes of a request to a review resource (create on it), or None."""
    m = match(req.path)
    if m is None:
        return None
    group, resource, ns = m
    verb = "create" if req.method == "POST" else ("get" if req.method in ("GET", "HEAD") else req.method.lower())
    return rbac.Request(verb=verb, resource=resource, namespace=ns, api_group=group)
