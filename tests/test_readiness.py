"""Readiness drives the data plane: a pod made unready (the `sim unready` knob, or a readiness
probe on a port the image does not serve) leaves Endpoints, EndpointSlices, DNS answers,
kube-proxy's rules and traffic in the same command; made ready again, it comes back at once.

Rules checked (Kubernetes docs, endpoints/endpointslice controllers, CoreDNS): an unready pod
is listed under `notReadyAddresses` and as `ready: false` in its slice; CoreDNS answers a headless
name with ready endpoints only; kube-proxy's KUBE-SVC chain jumps to ready endpoints only."""
from __future__ import annotations

import re

import yaml

from test_cli_net import chart_rows, objs, pods_of

ANNOTATION = "sim.minikctl.io/ready"


def ready_cell(mk, pod: str) -> tuple[str, str]:
    r = mk("get", "po", pod)
    assert r.code == 0, r.err
    cells = r.out.splitlines()[1].split()
    return cells[1], cells[2]


def ep_ips(mk, svc: str) -> tuple[set[str], set[str]]:
    ep = objs(mk, "ep", svc)[0]
    ready = {a["ip"] for s in ep.get("subsets") or [] for a in s.get("addresses") or []}
    unready = {a["ip"] for s in ep.get("subsets") or [] for a in s.get("notReadyAddresses") or []}
    return ready, unready


def slice_conditions(mk, svc: str) -> dict[str, dict]:
    return {e["addresses"][0]: e["conditions"] for s in objs(mk, "endpointslice", "-l", f"kubernetes.io/service-name={svc}")
            for e in s.get("endpoints") or []}


def nslookup_ips(mk, name: str) -> list[str]:
    r = mk("exec", "busybox", "--", "nslookup", name)
    assert r.code == 0, r.err
    body = r.out.split("\n\n", 1)[1]
    return re.findall(r"^Address \d+: (\S+)", body, re.M)


def test_unready_knob_headless_endpoints_dns_and_traffic_follow_at_once(mk):
    mk.apply_spec("test-headless-server", "busybox")
    pods = sorted(pods_of(mk, "app=headless-server"), key=lambda p: p["metadata"]["name"])
    victim, ip = pods[0]["metadata"]["name"], pods[0]["status"]["podIP"]
    others = {p["status"]["podIP"] for p in pods[1:]}
    r = mk("sim", "unready", victim)
    assert (r.code, r.out) == (0, f"pod/{victim} readiness probe failing\n")
    assert objs(mk, "po", victim)[0]["metadata"]["annotations"][ANNOTATION] == "false"
    assert ready_cell(mk, victim) == ("0/1", "Running")                 # still running, not ready
    cond = {c["type"]: c for c in objs(mk, "po", victim)[0]["status"]["conditions"]}
    assert cond["Ready"]["status"] == "False" and cond["Ready"]["reason"] == "ContainersNotReady"
    assert ep_ips(mk, "headless-svc") == (others, {ip})
    sl = slice_conditions(mk, "headless-svc")
    assert sl[ip]["ready"] is False and all(sl[o]["ready"] is True for o in others)
    assert sorted(nslookup_ips(mk, "headless-svc")) == sorted(others)
    rows = chart_rows(mk("traffic", "headless-svc", "-n", "200").out)
    assert victim not in rows and sum(rows.values()) == 200
    r = mk("get", "ep", "headless-svc")
    assert ip not in r.out

    r = mk("sim", "ready", victim)
    assert (r.code, r.out) == (0, f"pod/{victim} readiness probe passing\n")
    assert ANNOTATION not in (objs(mk, "po", victim)[0]["metadata"].get("annotations") or {})
    assert ready_cell(mk, victim) == ("1/1", "Running")
    assert ep_ips(mk, "headless-svc") == (others | {ip}, set())
    assert sorted(nslookup_ips(mk, "headless-svc")) == sorted(others | {ip})
    assert victim in chart_rows(mk("traffic", "headless-svc", "-n", "200").out)


def test_unready_pod_leaves_kube_proxy_rules_and_clusterip_traffic(mk):
    mk.apply_spec("web-server", "busybox")
    pods = pods_of(mk, "app=web-server")
    victim, ip = pods[1]["metadata"]["name"], pods[1]["status"]["podIP"]
    assert mk("sim", "unready", f"pod/{victim}").code == 0
    dump = mk("ssh", "k8s-worker-01", "--", "iptables-save", "-t", "nat").out
    assert f'"default/web-server-svc -> {ip}:80"' not in dump
    assert dump.count('"default/web-server-svc -> ') == 2
    assert "--probability 0.50000000000" in dump                       # two endpoints left: 1/2
    rows = chart_rows(mk("traffic", "web-server-svc", "-n", "300").out)
    assert victim not in rows and len(rows) == 2
    # the ClusterIP name still resolves to the VIP whatever the endpoints (CoreDNS)
    vip = objs(mk, "svc", "web-server-svc")[0]["spec"]["clusterIP"]
    assert nslookup_ips(mk, "web-server-svc") == [vip]
    for p in pods:
        mk("sim", "unready", p["metadata"]["name"])
    assert chart_rows(mk("traffic", "web-server-svc", "-n", "5").out) == {"(refused)": 5}
    for p in pods:
        mk("sim", "ready", p["metadata"]["name"])
    assert len(chart_rows(mk("traffic", "web-server-svc", "-n", "300").out)) == 3


def test_readiness_probe_on_a_port_the_image_does_not_serve(mk):
    def pod(name: str, probe: dict, ports: list[dict]) -> dict:
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": "probed"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27.3", "ports": ports,
                                         "readinessProbe": probe}]}}
    docs = [pod("wrong-port", {"httpGet": {"path": "/", "port": 8080}}, [{"containerPort": 80}]),
            pod("wrong-tcp", {"tcpSocket": {"port": 9999}}, []),
            pod("right-port", {"httpGet": {"path": "/", "port": 80}}, [{"containerPort": 80}]),
            pod("named-port", {"httpGet": {"path": "/", "port": "http"}}, [{"name": "http", "containerPort": 80}]),
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "probed"},
             "spec": {"selector": {"app": "probed"}, "ports": [{"port": 80}]}}]
    r = mk("apply", "-f", "-", stdin=yaml.safe_dump_all(docs))
    assert r.code == 0, r.err
    mk.advance(60)
    assert ready_cell(mk, "wrong-port") == ("0/1", "Running")
    assert ready_cell(mk, "wrong-tcp") == ("0/1", "Running")
    assert ready_cell(mk, "right-port") == ("1/1", "Running")
    assert ready_cell(mk, "named-port") == ("1/1", "Running")
    ip = {p["metadata"]["name"]: p["status"]["podIP"] for p in pods_of(mk, "app=probed")}
    ready, unready = ep_ips(mk, "probed")
    assert ready == {ip["right-port"], ip["named-port"]}
    assert unready == {ip["wrong-port"], ip["wrong-tcp"]}
    mk.apply_spec("busybox")
    rows = chart_rows(mk("traffic", "probed", "-n", "200").out)
    assert set(rows) == {"right-port", "named-port"}


def test_knob_errors(mk):
    r = mk("sim", "unready", "ghost")
    assert (r.code, r.err) == (1, 'Error from server (NotFound): pods "ghost" not found\n')
