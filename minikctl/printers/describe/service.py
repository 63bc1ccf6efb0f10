"""describe service (describeService). Version deltas (kubectl-formats.md section 9): the
Endpoints line comes from the Endpoints object up to 1.30 and from EndpointSlices from 1.31
(ready endpoints only from 1.32); Internal Traffic Policy appears from 1.31; the
loadBalancerIP line is labelled `IP:` up to 1.30."""
from __future__ import annotations

from minikctl.api.selectors import format_labels
from minikctl.printers.describe import (Writer, annotations_multiline, describe_events, events_for, g,
                                        labels_multiline)
from minikctl.printers.table import format_endpoints
from minikctl.sim.profile import kube_version

SERVICE_NAME_LABEL = "kubernetes.io/service-name"


def _join_host_port(ip: str, port) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def format_endpoint_slices(slices: list[dict], port_name: str | None, ready_only: bool) -> str:
    """formatEndpointSlices: max 3 then ' + N more...'; '<none>' without slices.

    Mirrors kubectl's loop exactly, including that `more` is set before the readiness check.
    """
    if not slices:
        return "<none>"
    items: list[str] = []
    more, count = False, 0

    def ready(ep: dict) -> bool:
        r = g(ep, "conditions", "ready")
        return not ready_only or r is None or r

    for s in slices:
        ports = s.get("ports") or []
        if not ports:
            for ep in s.get("endpoints") or []:
                if len(items) == 3:
                    more = True
                if not ready(ep):
                    continue
                if not more:
                    items.append((ep.get("addresses") or [""])[0])
                count += 1
            continue
        for p in ports:
            if port_name is None or (p.get("name") or "") == port_name:
                for ep in s.get("endpoints") or []:
                    if len(items) == 3:
                        more = True
                    if not ready(ep):
                        continue
                    if not more:
                        items.append(_join_host_port((ep.get("addresses") or [""])[0], p.get("port")))
                    count += 1
    text = ",".join(items)
    return f"{text} + {count - 3} more..." if more else text


def _ingress_string(ingress: list[dict], minor: int) -> str:
    parts = []
    for ing in ingress:
        if ing.get("ip"):
            mode = f" ({ing['ipMode']})" if ing.get("ipMode") and minor >= 31 else ""
            parts.append(ing["ip"] + mode)
        else:
            parts.append(ing.get("hostname") or "")
    return ", ".join(parts)


def describe(svc: dict, view) -> str:
    meta, spec = svc.get("metadata") or {}, svc.get("spec") or {}
    ns, name = meta.get("namespace") or "", meta.get("name")
    minor = kube_version(view.profile)[1]
    w = Writer()
    w.write(0, f"Name:\t{name}\n")
    w.write(0, f"Namespace:\t{ns}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    w.write(0, f"Type:\t{spec.get('type') or ''}\n")
    if spec.get("ipFamilyPolicy"):
        w.write(0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    fams = spec.get("ipFamilies") or []
    w.write(0, f"IP Families:\t{','.join(fams) if fams else '<none>'}\n")
    w.write(0, f"IP:\t{spec.get('clusterIP') or ''}\n")
    ips = spec.get("clusterIPs") or []
    w.write(0, f"IPs:\t{','.join(ips) if ips else '<none>'}\n")
    if spec.get("externalIPs"):
        w.write(0, f"External IPs:\t{','.join(spec['externalIPs'])}\n")
    if spec.get("loadBalancerIP"):
        label = "Desired LoadBalancer IP" if minor >= 31 else "IP"
        w.write(0, f"{label}:\t{spec['loadBalancerIP']}\n")
    if spec.get("externalName"):
        w.write(0, f"External Name:\t{spec['externalName']}\n")
    ingress = g(svc, "status", "loadBalancer", "ingress") or []
    if ingress:
        w.write(0, f"LoadBalancer Ingress:\t{_ingress_string(ingress, minor)}\n")
    if minor >= 31:
        slices = [s for s in view.list("EndpointSlice", ns)
                  if (g(s, "metadata", "labels") or {}).get(SERVICE_NAME_LABEL) == name]
        endpoints = view.get("Endpoints", ns, name)
    else:
        slices, endpoints = [], view.get("Endpoints", ns, name)
    for sp in spec.get("ports") or []:
        pname = sp.get("name") or ""
        proto = sp.get("protocol") or "TCP"
        shown = pname or "<unset>"
        w.write(0, f"Port:\t{shown}\t{sp.get('port')}/{proto}\n")
        tp = sp.get("targetPort", sp.get("port"))
        w.write(0, f"TargetPort:\t{tp}/{proto}\n")
        if int(sp.get("nodePort") or 0) != 0:
            w.write(0, f"NodePort:\t{shown}\t{sp['nodePort']}/{proto}\n")
        if minor >= 31:
            eps = format_endpoint_slices(slices, pname, ready_only=minor >= 32)
        else:
            eps = format_endpoints(endpoints or {}, {pname})
        w.write(0, f"Endpoints:\t{eps}\n")
    w.write(0, f"Session Affinity:\t{spec.get('sessionAffinity') or ''}\n")
    if spec.get("externalTrafficPolicy"):
        w.write(0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    if minor >= 31 and spec.get("internalTrafficPolicy"):
        w.write(0, f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}\n")
    if int(spec.get("healthCheckNodePort") or 0) != 0:
        w.write(0, f"HealthCheck NodePort:\t{spec['healthCheckNodePort']}\n")
    if spec.get("loadBalancerSourceRanges"):
        w.write(0, f"LoadBalancer Source Ranges:\t{','.join(spec['loadBalancerSourceRanges'])}\n")
    if minor >= 31 and spec.get("trafficDistribution"):
        w.write(0, f"Traffic Distribution:\t{spec['trafficDistribution']}\n")
    describe_events(w, events_for(svc, view), view.now)
    return w.render()
