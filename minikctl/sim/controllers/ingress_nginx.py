"""The ingress-nginx controller's writes: status.loadBalancer of the Ingresses of class nginx,
and its `Sync` events.

On bare metal (a NodePort Service, no --publish-service) the controller publishes the
addresses of the nodes its ready pods run on, which is what `get ingress` shows as ADDRESS;
with no ready controller pod nothing is written. Each new or changed Ingress gets the
controller's event `Normal  Sync  Scheduled for sync` from nginx-ingress-controller.
Simplification: status is written at the next settle, not at the controller's sync period.
"""
from __future__ import annotations

import copy

from minikctl.api import server
from minikctl import lazy

R = lazy.module("minikctl.net.proxy.rules")
is_controller_image = lazy.function("minikctl.net.ingress_nginx", "is_controller_image")
is_ready = lazy.function("minikctl.api.conditions", "is_ready")
served_ingresses = lazy.function("minikctl.net.ingress_nginx", "served_ingresses")


def _controller_nodes(cluster) -> list[str]:
    ips = set()
    for p in cluster.list("Pod", "ingress-nginx"):
        cs = (p.get("spec") or {}).get("containers") or []
        if not any(is_controller_image(c.get("image") or "") for c in cs):
            continue
        if (p.get("status") or {}).get("phase") == "Running" and is_ready(p) and not p["metadata"].get("deletionTimestamp"):
            node = (p.get("spec") or {}).get("nodeName")
            if node:
                ips.add(R.node_ip(cluster, node))
    return sorted(i for i in ips if i)


def reconcile(cluster) -> None:
    if cluster.get("IngressClass", None, "nginx") is None:
        return
    ingresses = served_ingresses(cluster)
    if not ingresses:
        return
    ips = _controller_nodes(cluster)
    want = {"loadBalancer": {"ingress": [{"ip": ip} for ip in ips]} if ips else {}}
    synced = cluster.meta.setdefault("ingressNginxSynced", {})
    for ing in ingresses:
        m = ing["metadata"]
        key = m["uid"]
        if ips and synced.get(key) != m.get("generation", 1):
            synced[key] = m.get("generation", 1)
            cluster.record_event(ing, "Normal", "Sync", "Scheduled for sync", "nginx-ingress-controller")
        if (ing.get("status") or {}) != want and (ips or (ing.get("status") or {}).get("loadBalancer")):
            new = copy.deepcopy(ing)
            new["status"] = copy.deepcopy(want)
            server.update_internal(cluster, new)
