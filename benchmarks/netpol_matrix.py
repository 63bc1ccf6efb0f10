"""Connectivity for 100 pods x 100 pods under 20 NetworkPolicies (issue 13's target: < 2 s).

Usage: .venv/bin/python benchmarks/netpol_matrix.py [port]

The cluster: 5 namespaces (team-0..team-4, labelled team=<i>, tier=<front|back>), 20 pods each
with app/role labels and a named container port; 20 policies mixing default-deny ingress and
egress, podSelector, namespaceSelector, both in one peer, ipBlock with except, port ranges and
named ports. Every ordered pair (src, dst) is evaluated by minikctl.net.policy on TCP <port>,
exactly as traffic.connect asks it; the figure printed is the wall time of the whole matrix,
index compilation included.
"""
from __future__ import annotations

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))


def cluster_objects() -> list[dict]:
    objs: list[dict] = []
    apps, roles = ("web", "api", "db", "cache"), ("frontend", "backend", "ops")
    for n in range(5):
        ns = f"team-{n}"
        objs.append({"kind": "Namespace", "metadata": {"name": ns, "labels": {
            "kubernetes.io/metadata.name": ns, "team": str(n), "tier": "front" if n < 2 else "back"}}})
        for i in range(20):
            k = n * 20 + i
            objs.append({"kind": "Pod", "metadata": {"name": f"p{k}", "namespace": ns, "labels": {
                "app": apps[k % 4], "role": roles[k % 3], "idx": str(k)}},
                "spec": {"nodeName": f"w{k % 4}", "containers": [{"name": "c", "image": "nginx", "ports": [
                    {"containerPort": 80, "name": "http", "protocol": "TCP"}]}]},
                "status": {"phase": "Running", "podIP": f"10.244.{n}.{i + 10}"}})
    return objs


def policies() -> list[dict]:
    def np(name, ns, spec):
        return {"kind": "NetworkPolicy", "metadata": {"name": name, "namespace": ns}, "spec": spec}
    out = []
    for n in range(5):
        ns = f"team-{n}"
        out.append(np("default-deny", ns, {"podSelector": {}, "policyTypes": ["Ingress"]}))
        out.append(np("web-from-frontend", ns, {
            "podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"tier": "front"}},
                                   "podSelector": {"matchLabels": {"role": "frontend"}}},
                                  {"podSelector": {"matchExpressions": [{"key": "role", "operator": "In",
                                                                         "values": ["ops"]}]}}],
                         "ports": [{"port": "http"}, {"port": 8000, "endPort": 8100}]}]}))
        out.append(np("db-from-api", ns, {
            "podSelector": {"matchLabels": {"app": "db"}}, "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "api"}}},
                                  {"ipBlock": {"cidr": "10.244.0.0/16", "except": [f"10.244.{n}.0/28"]}}],
                         "ports": [{"port": 80, "protocol": "TCP"}]}],
            "egress": [{"to": [{"namespaceSelector": {}}], "ports": [{"port": 53, "protocol": "UDP"}]}]}))
        out.append(np("api-egress", ns, {
            "podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Egress"],
            "egress": [{"to": [{"namespaceSelector": {"matchExpressions": [{"key": "team", "operator": "NotIn",
                                                                            "values": ["4"]}]}}]}]}))
    return out


def main() -> None:
    from minikctl.net import policy
    from minikctl.sim.view import StaticView
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 80
    objs = cluster_objects()
    pols = policies()
    view = StaticView(objs + pols, profile={})
    pods = view.list("Pod")
    assert len(pods) == 100 and len(pols) == 20
    t0 = time.perf_counter()
    index = policy.Policies(view)
    ends = [policy.end_of_pod(view, p) for p in pods]
    allowed = sum(index.check(s, d, port).allowed for s in ends for d in ends)
    elapsed = time.perf_counter() - t0
    print(f"netpol matrix: {len(ends)}x{len(ends)} pods, {len(pols)} policies, TCP {port}: "
          f"{allowed} of {len(ends) ** 2} allowed in {elapsed:.3f} s (target < 2 s)")


if __name__ == "__main__":
    main()
