"""describe ingressclass: kubectl's describeIngressClassV1 (v1.32)."""
from __future__ import annotations

from minikctl.printers.describe import (Writer, annotations_multiline, describe_events, events_for,
                                        labels_multiline)


def describe(ic: dict, view) -> str:
    meta, spec = ic.get("metadata") or {}, ic.get("spec") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Controller:\t{spec.get('controller', '')}\n")
    params = spec.get("parameters")
    if params is not None:
        w.write(0, "Parameters:\n")
        if params.get("apiGroup") is not None:
            w.write(1, f"APIGroup:\t{params['apiGroup']}\n")
        w.write(1, f"Kind:\t{params.get('kind', '')}\n")
        w.write(1, f"Name:\t{params.get('name', '')}\n")
    describe_events(w, events_for(ic, view), view.now)
    return w.render()
