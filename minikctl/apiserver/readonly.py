"""Read-only answers for the objects kubectl's describers fetch that minikctl keeps no kind for.

describe node GETs the node's Lease (coordination.k8s.io/v1, kube-node-lease). Without it kubectl
prints 'Failed to get lease: ...' where a real cluster (and minikctl describe) shows the lease.
The path is answered here, typed-client style, without adding a kind to discovery (leases are
derived). ResourceQuotas and LimitRanges, which describe namespace lists, are kinds now.
"""
from __future__ import annotations

import re

from minikctl.apiserver.request import Request, Response, json_response
from minikctl.apiserver.status import fail
from minikctl import lazy

lease_spec = lazy.function("minikctl.printers.describe.node", "lease_spec")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")

_LEASE = re.compile(r"^/apis/coordination\.k8s\.io/v1/namespaces/([^/]+)/leases/([^/]+)$")


def respond(req: Request, env) -> Response | None:
    """The answer for one of these paths on GET, else None (the caller's 404 stands)."""
    if req.method not in ("GET", "HEAD"):
        return None
    path = req.path.rstrip("/")
    m = _LEASE.match(path)
    if m:
        return json_response(_lease(env, m.group(1), m.group(2)))
    return None


def _lease(env, ns: str, name: str) -> dict:
    with open_cluster(env) as cluster:
        node = cluster.get("Node", None, name) if ns == "kube-node-lease" else None
        if node is None:
            raise fail("NotFound", f'leases.coordination.k8s.io "{name}" not found', 404,
                       {"name": name, "group": "coordination.k8s.io", "kind": "leases"})
        meta = node.get("metadata") or {}
        return {"kind": "Lease", "apiVersion": "coordination.k8s.io/v1",
                "metadata": {"name": name, "namespace": ns, "creationTimestamp": meta.get("creationTimestamp"),
                             "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": name,
                                                  "uid": meta.get("uid")}]},
                "spec": lease_spec(name, cluster)}
