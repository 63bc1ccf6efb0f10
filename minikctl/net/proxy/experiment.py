"""The `minikctl traffic` experiment around traffic.connect: who sends, to what, and why the
connections spread the way they did.

Why not in the verb: choosing a client pod (or a throwaway busybox with the IP Calico would give
it), naming the target as the client types it, and reading the spread back from the Service and
kube-proxy's mode are cluster knowledge; cli/net_cmd.py only parses flags and prints the chart.
"""
from __future__ import annotations

from minikctl.api.errors import CliError, not_found
import copy
from minikctl import lazy

ipam = lazy.module("minikctl.sim.alloc.ipam")
node_mode = lazy.function("minikctl.net.proxy.mode", "node_mode")


def _running(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") == "Running" and not pod["metadata"].get("deletionTimestamp")


def throwaway_client(cluster, namespace: str) -> dict:
    """`kubectl run tmp --rm --image=busybox` without storing it: a busybox pod on the least busy
    schedulable worker, with the pod IP Calico would hand it (the IPAM cursor is put back)."""
    nodes = [n for n in cluster.list("Node") if not any(t.get("effect") == "NoSchedule"
                                                       for t in (n.get("spec") or {}).get("taints") or [])]
    if not nodes:
        raise CliError("no schedulable node for a traffic client; use --from POD")
    load = {n["metadata"]["name"]: 0 for n in nodes}
    for p in cluster.list("Pod"):
        node = (p.get("spec") or {}).get("nodeName")
        if node in load:
            load[node] += 1
    node = min(load, key=lambda n: (load[n], n))
    saved = copy.deepcopy(cluster.meta.get("ipam"))
    ip = ipam.allocate(cluster, node)
    if saved is None:
        cluster.meta.pop("ipam", None)
    else:
        cluster.meta["ipam"] = saved
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "traffic-client", "namespace": namespace},
            "spec": {"nodeName": node, "dnsPolicy": "ClusterFirst", "restartPolicy": "Never",
                     "containers": [{"name": "traffic-client", "image": "busybox:1.28"}]},
            "status": {"phase": "Running", "podIP": ip}}


def pick_client(cluster, namespace: str, from_pod: str | None) -> dict:
    if from_pod:
        name = from_pod.split("/", 1)[1] if from_pod.startswith(("pod/", "po/", "pods/")) else from_pod
        pod = cluster.get("Pod", namespace, name)
        if pod is None:
            raise not_found("pods", name)
        if not _running(pod):
            raise CliError(f"pod {name} is not running (phase {(pod.get('status') or {}).get('phase')}); "
                           "it cannot open connections")
        return pod
    for ns in dict.fromkeys((namespace, "default")):
        pod = cluster.get("Pod", ns, "busybox")
        if pod is not None and _running(pod):
            return pod
    return throwaway_client(cluster, namespace)


def resolve_target(cluster, client: dict, namespace: str, target: str, port: int | None) -> tuple[str, int]:
    """(host as the client types it, port) for SVC, svc/SVC, POD, pod/POD, host or host:port."""
    kind = None
    if "/" in target:
        kind, target = target.split("/", 1)
        kind = {"svc": "Service", "service": "Service", "services": "Service",
                "po": "Pod", "pod": "Pod", "pods": "Pod"}.get(kind)
        if kind is None:
            raise CliError(f"traffic goes to a service, a pod or host:port, not {target!r}")
    if ":" in target and kind is None:
        host, _, p = target.rpartition(":")
        if not p.isdigit():
            raise CliError(f'invalid port "{p}" in {target}')
        return host, port or int(p)
    svc = cluster.get("Service", namespace, target) if kind in (None, "Service") else None
    if svc is not None:
        ports = (svc.get("spec") or {}).get("ports") or []
        client_ns = client["metadata"].get("namespace") or "default"
        host = target if client_ns == namespace else f"{target}.{namespace}"
        return host, port or (int(ports[0]["port"]) if ports else 80)
    pod = cluster.get("Pod", namespace, target) if kind in (None, "Pod") else None
    if pod is not None:
        ip = (pod.get("status") or {}).get("podIP")
        if not ip:
            raise CliError(f"pod {target} has no IP yet")
        declared = [p.get("containerPort") for c in pod["spec"].get("containers") or [] for p in c.get("ports") or []]
        return ip, port or (int(declared[0]) if declared and declared[0] else 80)
    if kind == "Service":
        raise not_found("services", target)
    if kind == "Pod":
        raise not_found("pods", target)
    return target, port or 80


def explain_spread(view, outcomes, svc: dict | None) -> str:
    """One line on what decided the spread, from the outcomes, the Service and the profile."""
    vias = {o.via for o in outcomes if o.via}
    mode = node_mode(view)
    spec = (svc or {}).get("spec") or {}
    if vias & {"cluster IP", "node port", "external IP", "loadbalancer IP"}:
        via = ", ".join(sorted(vias))
        if spec.get("sessionAffinity") == "ClientIP":
            secs = ((spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}).get("timeoutSeconds", 10800)
            rule = f"sessionAffinity ClientIP: one endpoint per client IP for {secs}s"
        else:
            rule = "round robin (ipvs rr)" if mode == "ipvs" else "random per connection (iptables statistic)"
        if spec.get("internalTrafficPolicy") == "Local" and "cluster IP" in vias:
            rule += "; internalTrafficPolicy Local: only endpoints on the client's node"
        return f"kube-proxy {mode}, via {via}: {rule}"
    if vias == {"pod IP"}:
        if len({o.ip for o in outcomes}) > 1:
            return "no kube-proxy: each connection went to the first address DNS gave (headless name)"
        return "no kube-proxy: straight to the pod IP"
    return ""
