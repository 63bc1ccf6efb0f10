"""Paths and methods -> discovery documents or verbs on kinds, the way the apiserver's mux
splits `/api/v1/namespaces/{ns}/{resource}/{name}/{subresource}`."""
from __future__ import annotations

from dataclasses import dataclass

from minikctl.api import kinds
from minikctl.apiserver import discovery, resources, table
from minikctl.apiserver.request import Request, Response, decode_body, json_response
from minikctl.apiserver.status import fail, method_not_allowed, path_not_found
from minikctl.api.errors import ApiError
from minikctl import lazy

container_lines = lazy.function("minikctl.images.logs", "container_lines")
drain = lazy.module("minikctl.api.drain")
exec_stream = lazy.module("minikctl.apiserver.exec_stream")
from_api_error = lazy.function("minikctl.apiserver.status", "from_api_error")
log_stream = lazy.module("minikctl.apiserver.log_stream")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
openapi = lazy.module("minikctl.apiserver.openapi")
patching = lazy.module("minikctl.apiserver.patch")
portforward_stream = lazy.module("minikctl.apiserver.portforward_stream")
profile = lazy.function("minikctl.apiserver.state", "profile")
readonly = lazy.module("minikctl.apiserver.readonly")
reviews = lazy.module("minikctl.apiserver.reviews")
rfc3339_nano = lazy.function("minikctl.images.logs", "rfc3339_nano")
success = lazy.function("minikctl.apiserver.status", "success")
tokens = lazy.module("minikctl.sim.tokens")
watch = lazy.module("minikctl.apiserver.watch")
watchcache = lazy.module("minikctl.apiserver.watchcache")
metrics_api = lazy.module("minikctl.apiserver.metrics_api")


@dataclass
class Target:
    kind: kinds.Kind
    namespace: str | None
    name: str | None
    sub: str | None


def _kind_in(group: str, plural: str, version: str = "") -> kinds.Kind | None:
    """The kind of that group and plural, if it serves that version (any, when not given)."""
    return next((k for k in kinds.all_kinds() if k.group == group and k.plural == plural
                 and (not version or version in (k.version, *k.other_versions))), None)


def _versions(group: str) -> set[str]:
    found = {v for k in kinds.all_kinds() if k.group == group for v in (k.version, *k.other_versions)}
    if not found and group:
        kinds.refresh()           # a CRD created since this server last looked: served at once
        found = {v for k in kinds.all_kinds() if k.group == group for v in (k.version, *k.other_versions)}
    return found


@dataclass(frozen=True)
class BodyKind:
    """The group/version/kind a request body defaults to (the URL's, or its subresource's)."""
    api_version: str
    kind: str


_SUB_BODY = {"scale": BodyKind("autoscaling/v1", "Scale"), "eviction": BodyKind("policy/v1", "Eviction"),
             "token": BodyKind("authentication.k8s.io/v1", "TokenRequest")}


def _body_kind(t: Target):
    return _SUB_BODY.get(t.sub or "", t.kind)


def parse_target(path: str) -> Target | None:
    parts = [p for p in path.split("/") if p]
    if parts[:2] == ["api", "v1"]:
        group, version, rest = "", "v1", parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis" and parts[2] in _versions(parts[1]):
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    ns = None
    if len(rest) >= 3 and rest[0] == "namespaces" and _kind_in(group, rest[2], version) is not None:
        ns, rest = rest[1], rest[2:]
    if not rest or len(rest) > 3:
        return None
    k = _kind_in(group, rest[0], version)
    if k is None:
        kinds.refresh()
        k = _kind_in(group, rest[0], version)
    if k is None:
        return None
    if ns is not None and not k.namespaced:
        return None
    return Target(k, ns, rest[1] if len(rest) > 1 else None, rest[2] if len(rest) > 2 else None)


def non_resource(req: Request, profile: dict, env=None) -> Response | None:
    """/version, discovery, openapi, health: everything not on a resource."""
    p = req.path.rstrip("/") or "/"
    if p == "/version":
        return json_response(discovery.version(profile))
    if p in ("/healthz", "/livez", "/readyz"):
        return Response(200, b"ok", "text/plain; charset=utf-8")
    if p in ("/api", "/apis") or p.startswith(("/apis/", "/openapi/")):
        kinds.refresh()           # the CRDs' kinds as they are now
    if p in ("/api", "/apis"):
        extra = [] if p == "/api" or env is None or not metrics_api.available(env) else [metrics_api]
        agg = discovery.wants_aggregated(req.accept)
        if agg:
            body = discovery.aggregated(p == "/api", agg == discovery.AGG_TYPE_BETA)
            body["items"] += [m.aggregated_group() for m in extra]
            return json_response(body, content_type=agg)
        if p == "/api":
            return json_response(discovery.api_versions())
        body = discovery.group_list()
        body["groups"] += [{k: v for k, v in m.api_group().items() if k in ("name", "versions", "preferredVersion")}
                           for m in extra]
        return json_response(body)
    if p.startswith("/apis/metrics.k8s.io") and env is not None:
        return metrics_api.respond(req, env)
    if p == "/api/v1" or (p.startswith("/apis/") and p.count("/") == 3):
        g, v = ("", "v1") if p == "/api/v1" else p.split("/")[2:4]
        body = discovery.resource_list(g, v)
        return json_response(body) if body else None
    if p.startswith("/apis/") and p.count("/") == 2:
        g = p.split("/")[2]
        body = discovery.api_group(g) if g else None
        return json_response(body) if body else None
    if p.startswith("/openapi/"):
        return openapi.respond(req, p, env)
    return None


def handle(req: Request, env) -> Response:
    """Answer one request; raises HttpError for Status answers."""
    if req.method not in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"):
        raise method_not_allowed(req.method)
    derived = readonly.respond(req, env)     # leases, quotas: read by kubectl's describers
    if derived is not None:
        return derived
    target = parse_target(req.path)
    if target is None:
        if reviews.match(req.path) is not None:
            return reviews.respond(req, env)
        if req.method not in ("GET", "HEAD"):
            if any(req.path.rstrip("/") == p for p in ("/version", "/api", "/apis", "/api/v1")):
                raise method_not_allowed(req.method)
            raise path_not_found()
        resp = non_resource(req, profile(env), env)
        if resp is None:
            raise path_not_found()
        return resp
    return _resource(req, target, env)


def _resource(req: Request, t: Target, env) -> Response:
    k, m = t.kind, req.method
    if t.sub in ("exec", "attach") and k.kind == "Pod":
        return exec_stream.respond(req, t, env, attach=t.sub == "attach")
    if t.sub == "portforward" and k.kind == "Pod":
        return portforward_stream.respond(req, t, env)
    if t.name is None and m == "GET" and req.flag("watch"):
        return watch.respond(req, t, env)
    body = None
    if m in ("POST", "PUT") or (m == "PATCH"):
        allow = None
        if m == "PATCH":
            allow = patching.TYPES + (patching.APPLY,)
            if req.content_type not in allow:
                raise fail("UnsupportedMediaType", "the body of the request was in an unknown format - accepted "
                           f"media types include: {', '.join(allow)}, {patching.APPLY}", 415)
        body = decode_body(req, allow=allow) if allow else decode_body(req, kind=_body_kind(t))
    elif m == "DELETE" and req.body.strip():
        body = decode_body(req, kind=BodyKind("meta.k8s.io/v1", "DeleteOptions"))
        if not isinstance(body, dict):
            raise fail("BadRequest", "DeleteOptions must be an object", 400)
    with open_cluster(env) as cluster:
        if t.sub is not None:
            return _subresource(cluster, req, t, body)
        if t.name is None:
            if m == "GET" or m == "HEAD":
                view = _list_view(cluster, env)
                objs, cont = resources.list_objects(view, k, t.namespace, req)
                rv = str(cluster.revision)
                tv = table.wants_table(req.accept)
                if tv:
                    return json_response(table.table(k.kind, objs, view, rv, include=req.q("includeObject", "Metadata"),
                                                     version=tv, cont=cont))
                meta = {"resourceVersion": rv}
                if cont:
                    meta["continue"] = cont
                return json_response({"kind": f"{k.kind}List", "apiVersion": k.api_version, "metadata": meta,
                                      "items": objs})
            if m == "POST":
                obj, warnings = resources.create(cluster, k, t.namespace, body, req)
                return _with_warnings(json_response(obj, 201), warnings)
            if m == "DELETE":
                return json_response(resources.delete_collection(cluster, k, t.namespace, req))
            raise method_not_allowed(m)
        if m in ("GET", "HEAD"):
            obj = resources.get(cluster, k, t.namespace, t.name)
            tv = table.wants_table(req.accept)
            if tv:
                return json_response(table.table(k.kind, [obj], cluster, obj["metadata"].get("resourceVersion", ""),
                                                 include=req.q("includeObject", "Metadata"), version=tv))
            return json_response(obj)
        if m == "PUT":
            obj, warnings = resources.update(cluster, k, t.namespace, t.name, body, req)
            return _with_warnings(json_response(obj), warnings)
        if m == "PATCH" and req.content_type == patching_apply():
            obj, created = resources.server_side_apply(cluster, k, t.namespace, t.name, body, req)
            return json_response(obj, 201 if created else 200)
        if m == "PATCH":
            obj, warnings = resources.patch(cluster, k, t.namespace, t.name, body, req)
            return _with_warnings(json_response(obj), warnings)
        if m == "DELETE":
            return json_response(resources.delete(cluster, k, t.namespace, t.name, body or {}, req))
        raise method_not_allowed(m)


def _list_view(cluster, env):
    """Where a list is read from: the watch cache when it holds exactly this transaction's state
    (nothing fell due in it), as the apiserver serves lists from its cache: no object is decoded
    from the store; else the transaction itself."""
    cache = watchcache.current(env)
    if cache is not None and cache.rv == cluster.revision and not cluster.has_changes():
        return cache.view(now=cluster.now)
    return cluster


def patching_apply() -> str:
    return patching.APPLY


def _with_warnings(resp: Response, warnings: list[str]) -> Response:
    for w in warnings:     # RFC 7234 warn-text: a quoted-string, its quotes and backslashes escaped
        text = w.replace("\\", "\\\\").replace('"', '\\"')
        resp.headers.append(("Warning", f'299 - "{text}"'))
    return resp


def _subresource(cluster, req: Request, t: Target, body) -> Response:
    m = req.method
    if t.sub == "scale" and (t.kind.kind in discovery.SCALED or any(s[0] == "scale" for s in discovery.subresources(t.kind)
                                                                    if t.kind.crd is not None)) \
            and m in ("GET", "PUT", "PATCH"):
        return json_response(resources.scale(cluster, t.kind, t.namespace, t.name, m, body, req))
    if t.sub == "status" and m in ("GET", "PUT", "PATCH") and \
            (t.kind.crd is None or any(s[0] == "status" for s in discovery.subresources(t.kind))):
        return json_response(resources.status(cluster, t.kind, t.namespace, t.name, m, body, req))
    if t.sub == "log" and t.kind.kind == "Pod" and m == "GET":
        return _logs(cluster, req, t)
    if t.sub == "eviction" and t.kind.kind == "Pod" and m == "POST":
        return _evict(cluster, req, t, body)
    if t.sub == "token" and t.kind.kind == "ServiceAccount" and m == "POST":
        return _token(cluster, t, body)
    for name, _gv, _kind, verbs in discovery.subresources(t.kind):
        if t.sub == name:
            if _VERB.get(m) in verbs:
                raise fail("", f"minikctl: {t.kind.plural}/{name} is not simulated", 501)
            raise method_not_allowed(m)
    raise path_not_found()


_VERB = {"GET": "get", "POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


def _token(cluster, t: Target, body) -> Response:
    """POST serviceaccounts/{name}/token: a TokenRequest signed by the cluster key (sim/tokens)."""
    spec = (body or {}).get("spec") or {} if isinstance(body, dict) else {}
    secs = spec.get("expirationSeconds")
    try:
        out = tokens.request(cluster, t.namespace, t.name, audiences=spec.get("audiences") or None,
                             seconds=int(secs) if isinstance(secs, int) else None, bound=spec.get("boundObjectRef"))
    except ApiError as e:
        raise from_api_error(e, "serviceaccounts")
    return json_response(out, 201)


def _evict(cluster, req: Request, t: Target, body) -> Response:
    """pods/{name}/eviction (policy/v1 Eviction, protobuf from kubectl drain): the budgets decide
    (api/drain.evict_subresource); 201 with a Success Status, or the apiserver's 429."""
    if not isinstance(body, dict) or body.get("kind") != "Eviction":
        raise fail("BadRequest", f'{(body or {}).get("kind") if isinstance(body, dict) else ""} in version "v1" '
                   "cannot be handled as a Eviction", 400)
    name = (body.get("metadata") or {}).get("name")
    if name != t.name:
        raise fail("BadRequest", "name in URL does not match name in Eviction object", 400)
    pod = resources.get(cluster, t.kind, t.namespace, t.name)
    grace = (body.get("deleteOptions") or {}).get("gracePeriodSeconds")
    if req.q("dryRun") == "All" or "All" in ((body.get("deleteOptions") or {}).get("dryRun") or []):
        return json_response({**success(), "code": 201}, 201)
    try:
        drain.evict_subresource(cluster, pod, int(grace) if grace is not None else None)
    except ApiError as e:
        raise resources.api_error(t.kind, e)
    return json_response({**success(), "code": 201}, 201)


def _logs(cluster, req: Request, t: Target) -> Response:
    """pods/{name}/log: the lines minikctl/images/logs.py computes."""
    pod = resources.get(cluster, t.kind, t.namespace, t.name)
    names = [c["name"] for c in pod["spec"].get("containers") or []]
    inits = [i["name"] for i in pod["spec"].get("initContainers") or []]
    c = req.q("container") or (names[0] if len(names) == 1 else "")
    if not c:
        raise fail("BadRequest", f"a container name must be specified for pod {t.name}, choose one of: "
                   f"[{' '.join(names)}] or one of the init containers: [{' '.join(inits)}]", 400)
    if c not in names + inits:
        raise fail("BadRequest", f"container {c} is not valid for pod {t.name}", 400)
    try:
        lines = container_lines(cluster, pod, c, req.q("previous") in ("true", "1"))
    except ApiError as e:
        raise fail(e.reason or "BadRequest", e.message, e.code)
    total = len(lines)
    tail = req.q("tailLines")
    if tail.isdigit():
        lines = lines[len(lines) - int(tail):] if int(tail) else []
    since = req.q("sinceSeconds")
    if since.isdigit():
        lines = [(ts, line) for ts, line in lines if ts >= cluster.now - int(since)]
    stamps = req.q("timestamps") in ("true", "1")

    def render(lines) -> bytes:
        return "".join((f"{rfc3339_nano(ts)} " if stamps else "") + line + "\n" for ts, line in lines).encode()

    if req.q("follow") in ("true", "1") and req.q("previous") not in ("true", "1"):
        return log_stream.follow(cluster.env, t, pod, c, lines, total, render)
    return Response(200, render(lines), "text/plain")

