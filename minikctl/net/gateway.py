"""Gateway API data plane (as NGINX Gateway Fabric programs its nginx): which backend answers a
request that reached the Gateway's address.

Why here: the request lands on the NGF pod's nginx (port 80 of its `nginx` container); what it
does next is decided by the Gateways of the `nginx` class and the HTTPRoutes attached to them,
with the Gateway API's rules:

* NGF 1.x programs one Gateway of its class, the oldest; a route attaches to it when it names it
  in parentRefs (same namespace unless one is given), without a port, and a listener (the one
  its sectionName names, else any) allows routes from the route's namespace (Same/All/Selector)
  and shares a hostname with it.
* Hostnames: the request's Host must match one of the route's hostnames (exact, or `*.x` for one
  or more labels) and the listener's hostname; a route without hostnames matches any host.
* Matches (OR-ed within a rule; path AND headers AND query AND method within a match): path
  Exact, PathPrefix by whole path elements, RegularExpression; headers/query Exact or regex.
* Precedence (the spec's order): Exact path, then the longest prefix, then method, then the
  number of header matches, then query matches, then the oldest route, then namespace/name.
* Filters: URLRewrite (ReplaceFullPath, ReplacePrefixMatch), RequestRedirect (scheme, hostname,
  port, path, statusCode).
* backendRefs: weighted choice (the cluster's seeded rng); none left, or an unresolvable one, is
  a 500 as the spec asks; nothing matching is nginx's 404.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl
from minikctl import lazy

label_selector_matches = lazy.function("minikctl.api.selectors", "label_selector_matches")
parse = lazy.function("minikctl.timeutil", "parse")
traffic = lazy.module("minikctl.net.proxy.traffic")

CONTROLLER = "gateway.nginx.org/nginx-gateway-controller"


def is_data_plane(image: str) -> bool:
    return "nginx-gateway-fabric/nginx" in (image or "")


def _page(code: int, reason: str) -> str:
    return (f"<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n"
            f"<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


def managed_gateways(view) -> list[dict]:
    classes = {c["metadata"]["name"] for c in view.list("GatewayClass")
               if (c.get("spec") or {}).get("controllerName") == CONTROLLER}
    return [g for g in view.list("Gateway") if (g.get("spec") or {}).get("gatewayClassName") in classes]


def _ns_labels(view, ns: str) -> dict:
    n = view.get("Namespace", None, ns)
    return ((n or {}).get("metadata") or {}).get("labels") or {"kubernetes.io/metadata.name": ns}


def winning_gateway(view) -> dict | None:
    """NGF 1.x programs one Gateway of its class: the oldest (creationTimestamp, then
    namespace/name, as its sort.LessObjectMeta); the others are ignored (GatewayConflict)."""
    gws = managed_gateways(view)
    if not gws:
        return None
    return min(gws, key=lambda g: (parse(g["metadata"].get("creationTimestamp")) or 0.0,
                                   f'{g["metadata"].get("namespace")}/{g["metadata"]["name"]}'))


def _key(gw: dict) -> tuple:
    return gw["metadata"].get("namespace"), gw["metadata"]["name"]


def _attachable(listener: dict) -> bool:
    kinds = [k.get("kind") for k in (listener.get("allowedRoutes") or {}).get("kinds") or []]
    return listener.get("protocol") in ("HTTP", "HTTPS") and (not kinds or "HTTPRoute" in kinds)


def _namespace_allowed(view, gw: dict, listener: dict, route: dict) -> bool:
    ar = (listener.get("allowedRoutes") or {})
    frm = (ar.get("namespaces") or {}).get("from", "Same")
    rns, gns = route["metadata"].get("namespace"), gw["metadata"].get("namespace")
    if frm == "All":
        return True
    if frm == "Selector":
        return label_selector_matches((ar.get("namespaces") or {}).get("selector") or {}, _ns_labels(view, rns))
    return rns == gns


def listener_allows(view, gw: dict, listener: dict, route: dict) -> bool:
    return _attachable(listener) and _namespace_allowed(view, gw, listener, route)


def _host_match(listener_host: str, route_host: str) -> bool:
    """NGF's match(): equal, or either one a `*.` wildcard the other ends with."""
    if not listener_host or listener_host == route_host:
        return True

    def wild(a: str, b: str) -> bool:
        return a.startswith("*.") and b.endswith(a[1:])
    return wild(listener_host, route_host) or wild(route_host, listener_host)


def _hostnames_accepted(listener: dict, route: dict) -> bool:
    names = (route.get("spec") or {}).get("hostnames") or []
    return not names or any(_host_match(listener.get("hostname") or "", h) for h in names)


def parent_refs_to(route: dict, gw: dict) -> list[dict]:
    return [ref for _i, ref in indexed_parent_refs_to(route, gw)]


def indexed_parent_refs_to(route: dict, gw: dict) -> list[tuple[int, dict]]:
    out = []
    for i, ref in enumerate((route.get("spec") or {}).get("parentRefs") or []):
        if (ref.get("kind") or "Gateway") != "Gateway" or (ref.get("group") or "gateway.networking.k8s.io") != \
                "gateway.networking.k8s.io":
            continue
        ns = ref.get("namespace") or route["metadata"].get("namespace")
        if ref.get("name") == gw["metadata"]["name"] and ns == gw["metadata"].get("namespace"):
            out.append((i, ref))
    return out


def attachment(view, winner: dict, gw: dict, route: dict, idx: int, ref: dict):
    """NGF's bindRouteToListeners for one parentRef: (listeners attached, failed condition as
    (reason, message) or None). The listeners looked at are the winning Gateway's, even for a
    ref to an ignored one, as NGF does."""
    listeners = (winner.get("spec") or {}).get("listeners") or []
    section = ref.get("sectionName")
    if section:
        named = [lst for lst in listeners if lst.get("name") == section]
        if not named:
            return [], ("NoMatchingParent", "Listener is not found for this parent ref")
        candidates = [lst for lst in named if _attachable(lst)]
    else:
        candidates = [lst for lst in listeners if _attachable(lst)]
    if ref.get("port") is not None:
        return [], ("UnsupportedValue", f"spec.parentRefs[{idx}].port: Forbidden: cannot be set")
    if _key(gw) != _key(winner):
        return [], ("GatewayIgnored", "The Gateway is ignored by the controller")
    if not candidates:
        return [], ("InvalidListener", "Listener is invalid for this parent ref")
    allowed = [lst for lst in candidates if _namespace_allowed(view, winner, lst, route)]
    attached = [lst for lst in allowed if _hostnames_accepted(lst, route)]
    if not attached:
        if not allowed:
            return [], ("NotAllowedByListeners", "Route is not allowed by any listener")
        return [], ("NoMatchingListenerHostname", "Listener hostname does not match the Route hostnames")
    return attached, None


def attached_listeners(view, gw: dict, route: dict) -> list[dict]:
    """The listeners of `gw` a route attaches to: none unless `gw` is the Gateway NGF programs."""
    winner = winning_gateway(view)
    if winner is None or _key(winner) != _key(gw):
        return []
    out = []
    for i, ref in indexed_parent_refs_to(route, gw):
        for lst in attachment(view, winner, gw, route, i, ref)[0]:
            if lst not in out:
                out.append(lst)
    return out


def _host_ok(pattern: str, host: str) -> bool:
    pattern, host = pattern.lower(), host.lower()
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return pattern == host


def _hostnames_ok(route: dict, listener: dict, host: str) -> bool:
    lh = listener.get("hostname")
    if lh and not _host_ok(lh, host):
        return False
    names = (route.get("spec") or {}).get("hostnames") or []
    return not names or any(_host_ok(n, host) for n in names)


def _path_ok(m: dict, path: str) -> tuple[bool, int, int]:
    """(matches, kind rank: 2 Exact / 1 prefix or regex, length)."""
    p = m.get("path") or {"type": "PathPrefix", "value": "/"}
    t, v = p.get("type", "PathPrefix"), p.get("value", "/")
    if t == "Exact":
        return path == v, 2, len(v)
    if t == "RegularExpression":
        return re.fullmatch(v, path) is not None, 1, len(v)
    v2 = v.rstrip("/")
    return (v in ("", "/") or path == v2 or path.startswith(v2 + "/")), 1, len(v)


def _match_ok(m: dict, method: str, path: str, headers: dict, query: dict) -> tuple | None:
    ok, rank, length = _path_ok(m, path)
    if not ok:
        return None
    if m.get("method") and m["method"] != method:
        return None
    for h in m.get("headers") or []:
        got = headers.get(h.get("name", "").lower())
        if got is None or (h.get("type") == "RegularExpression" and not re.fullmatch(h.get("value", ""), got)) or \
                (h.get("type", "Exact") == "Exact" and got != h.get("value")):
            return None
    for q in m.get("queryParams") or []:
        got = query.get(q.get("name", ""))
        if got is None or (q.get("type", "Exact") == "Exact" and got != q.get("value")) or \
                (q.get("type") == "RegularExpression" and not re.fullmatch(q.get("value", ""), got)):
            return None
    return (rank, length, 1 if m.get("method") else 0, len(m.get("headers") or []), len(m.get("queryParams") or []))


@dataclass
class Decision:
    route: dict | None
    rule: dict | None
    match: dict | None
    gateway: dict | None


def decide(view, port: int, host: str, method: str, uri: str, headers: dict | None = None) -> Decision:
    path, _, qs = uri.partition("?")
    query = dict(parse_qsl(qs))
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    host = host.split(":")[0]
    best, best_key = Decision(None, None, None, None), None
    winner = winning_gateway(view)
    for gw in [winner] if winner is not None else []:
        for route in view.list("HTTPRoute"):
            for lst in attached_listeners(view, gw, route):
                if lst.get("port") != port or not _hostnames_ok(route, lst, host):
                    continue
                for rule in (route.get("spec") or {}).get("rules") or []:
                    for m in rule.get("matches") or [{"path": {"type": "PathPrefix", "value": "/"}}]:
                        score = _match_ok(m, method, path, headers, query)
                        if score is None:
                            continue
                        rm = route["metadata"]
                        key = (score, _neg_time(rm.get("creationTimestamp")),
                               tuple(-ord(c) for c in f"{rm.get('namespace')}/{rm['name']}"))
                        if best_key is None or key > best_key:
                            best, best_key = Decision(route, rule, m, gw), key
    return best


def _neg_time(ts: str | None) -> float:
    t = parse(ts)
    return -(t or 0.0)


def _rewrite(rule: dict, match: dict, uri: str) -> tuple[str, dict | None]:
    """(the URI sent upstream, a redirect filter if the rule redirects)."""
    path, sep, qs = uri.partition("?")
    for f in rule.get("filters") or []:
        if f.get("type") == "RequestRedirect":
            return uri, f.get("requestRedirect") or {}
        if f.get("type") == "URLRewrite":
            p = (f.get("urlRewrite") or {}).get("path") or {}
            if p.get("type") == "ReplaceFullPath":
                path = p.get("replaceFullPath", "/")
            elif p.get("type") == "ReplacePrefixMatch":
                prefix = ((match.get("path") or {}).get("value") or "/").rstrip("/")
                rest = path[len(prefix):] if path.startswith(prefix) else path
                new = p.get("replacePrefixMatch", "/")
                path = (new.rstrip("/") + rest) if rest else new
                path = path or "/"
    return path + (sep + qs if sep else ""), None


def _backend_service(view, route: dict, ref: dict):
    ns = ref.get("namespace") or route["metadata"].get("namespace")
    if (ref.get("kind") or "Service") != "Service" or (ref.get("group") or "") != "":
        return None, ns
    if ns != route["metadata"].get("namespace") and not ref_granted(view, route, ns, ref.get("name", "")):
        return None, ns
    return view.get("Service", ns, ref.get("name", "")), ns


def ref_granted(view, route: dict, ns: str, name: str) -> bool:
    """A ReferenceGrant in the backend's namespace lets HTTPRoutes of the route's namespace in."""
    for g in view.list("ReferenceGrant", ns):
        spec = g.get("spec") or {}
        frm = any(f.get("kind") == "HTTPRoute" and f.get("group") == "gateway.networking.k8s.io"
                  and f.get("namespace") == route["metadata"].get("namespace") for f in spec.get("from") or [])
        to = any(t.get("kind") == "Service" and (t.get("group") or "") == "" and (not t.get("name") or t["name"] == name)
                 for t in spec.get("to") or [])
        if frm and to:
            return True
    return False


def serve(view, pod: dict, port: int, host: str, uri: str, method: str = "GET"):
    """The NGF nginx's answer to a request on `port`."""
    d = decide(view, port, host, method, uri)
    if d.route is None:
        return _resp(view, traffic, 404, "Not Found")
    upstream, redirect = _rewrite(d.rule, d.match, uri)
    if redirect is not None:
        code = int(redirect.get("statusCode") or 302)
        scheme = redirect.get("scheme") or "http"
        hostname = redirect.get("hostname") or host.split(":")[0]
        rport = redirect.get("port")
        path = (redirect.get("path") or {}).get("replaceFullPath") or uri
        loc = f"{scheme}://{hostname}{':' + str(rport) if rport else ''}{path}"
        r = _resp(view, traffic, code, "Moved Permanently" if code == 301 else "Found")
        r.headers.append(("Location", loc))
        return r
    refs = [b for b in d.rule.get("backendRefs") or [] if int(b.get("weight", 1)) > 0]
    if not refs:
        return _resp(view, traffic, 500, "Internal Server Error")
    total = sum(int(b.get("weight", 1)) for b in refs)
    pick = view.rng.uniform(0, total)
    ref = refs[-1]
    for b in refs:
        pick -= int(b.get("weight", 1))
        if pick <= 0:
            ref = b
            break
    svc, _ = _backend_service(view, d.route, ref)
    if svc is None or not any(p.get("port") == ref.get("port") for p in (svc.get("spec") or {}).get("ports") or []):
        return _resp(view, traffic, 500, "Internal Server Error")
    out = traffic.connect(view, pod, (svc.get("spec") or {}).get("clusterIP"), int(ref["port"]), upstream)
    if out.status == "refused":
        return _resp(view, traffic, 502, "Bad Gateway")
    if out.status != "ok" or out.response is None:
        return _resp(view, traffic, 504, "Gateway Time-out")
    resp = out.response
    headers = [(k, v) for k, v in resp.headers if k not in ("Server", "Date", "Connection")]
    return traffic.Response(resp.code, resp.reason, resp.body,
                            [("Server", "nginx"), ("Date", traffic._http_date(view.now)), *headers,
                             ("Connection", "keep-alive")])


def _resp(view, traffic, code: int, reason: str):
    body = _page(code, reason)
    return traffic.Response(code, reason, body, [("Server", "nginx"), ("Date", traffic._http_date(view.now)),
                                                 ("Content-Type", "text/html"), ("Content-Length", str(len(body))),
                                                 ("Connection", "keep-alive")])
