"""describe namespace (describeNamespace): status, then quota and limit-range sections (none modelled)."""
from __future__ import annotations

from minikctl.printers.describe import Writer, annotations_multiline, labels_multiline, time_str
from minikctl import lazy

limits_section = lazy.function("minikctl.printers.describe.limitrange", "namespace_section")
namespace_section = lazy.function("minikctl.printers.describe.resourcequota", "namespace_section")


def describe(ns: dict, view) -> str:
    meta = ns.get("metadata") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Status:\t{(ns.get('status') or {}).get('phase') or ''}\n")
    conds = (ns.get("status") or {}).get("conditions") or []
    if conds:
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t------------------\t------\t-------\n")
        for c in conds:
            w.write(1, f"{c.get('type')}\t{c.get('status')}\t{time_str(c.get('lastTransitionTime'))}\t"
                       f"{c.get('reason') or ''}\t{c.get('message') or ''}\n")
    w.write(0, "\n")
    namespace_section(w, view.list("ResourceQuota", meta.get("name")))
    w.write(0, "\n")
    limits_section(w, view.list("LimitRange", meta.get("name")))
    return w.render()
