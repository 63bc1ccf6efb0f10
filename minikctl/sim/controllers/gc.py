"""The garbage collector: objects whose controlling owner is gone are deleted (cascading delete)."""
from __future__ import annotations

from minikctl.api import server

from minikctl.sim.controllers.common import controller_ref


def reconcile(cluster) -> None:
    uids = {o["metadata"].get("uid") for kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Service", "Node",
                                                  "Job", "CronJob")
            for o in cluster.list(kind) if not o["metadata"].get("deletionTimestamp")}
    for kind in ("Job", "ReplicaSet", "Pod", "EndpointSlice", "Endpoints"):
        for o in cluster.list(kind):
            ref = controller_ref(o) or next(iter(o["metadata"].get("ownerReferences") or []), None)
            if ref and ref["uid"] not in uids and not o["metadata"].get("deletionTimestamp"):
                server.delete_internal(cluster, o)
