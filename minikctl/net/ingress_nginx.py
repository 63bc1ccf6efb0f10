"""The ingress-nginx controller's data plane: which backend answers a request that reached a
controller pod, as the nginx.conf it generates would route it.

Why here: a request to the controller (its NodePort, its Service or its pod) is served by the
controller pod's nginx, which the controller programs from the Ingresses of its class. The rules
modelled are ingress-nginx's:

* Ingresses of class `nginx` (spec.ingressClassName, the legacy kubernetes.io/ingress.class
  annotation, or no class when IngressClass nginx is marked default) are merged per host into
  one nginx `server`; rules without a host go to the catch-all server `_`.
* Host: exact name, or a wildcard `*.example.com` for exactly one more label; anything else
  falls to the catch-all server.
* Paths: `Exact` is `location = /p`; `Prefix` matches whole path elements (/foo matches /foo
  and /foo/bar, not /foobar); `ImplementationSpecific` is nginx's plain prefix. Longest match
  wins. With `nginx.ingress.kubernetes.io/use-regex` or `rewrite-target` on an Ingress of the
  host, its paths are case-insensitive regexes anchored at the start, tried longest first.
* `rewrite-target` replaces the URI sent upstream ($1, $2 ... from the path regex).
* Nothing matches: the Ingress's spec.defaultBackend if one is set, else the controller's
  default backend, a 404 page from nginx. A backend Service without ready endpoints is a 503.
* The upstream is reached from the controller pod (so NetworkPolicies see the controller as
  the source); a refused upstream is a 502, one that never answers a 504.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from minikctl import lazy

traffic = lazy.module("minikctl.net.proxy.traffic")

CONTROLLER = "k8s.io/ingress-nginx"
CLASS = "nginx"
NAMESPACE = "ingress-nginx"


def is_controller_image(image: str) -> bool:
    return "ingress-nginx/controller" in (image or "")


def _error_page(code: int, reason: str) -> str:
    return (f"<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n"
            f"<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


@dataclass
class Route:
    ingress: dict | None          # the Ingress whose rule (or defaultBackend) matched
    backend: dict | None          # its IngressBackend, None for the controller's default backend
    upstream_path: str            # the URI sent upstream (after rewrite-target)
    location: str = ""            # the location that matched, for `why` views


def _class_of(view, ing: dict) -> str | None:
    spec = ing.get("spec") or {}
    if spec.get("ingressClassName"):
        return spec["ingressClassName"]
    ann = ((ing.get("metadata") or {}).get("annotations") or {}).get("kubernetes.io/ingress.class")
    if ann:
        return ann
    for ic in view.list("IngressClass"):
        if ((ic.get("metadata") or {}).get("annotations") or {}).get(
                "ingressclass.kubernetes.io/is-default-class") == "true":
            return ic["metadata"]["name"]
    return None


def served_ingresses(view) -> list[dict]:
    """The Ingresses the controller of IngressClass `nginx` serves (when that class exists)."""
    ic = view.get("IngressClass", None, CLASS)
    if ic is None or (ic.get("spec") or {}).get("controller") != CONTROLLER:
        return []
    return [i for i in view.list("Ingress") if _class_of(view, i) == CLASS]


def _host_matches(rule_host: str, host: str) -> bool:
    if rule_host.startswith("*."):
        suffix = rule_host[1:]
        return host.endswith(suffix) and "." not in host[: -len(suffix)] and len(host) > len(suffix)
    return rule_host == host


def _regex_mode(ing: dict) -> bool:
    ann = (ing.get("metadata") or {}).get("annotations") or {}
    return ann.get("nginx.ingress.kubernetes.io/use-regex") == "true" or \
        "nginx.ingress.kubernetes.io/rewrite-target" in ann


def _prefix_match(p: str, uri: str) -> bool:
    if p in ("", "/"):
        return True
    p = p.rstrip("/")
    return uri == p or uri.startswith(p + "/")


def route(view, host: str, uri: str) -> Route:
    """Where the controller's nginx sends `GET uri` with `Host: host`."""
    host = host.split(":")[0].lower()
    path = uri.split("?")[0] or "/"
    ingresses = served_ingresses(view)
    entries = []        # (ingress, rule host, path dict)
    hosts = set()
    for ing in ingresses:
        for rule in (ing.get("spec") or {}).get("rules") or []:
            rh = (rule.get("host") or "").lower()
            hosts.add(rh)
            for p in (rule.get("http") or {}).get("paths") or []:
                entries.append((ing, rh, p))
    server = next((h for h in hosts if h and h == host), None)
    if server is None:
        server = next((h for h in sorted(hosts, key=len, reverse=True) if h.startswith("*.") and _host_matches(h, host)), None)
    if server is None:
        server = ""
    mine = [(ing, p) for ing, rh, p in entries if rh == server]
    regex = any(_regex_mode(ing) for ing, _ in mine)
    best = None
    exact = [(ing, p) for ing, p in mine if p.get("pathType") == "Exact" and (p.get("path") or "/") == path]
    if exact:
        best = exact[0]
    elif regex:
        for ing, p in sorted(mine, key=lambda e: len(e[1].get("path") or "/"), reverse=True):
            if p.get("pathType") == "Exact":
                continue
            if re.match(p.get("path") or "/", path, re.IGNORECASE):
                best = (ing, p)
                break
    else:
        cands = []
        for ing, p in mine:
            pp, ptype = p.get("path") or "/", p.get("pathType")
            ok = _prefix_match(pp, path) if ptype == "Prefix" else (
                ptype == "ImplementationSpecific" and path.startswith(pp))
            if ok:
                cands.append((len(pp), ing, p))
        if cands:
            _, ing, p = max(cands, key=lambda c: c[0])
            best = (ing, p)
    if best is not None:
        ing, p = best
        return Route(ing, p.get("backend") or {}, _rewrite(ing, p.get("path") or "/", uri, regex), p.get("path") or "/")
    for ing in ingresses:
        rules_hosts = {(r.get("host") or "").lower() for r in (ing.get("spec") or {}).get("rules") or []}
        if (ing.get("spec") or {}).get("defaultBackend") and (server in rules_hosts or not rules_hosts):
            return Route(ing, ing["spec"]["defaultBackend"], uri, "")
    return Route(None, None, uri, "")


def _rewrite(ing: dict, location: str, uri: str, regex: bool) -> str:
    target = ((ing.get("metadata") or {}).get("annotations") or {}).get("nginx.ingress.kubernetes.io/rewrite-target")
    if target is None:
        return uri
    path, _, query = uri.partition("?")
    m = re.match(location, path, re.IGNORECASE) if regex else None
    groups = m.groups() if m else ()
    out = re.sub(r"\$(\d)", lambda g: (groups[int(g.group(1)) - 1] or "") if 0 < int(g.group(1)) <= len(groups) else "",
                 target)
    return out + (f"?{query}" if query else "")


def tls_hosts(view) -> set[str]:
    """Hosts with a TLS section in an Ingress the controller serves (ssl-redirect applies)."""
    return {h.lower() for ing in served_ingresses(view) for t in (ing.get("spec") or {}).get("tls") or []
            for h in t.get("hosts") or []}


def _redirect(view, traffic, host: str, uri: str, code: int = 308, location: str | None = None):
    reason = _REDIRECT_REASONS.get(code, "Moved Permanently")
    body = _error_page(code, reason)
    return traffic.Response(code, reason, body, [
        ("Date", traffic._http_date(view.now)), ("Content-Type", "text/html"), ("Content-Length", str(len(body))),
        ("Connection", "keep-alive"), ("Location", location or f"https://{host.split(':')[0]}{uri}")])


_REDIRECT_REASONS = {301: "Moved Permanently", 302: "Found", 303: "See Other", 307: "Temporary Redirect",
                     308: "Permanent Redirect"}


def _annotation_redirect(view, traffic, ing: dict, host: str, uri: str, https: bool):
    """permanent-redirect (301, or permanent-redirect-code), temporal-redirect (302) and app-root
    (a 302 from / to $scheme://$http_host<app-root>), as ingress-nginx's template writes them."""
    ann = (ing.get("metadata") or {}).get("annotations") or {}
    pre = "nginx.ingress.kubernetes.io/"
    if ann.get(pre + "permanent-redirect"):
        code = ann.get(pre + "permanent-redirect-code", "301")
        code = int(code) if code.isdigit() and int(code) in _REDIRECT_REASONS else 301
        return _redirect(view, traffic, host, uri, code, ann[pre + "permanent-redirect"])
    if ann.get(pre + "temporal-redirect"):
        return _redirect(view, traffic, host, uri, 302, ann[pre + "temporal-redirect"])
    root = ann.get(pre + "app-root")
    if root and (uri.split("?")[0] or "/") == "/":
        return _redirect(view, traffic, host, uri, 302, f"{'https' if https else 'http'}://{host}{root}")
    return None


def serve(view, controller: dict, host: str, uri: str, *, https: bool = False, tls_port: bool = False):
    """The controller pod's answer: the upstream's response, or nginx's own error page.

    On its HTTPS port without TLS, nginx's 400 "plain HTTP request was sent to HTTPS port"; over
    plain HTTP to a host that an Ingress lists under spec.tls, ingress-nginx's default
    ssl-redirect (a 308 to https://), unless that Ingress sets ssl-redirect "false";
    force-ssl-redirect "true" redirects without TLS too."""
    if tls_port and not https:
        return _plain_on_https(view, traffic)
    r = route(view, host, uri)
    if not https and r.ingress is not None:
        ann = (r.ingress.get("metadata") or {}).get("annotations") or {}
        hostname = host.split(":")[0].lower()
        tls_here = hostname in tls_hosts(view) and ann.get("nginx.ingress.kubernetes.io/ssl-redirect") != "false"
        if tls_here or ann.get("nginx.ingress.kubernetes.io/force-ssl-redirect") == "true":
            return _redirect(view, traffic, host, uri)
    if r.ingress is not None:
        moved = _annotation_redirect(view, traffic, r.ingress, host, uri, https)
        if moved is not None:
            return moved
    if r.backend is None:
        return _page(view, traffic, 404, "Not Found")
    svc_ref = r.backend.get("service")
    if not svc_ref:
        return _page(view, traffic, 404, "Not Found")
    ns = r.ingress["metadata"].get("namespace") or "default"
    svc = view.get("Service", ns, svc_ref.get("name", ""))
    if svc is None:
        return _page(view, traffic, 503, "Service Temporarily Unavailable")
    port = svc_ref.get("port") or {}
    sp = next((p for p in (svc.get("spec") or {}).get("ports") or []
               if (port.get("number") and p.get("port") == port["number"]) or
               (port.get("name") and p.get("name") == port["name"])), None)
    if sp is None or not _has_ready_endpoints(view, ns, svc["metadata"]["name"]):
        return _page(view, traffic, 503, "Service Temporarily Unavailable")
    ip = (svc.get("spec") or {}).get("clusterIP")
    out = traffic.connect(view, controller, ip, int(sp["port"]), r.upstream_path, agent=None)
    if out.status == "refused":
        return _page(view, traffic, 502, "Bad Gateway")
    if out.status != "ok" or out.response is None:
        return _page(view, traffic, 504, "Gateway Time-out")
    resp = out.response
    headers = [(k, v) for k, v in resp.headers if k not in ("Server", "Date", "Connection")]
    return traffic.Response(resp.code, resp.reason, resp.body,
                            [("Date", traffic._http_date(view.now)), *headers, ("Connection", "keep-alive")])


def _plain_on_https(view, traffic):
    body = ("<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>\r\n<body>\r\n"
            "<center><h1>400 Bad Request</h1></center>\r\n"
            "<center>The plain HTTP request was sent to HTTPS port</center>\r\n"
            "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
    return traffic.Response(400, "Bad Request", body, [
        ("Date", traffic._http_date(view.now)), ("Content-Type", "text/html"), ("Content-Length", str(len(body))),
        ("Connection", "close")])


def _has_ready_endpoints(view, ns: str, name: str) -> bool:
    for s in view.list("EndpointSlice", ns):
        if ((s.get("metadata") or {}).get("labels") or {}).get("kubernetes.io/service-name") != name:
            continue
        for e in s.get("endpoints") or []:
            if (e.get("conditions") or {}).get("ready") is not False:
                return True
    return False


def _page(view, traffic, code: int, reason: str):
    body = _error_page(code, reason)
    return traffic.Response(code, reason, body, [("Date", traffic._http_date(view.now)),
                                                 ("Content-Type", "text/html"),
                                                 ("Content-Length", str(len(body))),
                                                 ("Connection", "keep-alive")])


__all__ = ["route", "serve", "served_ingresses", "is_controller_image", "Route"]


# --- the controller's admission webhook (validate.nginx.ingress.kubernetes.io) -----------------

WEBHOOK_PORT = 8443
SNIPPETS = ("configuration-snippet", "server-snippet", "auth-snippet", "stream-snippet")


def is_admission_endpoint(pod: dict | None, port: int) -> bool:
    """The controller pod's webhook server (--validating-webhook=:8443)."""
    return bool(pod) and port == WEBHOOK_PORT and any(
        is_controller_image(c.get("image") or "") for c in (pod.get("spec") or {}).get("containers") or []) \
        and (pod.get("status") or {}).get("phase") == "Running"


def admission_review(view, ing: dict, old: dict | None = None) -> str | None:
    """What the controller's webhook says of an Ingress: None (allowed) or its denial. It judges
    only Ingresses of its class: snippet annotations (allow-snippet-annotations is false since
    v1.9), then a host and path that another Ingress of the class already defines, in any
    namespace (a rule without a host is the catch-all server `_`)."""
    if ing.get("kind") != "Ingress" or _class_of(view, ing) != CLASS:
        return None
    ann = (ing.get("metadata") or {}).get("annotations") or {}
    for s in SNIPPETS:
        if f"nginx.ingress.kubernetes.io/{s}" in ann:
            return (f"nginx.ingress.kubernetes.io/{s} annotation cannot be used. Snippet directives are disabled by "
                    "the Ingress administrator")
    me = ((ing.get("metadata") or {}).get("namespace") or "default", (ing.get("metadata") or {}).get("name"))
    taken = {}
    for other in served_ingresses(view):
        key = (other["metadata"].get("namespace") or "default", other["metadata"]["name"])
        if key == me:
            continue
        for rule in (other.get("spec") or {}).get("rules") or []:
            for p in (rule.get("http") or {}).get("paths") or []:
                taken.setdefault(((rule.get("host") or "_").lower(), p.get("path") or "/"), key)
    for rule in (ing.get("spec") or {}).get("rules") or []:
        host = (rule.get("host") or "_").lower()
        for p in (rule.get("http") or {}).get("paths") or []:
            where = taken.get((host, p.get("path") or "/"))
            if where:
                return f'host "{host}" and path "{p.get("path") or "/"}" is already defined in ingress {where[0]}/{where[1]}'
    return None
