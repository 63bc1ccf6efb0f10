"""The namespace controller: a Terminating namespace is emptied, then removed.

Why: `kubectl delete ns x` on a real cluster is not instant. The apiserver marks the namespace
(deletionTimestamp, phase Terminating) and refuses new content in it; the namespace controller
deletes what it holds (pods terminate gracefully, with their grace period) and, once nothing is
left, drops the `kubernetes` finalizer and the namespace is gone. In the meantime `get ns` shows
Terminating and the status carries the controller's conditions (NamespaceContentRemaining, ...).
"""
from __future__ import annotations

from minikctl.api import server
from minikctl import lazy

kinds = lazy.module("minikctl.api.kinds")


def _content(cluster, ns: str) -> list[dict]:
    cluster.load_everything()
    return [o for kind, objs in list(cluster.kinds.items()) if kind not in ("Namespace", "Event")
            for (ons, _n), o in list(objs.items()) if ons == ns]


def _conditions(cluster, ns: dict, remaining: list[dict]) -> list[dict]:
    old = {c["type"]: c for c in (ns.get("status") or {}).get("conditions") or []}
    counts: dict[str, int] = {}
    for o in remaining:
        k = kinds.by_kind(o["kind"])
        res = f"{k.resource}.{k.group}" if k else o["kind"].lower() + "s."   # core group: "pods."
        counts[res] = counts.get(res, 0) + 1
    left = ", ".join(f"{r} has {n} resource instances" for r, n in sorted(counts.items()))
    rows = [("NamespaceDeletionDiscoveryFailure", "False", "ResourcesDiscovered", "All resources successfully discovered"),
            ("NamespaceDeletionGroupVersionParsingFailure", "False", "ParsedGroupVersions",
             "All legacy kube types successfully parsed"),
            ("NamespaceDeletionContentFailure", "False", "ContentDeleted",
             "All content successfully deleted, may be waiting on finalization"),
            ("NamespaceContentRemaining", "True" if remaining else "False",
             "SomeResourcesRemain" if remaining else "ContentRemoved",
             f"Some resources are remaining: {left}" if remaining else "All content successfully removed"),
            ("NamespaceFinalizersRemaining", "False", "ContentHasNoFinalizers", "All content-preserving finalizers finished")]
    out = []
    for ctype, status, reason, msg in rows:
        prev = old.get(ctype)
        when = prev["lastTransitionTime"] if prev and prev["status"] == status else cluster.timestamp()
        out.append({"lastTransitionTime": when, "message": msg, "reason": reason, "status": status, "type": ctype})
    return out


def reconcile(cluster) -> None:
    for ns in cluster.list("Namespace"):
        if not ns["metadata"].get("deletionTimestamp"):
            continue
        name = ns["metadata"]["name"]
        remaining = []
        for o in _content(cluster, name):
            if o["kind"] == "Pod" and o["spec"].get("nodeName"):
                if not o["metadata"].get("deletionTimestamp"):
                    server.delete_internal(cluster, o)   # graceful: the kubelet removes it later
                remaining.append(o)
            else:
                server.remove_internal(cluster, o)
        if not remaining:
            server.remove_internal(cluster, ns)
            continue
        conds = _conditions(cluster, ns, remaining)
        if conds != ns["status"].get("conditions"):
            ns["status"]["conditions"] = conds
            server.update_internal(cluster, ns)
