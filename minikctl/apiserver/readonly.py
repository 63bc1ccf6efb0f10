"""Read-only answers for the objects kubectl's describers fetch that minikctl keeps no kind for.

describe node GETs the node's Lease (coordination.k8s.io/v1, kube-node-lease) and describe
namespace LISTs the namespace's ResourceQuotas and LimitRanges. Without them kubectl prints
'Failed to get lease: ...' and drops the quota lines, where a real cluster (and minikctl
describe) shows the lease and 'No resource quota.'. These paths are answered here, typed-client
style, without adding kinds to discovery (the cluster has no quotas, and leases are derived).
"""
from __future__ import annotations

import re

from minikctl.apiserver.request import Request, Response, json_response
from minikctl.apiserver.status import fail

_LEASE = re.compile(r"^/apis/coordination\.k8s\.io/v1/namespaces/([^/]+)/leases/([^/]+)$")
_EMPTY = re.compile(r"^/api/v1/(?:namespaces/([^/]+)/)?(limitranges)$")
_LIST_KIND = {"resourcequotas": "ResourceQuotaList", "limitranges": "LimitRangeList"}


def respond(req: Request, env) -> Response | None:
    """The answer for one of these paths on GET, else None (the caller's 404 stands)."""
    if req.method not in ("GET", "HEAD"):
        return None
    path = req.path.rstrip("/")
    m = _EMPTY.match(path)
    if m:
        if req.q("watch") in ("true", "1"):
            return None
        from minikctl.sim.cluster import open_cluster
        with open_cluster(env) as cluster:
            rv = str(cluster.revision)
        return json_response({"kind": _LIST_KIND[m.group(2)], "apiVersion": "v1",
                              "metadata": {"resourceVersion": rv}, "items": []})
    m = _LEASE.match(path)
    if m:
        return json_response(_lease(env, m.group(1), m.group(2)))
    return None


def _lease(env, ns: str, name: str) -> dict:
    from minikctl.printers.describe.node import lease_spec
    from minikctl.sim.cluster import open_cluster
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
