"""describe replicaset (describeReplicaSet), and the pod-status counter the workload describers share."""
from __future__ import annotations

from minikctl.api.selectors import format_label_selector, label_selector_matches
from minikctl.printers.describe import (Writer, annotations_multiline, controller_of, describe_events,
                                        events_for, g, labels_multiline)
from minikctl.printers.describe.pod import describe_pod_template


def pod_status_counts(obj: dict, view) -> str:
    """getPodStatusForController: pods matching the selector whose controller is this object."""
    uid = g(obj, "metadata", "uid")
    sel = g(obj, "spec", "selector")
    counts = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    for pod in view.list("Pod", g(obj, "metadata", "namespace")):
        if not label_selector_matches(sel, g(pod, "metadata", "labels")):
            continue
        ref = controller_of(pod)
        if ref is None or ref.get("uid") != uid:
            continue
        phase = g(pod, "status", "phase")
        if phase in counts:
            counts[phase] += 1
    return (f"{counts['Running']} Running / {counts['Pending']} Waiting / {counts['Succeeded']} Succeeded / "
            f"{counts['Failed']} Failed")


def describe(rs: dict, view) -> str:
    meta, spec = rs.get("metadata") or {}, rs.get("spec") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace') or ''}\n")
    w.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    ref = controller_of(rs)
    if ref:
        w.write(0, f"Controlled By:\t{ref.get('kind')}/{ref.get('name')}\n")
    replicas = 1 if spec.get("replicas") is None else int(spec["replicas"])
    w.write(0, f"Replicas:\t{int(g(rs, 'status', 'replicas') or 0)} current / {replicas} desired\n")
    w.write(0, "Pods Status:\t")
    w.write(0, pod_status_counts(rs, view) + "\n")
    describe_pod_template(w, spec.get("template"))
    conds = g(rs, "status", "conditions") or []
    if conds:
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(1, "----\t------\t------\n")
        for c in conds:
            w.write(1, f"{c.get('type')} \t{c.get('status')}\t{c.get('reason') or ''}\n")
    describe_events(w, events_for(rs, view), view.now)
    return w.render()
