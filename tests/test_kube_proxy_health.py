"""Issue 13, item 5: healthCheckNodePort (the apiserver's allocation and validation, kube-proxy's
health check server behind it), source-IP preservation as the kubernetes.io "Using Source IP"
page shows it for NodePort and LoadBalancer Services, and kube-proxy's own logs and /healthz.

The references are upstream's rules (alloc.go, validation.go, pkg/proxy/healthcheck) and real
kube-proxy start-up logs recorded from v1.31 and v1.32 clusters (tests/data/kube-proxy/)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from test_proxy_mode import IPVS_CONFIG

DATA = Path(__file__).resolve().parent / "data" / "kube-proxy"
NODES = {"k8s-master": "192.168.1.10", "k8s-worker-01": "192.168.1.11", "k8s-worker-02": "192.168.1.12",
         "k8s-worker-03": "192.168.1.13"}
GO_TIME = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,9})? \+0000 UTC m=\+\d+\.\d{9}"
KLOG = re.compile(r"^([IWEF])(\d{4} \d\d:\d\d:\d\d\.\d{6}) {7}1 ([a-z_]+\.go:\d+)\] (.*)$")


def _svc(mk, name):
    return json.loads(mk("get", "svc", name, "-o", "json").out)


def _app(mk, replicas=1):
    assert mk("create", "deployment", "source-ip-app", "--image=registry.k8s.io/echoserver:1.4",
              f"--replicas={replicas}").code == 0
    mk.advance(10)
    pods = json.loads(mk("get", "po", "-l", "app=source-ip-app", "-o", "json").out)["items"]
    return {p["spec"]["nodeName"] for p in pods}


# --- the apiserver: healthCheckNodePort ---------------------------------------------------------

def test_health_check_node_port_follows_type_and_policy(mk):
    _app(mk)
    mk("expose", "deployment", "source-ip-app", "--name=loadbalancer", "--port=80", "--target-port=8080",
       "--type=LoadBalancer")
    assert "healthCheckNodePort" not in _svc(mk, "loadbalancer")["spec"]
    assert mk("patch", "svc", "loadbalancer", "-p", '{"spec":{"externalTrafficPolicy":"Local"}}').code == 0
    spec = _svc(mk, "loadbalancer")["spec"]
    hc = spec["healthCheckNodePort"]
    assert 30000 <= hc <= 32767 and hc != spec["ports"][0]["nodePort"]
    assert f"HealthCheck NodePort:     {hc}\n" in mk("describe", "svc", "loadbalancer").out
    # an update that leaves it out keeps it; one that changes it is refused
    assert mk("label", "svc", "loadbalancer", "a=b").code == 0
    assert _svc(mk, "loadbalancer")["spec"]["healthCheckNodePort"] == hc
    other = 30000 + (hc - 30000 + 1) % 2768
    r = mk("patch", "svc", "loadbalancer", "-p", json.dumps({"spec": {"healthCheckNodePort": other}}))
    assert (r.code, r.err) == (1, 'The Service "loadbalancer" is invalid: spec.healthCheckNodePort: Forbidden: '
                                  'field is immutable\n')
    # back to Cluster: released and cleared
    assert mk("patch", "svc", "loadbalancer", "-p", '{"spec":{"externalTrafficPolicy":"Cluster"}}').code == 0
    assert "healthCheckNodePort" not in _svc(mk, "loadbalancer")["spec"]


def test_health_check_node_port_errors(mk, tmp_path):
    f = tmp_path / "svc.yaml"
    f.write_text("apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
                 "spec: {ports: [{port: 80}], healthCheckNodePort: 30002}\n")
    r = mk("apply", "-f", str(f))
    assert (r.code, r.err) == (1, 'The Service "web" is invalid: spec.healthCheckNodePort: Invalid value: 30002: '
                                  "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is "
                                  "'Local'\n")
    assert mk("get", "svc", "web").code == 1
    mk("create", "service", "nodeport", "taken", "--tcp=80", "--node-port=30500")
    f.write_text("apiVersion: v1\nkind: Service\nmetadata: {name: lb}\n"
                 "spec: {type: LoadBalancer, externalTrafficPolicy: Local, ports: [{port: 80}], "
                 "healthCheckNodePort: 30500}\n")
    r = mk("apply", "-f", str(f))
    assert (r.code, r.err) == (1, "Error from server (InternalError): error when creating \"%s\": Internal error "
                                  "occurred: failed to allocate requested HealthCheck NodePort 30500: provided port "
                                  "is already allocated\n" % f)
    assert mk("get", "svc", "lb").code == 1
    f.write_text(f.read_text().replace("30500", "30501"))
    assert mk("apply", "-f", str(f)).code == 0
    assert _svc(mk, "lb")["spec"]["healthCheckNodePort"] == 30501


# --- kube-proxy's health check server and source IPs ------------------------------------------

def test_source_ip_page_nodeport(mk):
    """"Source IP for Services with Type=NodePort": SNAT to the node with Cluster; with Local the
    client's address reaches the pod, and only nodes with an endpoint answer."""
    nodes = _app(mk)
    mk("expose", "deployment", "source-ip-app", "--name=nodeport", "--port=80", "--target-port=8080",
       "--type=NodePort")
    port = _svc(mk, "nodeport")["spec"]["ports"][0]["nodePort"]
    client = "k8s-master"
    for node, ip in NODES.items():
        if node == client:
            continue
        out = mk("ssh", client, "--", "curl", "-s", f"{ip}:{port}").out
        assert f"client_address={ip}\n" in out          # masqueraded to the node that was reached
    assert mk("patch", "svc", "nodeport", "-p", '{"spec":{"externalTrafficPolicy":"Local"}}').out \
        == "service/nodeport patched\n"
    for node, ip in NODES.items():
        if node == client:
            continue
        r = mk("ssh", client, "--", "curl", "--connect-timeout", "1", "-s", f"{ip}:{port}")
        if node in nodes:
            assert f"client_address={NODES[client]}\n" in r.out   # the real client address
        else:
            assert (r.code, r.out) == (28, "")                    # dropped: no local endpoint


def test_source_ip_page_loadbalancer_health_checks(mk):
    nodes = _app(mk, replicas=2)
    mk("expose", "deployment", "source-ip-app", "--name=loadbalancer", "--port=80", "--target-port=8080",
       "--type=LoadBalancer")
    mk("patch", "svc", "loadbalancer", "-p", '{"spec":{"externalTrafficPolicy":"Local"}}')
    hc = _svc(mk, "loadbalancer")["spec"]["healthCheckNodePort"]
    assert f"healthCheckNodePort: {hc}" in mk("get", "svc", "loadbalancer", "-o", "yaml").out
    pods = json.loads(mk("get", "po", "-l", "app=source-ip-app", "-o", "json").out)["items"]
    per_node = {n: sum(p["spec"]["nodeName"] == n for p in pods) for n in NODES}
    for node in NODES:
        r = mk("ssh", node, "--", "curl", "-si", f"localhost:{hc}/healthz")
        head, _, body = r.out.partition("\r\n\r\n")
        count = per_node[node]
        assert head.splitlines()[0] == ("HTTP/1.1 200 OK" if count else "HTTP/1.1 503 Service Unavailable")
        assert head.splitlines()[1:3] == ["Content-Type: application/json", "X-Content-Type-Options: nosniff"]
        assert json.loads(body) == {"service": {"namespace": "default", "name": "loadbalancer"},
                                    "localEndpoints": count, "serviceProxyHealthy": True}
        assert body.startswith('{\n\t"service": {\n\t\t"namespace"') and not body.endswith("\n")
        # any path, and any node address: the server is the Service's, on every node IP
        assert json.loads(mk("ssh", "k8s-master", "--", "curl", "-s", f"{NODES[node]}:{hc}/").out)["localEndpoints"] \
            == count
    assert nodes
    empty = next(n for n in NODES if not per_node[n])
    r = mk("ssh", empty, "--", "curl", "-sf", f"localhost:{hc}/healthz")
    assert r.code == 22
    # scaled to zero: every node says 503
    mk("scale", "deployment", "source-ip-app", "--replicas=0")
    mk.advance(60)
    assert all(json.loads(mk("ssh", n, "--", "curl", "-s", f"localhost:{hc}").out)["localEndpoints"] == 0
               for n in NODES)


def test_kube_proxy_healthz_and_livez(mk):
    r = mk("ssh", "k8s-worker-01", "--", "curl", "-si", "127.0.0.1:10256/healthz")
    head, _, body = r.out.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Content-Type-Options: nosniff\r\n")
    assert re.fullmatch(r'\{"lastUpdated": "(%s)","currentTime": "\1", "nodeEligible": true\}' % GO_TIME, body), body
    live = mk("ssh", "k8s-master", "--", "curl", "-s", "192.168.1.11:10256/livez").out
    assert re.fullmatch(r'\{"lastUpdated": "(%s)","currentTime": "\1"\}' % GO_TIME, live), live
    r = mk("ssh", "k8s-worker-01", "--", "curl", "-si", "localhost:10256/metrics")
    assert r.out.startswith("HTTP/1.1 404 Not Found\r\n") and r.out.endswith("\r\n\r\n404 page not found\n")
    # a node the cluster autoscaler is removing is not eligible: 503
    mk("taint", "node", "k8s-worker-01", "ToBeDeletedByClusterAutoscaler=1:NoSchedule")
    r = mk("ssh", "k8s-worker-01", "--", "curl", "-si", "localhost:10256/healthz")
    assert r.out.startswith("HTTP/1.1 503 Service Unavailable\r\n") and '"nodeEligible": false}' in r.out
    # metrics listen on loopback only, and their text is not simulated
    r = mk("ssh", "k8s-worker-01", "--", "curl", "-s", "localhost:10249/metrics")
    assert (r.code, r.err) == (1, "minikctl: kube-proxy's metrics (127.0.0.1:10249/metrics) are not simulated\n")
    assert mk("ssh", "k8s-master", "--", "curl", "-s", "192.168.1.11:10249/metrics").code == 7


def test_localhost_node_ports_follow_the_proxy_mode(mk, tmp_path):
    """iptables mode sets route_localnet=1 (its log says so): localhost:NODEPORT works; ipvs does not."""
    _app(mk)
    mk("expose", "deployment", "source-ip-app", "--name=np", "--port=80", "--target-port=8080", "--type=NodePort")
    port = _svc(mk, "np")["spec"]["ports"][0]["nodePort"]
    assert "CLIENT VALUES" in mk("ssh", "k8s-worker-02", "--", "curl", "-s", f"localhost:{port}").out
    cfg = tmp_path / "kp.yaml"
    cfg.write_text(IPVS_CONFIG)
    mk("apply", "-f", str(cfg))
    mk("delete", "po", "-n", "kube-system", "-l", "k8s-app=kube-proxy")
    mk.advance(10)
    assert mk("ssh", "k8s-worker-02", "--", "curl", "-s", f"localhost:{port}").code == 7
    assert "CLIENT VALUES" in mk("ssh", "k8s-worker-02", "--", "curl", "-s", f"192.168.1.12:{port}").out


# --- kube-proxy's logs --------------------------------------------------------------------------

def _messages(text: str) -> list[tuple[str, str]]:
    out = []
    for line in text.splitlines():
        m = KLOG.match(line)
        assert m, line
        out.append((m.group(1), m.group(4)))
    return out


def _normal(msgs, version, ip):
    return [(s, t.replace(version, "VERSION").replace(ip, "NODE-IP")) for s, t in msgs]


def test_kube_proxy_logs_match_a_real_v1_31_start(mk):
    """The same messages, in the same order, as a real kubeadm node's kube-proxy prints at start
    (iptables mode, kubeadm's ConfigMap); file:line are the v1.32 ones where known."""
    pod = mk("get", "po", "-n", "kube-system", "-l", "k8s-app=kube-proxy", "--field-selector",
             "spec.nodeName=k8s-worker-02", "-o", "name").out.strip()
    ours = mk("logs", "-n", "kube-system", pod).out
    real = (DATA / "v1.31.0-iptables.log").read_text()
    assert _normal(_messages(ours), "v1.32.0", "192.168.1.12") == _normal(_messages(real), "v1.31.0", "192.168.121.74")
    known_132 = {m.group(3) for m in map(KLOG.match, (DATA / "v1.32.13-nftables.log").read_text().splitlines())}
    ours_where = [KLOG.match(line).group(3) for line in ours.splitlines()]
    for where in ours_where:
        base = where.split(":")[0]
        if base in ("server.go", "config.go", "conntrack.go", "shared_informer.go") and where != "server.go:234":
            assert where in known_132, where
    # times: one burst, increasing, at the container's start
    times = [KLOG.match(line).group(2) for line in ours.splitlines()]
    assert times == sorted(times) and len(set(t[:13] for t in times)) == 1


@pytest.mark.parametrize("mode, proxier", [("ipvs", '"Using ipvs Proxier"'), ("nftables", '"Using nftables Proxier"')])
def test_kube_proxy_logs_follow_the_mode(mk, tmp_path, mode, proxier):
    cfg = tmp_path / "kp.yaml"
    cfg.write_text(IPVS_CONFIG.replace('"ipvs"', f'"{mode}"'))
    mk("apply", "-f", str(cfg))
    mk("delete", "po", "-n", "kube-system", "-l", "k8s-app=kube-proxy")
    mk.advance(10)
    out = mk("logs", "-n", "kube-system", "ds/kube-proxy").out
    msgs = [t for _, t in _messages(out)]
    assert proxier in msgs
    assert '"Using iptables proxy"' not in msgs and '"Using iptables Proxier"' not in msgs
    assert not any("route_localnet" in t for t in msgs)
    assert any("nodePortAddresses is unset" in t for t in msgs) == (mode == "ipvs")
