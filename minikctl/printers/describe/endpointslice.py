"""describe endpointslice (describeEndpointSliceV1): address type, ports, one block per
endpoint (addresses, ready condition, hostname, target, node, zone), events.

Unset optional fields print '<unset>' (they are pointers in the Go type), which is why a
port without a name shows '<unset>' and not an empty cell.
"""
from __future__ import annotations

from minikctl.printers.describe import (Writer, annotations_multiline, describe_events, events_for,
                                        labels_multiline)

UNSET = "<unset>"


def _ports(w: Writer, ports: list | None) -> None:
    if not ports:
        w.write(0, "Ports: <unset>\n")
        return
    w.write(0, "Ports:\n")
    w.write(1, "Name\tPort\tProtocol\n")
    w.write(1, "----\t----\t--------\n")
    for p in ports:
        port = p.get("port")
        w.write(1, f"{p.get('name') or UNSET}\t{UNSET if port is None else int(port)}\t{p.get('protocol') or ''}\n")


def _endpoints(w: Writer, endpoints: list | None) -> None:
    if not endpoints:
        w.write(0, "Endpoints: <none>\n")
        return
    w.write(0, "Endpoints:\n")
    for ep in endpoints:
        w.write(1, f"- Addresses:\t{', '.join(ep.get('addresses') or []) or '<none>'}\n")
        w.write(2, "Conditions:\n")
        ready = (ep.get("conditions") or {}).get("ready")
        w.write(3, f"Ready:\t{UNSET if ready is None else str(bool(ready)).lower()}\n")
        w.write(2, f"Hostname:\t{ep['hostname'] if ep.get('hostname') is not None else UNSET}\n")
        ref = ep.get("targetRef")
        if ref is not None:
            w.write(2, f"TargetRef:\t{ref.get('kind') or ''}/{ref.get('name') or ''}\n")
        w.write(2, f"NodeName:\t{ep['nodeName'] if ep.get('nodeName') is not None else UNSET}\n")
        w.write(2, f"Zone:\t{ep['zone'] if ep.get('zone') is not None else UNSET}\n")


def describe(eps: dict, view) -> str:
    meta = eps.get("metadata") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace') or ''}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"AddressType:\t{eps.get('addressType') or ''}\n")
    _ports(w, eps.get("ports"))
    _endpoints(w, eps.get("endpoints"))
    describe_events(w, events_for(eps, view), view.now)
    return w.render()
