"""The resourcequota controller: each ResourceQuota's status.hard (its spec) and status.used
(what the namespace uses now, sim/quota.py), kept current."""
from __future__ import annotations

from minikctl.api import server
from minikctl.sim import quota


def reconcile(cluster) -> None:
    for q in cluster.list("ResourceQuota"):
        hard = dict((q.get("spec") or {}).get("hard") or {})
        forms: dict = {}
        used = {k: quota.fmt(k, v, forms.get(k)) for k, v in quota.usage(cluster, q, forms).items()}
        status = {"hard": hard, "used": used} if hard else {}
        if (q.get("status") or {}) != status:
            q["status"] = status
            server.update_internal(cluster, q)
