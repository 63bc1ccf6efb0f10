"""What a learner sees when a NetworkPolicy drops traffic: the client tools' own timeout texts,
the DNS-egress trap, ping silence, and `minikctl traffic` / `--why` naming the policy.

The tool texts are the tools' (busybox wget/nc/nslookup/ping, curl); what is asserted here is
that a dropped connection reaches them as a timeout (never a refusal) and an allowed one as an
answer, on the same objects.
"""
from __future__ import annotations

import json

import pytest

from tests.conftest import SPEC


def _apply(mk, *docs: dict) -> None:
    r = mk("apply", "-f", "-", stdin="\n---\n".join(json.dumps(d) for d in docs))
    assert r.code == 0, r.err


def _np(name: str, spec: dict, ns: str = "default") -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": ns}, "spec": spec}


@pytest.fixture
def lab(mk):
    """web-server Deployment + Service, busybox (run=busybox), and a second client 'other'."""
    for f in ("web-server.yaml", "busybox.yaml"):
        assert mk("apply", "-f", str(SPEC / f)).code == 0
    assert mk("run", "other", "--image=busybox:1.36", "--labels=role=other", "--", "sleep", "3600").code == 0
    assert mk("run", "web-curl", "--image=nginx:1.27", "--labels=role=curl").code == 0
    mk.advance(30)
    return mk


WEB_FROM_BUSYBOX = _np("web-allow-busybox", {
    "podSelector": {"matchLabels": {"app": "web-server"}},
    "ingress": [{"from": [{"podSelector": {"matchLabels": {"run": "busybox"}}}], "ports": [{"port": 80}]}]})


def test_allowed_client_gets_the_page_blocked_one_times_out(lab):
    mk = lab
    _apply(mk, WEB_FROM_BUSYBOX)
    ok = mk("exec", "busybox", "--", "wget", "-q", "-O-", "-T", "2", "web-server-svc")
    assert ok.code == 0 and "<title>Welcome to nginx!</title>" in ok.out
    r = mk("exec", "other", "--", "wget", "-T", "2", "web-server-svc")
    assert r.code == 1
    assert r.err.endswith("wget: download timed out\ncommand terminated with exit code 1\n")
    r = mk("exec", "other", "--", "nc", "-zv", "-w", "2", "web-server-svc", "80")
    assert (r.code, r.err) == (1, "nc: timeout\ncommand terminated with exit code 1\n")
    r = mk("exec", "web-curl", "--", "curl", "-sS", "--connect-timeout", "2", "http://web-server-svc")
    assert r.code == 28
    assert r.err.startswith("curl: (28) ")
    assert "Connection refused" not in r.err


def test_ping_is_silent_under_a_deny_policy(lab):
    mk = lab
    ip = json.loads(mk("get", "po", "-l", "app=web-server", "-o", "json").out)["items"][0]["status"]["podIP"]
    before = mk("exec", "other", "--", "ping", "-c", "2", ip)
    assert before.code == 0 and "2 packets received, 0% packet loss" in before.out
    _apply(mk, _np("deny", {"podSelector": {}, "policyTypes": ["Ingress"]}))
    r = mk("exec", "other", "--", "ping", "-c", "3", ip)
    assert r.out == (f"PING {ip} ({ip}): 56 data bytes\n\n--- {ip} ping statistics ---\n"
                     "3 packets transmitted, 0 packets received, 100% packet loss\n")
    assert r.code == 1
    # a rule that lists ports never matches ICMP; one without ports does
    _apply(mk, _np("allow-80", {"podSelector": {}, "ingress": [{"ports": [{"port": 80}]}]}))
    assert mk("exec", "other", "--", "ping", "-c", "1", ip).code == 1
    _apply(mk, _np("allow-all", {"podSelector": {}, "ingress": [{}]}))
    assert mk("exec", "other", "--", "ping", "-c", "1", ip).code == 0


def test_the_dns_egress_trap(lab):
    """Deny egress and names stop resolving (the query to CoreDNS is dropped); allow UDP/TCP 53
    to kube-system and names resolve again, while the web server stays unreachable until an
    egress rule allows it too."""
    mk = lab
    assert "Name:\tweb-server-svc.default.svc.cluster.local" in mk("exec", "other", "--", "nslookup", "web-server-svc").out
    _apply(mk, _np("deny-egress", {"podSelector": {"matchLabels": {"role": "other"}}, "policyTypes": ["Egress"]}))
    r = mk("exec", "other", "--", "nslookup", "web-server-svc")
    assert r.out == ";; connection timed out; no servers could be reached\n\n"
    assert r.code == 1
    r = mk("exec", "other", "--", "wget", "-T", "2", "web-server-svc")
    assert r.err.startswith("wget: bad address 'web-server-svc'")
    assert "Address 1: " in mk("exec", "busybox", "--", "nslookup", "web-server-svc").out   # others unaffected
    _apply(mk, _np("allow-dns", {
        "podSelector": {"matchLabels": {"role": "other"}}, "policyTypes": ["Egress"],
        "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
                    "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}]}))
    r = mk("exec", "other", "--", "nslookup", "web-server-svc")
    assert "Name:\tweb-server-svc.default.svc.cluster.local" in r.out and "timed out" not in r.out
    r = mk("exec", "other", "--", "wget", "-T", "2", "web-server-svc")
    assert r.err.endswith("wget: download timed out\ncommand terminated with exit code 1\n")
    _apply(mk, _np("allow-web", {
        "podSelector": {"matchLabels": {"role": "other"}}, "policyTypes": ["Egress"],
        "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "web-server"}}}], "ports": [{"port": 80}]}]}))
    assert mk("exec", "other", "--", "wget", "-q", "-O-", "-T", "2", "web-server-svc").code == 0


def test_dns_allowed_only_on_tcp_is_still_a_timeout(lab):
    mk = lab
    _apply(mk, _np("dns-tcp-only", {"podSelector": {"matchLabels": {"role": "other"}}, "policyTypes": ["Egress"],
                                    "egress": [{"ports": [{"port": 53, "protocol": "TCP"}]}]}))
    assert mk("exec", "other", "--", "nslookup", "web-server-svc").code == 1


def test_traffic_names_the_policy_and_why_shows_the_rules(lab):
    mk = lab
    _apply(mk, WEB_FROM_BUSYBOX)
    r = mk("traffic", "web-server-svc", "--from", "other", "-n", "6")
    assert r.code == 0
    assert "(timeout)" in r.out and "failed: 6 timeout" in r.out
    lines = [line for line in r.out.splitlines() if line.startswith("  ") and "->" in line]
    assert lines and all("DROPPED: ingress of default/web-server-pod-" in line
                         and "isolated by default/web-allow-busybox, and no rule allows this connection" in line
                         for line in lines)
    assert sum(int(line.split("x", 1)[0]) for line in lines) == 6
    r = mk("traffic", "web-server-svc", "--from", "busybox", "-n", "4", "--why")
    assert "(timeout)" not in r.out
    assert "egress of default/busybox: not isolated (no policy selects it for Egress)" in r.out
    assert "allowed by default/web-allow-busybox" in r.out
    assert "default/web-allow-busybox ingress[0]: matches" in r.out and "=> allowed" in r.out
    r = mk("traffic", "web-server-svc", "--from", "other", "-n", "2", "--why")
    assert "default/web-allow-busybox ingress[0]: source not among its peers" in r.out
    assert "=> dropped" in r.out
    r = mk("traffic", "web-server-svc", "--from", "busybox", "-n", "2", "--port", "80")
    assert "NetworkPolicy:" in r.out


def test_no_policy_no_report(lab):
    r = lab("traffic", "web-server-svc", "--from", "other", "-n", "3")
    assert "NetworkPolicy" not in r.out and "(timeout)" not in r.out


def test_node_can_always_reach_its_own_pods(lab):
    mk = lab
    _apply(mk, _np("deny", {"podSelector": {}, "policyTypes": ["Ingress"]}))
    pods = json.loads(mk("get", "po", "-l", "app=web-server", "-o", "json").out)["items"]
    p = pods[0]
    node, ip = p["spec"]["nodeName"], p["status"]["podIP"]
    other_node = next(n["metadata"]["name"] for n in json.loads(mk("get", "no", "-o", "json").out)["items"]
                      if n["metadata"]["name"] not in (node, "k8s-master"))
    r = mk("ssh", node, "--", "curl", "-s", "--connect-timeout", "2", f"http://{ip}")
    assert r.code == 0 and "Welcome to nginx!" in r.out, r.err
    r = mk("ssh", other_node, "--", "curl", "-s", "--connect-timeout", "2", f"http://{ip}")
    assert r.code == 28
