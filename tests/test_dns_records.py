"""The DNS model against the reference rules (dns-proxy.md sections 1-2)."""
from test_dns_state import lab_objects, lab_view, pod, slice_for, svc, TS  # noqa: F401
from minikctl.net.dns import records
from minikctl.net.dns.explain import explain
from minikctl.sim.view import StaticView

NOLB = ".:53 {\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n       pods insecure\n       fallthrough in-addr.arpa ip6.arpa\n       ttl 30\n    }\n    forward . /etc/resolv.conf\n}\n"


def q(view, name, t="A"):
    return records.answer(view, name, t)


def test_clusterip_a_even_without_endpoints_and_flags():
    objs = lab_objects(extra=[svc("lonely", cluster_ip="10.96.7.7", selector={"app": "none"})])
    a = q(StaticView(objs), "lonely.default.svc.cluster.local")
    assert a.rcode == records.NOERROR and a.addresses() == ["10.96.7.7"]
    assert a.flags == "qr aa rd" and a.answer[0].ttl == 30


def test_headless_one_a_per_ready_endpoint_and_empty_is_nxdomain():
    v = lab_view()
    a = q(v, "headless-svc.default.svc.cluster.local")
    assert sorted(a.addresses()) == ["10.100.7.158", "10.100.7.159", "10.100.7.160"]
    e = q(v, "empty-headless.default.svc.cluster.local")
    assert e.rcode == records.NXDOMAIN and e.authority[0].rtype == records.T_SOA
    assert str(e.authority[0].rname) == "cluster.local."


def test_not_ready_pod_left_out_unless_publish_not_ready():
    base = svc("h2", cluster_ip="None", selector={"app": "h2"})
    pods = [pod("h2-a", "10.100.1.1", labels={"app": "h2"}), pod("h2-b", "10.100.1.2", labels={"app": "h2"}, ready=False)]
    v = StaticView(lab_objects(corefile=NOLB, extra=[base, *pods, slice_for(base, pods)]))
    assert q(v, "h2.default.svc.cluster.local").addresses() == ["10.100.1.1"]
    assert "endpoint 10.100.1.2 is not ready" in explain(v, "h2", "default/busybox")
    pnr = svc("h2", cluster_ip="None", selector={"app": "h2"}, publishNotReadyAddresses=True)
    v2 = StaticView(lab_objects(corefile=NOLB, extra=[pnr, *pods, slice_for(pnr, pods)]))
    assert q(v2, "h2.default.svc.cluster.local").addresses() == ["10.100.1.1", "10.100.1.2"]


def test_nodata_vs_nxdomain():
    v = lab_view()
    aaaa = q(v, "web-server-svc.default.svc.cluster.local", "AAAA")
    assert aaaa.rcode == records.NOERROR and not aaaa.answer and aaaa.authority[0].rtype == records.T_SOA
    assert q(v, "default.svc.cluster.local").rcode == records.NOERROR
    assert q(v, "nosuchns.svc.cluster.local").rcode == records.NXDOMAIN
    assert q(v, "a.b.c.web-server-svc.default.svc.cluster.local").rcode == records.NXDOMAIN
    assert q(v, "*.headless-svc.default.svc.cluster.local").rcode == records.NXDOMAIN


def test_endpoint_names_also_under_clusterip_services_and_statefulset_hostnames():
    v = lab_view()
    assert q(v, "10-100-7-164.web-server-svc.default.svc.cluster.local").addresses() == ["10.100.7.164"]
    assert q(v, "web-server-0.headless-web-server-svc.default.svc.cluster.local").addresses() == ["10.100.36.233"]
    assert q(v, "web-server-9.headless-web-server-svc.default.svc.cluster.local").rcode == records.NXDOMAIN


def test_srv_weight_and_additional():
    v = StaticView(lab_objects(corefile=NOLB))
    a = q(v, "_web._tcp.headless-web-server-svc.default.svc.cluster.local", "SRV")
    assert [(r.rdata.priority, r.rdata.weight, r.rdata.port) for r in a.answer] == [(0, 33, 80)] * 3
    assert [str(r.rdata.target) for r in a.answer][0] == "web-server-0.headless-web-server-svc.default.svc.cluster.local."
    assert {str(r.rdata) for r in a.additional} == {"10.100.36.233", "10.100.7.170", "10.100.118.97"}
    c = q(v, "web-server-svc.default.svc.cluster.local", "SRV")
    assert c.answer[0].rdata.weight == 100 and str(c.additional[0].rdata) == "10.96.254.166"


def test_ptr_clusterip_endpoint_and_double_service():
    other = svc("also-headless", cluster_ip="None", selector={"app": "headless-server"})
    objs = lab_objects(corefile=NOLB)
    pods = [o for o in objs if o["kind"] == "Pod"]
    v = StaticView(objs + [other, slice_for(other, pods)])
    kd = q(v, "10.0.96.10.in-addr.arpa", "PTR")
    assert [str(r.rdata.label) for r in kd.answer] == ["kube-dns.kube-system.svc.cluster.local."]
    ep = q(v, "159.7.100.10.in-addr.arpa", "PTR")
    assert sorted(str(r.rdata.label) for r in ep.answer) == [
        "10-100-7-159.also-headless.default.svc.cluster.local.",
        "10-100-7-159.headless-svc.default.svc.cluster.local."]
    miss = q(v, "4.3.2.1.in-addr.arpa", "PTR")     # fallthrough -> upstream NXDOMAIN, no aa
    assert miss.rcode == records.NXDOMAIN and miss.flags == "qr rd ra"


def test_externalname_cname_followed_upstream_and_pod_records():
    v = lab_view()
    a = q(v, "my-service.prod.svc.cluster.local")
    assert [r.rtype for r in a.answer] == [records.T_CNAME, records.T_A]
    assert str(a.answer[0].rdata.label) == "my.database.example.com." and a.addresses() == ["203.0.113.10"]
    assert q(v, "10-1-2-3.default.pod.cluster.local").addresses() == ["10.1.2.3"]
    assert q(v, "10-1-2-3.nons.pod.cluster.local").rcode == records.NXDOMAIN
    assert q(v, "dns-version.cluster.local", "TXT").answer[0].ttl == 28800


def test_corefile_edits_change_answers():
    edited = NOLB.replace("ttl 30", "ttl 5").replace("pods insecure", "pods disabled") + \
        "example.org:53 {\n    forward . 10.150.0.1\n}\n"
    v = StaticView(lab_objects(corefile=edited))
    assert q(v, "web-server-svc.default.svc.cluster.local").answer[0].ttl == 5
    assert q(v, "10-1-2-3.default.pod.cluster.local").rcode == records.NXDOMAIN
    assert q(v, "api.example.org").rcode == records.SERVFAIL      # stub server not reachable
    assert q(lab_view(), "api.example.org").addresses() == ["198.51.100.7"]


def test_loadbalance_shuffles_with_view_rng():
    orders = {tuple(q(lab_view(seed=s), "headless-svc.default.svc.cluster.local").addresses()) for s in range(12)}
    assert len(orders) > 1
    fixed = {tuple(q(StaticView(lab_objects(corefile=NOLB)), "headless-svc.default.svc.cluster.local").addresses())
             for _ in range(5)}
    assert len(fixed) == 1


def test_explain_trace():
    text = explain(lab_view(), "nosuch", "default/busybox")
    assert "0 dot(s) < ndots 5" in text
    assert "1. nosuch.default.svc.cluster.local. A -> NXDOMAIN" in text
    assert "4. nosuch. A -> NXDOMAIN, flags qr rd ra" in text
    t2 = explain(lab_view(), "web-server-0.headless-web-server-svc", "default/busybox")
    assert "(pod web-server-0)" in t2
