"""Traffic: spread, stickiness, IPVS view and round robin, failures as the tools print them."""
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_proxy_fixtures import pod, service, slice_for, spec_view  # noqa: E402

from minikctl.images.context import ExecContext  # noqa: E402
from minikctl.images.nettools import TOOLS  # noqa: E402
from minikctl.images.nodetools import TOOLS as NODE_TOOLS  # noqa: E402
from minikctl.net.proxy.ipvs import ipvsadm_ln  # noqa: E402
from minikctl.net.proxy.traffic import NGINX_INDEX, connect, send_many  # noqa: E402
from minikctl.printers.traffic_chart import render_chart  # noqa: E402
from conftest import REFERENCE  # noqa: E402

# ipvsadm -Ln's three title lines, from the reference capture (tests/data/reference/ipvsadm.md)
IPVS_TITLE = "".join((REFERENCE / "ipvsadm.md").read_text()
                     .split("### 5.5 IPVS mode", 1)[1].split("```\n", 2)[1].splitlines(keepends=True)[:3])


def bb(v):
    return v.get("Pod", "default", "busybox")


def test_clusterip_spread_is_uniform_chi_square():
    v = spec_view(seed=7)
    n = 3000
    counts = send_many(v, bb(v), "web-server-svc", n)
    assert sum(counts.values()) == n and len(counts) == 3
    exp = n / 3
    chi2 = sum((c - exp) ** 2 / exp for c in counts.values())
    assert chi2 < 13.8   # 2 degrees of freedom, p = 0.001


def test_client_ip_affinity_sticks():
    sv = spec_view()
    pods = [p for p in sv.list("Pod", "default") if p["metadata"]["name"].startswith("web-server-pod")]
    svc = service("sticky", [{"port": 80, "protocol": "TCP", "targetPort": 80}], selector={"app": "web-server"},
                  cluster_ip="10.96.60.1", sessionAffinity="ClientIP")
    v = spec_view(svc, slice_for(svc, pods, suffix="st"))
    counts = send_many(v, bb(v), "sticky", 200)
    assert len(counts) == 1 and sum(counts.values()) == 200
    # other clients land elsewhere too (the choice depends on the client IP)
    firsts = set()
    for i in range(20):
        c = pod(f"client-{i}", f"10.100.36.{10 + i}", "k8s-worker-01", {"run": "c"}, image="busybox")
        firsts |= set(send_many(v, c, "sticky", 3))
    assert len(firsts) >= 2


def test_ipvs_round_robin_and_listing():
    v = spec_view(mode="ipvs")
    counts = send_many(v, bb(v), "web-server-svc", 9)
    assert sorted(counts.values()) == [3, 3, 3]
    out = ipvsadm_ln(v, "k8s-worker-01")
    assert out.startswith(IPVS_TITLE) and IPVS_TITLE.startswith("IP Virtual Server version")
    lines = out.splitlines()
    i = lines.index("TCP  10.96.254.166:80 rr")
    dests = lines[i + 1:i + 4]
    assert [d.split()[1] for d in dests] == ["10.100.7.163:80", "10.100.7.164:80", "10.100.118.91:80"]
    assert dests[0] == "  -> " + "10.100.7.163:80".ljust(28) + " Masq    1      0          0         "
    protos = [l.split()[0] for l in lines[3:] if not l.startswith("  ->")]
    assert protos == sorted(protos)   # TCP (6) before UDP (17)


def test_headless_connects_to_a_pod_directly():
    v = spec_view()
    o = connect(v, bb(v), "headless-svc", 80)
    assert o.status == "ok" and o.ip.startswith("10.100.7.") and o.pod_name.startswith("pod-server")
    o = connect(v, bb(v), "web-server-0.headless-web-server-svc", 80)
    assert o.pod_name == "web-server-0" and o.response.body == NGINX_INDEX


def test_wget_messages():
    v = spec_view()
    ctx = ExecContext(view=v, pod=bb(v), container="c")
    out, err, rc = TOOLS["wget"](ctx, ["wget", "-qO-", "web-server-svc"])
    assert (out, err, rc) == (NGINX_INDEX, "", 0) and len(out.encode()) == 615
    out, err, rc = TOOLS["wget"](ctx, ["wget", "-O-", "web-server-svc"])
    assert err.startswith("Connecting to web-server-svc (10.96.254.166:80)\n")
    assert TOOLS["wget"](ctx, ["wget", "-q", "nosuch"]) == ("", "wget: bad address 'nosuch'\n", 1)
    # a port the Service does not declare: no rule matches, the SYN goes nowhere
    out, err, rc = TOOLS["wget"](ctx, ["wget", "-q", "-T", "2", "-O-", "web-server-svc:8080"])
    assert (err, rc) == ("wget: download timed out\n", 1)


def test_refused_without_endpoints_and_without_listener():
    svc = service("empty", [{"port": 80, "protocol": "TCP", "targetPort": 80}], selector={"app": "none"},
                  cluster_ip="10.96.70.1")
    v = spec_view(svc, slice_for(svc, [], suffix="e"))
    ctx = ExecContext(view=v, pod=bb(v), container="c")
    assert TOOLS["wget"](ctx, ["wget", "-q", "empty"]) == (
        "", "wget: can't connect to remote host (10.96.70.1): Connection refused\n", 1)
    out, err, rc = TOOLS["curl"](ctx, ["curl", "empty"])
    assert rc == 7 and err.endswith(
        "curl: (7) Failed to connect to empty port 80 after 0 ms: Couldn't connect to server\n")
    assert TOOLS["curl"](ctx, ["curl", "-s", "empty"]) == ("", "", 7)
    err = TOOLS["curl"](ctx, ["curl", "nosuch"])[1]      # the meter's first line, then the error
    assert err.startswith("  % Total") and err.endswith(" 0curl: (6) Could not resolve host: nosuch\n")
    # targetPort nothing listens on
    pods = [p for p in v.list("Pod", "default") if p["metadata"]["name"].startswith("web-server-pod")]
    svc2 = service("wrong", [{"port": 80, "protocol": "TCP", "targetPort": 8080}], selector={"app": "web-server"},
                   cluster_ip="10.96.70.2")
    v2 = spec_view(svc2, slice_for(svc2, pods, port=8080, suffix="w"))
    assert connect(v2, bb(v2), "wrong", 80).status == "refused"


def test_ping_clusterip_loses_pod_ip_answers():
    v = spec_view()
    ctx = ExecContext(view=v, pod=bb(v), container="c")
    out, err, rc = TOOLS["ping"](ctx, ["ping", "-c", "3", "web-server-svc"])
    assert rc == 1 and out == ("PING web-server-svc (10.96.254.166): 56 data bytes\n\n"
                               "--- web-server-svc ping statistics ---\n"
                               "3 packets transmitted, 0 packets received, 100% packet loss\n")
    out, err, rc = TOOLS["ping"](ctx, ["ping", "-c", "2", "10.100.36.233"])   # same node: ttl 64
    assert rc == 0 and "64 bytes from 10.100.36.233: seq=1 ttl=64 time=" in out
    assert "2 packets transmitted, 2 packets received, 0% packet loss" in out


def test_externalname_host_header_and_warning():
    ext = service("my-service", [], ns="prod", typ="ExternalName", externalName="my.database.example.com")
    ext["spec"].pop("ports")
    web = service("ext-web", [], typ="ExternalName", externalName="example.com")
    web["spec"].pop("ports")
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod"}}
    v = spec_view(ext, web, ns)
    o = connect(v, bb(v), "ext-web", 80)
    assert o.ip == "203.0.113.20" and o.note and "Host: header" in o.note
    assert o.response.code == 404       # upstream does not know Host: ext-web
    assert connect(v, bb(v), "example.com", 80).response.code == 200


def test_node_tools():
    v = spec_view()
    node = ExecContext(view=v, pod=None, container=None, node="k8s-worker-03")
    out, _, rc = NODE_TOOLS["crictl"](node, ["crictl", "ps"])
    lines = out.splitlines()
    assert rc == 0 and lines[0].split() == ["CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD", "ID", "POD"]
    on_node = [p for p in v.list("Pod") if p["spec"]["nodeName"] == "k8s-worker-03"]
    assert len(lines) == 1 + len(on_node) == 1 + 6
    widths = [len(lines[0]) - len(lines[0].lstrip())]  # header starts at column 0
    assert widths == [0] and lines[0].startswith("CONTAINER" + " " * 11 + "IMAGE")
    names = {l.split()[-1] for l in lines[1:]}
    assert "web-server-pod-7b69fcf97c-qdx7j" in names and "web-server-1" in names
    assert NODE_TOOLS["cat"](node, ["cat", "/etc/resolv.conf"])[0].endswith("nameserver 192.168.1.1\n")
    # a node does not use cluster DNS
    assert NODE_TOOLS["curl"](node, ["curl", "-s", "web-server-svc"])[2] == 6
    out, _, rc = NODE_TOOLS["curl"](node, ["curl", "-s", "10.96.254.166"])
    assert rc == 0 and out == NGINX_INDEX
    assert NODE_TOOLS["iptables-save"](node, ["iptables-save", "-t", "nat"])[0].count("*nat") == 1


def test_chart_plain():
    text = render_chart(Counter({"a": 30, "bb": 15}), 45, "default/web", colour=False)
    lines = text.splitlines()
    assert lines[0] == "default/web"
    assert lines[2] == "a     " + "#" * 40 + "  30   66.7%"      # names padded to >= 4
    assert lines[3] == "bb    " + "#" * 20 + " " * 20 + "  15   33.3%"
    assert lines[4].endswith("45  total")
    assert "█" in render_chart(Counter({"a": 3}), 3, "t", colour=True)
