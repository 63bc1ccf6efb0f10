"""describe ingress: kubectl's describeIngressV1 (v1.32).

Each backend is shown with the ready endpoints of its Service's EndpointSlices for the port
the backend names (formatEndpointSlices, shared with describe service); a missing Service reads
`<error: services "x" not found>` as kubectl prints the GET's error. Events close it.
"""
from __future__ import annotations

from minikctl.printers.describe import (Writer, annotations_multiline, describe_events, events_for, g,
                                        labels_multiline)
from minikctl.printers.describe.service import format_endpoint_slices


def lb_addresses(ing: dict) -> str:
    """ingressLoadBalancerStatusStringerV1 (wide): sorted unique IPs or hostnames joined by ','."""
    out = set()
    for i in g(ing, "status", "loadBalancer", "ingress", default=[]) or []:
        if i.get("ip"):
            out.add(i["ip"])
        elif i.get("hostname"):
            out.add(i["hostname"])
    return ",".join(sorted(out))


def service_backend_string(svc: dict) -> str:
    port = svc.get("port") or {}
    return f"{svc.get('name', '')}:{port['number'] if port.get('number') else port.get('name', '')}"


def _backend(view, ns: str, backend: dict) -> str:
    svc_ref = backend.get("service")
    if svc_ref is not None:
        sb = service_backend_string(svc_ref)
        slices = [s for s in view.list("EndpointSlice", ns)
                  if (g(s, "metadata", "labels") or {}).get("kubernetes.io/service-name") == svc_ref.get("name")]
        svc = view.get("Service", ns, svc_ref.get("name", ""))
        if svc is None:
            return f'{sb} (<error: services "{svc_ref.get("name", "")}" not found>)'
        port = svc_ref.get("port") or {}
        sp_name = ""
        for sp in g(svc, "spec", "ports", default=[]) or []:
            if port.get("number") and port["number"] == sp.get("port"):
                sp_name = sp.get("name") or ""
            elif port.get("name") and port["name"] == sp.get("name"):
                sp_name = sp.get("name") or ""
        return f"{sb} ({format_endpoint_slices(slices, sp_name, True)})"
    res = backend.get("resource")
    if res is not None:
        return f"APIGroup: {res.get('apiGroup') or '<none>'}, Kind: {res.get('kind', '')}, Name: {res.get('name', '')}"
    return ""


def describe(ing: dict, view) -> str:
    meta, spec = ing.get("metadata") or {}, ing.get("spec") or {}
    ns = meta.get("namespace") or ""
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    w.write(0, f"Namespace:\t{ns}\n")
    w.write(0, f"Address:\t{lb_addresses(ing)}\n")
    w.write(0, f"Ingress Class:\t{spec.get('ingressClassName') or '<none>'}\n")
    default = "<default>"
    if spec.get("defaultBackend") is not None:
        default = _backend(view, ns, spec["defaultBackend"])
    w.write(0, f"Default backend:\t{default}\n")
    if spec.get("tls"):
        w.write(0, "TLS:\n")
        for t in spec["tls"]:
            hosts = ",".join(t.get("hosts") or [])
            if not t.get("secretName"):
                w.write(1, f"SNI routes {hosts}\n")
            else:
                w.write(1, f"{t['secretName']} terminates {hosts}\n")
    w.write(0, "Rules:\n  Host\tPath\tBackends\n")
    w.write(1, "----\t----\t--------\n")
    count = 0
    for rule in spec.get("rules") or []:
        if rule.get("http") is None:
            continue
        count += 1
        w.write(1, f"{rule.get('host') or '*'}\t\n")
        for p in rule["http"].get("paths") or []:
            w.write(2, f"\t{p.get('path') or ''} \t{_backend(view, ns, p.get('backend') or {})}\n")
    if count == 0:
        w.write(1, f"*\t*\t{default}\n")
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    describe_events(w, events_for(ing, view), view.now)
    return w.render()
