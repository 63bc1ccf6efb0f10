"""The garbage collector: objects whose controlling owner is gone are deleted (cascading delete)."""
from __future__ import annotations

from minikctl.api import server

from minikctl.sim.controllers.common import controller_ref


OWNER_KINDS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Service", "Node", "Job", "CronJob")


def reconcile(cluster) -> None:
    owners = [o for kind in OWNER_KINDS for o in cluster.list(kind)]
    uids = {o["metadata"].get("uid") for o in owners if not o["metadata"].get("deletionTimestamp")}
    foreground = {o["metadata"].get("uid") for o in owners if server.FOREGROUND in (o["metadata"].get("finalizers") or [])}
    has_dependents: set[str] = set()
    for kind in server.DEPENDENT_KINDS:
        for o in cluster.list(kind):
            for r in o["metadata"].get("ownerReferences") or []:
                has_dependents.add(r.get("uid"))
            ref = controller_ref(o) or next(iter(o["metadata"].get("ownerReferences") or []), None)
            if ref and ref["uid"] not in uids and not o["metadata"].get("deletionTimestamp"):
                if ref["uid"] in foreground and kind != "Pod":
                    # foreground deletion walks down: the dependent waits for its own dependents
                    server.delete(cluster, kind, o["metadata"].get("namespace"), o["metadata"]["name"],
                                  propagation="Foreground")
                else:
                    server.delete_internal(cluster, o)
    for o in owners:  # an owner deleted in the foreground goes once its dependents are gone
        if o["metadata"]["uid"] in foreground and o["metadata"]["uid"] not in has_dependents:
            server.remove_internal(cluster, o)
