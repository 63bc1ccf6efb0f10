"""The apiserver's own `kubernetes` Service: deleted, it comes back at the next reconcile tick.

Why: a real kube-apiserver runs a controller (controlplane/controller/kubernetesservice) that every
10 s makes sure `default/kubernetes` (ClusterIP: the first address of the service CIDR, https 443
-> 6443) and its Endpoints/EndpointSlice naming the control-plane exist. A learner who deletes it
sees it back within seconds, with a new uid and age. The objects are bootstrap's
(`bootstrap.apiserver_service`), so kubeadm init and this repair build the same thing.
"""
from __future__ import annotations

import math
from minikctl import lazy

bootstrap = lazy.module("minikctl.sim.bootstrap")

TIMER = "apiserver-endpoints"
INTERVAL = 10.0
KINDS = ("Service", "Endpoints", "EndpointSlice")


def _missing(cluster) -> bool:
    return any(cluster.get(k, "default", "kubernetes") is None for k in KINDS)


def reconcile(cluster) -> None:
    if not cluster.meta.get("profile") or not _missing(cluster):
        return
    if any(t[2] == TIMER for t in cluster.timers):
        return
    due = (math.floor(cluster.now / INTERVAL) + 1) * INTERVAL   # the controller's next 10 s tick
    cluster.schedule(due, TIMER, {})


def on_timer(cluster, _payload: dict) -> None:
    if _missing(cluster) and cluster.get("Namespace", None, "default") is not None:
        bootstrap.apiserver_service(cluster, cluster.profile)
