"""The Endpoints controller: for each Service with a selector, the IPs of matching pods,
ready ones in `addresses`, others in `notReadyAddresses`, ports resolved per pod (named
targetPorts look up the pod's container port of that name, so pods may differ)."""
from __future__ import annotations

from minikctl.api import server

import ipaddress

from minikctl.api.conditions import is_ready
from minikctl.api.selectors import service_selects
from minikctl.sim.controllers.common import guard, is_terminating


def resolve_target_port(svc_port: dict, pod: dict) -> int | None:
    tp = svc_port.get("targetPort", svc_port.get("port"))
    if isinstance(tp, int) or (isinstance(tp, str) and tp.isdigit()):
        return int(tp)
    for c in pod["spec"].get("containers") or []:
        for p in c.get("ports") or []:
            if p.get("name") == tp and p.get("protocol", "TCP") == svc_port.get("protocol", "TCP"):
                return int(p["containerPort"])
    return None


def _label_index(cluster) -> dict:
    """(namespace, key, value) -> pods with an IP that are not finished, in list order."""
    index: dict[tuple, list[dict]] = {}
    for p in cluster.list("Pod"):
        st = p.get("status") or {}
        if not st.get("podIP") or st.get("phase") in ("Succeeded", "Failed"):
            continue
        ns = p["metadata"]["namespace"]
        for k, v in (p["metadata"].get("labels") or {}).items():
            index.setdefault((ns, k, v), []).append(p)
    return index


def selected_pods(cluster, svc: dict) -> list[dict]:
    """Pods a Service's selector picks (with an IP, not finished), via a label index."""
    sel = svc["spec"].get("selector")
    if not sel:
        return []
    ns = svc["metadata"]["namespace"]
    if hasattr(cluster, "memo"):
        index = cluster.memo("pod-labels", ("Pod",), lambda: _label_index(cluster))
    else:
        index = _label_index(cluster)
    k0, v0 = next(iter(sel.items()))
    return [p for p in index.get((ns, k0, v0), []) if service_selects(sel, p["metadata"].get("labels"))]


def should_set_hostname(pod: dict, svc: dict) -> bool:
    spec = pod["spec"]
    return bool(spec.get("hostname")) and spec.get("subdomain") == svc["metadata"]["name"] \
        and pod["metadata"]["namespace"] == svc["metadata"]["namespace"]


def _address(pod: dict, svc: dict) -> dict:
    a = {"ip": pod["status"]["podIP"]}
    if should_set_hostname(pod, svc):
        a["hostname"] = pod["spec"]["hostname"]
    a["nodeName"] = pod["spec"]["nodeName"]
    a["targetRef"] = {"kind": "Pod", "namespace": pod["metadata"]["namespace"], "name": pod["metadata"]["name"],
                      "uid": pod["metadata"]["uid"]}
    return a


def _ip_key(a):
    return ipaddress.ip_address(a["ip"]).packed


def build_subsets(cluster, svc: dict) -> list[dict]:
    """Group pods by their resolved port list (RepackSubsets), sorted as the controller sorts."""
    publish = bool(svc["spec"].get("publishNotReadyAddresses"))
    groups: dict[tuple, dict] = {}
    for pod in selected_pods(cluster, svc):
        ports = []
        for sp in svc["spec"].get("ports") or []:
            tp = resolve_target_port(sp, pod)
            if tp is None:
                continue
            ep = {"port": tp, "protocol": sp.get("protocol", "TCP")}
            if sp.get("name"):
                ep = {"name": sp["name"], **ep}
            ports.append(ep)
        if svc["spec"].get("ports") and not ports:
            continue
        key = tuple(sorted((p.get("name", ""), p["port"], p["protocol"]) for p in ports))
        g = groups.setdefault(key, {"addresses": [], "notReadyAddresses": [], "ports": ports})
        ready = (is_ready(pod) and not is_terminating(pod)) or publish
        if is_terminating(pod) and not publish:
            continue
        g["addresses" if ready else "notReadyAddresses"].append(_address(pod, svc))
    subsets = []
    for key in sorted(groups):
        g = groups[key]
        s = {}
        if g["addresses"]:
            s["addresses"] = sorted(g["addresses"], key=_ip_key)
        if g["notReadyAddresses"]:
            s["notReadyAddresses"] = sorted(g["notReadyAddresses"], key=_ip_key)
        if not s:
            continue
        if g["ports"]:
            s["ports"] = sorted(g["ports"], key=lambda p: (p.get("name", ""), p["port"]))
        subsets.append(s)
    return subsets


def reconcile(cluster) -> None:
    for svc in cluster.list("Service"):
        guard(cluster, "endpoints", svc, _sync_service, cluster, svc)


def _sync_service(cluster, svc: dict) -> None:
    spec = svc["spec"]
    if not spec.get("selector") or spec.get("type") == "ExternalName":
        return
    ns, name = svc["metadata"]["namespace"], svc["metadata"]["name"]
    subsets = build_subsets(cluster, svc)
    labels = dict(svc["metadata"].get("labels") or {})
    if spec.get("clusterIP") == "None":
        labels["service.kubernetes.io/headless"] = ""
    ep = cluster.get("Endpoints", ns, name)
    if ep is None:
        body = {"apiVersion": "v1", "kind": "Endpoints",
                "metadata": {"name": name, "namespace": ns, "labels": labels,
                             "annotations": {"endpoints.kubernetes.io/last-change-trigger-time": cluster.timestamp()}}}
        if subsets:
            body["subsets"] = subsets
        if not labels:
            del body["metadata"]["labels"]
        server.create_internal(cluster, body)
        return
    if (ep.get("subsets") or []) != subsets or (ep["metadata"].get("labels") or {}) != labels:
        if subsets:
            ep["subsets"] = subsets
        else:
            ep.pop("subsets", None)
        if labels:
            ep["metadata"]["labels"] = labels
        else:
            ep["metadata"].pop("labels", None)
        ep["metadata"].setdefault("annotations", {})["endpoints.kubernetes.io/last-change-trigger-time"] = cluster.timestamp()
        server.update_internal(cluster, ep)

