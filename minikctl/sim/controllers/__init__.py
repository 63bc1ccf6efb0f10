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
from minikctl import lazy

kubelet_host = lazy.module("minikctl.sim.nodehost.kubelet_host")
units = lazy.module("minikctl.sim.nodehost.units")

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
    nodelifecycle.MONITOR_TIMER: nodelifecycle.on_monitor,
    job.TIMER: job.on_timer,
    cronjob.TIMER: cronjob.on_timer,
    hpa.TIMER: hpa.on_timer,
    "kubelet-restart": lambda cluster, ref: _units().on_restart_timer(cluster, ref),
}

# the kubelet's own timers: they wait while the pod's node has no running kubelet
KUBELET_TIMERS = {"pod-start", "container-exit", "container-restart", "pod-remove", "image-sync", probes.TIMER,
                  "volume-retry", "config-sync"}


def _units():
    return units


def settle(cluster, max_passes: int = 200) -> None:
    # A controller is a function of the objects (and the clock, fixed during a settle): one that
    # already ran on exactly this state (same revision) and changed nothing is not run again.
    idle_at: dict = {}
    stopped = _stopped_components(cluster)
    if stopped is None:
        cluster.settled = True
        return
    for _ in range(max_passes):
        cluster.changed = False
        for c in CONTROLLERS:
            rev = cluster.revision
            if idle_at.get(c) == rev or (stopped and c in stopped):
                continue
            _guarded(cluster, c.__name__.rsplit(".", 1)[-1], c.reconcile)
            if cluster.revision == rev:
                idle_at[c] = rev
        if not cluster.changed:
            cluster.settled = True
            return


# who runs each controller: kube-scheduler, the kubelets, the apiserver itself, the add-ons;
# every other one is kube-controller-manager's
NOT_KCM = {scheduler, kubelet, apiserver_endpoints, ingress_nginx, gateway}


def _stopped_components(cluster):
    """The controllers whose component is down (sim/nodehost/controlplane.py): None when the API
    server is (nothing moves), else a set (empty when all run)."""
    down = cluster.meta.get("controlPlane") if isinstance(getattr(cluster, "meta", None), dict) else None
    if not down:
        return set()
    if down.get("kube-apiserver") or down.get("etcd"):
        return None
    out = set()
    if down.get("kube-scheduler"):
        out.add(scheduler)
    if down.get("kube-controller-manager"):
        out |= {c for c in CONTROLLERS if c not in NOT_KCM}
    return out


def fire(cluster, what: str, payload: dict) -> None:
    handler = TIMERS.get(what)
    if handler and what in KUBELET_TIMERS and cluster.meta.get("nodeUnits"):
        pod = cluster.get("Pod", payload.get("namespace"), payload.get("name") or "") if isinstance(payload, dict) else None
        node = ((pod or {}).get("spec") or {}).get("nodeName")
        if kubelet_host.kubelet_down(cluster, node):
            kubelet_host.defer(cluster, node, what, payload)
            return
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
