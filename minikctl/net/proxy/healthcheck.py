"""kube-proxy's HTTP servers on a node: its own health (0.0.0.0:10256, /healthz and /livez) and
one health check server per `externalTrafficPolicy: Local` LoadBalancer Service, on the Service's
healthCheckNodePort, that tells an outside load balancer whether this node has a ready endpoint.

Why a model and not a canned page: the answers are computed from the cluster as kube-proxy
computes them (pkg/proxy/healthcheck): the count is the number of distinct ready endpoint IPs of
the Service on this node (EndpointsMap.LocalReadyEndpoints), 200 with at least one, 503 with
none; nodeEligible is false on a node being deleted or tainted ToBeDeletedByClusterAutoscaler.
Nothing listens while the node's kube-proxy pod is not running (connection refused). The JSON
bodies are written here by hand because they must match kube-proxy's Go format strings byte
for byte (dedented, tab-indented, no trailing newline; Go's time.Time String() with its
monotonic `m=+` reading, counted from the kube-proxy container's start).

The metrics server (127.0.0.1:10249) listens, but its Prometheus text is not simulated.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from minikctl import lazy

NotSimulated = lazy.function("minikctl.net.proxy.traffic", "NotSimulated")
Response = lazy.function("minikctl.net.proxy.traffic", "Response")
_http_date = lazy.function("minikctl.net.proxy.traffic", "_http_date")
needs_health_check = lazy.function("minikctl.sim.alloc.node_port", "needs_health_check")
rules = lazy.module("minikctl.net.proxy.rules")
timeutil = lazy.module("minikctl.timeutil")

HEALTHZ_PORT = 10256
METRICS_PORT = 10249
TO_BE_DELETED_TAINT = "ToBeDeletedByClusterAutoscaler"
METRICS_NOT_SIMULATED = "minikctl: kube-proxy's metrics (127.0.0.1:10249/metrics) are not simulated"


def kube_proxy_pod(view, node: str) -> dict | None:
    """The running kube-proxy pod of `node`, or None (then nothing listens)."""
    for p in view.list("Pod", "kube-system"):
        if (p["metadata"].get("labels") or {}).get("k8s-app") == "kube-proxy" \
                and (p.get("spec") or {}).get("nodeName") == node \
                and (p.get("status") or {}).get("phase") == "Running" \
                and not p["metadata"].get("deletionTimestamp"):
            return p
    return None


def _go_time(t: float, start: float, salt: str) -> str:
    """Go's time.Time.String() of a clock.Now() reading: wall time (trailing zeros of the
    nanoseconds trimmed) plus the monotonic offset since the process started."""
    ns = int(hashlib.sha256(f"{salt}/{t}".encode()).hexdigest()[:8], 16) % 1000
    frac = int(round((t % 1) * 1_000_000)) * 1000 + ns
    wall = datetime.fromtimestamp(int(t), timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    digits = f"{frac:09d}".rstrip("0")
    mono_ns = max(0, int(round((t - start) * 1_000_000)) * 1000 + ns)
    return (f"{wall}{'.' + digits if digits else ''} +0000 UTC "
            f"m=+{mono_ns // 1_000_000_000}.{mono_ns % 1_000_000_000:09d}")


def _started(pod: dict, now: float) -> float:
    for cs in (pod.get("status") or {}).get("containerStatuses") or []:
        t = timeutil.parse(((cs.get("state") or {}).get("running") or {}).get("startedAt"))
        if t is not None:
            return t
    return timeutil.parse((pod.get("status") or {}).get("startTime")) or now


def _json(view, code: int, body: str):
    reason = "OK" if code == 200 else "Service Unavailable"
    return Response(code, reason, body, [("Content-Type", "application/json"), ("X-Content-Type-Options", "nosniff"),
                                         ("Date", _http_date(view.now)), ("Content-Length", str(len(body.encode())))])


def _not_found(view):
    body = "404 page not found\n"
    return Response(404, "Not Found", body, [("Content-Type", "text/plain; charset=utf-8"),
                                             ("X-Content-Type-Options", "nosniff"), ("Date", _http_date(view.now)),
                                             ("Content-Length", str(len(body)))])


def node_eligible(view, node: str) -> bool:
    """proxierHealthServer.SyncNode: a node being deleted or drained by the autoscaler is not."""
    obj = view.get("Node", None, node) or {}
    if obj.get("metadata", {}).get("deletionTimestamp"):
        return False
    return not any(t.get("key") == TO_BE_DELETED_TAINT for t in (obj.get("spec") or {}).get("taints") or [])


def local_ready_endpoints(view, svc: dict, node: str) -> int:
    """EndpointsMap.LocalReadyEndpoints for one Service: distinct ready endpoint IPs on `node`."""
    return len({e.ip for sp in rules.service_ports(view, svc) for e in sp.endpoints if e.ready and e.node == node})


def health_checked(view) -> dict[int, dict]:
    """healthCheckNodePort -> Service, for the Services kube-proxy runs a health server for."""
    return {int(s["spec"]["healthCheckNodePort"]): s for s in view.list("Service")
            if needs_health_check(s) and (s.get("spec") or {}).get("healthCheckNodePort")}


def answer(view, node: str, port: int, path: str, loopback: bool):
    """What kube-proxy on `node` answers an HTTP GET to port/path: a Response, a NotSimulated
    note, or None when kube-proxy does not listen there (the caller refuses the connection)."""
    pod = kube_proxy_pod(view, node)
    if pod is None:
        return None
    if port == HEALTHZ_PORT:
        route = path.split("?", 1)[0]
        if route not in ("/healthz", "/livez"):
            return _not_found(view)
        start = _started(pod, view.now)
        stamp = _go_time(view.now, start, node)
        if route == "/livez":
            return _json(view, 200, f'{{"lastUpdated": "{stamp}","currentTime": "{stamp}"}}')
        eligible = node_eligible(view, node)
        return _json(view, 200 if eligible else 503,
                     f'{{"lastUpdated": "{stamp}","currentTime": "{stamp}", '
                     f'"nodeEligible": {"true" if eligible else "false"}}}')
    if port == METRICS_PORT and loopback:
        return NotSimulated(METRICS_NOT_SIMULATED)
    svc = health_checked(view).get(port)
    if svc is None:
        return None
    count = local_ready_endpoints(view, svc, node)
    meta = svc["metadata"]
    body = ("{\n"
            "\t\"service\": {\n"
            f"\t\t\"namespace\": \"{meta.get('namespace') or 'default'}\",\n"
            f"\t\t\"name\": \"{meta['name']}\"\n"
            "\t},\n"
            f"\t\"localEndpoints\": {count},\n"
            "\t\"serviceProxyHealthy\": true\n"
            "}")
    return _json(view, 200 if count else 503, body)
