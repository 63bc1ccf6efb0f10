"""Authentication and RBAC for `minikctl serve`, as the apiserver's filters do them.

Who: the serve token is the cluster's admin (kubeadm's admin.conf); a ServiceAccount token this
cluster signed (`create token`) is that account; a client certificate the cluster CA signed
(`certificate approve`) is its CN with its O as groups. What: the request's attributes (verb
from the method, resource, subresource, namespace, name, or the non-resource path) are
authorized by api/rbac.py, and a denial is the apiserver's Forbidden Status.
"""
from __future__ import annotations

from minikctl.api import rbac
from minikctl.apiserver.status import fail
from minikctl import lazy

open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
parse_target = lazy.function("minikctl.apiserver.routes", "parse_target")
reviews = lazy.module("minikctl.apiserver.reviews")
tokens = lazy.module("minikctl.sim.tokens")


def from_token(env, token: str):
    """The user of a ServiceAccount token this cluster signed, or None."""
    if token.count(".") != 2:
        return None
    with open_cluster(env) as cluster:
        claims = tokens.verify(cluster, token)
    if not claims:
        return None
    sub = claims.get("sub") or ""
    if not sub.startswith(rbac.SA_PREFIX):
        return None
    return rbac.impersonated(sub)


def from_certificate(peer: dict | None):
    """CN and O of a verified peer certificate (ssl's getpeercert() dict), or None."""
    if not peer:
        return None
    cn, orgs = "", []
    for rdn in peer.get("subject") or ():
        for key, value in rdn:
            if key == "commonName":
                cn = value
            elif key == "organizationName":
                orgs.append(value)
    if not cn:
        return None
    return rbac.User(cn, tuple(orgs) + ("system:authenticated",))


def impersonate(env, user, name: str, groups: list[str]):
    """The apiserver's impersonation filter (Impersonate-User / Impersonate-Group, kubectl --as /
    --as-group): the requester needs the impersonate verb on users (and groups) - the admin has
    it - and the request then runs as that user."""
    if user is not None:
        wants = [rbac.Request(verb="impersonate", resource="users", name=name)]
        wants += [rbac.Request(verb="impersonate", resource="groups", name=g) for g in groups]
        with open_cluster(env) as cluster:
            for attrs in wants:
                if not rbac.authorize(cluster, user, attrs)[0]:
                    raise fail("Forbidden", f'{attrs.resource} "{attrs.name}" is forbidden: User "{user.name}" cannot '
                               f'impersonate resource "{attrs.resource}" in API group "" at the cluster scope', 403,
                               {"name": attrs.name, "kind": attrs.resource})
    return rbac.impersonated(name, groups)


_VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch"}


def attributes(req, target) -> rbac.Request:
    if target is None:
        review = reviews.attributes(req)
        if review is not None:
            return review
        return rbac.Request(verb=req.method.lower() if req.method != "HEAD" else "get", path=req.path)
    if req.method in ("GET", "HEAD"):
        watch = (req.query.get("watch") or [""])[0] in ("true", "1")
        verb = "get" if target.name else ("watch" if watch else "list")
    elif req.method == "DELETE":
        verb = "delete" if target.name else "deletecollection"
    else:
        verb = _VERBS.get(req.method, req.method.lower())
    return rbac.Request(verb=verb, resource=target.kind.plural, subresource=target.sub or "",
                        name=target.name or "", namespace=target.namespace or "", api_group=target.kind.group)


def check(env, user, req) -> None:
    """Raise the apiserver's Forbidden Status when RBAC does not allow this user the request."""
    target = parse_target(req.path)
    attrs = attributes(req, target)
    with open_cluster(env) as cluster:
        allowed, _ = rbac.authorize(cluster, user, attrs)
    if allowed:
        return
    if not attrs.is_resource:
        raise fail("Forbidden", f'forbidden: User "{user.name}" cannot {attrs.verb} path "{attrs.path}"', 403, {})
    res = f"{attrs.resource}/{attrs.subresource}" if attrs.subresource else attrs.resource
    where = f'in the namespace "{attrs.namespace}"' if attrs.namespace else "at the cluster scope"
    qual = f"{attrs.resource}.{attrs.api_group}" if attrs.api_group else attrs.resource
    head = f'{qual} "{attrs.name}" is forbidden' if attrs.name else f"{qual} is forbidden"
    details = {"group": attrs.api_group, "kind": attrs.resource}
    if attrs.name:
        details = {"name": attrs.name, **details}
    raise fail("Forbidden", f'{head}: User "{user.name}" cannot {attrs.verb} resource "{res}" in API group '
               f'"{attrs.api_group}" {where}', 403, details)
