"""describe daemonset (describeDaemonSet): node-selector, the five scheduling counts, pods
status, pod template, events.

The five count lines carry no tab in kubectl ("Desired Number of Nodes Scheduled: %d"), so
they break the tabwriter's column block: the lines before and after align separately.
"""
from __future__ import annotations

from minikctl.api.selectors import format_labels, selector_string
from minikctl.printers.describe import (Writer, annotations_multiline, describe_events, events_for, g,
                                        labels_multiline)
from minikctl.printers.describe.pod import describe_pod_template
from minikctl.printers.describe.replicaset import pod_status_counts

_COUNTS = (("Desired Number of Nodes Scheduled", "desiredNumberScheduled"),
           ("Current Number of Nodes Scheduled", "currentNumberScheduled"),
           ("Number of Nodes Scheduled with Up-to-date Pods", "updatedNumberScheduled"),
           ("Number of Nodes Scheduled with Available Pods", "numberAvailable"),
           ("Number of Nodes Misscheduled", "numberMisscheduled"))


def describe(ds: dict, view) -> str:
    meta, spec, status = ds.get("metadata") or {}, ds.get("spec") or {}, ds.get("status") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    w.write(0, f"Node-Selector:\t{format_labels(g(spec, 'template', 'spec', 'nodeSelector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    for title, field in _COUNTS:
        w.write(0, f"{title}: {int(status.get(field) or 0)}\n")
    w.write(0, f"Pods Status:\t{pod_status_counts(ds, view)}\n")
    describe_pod_template(w, spec.get("template"))
    describe_events(w, events_for(ds, view), view.now)
    return w.render()
