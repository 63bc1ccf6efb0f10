"""describe statefulset (describeStatefulSet): replicas, update strategy, pods status,
pod template, volume claim templates, events."""
from __future__ import annotations

from minikctl.api.selectors import selector_string
from minikctl.printers.describe import (Writer, annotations_multiline, describe_events, events_for, g,
                                        labels_multiline, time_str)
from minikctl.printers.describe.pod import describe_pod_template
from minikctl.printers.describe.replicaset import pod_status_counts
from minikctl import lazy

canonical = lazy.function("minikctl.api.quantity", "canonical")


def _claim_templates(w: Writer, templates: list | None) -> None:
    if not templates:
        w.write(0, "Volume Claims:\t<none>\n")
        return
    w.write(0, "Volume Claims:\n")
    for pvc in templates:
        meta, spec = pvc.get("metadata") or {}, pvc.get("spec") or {}
        w.write(1, f"Name:\t{meta.get('name')}\n")
        w.write(1, f"StorageClass:\t{spec.get('storageClassName') or ''}\n")
        labels_multiline(w, "Labels", meta.get("labels"), initial="  ")
        labels_multiline(w, "Annotations", meta.get("annotations"), initial="  ")
        cap = g(spec, "resources", "requests", "storage")
        if cap is not None:
            cap = canonical(cap)  # Quantity.String(): 1024Mi prints 1Gi
        w.write(1, f"Capacity:\t{cap or '<default>'}\n")
        w.write(1, f"Access Modes:\t[{' '.join(spec.get('accessModes') or [])}]\n")


def describe(sts: dict, view) -> str:
    meta, spec = sts.get("metadata") or {}, sts.get("spec") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace') or ''}\n")
    w.write(0, f"CreationTimestamp:\t{time_str(meta.get('creationTimestamp'))}\n")
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    replicas = 1 if spec.get("replicas") is None else int(spec["replicas"])
    w.write(0, f"Replicas:\t{replicas} desired | {int(g(sts, 'status', 'replicas') or 0)} total\n")
    us = spec.get("updateStrategy") or {}
    w.write(0, f"Update Strategy:\t{us.get('type') or ''}\n")
    ru = us.get("rollingUpdate")
    if ru is not None and ru.get("partition") is not None:
        w.write(1, f"Partition:\t{int(ru['partition'])}\n")
        if ru.get("maxUnavailable") is not None:
            w.write(1, f"MaxUnavailable:\t{ru['maxUnavailable']}\n")
    w.write(0, f"Pods Status:\t{pod_status_counts(sts, view)}\n")
    describe_pod_template(w, spec.get("template"))
    _claim_templates(w, spec.get("volumeClaimTemplates"))
    describe_events(w, events_for(sts, view), view.now)
    return w.render()

