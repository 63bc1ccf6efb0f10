"""The controllers: each reads objects, writes objects, schedules timers.

`settle` runs them all until a pass changes nothing (a fixed point), as the real controllers
would converge between two kubectl commands; `fire` dispatches a due timer to its owner.
"""
from __future__ import annotations

from minikctl.sim.controllers import (common, apiserver_endpoints, clusterrole_aggregation, crd, cronjob, csr_signing,
                                      daemonset, deployment, disruption, endpoints, endpointslice, gateway, gc, hpa,
                                      image_pull, ingress_nginx, job, kubelet, namespace, nodelifecycle,
                                      persistentvolume, pod_config, probes, replicaset, resourcequota, scheduler,
                                      serviceaccount, statefulset)

CONTROLLERS = (crd, namespace, serviceaccount, clusterrole_aggregation, csr_signing, gc, nodelifecycle, deployment,
               replicaset, statefulset, daemonset, cronjob, job, persistentvolume, scheduler, kubelet, disruption,
               endpoints, endpointslice, apiserver_endpoints, hpa, ingress_nginx, gateway, resourcequota)

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
    cronjob.TIMER: cronjob.on_timer,
    hpa.TIMER: hpa.on_timer,
}


def settle(cluster, max_passes: int = 200) -> None:
    # A controller is a function of the objects (and the clock, fixed during a settle): one that
    # already ran on exactly this state (same revision) and changed nothing is not run again.
    idle_at: dict = {}
    for _ in range(max_passes):
        cluster.changed = False
        for c in CONTROLLERS:
            rev = cluster.revision
            if idle_at.get(c) == rev:
                continue
            _guarded(cluster, c.__name__.rsplit(".", 1)[-1], c.reconcile)
            if cluster.revision == rev:
                idle_at[c] = rev
        if not cluster.changed:
            cluster.settled = True
            return


def fire(cluster, what: str, payload: dict) -> None:
    handler = TIMERS.get(what)
    if handler:
        _guarded(cluster, what, handler, payload)


def _guarded(cluster, name: str, fn, *args) -> None:
    """Run one controller pass or one timer. A failure (a simulation bug, or an object the
    apiserver accepted that a controller did not expect) must not wedge the store: every later
    command, `delete` included, would die on the same object. So the failure is reported as a
    log line (once per command) and, for a timer about an object, as a Warning event on that
    object; the other controllers and timers go on."""
    try:
        fn(cluster, *args)
    except Exception as e:  # noqa: BLE001 - the point is to survive any controller bug
        _report(cluster, name, e, args[0] if args and isinstance(args[0], dict) else None)


def _report(cluster, name: str, e: Exception, ref: dict | None) -> None:
    obj = None
    if ref and isinstance(ref.get("name"), str):  # a timer about a pod: the event goes on the pod
        obj = cluster.get("Pod", ref.get("namespace"), ref["name"])
    common.report_failure(cluster, name, e, obj)
