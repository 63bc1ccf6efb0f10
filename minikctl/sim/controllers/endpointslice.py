"""The EndpointSlice controllers: slices `<svc>-xxxxx` for Services with a selector
(endpointslice-controller), and mirrored slices for selectorless Services whose Endpoints were
written by hand (endpointslicemirroring-controller)."""
from __future__ import annotations

from minikctl.api import server

from minikctl.api.conditions import is_ready
from minikctl.sim import names
from minikctl.sim.controllers.common import guard, is_terminating
from minikctl.sim.controllers.endpoints import resolve_target_port, selected_pods, should_set_hostname

MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
CONTROLLER = "endpointslice-controller.k8s.io"
MIRROR = "endpointslicemirroring-controller.k8s.io"


def _slice_ports(svc, pod=None, ports=None) -> list[dict]:
    out = []
    for sp in (svc["spec"].get("ports") or []) if ports is None else ports:
        tp = resolve_target_port(sp, pod) if pod is not None else sp.get("port")
        if tp is None:
            continue
        out.append({"name": sp.get("name", ""), "port": tp, "protocol": sp.get("protocol", "TCP")})
    return out


def _endpoint(pod, svc, publish: bool) -> dict:
    ready = is_ready(pod)
    term = is_terminating(pod)
    ep = {"addresses": [pod["status"]["podIP"]],
          "conditions": {"ready": publish or (ready and not term), "serving": ready, "terminating": term}}
    if should_set_hostname(pod, svc):
        ep["hostname"] = pod["spec"]["hostname"]
    ep["nodeName"] = pod["spec"]["nodeName"]
    ep["targetRef"] = {"kind": "Pod", "namespace": pod["metadata"]["namespace"], "name": pod["metadata"]["name"],
                       "uid": pod["metadata"]["uid"]}
    return ep


def _desired(cluster, svc) -> list[tuple[list[dict], list[dict]]]:
    """[(ports, endpoints)]: one slice per distinct resolved port set."""
    publish = bool(svc["spec"].get("publishNotReadyAddresses"))
    groups: dict[tuple, tuple[list, list]] = {}
    for pod in selected_pods(cluster, svc):
        ports = _slice_ports(svc, pod)
        key = tuple((p["name"], p["port"], p["protocol"]) for p in ports)
        groups.setdefault(key, (ports, []))[1].append(_endpoint(pod, svc, publish))
    if not groups:                  # no pods: one empty slice with no ports, as the controller writes
        groups[()] = ([], [])
    return [groups[k] for k in sorted(groups)]


def _labels(svc, managed_by) -> dict:
    labels = dict(svc["metadata"].get("labels") or {})
    labels[MANAGED_BY] = managed_by
    labels["kubernetes.io/service-name"] = svc["metadata"]["name"]
    if svc["spec"].get("clusterIP") == "None":
        labels["service.kubernetes.io/headless"] = ""
    return labels


def _slices_by_service(cluster) -> dict[tuple[str, str, str], list[dict]]:
    """(namespace, service name, managed-by) -> that Service's slices, in list order."""
    out: dict[tuple[str, str, str], list[dict]] = {}
    for s in cluster.list("EndpointSlice"):
        labels = s["metadata"].get("labels") or {}
        key = (s["metadata"]["namespace"], labels.get("kubernetes.io/service-name"), labels.get(MANAGED_BY))
        out.setdefault(key, []).append(s)
    return out


def _sync(cluster, svc, desired, managed_by, slices: dict) -> None:
    ns, name = svc["metadata"]["namespace"], svc["metadata"]["name"]
    existing = slices.get((ns, name, managed_by), [])
    labels = _labels(svc, managed_by)
    for i, (ports, eps) in enumerate(desired):
        if i < len(existing):
            s = existing[i]
            if s.get("endpoints") != (eps or None) or s.get("ports") != ports or s["metadata"].get("labels") != labels:
                if eps:
                    s["endpoints"] = eps
                else:
                    s.pop("endpoints", None)
                s["ports"] = ports
                s["metadata"]["labels"] = labels
                s["metadata"].setdefault("annotations", {})["endpoints.kubernetes.io/last-change-trigger-time"] = cluster.timestamp()
                server.update_internal(cluster, s)
            continue
        body = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": {"name": names.generate_name(name + "-", cluster.rng), "namespace": ns, "labels": labels,
                             "annotations": {"endpoints.kubernetes.io/last-change-trigger-time": cluster.timestamp()},
                             "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": name,
                                                  "uid": svc["metadata"]["uid"], "controller": True,
                                                  "blockOwnerDeletion": True}]},
                "addressType": "IPv4", "ports": ports}
        if eps:
            body["endpoints"] = eps
        server.create_internal(cluster, body)
    for s in existing[len(desired):]:
        server.remove_internal(cluster, s)


def reconcile(cluster) -> None:
    slices = _slices_by_service(cluster)
    for svc in cluster.list("Service"):
        spec = svc["spec"]
        if spec.get("type") == "ExternalName":
            continue
        if spec.get("selector"):
            guard(cluster, "endpointslice", svc, lambda: _sync(cluster, svc, _desired(cluster, svc), CONTROLLER, slices))
        elif svc["metadata"]["name"] != "kubernetes" or svc["metadata"]["namespace"] != "default":
            ep = cluster.get("Endpoints", svc["metadata"]["namespace"], svc["metadata"]["name"])
            if ep is None:
                continue
            desired = []
            for subset in ep.get("subsets") or []:
                ports = [{"name": p.get("name", ""), "port": p["port"], "protocol": p.get("protocol", "TCP")}
                         for p in subset.get("ports") or []]
                eps = [{"addresses": [a["ip"]], "conditions": {"ready": True},
                        **({"hostname": a["hostname"]} if a.get("hostname") else {}),
                        **({"nodeName": a["nodeName"]} if a.get("nodeName") else {})}
                       for a in subset.get("addresses") or []]
                eps += [{"addresses": [a["ip"]], "conditions": {"ready": False}} for a in subset.get("notReadyAddresses") or []]
                desired.append((ports, eps))
            _sync(cluster, svc, desired, MIRROR, slices)
