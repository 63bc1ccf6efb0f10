"""metrics.k8s.io/v1beta1, as metrics-server serves it through the aggregator: NodeMetrics and
PodMetrics computed by the simulated metrics-server (sim/metrics.py), so the real `kubectl top`
works through serve. The group is in discovery, and its paths answer, only while the
metrics-server addon has an available replica (sim/metrics.available), as on a real cluster
where the APIService is unavailable until then (503 ServiceUnavailable).
"""
from __future__ import annotations

from minikctl.apiserver.request import Request, Response, json_response
from minikctl.apiserver.status import fail
from minikctl import lazy

matches = lazy.function("minikctl.api.selectors", "matches")
method_not_allowed = lazy.function("minikctl.apiserver.status", "method_not_allowed")
metrics = lazy.module("minikctl.sim.metrics")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
parse_selector = lazy.function("minikctl.api.selectors", "parse_selector")
timeutil = lazy.module("minikctl.timeutil")

GROUP, VERSION = "metrics.k8s.io", "v1beta1"
GV = f"{GROUP}/{VERSION}"
PREFIX = f"/apis/{GV}"


def available(env) -> bool:
    with open_cluster(env) as cluster:
        return metrics.available(cluster)


def api_group() -> dict:
    gv = {"groupVersion": GV, "version": VERSION}
    return {"kind": "APIGroup", "apiVersion": "v1", "name": GROUP, "versions": [gv], "preferredVersion": gv}


def resource_list() -> dict:
    verbs = ["get", "list"]
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": GV, "resources": [
        {"name": "nodes", "singularName": "", "namespaced": False, "kind": "NodeMetrics", "verbs": verbs},
        {"name": "pods", "singularName": "", "namespaced": True, "kind": "PodMetrics", "verbs": verbs}]}


def aggregated_group() -> dict:
    def res(plural, kind, scope):
        return {"resource": plural, "responseKind": {"group": GROUP, "version": VERSION, "kind": kind},
                "scope": scope, "singularResource": "", "verbs": ["get", "list"]}
    return {"metadata": {"name": GROUP, "creationTimestamp": None},
            "versions": [{"version": VERSION, "freshness": "Current",
                          "resources": [res("nodes", "NodeMetrics", "Cluster"), res("pods", "PodMetrics", "Namespaced")]}]}


def _q(m: int, b: int) -> dict:
    """metrics-server's quantities: CPU in nanocores, memory in Ki."""
    return {"cpu": f"{m * 1000000}n", "memory": f"{b // 1024}Ki"}


def _stamp(cluster) -> str:
    return timeutil.fmt(int(cluster.now // metrics.SCRAPE) * metrics.SCRAPE)


def _meta(obj: dict, now: str) -> dict:
    md = {"name": obj["metadata"]["name"]}
    if obj["metadata"].get("namespace"):
        md["namespace"] = obj["metadata"]["namespace"]
    md["creationTimestamp"] = now
    if obj["metadata"].get("labels"):
        md["labels"] = obj["metadata"]["labels"]
    return md


def node_metrics(cluster, node: dict, now: str) -> dict:
    cpu, mem = metrics.node_usage(cluster, node)
    return {"kind": "NodeMetrics", "apiVersion": GV, "metadata": _meta(node, now), "timestamp": _stamp(cluster),
            "window": "15s", "usage": _q(cpu, mem)}


def pod_metrics(cluster, pod: dict, now: str) -> dict | None:
    cs = metrics.container_usage(cluster, pod)
    if cs is None:
        return None
    return {"kind": "PodMetrics", "apiVersion": GV, "metadata": _meta(pod, now), "timestamp": _stamp(cluster),
            "window": "15s", "containers": [{"name": n, "usage": _q(m, b)} for n, m, b in cs]}


def respond(req: Request, env) -> Response | None:
    """A path under /apis/metrics.k8s.io, or None when it is not one."""
    p = req.path.rstrip("/")
    if p != "/apis/metrics.k8s.io" and not p.startswith("/apis/metrics.k8s.io/"):
        return None
    with open_cluster(env) as cluster:
        if not metrics.available(cluster):
            return None          # no APIService: the group does not exist
        if p == "/apis/metrics.k8s.io":
            return json_response(api_group())
        if p == PREFIX:
            return json_response(resource_list())
        if req.method not in ("GET", "HEAD"):
            raise method_not_allowed(req.method)
        rest = p[len(PREFIX) + 1:].split("/") if p.startswith(PREFIX + "/") else []
        ns = None
        if len(rest) >= 3 and rest[0] == "namespaces":
            ns, rest = rest[1], rest[2:]
        if not rest or len(rest) > 2 or rest[0] not in ("nodes", "pods") or (rest[0] == "nodes" and ns):
            return None
        now = timeutil.fmt(cluster.now)
        sel = req.q("labelSelector")
        want = parse_selector(sel) if sel else None
        if rest[0] == "nodes":
            nodes = cluster.list("Node")
            if len(rest) == 2:
                node = cluster.get("Node", None, rest[1])
                if node is None:
                    raise fail("NotFound", f'nodemetrics.metrics.k8s.io "{rest[1]}" not found', 404,
                               {"name": rest[1], "group": GROUP, "kind": "nodes"})
                return json_response(node_metrics(cluster, node, now))
            items = [node_metrics(cluster, n, now) for n in nodes
                     if want is None or matches(want, n["metadata"].get("labels"))]
            return json_response({"kind": "NodeMetricsList", "apiVersion": GV, "metadata": {}, "items": items})
        if len(rest) == 2:
            pod = cluster.get("Pod", ns, rest[1]) if ns else None
            got = pod_metrics(cluster, pod, now) if pod else None
            if got is None:
                raise fail("NotFound", f'podmetrics.metrics.k8s.io "{ns}/{rest[1]}" not found', 404,
                           {"name": rest[1], "group": GROUP, "kind": "pods"})
            return json_response(got)
        items = []
        for pod in cluster.list("Pod", ns):
            if want is not None and not matches(want, pod["metadata"].get("labels")):
                continue
            got = pod_metrics(cluster, pod, now)
            if got is not None:
                items.append(got)
        return json_response({"kind": "PodMetricsList", "apiVersion": GV, "metadata": {}, "items": items})
