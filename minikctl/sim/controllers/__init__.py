"""The controllers: each reads objects, writes objects, schedules timers.

`settle` runs them all until a pass changes nothing (a fixed point), as the real controllers
would converge between two kubectl commands; `fire` dispatches a due timer to its owner.
"""
from __future__ import annotations

from minikctl.sim.controllers import (apiserver_endpoints, daemonset, deployment, endpoints, endpointslice, gc,
                                      gateway, image_pull, ingress_nginx, job, kubelet, namespace, nodelifecycle, pod_config, probes,
                                      replicaset, scheduler, statefulset)

CONTROLLERS = (namespace, gc, nodelifecycle, deployment, replicaset, statefulset, daemonset, job, scheduler, kubelet,
               endpoints, endpointslice, apiserver_endpoints, ingress_nginx, gateway)

TIMERS = {
    "pod-start": kubelet.on_start,
    "container-exit": kubelet.on_exit,
    "container-restart": kubelet.on_restart,
    "pod-remove": kubelet.on_remove,
    "image-sync": image_pull.on_sync,
    probes.TIMER: probes.on_probe,
    "volume-retry": pod_config.on_volume_retry,
    "config-sync": pod_config.on_sync,
    apiserver_endpoints.TIMER: apiserver_endpoints.on_timer,
    nodelifecycle.TIMER: nodelifecycle.on_timer,
    job.TIMER: job.on_timer,
}


def settle(cluster, max_passes: int = 200) -> None:
    for _ in range(max_passes):
        cluster.changed = False
        for c in CONTROLLERS:
            c.reconcile(cluster)
        if not cluster.changed:
            cluster.settled = True
            return


def fire(cluster, what: str, payload: dict) -> None:
    handler = TIMERS.get(what)
    if handler:
        handler(cluster, payload)
