"""NetworkPolicy truth tables, asserted through real traffic from inside pods.

The scenarios follow the Kubernetes e2e netpol suite (test/e2e/network/netpol/network_policy.go):
namespaces x, y, z; pods a, b, c in each, labelled pod=<name>, each serving TCP 80 and 81 on
containers whose ports are named serve-80-tcp / serve-81-tcp; a reachability matrix that starts
all-true and is narrowed with the suite's own moves (ExpectPeer, ExpectAllIngress,
ExpectAllEgress, Expect). Loopback is ignored, as the suite ignores it. Every cell is then
probed from the source pod's busybox container with `nc -z -w 2 <dst pod IP> <port>` (and a
few with `wget -T 2`), and the exit code must agree with the matrix.
"""
from __future__ import annotations

import ipaddress
import json

import pytest

from tests.conftest import Minikctl

NS = ("x", "y", "z")
PODS = ("a", "b", "c")


def _pod(ns: str, name: str) -> dict:
    def server(port: int) -> dict:
        return {"name": f"cont-{port}-tcp", "image": "registry.k8s.io/e2e-test-images/agnhost:2.53",
                "args": ["netexec", f"--http-port={port}"],
                "ports": [{"containerPort": port, "name": f"serve-{port}-tcp", "protocol": "TCP"}]}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns, "labels": {"pod": name}},
            "spec": {"containers": [{"name": "client", "image": "busybox:1.36", "command": ["sleep", "3600"]},
                                    server(80), server(81)]}}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    mk = Minikctl(tmp_path_factory.mktemp("truth") / "state")
    docs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}} for n in NS]
    docs += [_pod(n, p) for n in NS for p in PODS]
    r = mk("apply", "-f", "-", stdin="\n---\n".join(json.dumps(d) for d in docs))
    assert r.code == 0, r.err
    mk.advance(60)
    r = mk("get", "pods", "-A", "-l", "pod", "-o", "json")
    items = json.loads(r.out)["items"]
    ips = {f"{p['metadata']['namespace']}/{p['metadata']['name']}": p["status"]["podIP"] for p in items}
    assert len(ips) == 9 and all(ips.values()) and all(p["status"]["phase"] == "Running" for p in items)
    mk.ips = ips
    return mk


# ---- the e2e suite's reachability moves ------------------------------------------------------

class Reach:
    def __init__(self, pods: list[str], default: bool = True):
        self.pods = pods
        self.m = {(s, d): default for s in pods for d in pods if s != d}

    def peer(self, src: str, dst: str, ok: bool) -> "Reach":
        """ExpectPeer: 'x' is a namespace, 'x/a' a pod, '' anything."""
        for (s, d) in self.m:
            if _in(s, src) and _in(d, dst):
                self.m[(s, d)] = ok
        return self

    def all_ingress(self, dst: str, ok: bool) -> "Reach":
        return self.peer("", dst, ok)

    def all_egress(self, src: str, ok: bool) -> "Reach":
        return self.peer(src, "", ok)

    def expect(self, src: str, dst: str, ok: bool) -> "Reach":
        self.m[(src, dst)] = ok
        return self


def _in(pod: str, peer: str) -> bool:
    return not peer or pod == peer or pod.split("/")[0] == peer


# ---- policies, as the suite generates them ---------------------------------------------------

def np(name: str, ns: str = "x", pod: dict | None = None, ingress=None, egress=None) -> tuple[str, dict]:
    spec: dict = {"podSelector": {"matchLabels": pod} if pod else {}}
    types = []
    if ingress is not None:
        spec["ingress"] = ingress
        types.append("Ingress")
    if egress is not None:
        spec["egress"] = egress
        types.append("Egress")
    spec["policyTypes"] = types
    return ns, {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {"name": name, "namespace": ns}, "spec": spec}


NSL = "kubernetes.io/metadata.name"
A = {"pod": "a"}


def _scenarios(ips: dict) -> list[tuple[str, list[str], list, list[tuple[int, Reach]]]]:
    """(name, topology, policies, [(port, expected reachability)]) for each e2e case."""
    b_ip = ips["x/b"]
    yb_ip = ips["y/b"]
    large = str(ipaddress.ip_network(f"{b_ip}/16", strict=False))     # makeLargeCIDRForIP
    out = []

    def add(name, topo, policies, *checks):
        out.append((name, topo, policies, list(checks)))

    t = ["x/a", "x/b", "y/a", "y/b"]
    add("default-deny-ingress", t, [np("deny-ingress", ingress=[])],
        (80, Reach(t).peer("", "x", False)))
    t = ["x/a", "x/b", "y/a"]
    add("default-deny-all", t, [np("deny-all", ingress=[], egress=[])],
        (80, Reach(t).peer("", "x", False).peer("x", "", False)))
    t = ["x/a", "x/b", "x/c", "y/a"]
    add("allow from pods of the server namespace by podSelector", t,
        [np("x-a-allows-x-b", pod=A, ingress=[{"from": [{"podSelector": {"matchLabels": {"pod": "b"}}}]}])],
        (80, Reach(t).all_ingress("x/a", False).expect("x/b", "x/a", True)))
    t = ["x/a", "x/b", "y/a"]
    add("deny-all ingress plus an allow for one target", t,
        [np("deny-all", ingress=[]),
         np("allow-all-to-a", pod=A, ingress=[{"from": [{"podSelector": {}, "namespaceSelector": {}}]}])],
        (80, Reach(t).all_ingress("x/a", True).all_ingress("x/b", False)))
    t = ["x/a", "x/b", "y/a", "z/a"]
    add("allow from all namespaces", t,
        [np("allow-from-another-ns", pod=A, ingress=[{"from": [{"namespaceSelector": {}}]}])],
        (80, Reach(t)))
    add("allow only from another namespace by namespaceSelector", t,
        [np("allow-client-a-via-ns-selector", pod=A, ingress=[{"from": [{"namespaceSelector": {"matchLabels": {NSL: "y"}}}]}])],
        (80, Reach(t).peer("x", "x/a", False).peer("z", "x/a", False)))
    t = ["x/a", "x/b", "y/a"]
    add("podSelector with matchExpressions", t,
        [np("x-a-allows-x-b", pod=A, ingress=[{"from": [{"podSelector": {"matchExpressions": [
            {"key": "pod", "operator": "In", "values": ["b"]}]}}]}])],
        (80, Reach(t).all_ingress("x/a", False).expect("x/b", "x/a", True)))
    t = ["x/a", "x/b", "y/a", "z/a"]
    add("namespaceSelector with matchExpressions", t,
        [np("allow-ns-y-match-selector", pod=A, ingress=[{"from": [{"namespaceSelector": {"matchExpressions": [
            {"key": NSL, "operator": "In", "values": ["y"]}]}}]}])],
        (80, Reach(t).peer("x", "x/a", False).peer("z", "x/a", False)))
    t = ["x/a", "x/b", "x/c", "y/a"]
    add("podSelector OR namespaceSelector (two peers)", t,
        [np("allow-ns-y-match-selector", pod=A, ingress=[{"from": [
            {"namespaceSelector": {"matchExpressions": [{"key": NSL, "operator": "NotIn", "values": ["x"]}]}},
            {"podSelector": {"matchLabels": {"pod": "b"}}}]}])],
        (80, Reach(t).expect("x/c", "x/a", False)))
    t = ["x/a", "x/b", "y/a", "y/b", "z/b"]
    add("podSelector AND namespaceSelector (one peer)", t,
        [np("allow-ns-y-podselector-and-nsselector", pod=A, ingress=[{"from": [
            {"namespaceSelector": {"matchExpressions": [{"key": NSL, "operator": "NotIn", "values": ["x"]}]},
             "podSelector": {"matchLabels": {"pod": "b"}}}]}])],
        (80, Reach(t).all_ingress("x/a", False).expect("y/b", "x/a", True).expect("z/b", "x/a", True)))
    t = ["x/a", "x/b", "x/c"]
    add("any of several podSelectors", t,
        [np("allow-ns-x-pod-b-c", pod=A, ingress=[{"from": [{"podSelector": {"matchLabels": {"pod": "b"}}},
                                                            {"podSelector": {"matchLabels": {"pod": "c"}}}]}])],
        (80, Reach(t).all_ingress("x/a", False).expect("x/b", "x/a", True).expect("x/c", "x/a", True)))
    t = ["x/a", "x/b", "y/a", "y/b", "z/a"]
    add("ports: only 81 from namespace y", t,
        [np("allow-81", pod=A, ingress=[{"from": [{"namespaceSelector": {"matchLabels": {NSL: "y"}}}],
                                         "ports": [{"port": 81, "protocol": "TCP"}]}])],
        (81, Reach(t).peer("x", "x/a", False).peer("y", "x/a", True).peer("z", "x/a", False)),
        (80, Reach(t).all_ingress("x/a", False)))
    t = ["x/a", "x/b", "y/a"]
    add("ingress on one named port", t,
        [np("allow-named-81", ingress=[{"ports": [{"port": "serve-81-tcp"}]}])],
        (81, Reach(t)), (80, Reach(t).peer("", "x", False)))
    t = ["x/a", "x/b", "y/a", "z/a"]
    add("ingress from a namespace on one named port", t,
        [np("allow-y-named-80", pod=A, ingress=[{"from": [{"namespaceSelector": {"matchLabels": {NSL: "y"}}}],
                                                 "ports": [{"port": "serve-80-tcp", "protocol": "TCP"}]}])],
        (80, Reach(t).peer("x", "x/a", False).peer("z", "x/a", False)),
        (81, Reach(t).all_ingress("x/a", False)))
    t = ["x/a", "y/a"]
    add("egress on one named port", t,
        [np("allow-egress-named-80", egress=[{"ports": [{"port": "serve-80-tcp"}]}])],
        (80, Reach(t)), (81, Reach(t).peer("x", "", False)))
    t = ["x/a", "y/a"]
    add("ingress allow-all takes precedence", t,
        [np("allow-ingress-port-80", ingress=[{"ports": [{"port": 80}]}]), np("allow-ingress", ingress=[{}])],
        (81, Reach(t)))
    add("egress allow-all takes precedence", t,
        [np("allow-egress-port-80", egress=[{"ports": [{"port": 80}]}]), np("allow-egress", egress=[{}])],
        (81, Reach(t)))
    add("egress to port 80 only", t, [np("allow-egress-port-80", egress=[{"ports": [{"port": 80}]}])],
        (81, Reach(t).peer("x", "", False)))
    t = ["x/a", "y/a", "y/b"]
    add("egress to a server in a CIDR block", t,
        [np("allow-client-a-via-cidr-egress-rule", pod=A, egress=[{"to": [{"ipBlock": {"cidr": f"{yb_ip}/32"}}]}])],
        (80, Reach(t).all_egress("x/a", False).expect("x/a", "y/b", True)))
    t = ["x/a", "x/b", "x/c"]
    add("egress CIDR with an except clause", t,
        [np("allow-client-a-via-cidr-egress-rule", pod=A, egress=[{"to": [{"ipBlock": {"cidr": large, "except": [f"{b_ip}/32"]}}]}])],
        (80, Reach(t).expect("x/a", "x/b", False)))
    add("an IP in both a CIDR's except and another policy's CIDR is allowed", t,
        [np("allow-large-except-b", pod=A, egress=[{"to": [{"ipBlock": {"cidr": large, "except": [f"{b_ip}/32"]}}]}]),
         np("allow-b", pod=A, egress=[{"to": [{"ipBlock": {"cidr": f"{b_ip}/32"}}]}])],
        (80, Reach(t)))
    t = ["x/a", "x/b", "y/a"]
    add("ingress and egress controlled independently", t,
        [np("allow-egress-for-target", pod=A, egress=[{}]), np("deny-ingress-via-label-selector", pod=A, ingress=[])],
        (80, Reach(t).all_ingress("x/a", False)))
    t = ["x/a", "y/a"]
    add("SCTP 81 is not TCP 81", t,
        [np("deny-ingress", ingress=[]), np("allow-only-sctp-81", pod=A, ingress=[{"ports": [{"port": 81, "protocol": "SCTP"}]}])],
        (81, Reach(t).peer("", "x", False)))
    add("UDP 81 is not TCP 81", t,
        [np("allow-only-udp-81", pod=A, ingress=[{"ports": [{"port": 81, "protocol": "UDP"}]}])],
        (81, Reach(t).all_ingress("x/a", False)))
    add("a protocol without a port allows every port of it", t,
        [np("allow-tcp", pod=A, ingress=[{"ports": [{"protocol": "TCP"}]}])],
        (80, Reach(t)), (81, Reach(t)))
    add("endPort: a range that covers 80 but not 81", t,
        [np("range-70-80", pod=A, ingress=[{"ports": [{"port": 70, "endPort": 80}]}])],
        (80, Reach(t)), (81, Reach(t).all_ingress("x/a", False)))
    add("endPort: a range that covers both", t,
        [np("range-80-81", pod=A, ingress=[{"ports": [{"port": 80, "endPort": 81}]}])],
        (80, Reach(t)), (81, Reach(t)))
    t = ["x/a", "x/b", "y/a", "y/b"]
    add("egress deny-all for one namespace, ingress untouched elsewhere", t,
        [np("deny-egress", egress=[])],
        (80, Reach(t).peer("x", "", False)))
    add("egress to one namespace by namespaceSelector and podSelector", t,
        [np("x-a-to-y-b", pod=A, egress=[{"to": [{"namespaceSelector": {"matchLabels": {NSL: "y"}},
                                                  "podSelector": {"matchLabels": {"pod": "b"}}}]}])],
        (80, Reach(t).all_egress("x/a", False).expect("x/a", "y/b", True)))
    add("client-side egress deny wins over a server that allows", t,
        [np("deny-egress-x-a", pod=A, egress=[]), np("allow-all-ingress", ns="y", ingress=[{}])],
        (80, Reach(t).all_egress("x/a", False)))
    add("policy in y does not touch x", t,
        [np("deny-ingress-y", ns="y", ingress=[])],
        (80, Reach(t).peer("", "y", False)))
    return out


def _probe(mk, src: str, dst: str, port: int, tool: str) -> bool:
    ns, name = src.split("/")
    ip = mk.ips[dst]
    if tool == "wget":
        r = mk("exec", "-n", ns, name, "-c", "client", "--", "wget", "-q", "-O", "-", "-T", "2",
               f"http://{ip}:{port}/hostname")
        if r.code == 0:
            assert r.out == dst.split("/")[1], r.out
        else:
            assert r.err.startswith("wget: download timed out"), r.err
        return r.code == 0
    r = mk("exec", "-n", ns, name, "-c", "client", "--", "nc", "-zv", "-w", "2", ip, str(port))
    if r.code == 0:
        assert r.err == f"{ip} ({ip}:{port}) open\n"
    else:
        assert r.err.startswith("nc: timeout"), r.err
    return r.code == 0


def test_truth_tables_through_real_traffic(cluster):
    mk = cluster
    scenarios = _scenarios(mk.ips)
    rows = 0
    blocked = 0
    failures = []
    for name, topo, policies, checks in scenarios:
        assert mk("delete", "netpol", "--all", "-A").code == 0
        for ns, body in policies:
            r = mk("apply", "-f", "-", stdin=json.dumps(body))
            assert r.code == 0, (name, r.err)
        for port, reach in checks:
            for (s, d), want in sorted(reach.m.items()):
                tool = "wget" if rows % 5 == 0 else "nc"
                got = _probe(mk, s, d, port, tool)
                rows += 1
                blocked += not want
                if got != want:
                    failures.append(f"{name}: {s} -> {d}:{port} expected {'allowed' if want else 'blocked'}, "
                                    f"got {'allowed' if got else 'blocked'}")
    assert not failures, "\n".join(failures)
    assert len(scenarios) >= 30 and rows >= 200 and 60 <= blocked <= rows - 60, (len(scenarios), rows, blocked)


def test_policies_stop_applying_once_deleted(cluster):
    mk = cluster
    mk("delete", "netpol", "--all", "-A")
    ns, body = np("deny-all", ingress=[], egress=[])
    assert mk("apply", "-f", "-", stdin=json.dumps(body)).code == 0
    assert not _probe(mk, "y/a", "x/a", 80, "nc") and not _probe(mk, "x/a", "y/a", 80, "wget")
    assert mk("delete", "netpol", "deny-all", "-n", "x").code == 0
    assert _probe(mk, "y/a", "x/a", 80, "nc") and _probe(mk, "x/a", "y/a", 80, "wget")


def test_a_pod_can_always_reach_itself(cluster):
    mk = cluster
    mk("delete", "netpol", "--all", "-A")
    ns, body = np("deny-all", ingress=[], egress=[])
    assert mk("apply", "-f", "-", stdin=json.dumps(body)).code == 0
    assert _probe(mk, "x/a", "x/a", 80, "nc")
    mk("delete", "netpol", "--all", "-A")
