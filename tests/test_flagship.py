"""The flagship experiment: the three `get svc,po -o wide -l ...` tables of the study note,
reproduced by applying the spec's manifests, checked against the spec's own tables for layout
and against the cluster's rules for values."""
from __future__ import annotations

import ipaddress
import re

import pytest

from conftest import DATA, SPEC, table_check

SPEC_MD = (DATA / "three-services-tables.md").read_text()
POD_SUFFIX = r"[bcdfghjklmnpqrstvwxz2456789]{5}"
HASH = r"[456789bcdf]{9,10}"
NODES = {"k8s-worker-01", "k8s-worker-02", "k8s-worker-03"}


def spec_table(selector: str) -> list[str]:
    """The table the note shows for `kubectl get svc,po -o wide -l <selector>`."""
    m = re.search(r"`kubectl get svc,po -o wide -l " + re.escape(selector) + r"`:\n\n```\n(.*?)```", SPEC_MD, re.S)
    return m.group(1).splitlines()


def headers(lines: list[str]) -> list[list[str]]:
    return [re.split(r"\s{2,}", line.strip()) for line in lines if line.startswith("NAME")]


@pytest.fixture
def lab(mk):
    mk.apply_spec()
    return mk


@pytest.mark.parametrize("selector", ["app=headless-server", "app=web-server", "app=headless-web-server"])
def test_tables_have_the_spec_layout(lab, selector):
    r = lab("get", "svc,po", "-o", "wide", "-l", selector)
    assert r.code == 0 and r.err == ""
    code, report = table_check(r.out)
    assert code == 0, report + r.out
    ours, theirs = r.out.splitlines(), spec_table(selector)
    assert headers(ours) == headers(theirs)
    # same number of rows per group, one blank line between the groups
    assert [len(g.splitlines()) for g in r.out.strip("\n").split("\n\n")] == \
        [len(g.splitlines()) for g in "\n".join(theirs).strip("\n").split("\n\n")]


def rows(text: str, prefix: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", l.strip()) for l in text.splitlines() if l.startswith(prefix)]


def test_headless_deployment_values(lab):
    out = lab("get", "svc,po", "-o", "wide", "-l", "app=headless-server").out
    (svc,) = rows(out, "service/")
    assert svc == ["service/headless-svc", "ClusterIP", "None", "<none>", "80/TCP", "30s", "app=headless-server"]
    pods = rows(out, "pod/")
    assert len(pods) == 3
    hashes = set()
    for name, ready, status, restarts, age, ip, node, nominated, gates in pods:
        m = re.fullmatch(rf"pod/pod-server-({HASH})-{POD_SUFFIX}", name)
        assert m, name
        hashes.add(m.group(1))
        assert (ready, status, restarts, nominated, gates) == ("1/1", "Running", "0", "<none>", "<none>")
        assert ipaddress.ip_address(ip) in ipaddress.ip_network("10.100.0.0/16")
        assert node in NODES  # never the tainted control plane
    assert len(hashes) == 1


def test_clusterip_service_values(lab):
    out = lab("get", "svc,po", "-o", "wide", "-l", "app=web-server").out
    (svc,) = rows(out, "service/")
    ip = ipaddress.ip_address(svc[2])
    assert ip in ipaddress.ip_network("10.96.0.0/12")
    assert int(ip) >= int(ipaddress.ip_address("10.96.1.1"))  # dynamic IPs come from the upper band
    assert svc[4] == "80/TCP" and svc[6] == "app=web-server"
    assert all(re.fullmatch(rf"pod/web-server-pod-{HASH}-{POD_SUFFIX}", p[0]) for p in rows(out, "pod/"))


def test_statefulset_values_and_order(lab):
    out = lab("get", "svc,po", "-o", "wide", "-l", "app=headless-web-server").out
    pods = rows(out, "pod/")
    assert [p[0] for p in pods] == ["pod/web-server-0", "pod/web-server-1", "pod/web-server-2"]
    assert all(p[1:4] == ["1/1", "Running", "0"] for p in pods)
    # OrderedReady: each ordinal was created after the previous one became ready
    times = [lab("get", "po", p[0][4:], "-o", "jsonpath={.metadata.creationTimestamp}").out for p in pods]
    assert times == sorted(times)


def test_pod_ips_come_from_the_nodes_blocks(lab):
    import json
    pods = json.loads(lab("get", "po", "-o", "json").out)["items"]
    ips = [p["status"]["podIP"] for p in pods]
    assert len(set(ips)) == len(ips)
    by_node: dict[str, set] = {}
    for p in pods:
        block = ipaddress.ip_network(p["status"]["podIP"] + "/26", strict=False)
        by_node.setdefault(p["spec"]["nodeName"], set()).add(block)
    blocks = [b for bs in by_node.values() for b in bs]
    assert len(blocks) == len(set(blocks)), "a /26 block belongs to one node only"


def test_fresh_pods_are_container_creating_for_a_moment(mk):
    r = mk("apply", "-f", str(SPEC / "web-server.yaml"))
    assert r.code == 0
    out = mk("get", "po", "-l", "app=web-server").out
    assert re.search(r"0/1\s+ContainerCreating\s+0\s+0s", out), out
    mk.advance(5)
    out = mk("get", "po", "-l", "app=web-server").out
    assert out.count("Running") == 3 and "ContainerCreating" not in out


def test_ages_grow_with_the_clock(lab):
    lab.advance(13 * 60)
    out = lab("get", "svc", "headless-svc").out
    assert re.search(r"80/TCP\s+13m\n", out), out
