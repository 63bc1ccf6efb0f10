"""describe endpoints (describeEndpoints): per subset addresses, not-ready addresses, ports."""
from __future__ import annotations

from minikctl.printers.describe import (Writer, annotations_multiline, describe_events, events_for,
                                        labels_multiline)


def describe(ep: dict, view) -> str:
    meta = ep.get("metadata") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace') or ''}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, "Subsets:\n")
    for ss in ep.get("subsets") or []:
        ready = ",".join(a.get("ip", "") for a in ss.get("addresses") or [])
        w.write(1, f"Addresses:\t{ready or '<none>'}\n")
        not_ready = ",".join(a.get("ip", "") for a in ss.get("notReadyAddresses") or [])
        w.write(1, f"NotReadyAddresses:\t{not_ready or '<none>'}\n")
        if ss.get("ports"):
            w.write(1, "Ports:\n")
            w.write(2, "Name\tPort\tProtocol\n")
            w.write(2, "----\t----\t--------\n")
            for p in ss["ports"]:
                w.write(2, f"{p.get('name') or '<unset>'}\t{p.get('port')}\t{p.get('protocol') or 'TCP'}\n")
        w.write(0, "\n")
    describe_events(w, events_for(ep, view), view.now)
    return w.render()
