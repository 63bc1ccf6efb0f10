"""describe deployment (describeDeployment): replicas summary, strategy, pod template,
conditions, old/new ReplicaSets (found by controller uid and template equality)."""
from __future__ import annotations

import copy

from minikctl.api.selectors import selector_string
from minikctl.printers.describe import (Writer, annotations_multiline, controller_of, describe_events,
                                        events_for, g, labels_multiline, time_str)
from minikctl.printers.describe.pod import describe_pod_template
from minikctl.timeutil import parse

HASH_LABEL = "pod-template-hash"


def _strip_hash(template: dict | None) -> dict:
    t = copy.deepcopy(template or {})
    (t.get("metadata") or {}).get("labels", {}).pop(HASH_LABEL, None)
    return t


def replica_sets(dep: dict, view) -> tuple[list[dict], list[dict]]:
    """(old, new) ReplicaSets: owned by the deployment; new = oldest whose template matches."""
    uid = g(dep, "metadata", "uid")
    owned = [rs for rs in view.list("ReplicaSet", g(dep, "metadata", "namespace"))
             if (controller_of(rs) or {}).get("uid") == uid]
    owned.sort(key=lambda rs: (parse(g(rs, "metadata", "creationTimestamp")) or 0.0, rs["metadata"]["name"]))
    want = _strip_hash(g(dep, "spec", "template"))
    new = next((rs for rs in owned if _strip_hash(g(rs, "spec", "template")) == want), None)
    old = [rs for rs in owned if rs is not new]
    return old, [new] if new is not None else []


def _rs_list(rss: list[dict]) -> str:
    parts = []
    for rs in rss:
        desired = g(rs, "spec", "replicas")
        desired = 1 if desired is None else int(desired)
        parts.append(f"{rs['metadata']['name']} ({int(g(rs, 'status', 'replicas') or 0)}/{desired} replicas created)")
    return ", ".join(parts) or "<none>"


def describe(dep: dict, view) -> str:
    meta, spec, status = dep.get("metadata") or {}, dep.get("spec") or {}, dep.get("status") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace') or ''}\n")
    w.write(0, f"CreationTimestamp:\t{time_str(meta.get('creationTimestamp'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    replicas = 1 if spec.get("replicas") is None else int(spec["replicas"])
    w.write(0, f"Replicas:\t{replicas} desired | {int(status.get('updatedReplicas') or 0)} updated | "
               f"{int(status.get('replicas') or 0)} total | {int(status.get('availableReplicas') or 0)} available | "
               f"{int(status.get('unavailableReplicas') or 0)} unavailable\n")
    strategy = spec.get("strategy") or {}
    w.write(0, f"StrategyType:\t{strategy.get('type') or ''}\n")
    w.write(0, f"MinReadySeconds:\t{int(spec.get('minReadySeconds') or 0)}\n")
    ru = strategy.get("rollingUpdate")
    if ru is not None:
        w.write(0, f"RollingUpdateStrategy:\t{ru.get('maxUnavailable', 0)} max unavailable, "
                   f"{ru.get('maxSurge', 0)} max surge\n")
    describe_pod_template(w, spec.get("template"))
    conds = status.get("conditions") or []
    if conds:
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(1, "----\t------\t------\n")
        for c in conds:
            w.write(1, f"{c.get('type')} \t{c.get('status')}\t{c.get('reason') or ''}\n")
    old, new = replica_sets(dep, view)
    if old or new:
        w.write(0, f"OldReplicaSets:\t{_rs_list(old)}\n")
        w.write(0, f"NewReplicaSet:\t{_rs_list(new)}\n")
    describe_events(w, events_for(dep, view), view.now)
    return w.render()
