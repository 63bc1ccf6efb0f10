"""Controllers as a learner sees them through the CLI: names, rollouts, ordering, placement,
addresses, endpoints, garbage collection and pod lifecycle over simulated time."""
from __future__ import annotations

import ipaddress
import json
import re

from conftest import SPEC


def objs(mk, *args) -> list[dict]:
    r = mk("get", *args, "-o", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    return data.get("items", [data]) if data.get("kind") == "List" else [data]


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
      - name: web
        image: {image}
{extra}"""


def deploy(tmp_path, replicas=3, image="nginx:1.23", extra=""):
    return write(tmp_path, "web.yaml", DEPLOY.format(replicas=replicas, image=image, extra=extra))


def test_rolling_update_replaces_every_pod(mk, tmp_path):
    assert mk("apply", "-f", deploy(tmp_path)).out == "deployment.apps/web created\n"
    mk.advance(10)
    old = {p["metadata"]["name"] for p in objs(mk, "po", "-l", "app=web")}
    (rs1,) = objs(mk, "rs", "-l", "app=web")
    assert mk("apply", "-f", deploy(tmp_path, image="nginx:1.25")).out == "deployment.apps/web configured\n"
    mk.advance(1)
    mid = mk("get", "rs", "-l", "app=web").out
    assert len(mid.strip().splitlines()) == 3  # header + old + new ReplicaSet during the rollout
    mk.advance(30)
    pods = objs(mk, "po", "-l", "app=web")
    assert len(pods) == 3 and not old & {p["metadata"]["name"] for p in pods}
    assert {p["spec"]["containers"][0]["image"] for p in pods} == {"nginx:1.25"}
    rss = {r["metadata"]["name"]: r["spec"]["replicas"] for r in objs(mk, "rs", "-l", "app=web")}
    assert rss[rs1["metadata"]["name"]] == 0 and sorted(rss.values()) == [0, 3]
    (d,) = objs(mk, "deploy", "web")
    assert d["metadata"]["generation"] == 2 and d["status"]["updatedReplicas"] == 3
    assert mk("apply", "-f", deploy(tmp_path, image="nginx:1.25")).out == "deployment.apps/web unchanged\n"


def test_pod_names_follow_the_real_generators(mk, tmp_path):
    mk("apply", "-f", deploy(tmp_path, replicas=5))
    mk.advance(5)
    (rs,) = objs(mk, "rs", "-l", "app=web")
    h = rs["metadata"]["labels"]["pod-template-hash"]
    assert re.fullmatch(r"[456789bcdf]{9,10}", h) and rs["metadata"]["name"] == f"web-{h}"
    assert rs["spec"]["selector"]["matchLabels"] == {"app": "web", "pod-template-hash": h}
    for p in objs(mk, "po", "-l", "app=web"):
        assert re.fullmatch(rf"web-{h}-[bcdfghjklmnpqrstvwxz2456789]{{5}}", p["metadata"]["name"])
        ref = p["metadata"]["ownerReferences"][0]
        assert (ref["kind"], ref["name"], ref["controller"]) == ("ReplicaSet", rs["metadata"]["name"], True)


def test_statefulset_is_ordered_and_scales_down_in_reverse(mk):
    assert mk("apply", "-f", str(SPEC / "headless-web-server.yaml")).code == 0
    names = [p["metadata"]["name"] for p in objs(mk, "po", "-l", "app=headless-web-server")]
    assert names == ["web-server-0"]  # the next ordinal waits until this one is Ready
    mk.advance(30)
    pods = objs(mk, "po", "-l", "app=headless-web-server")
    assert [p["metadata"]["name"] for p in pods] == ["web-server-0", "web-server-1", "web-server-2"]
    for p in pods:
        assert p["spec"]["hostname"] == p["metadata"]["name"]
        assert p["spec"]["subdomain"] == "headless-web-server-svc"
    text = (SPEC / "headless-web-server.yaml").read_text().replace("replicas: 3", "replicas: 1")
    import tempfile, os
    fd, path = tempfile.mkstemp(suffix=".yaml")
    os.write(fd, text.encode())
    os.close(fd)
    mk("apply", "-f", path)
    out = mk("get", "po", "-l", "app=headless-web-server").out
    assert re.search(r"web-server-2\s+1/1\s+Terminating", out), out  # highest ordinal goes first
    assert re.search(r"web-server-1\s+1/1\s+Running", out), out
    mk.advance(60)
    assert [p["metadata"]["name"] for p in objs(mk, "po", "-l", "app=headless-web-server")] == ["web-server-0"]


def test_scheduler_honours_taints_selectors_and_nodename(mk, tmp_path):
    mk("apply", "-f", deploy(tmp_path, replicas=9))
    mk.advance(5)
    nodes = [p["spec"]["nodeName"] for p in objs(mk, "po", "-l", "app=web")]
    assert "k8s-master" not in nodes and len(set(nodes)) == 3  # spread, never on the tainted control plane
    pod = write(tmp_path, "p.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: pinned\nspec:\n  nodeSelector:\n"
                "    kubernetes.io/hostname: k8s-worker-02\n  containers:\n  - name: c\n    image: nginx\n")
    mk("apply", "-f", pod)
    mk.advance(5)
    assert objs(mk, "po", "pinned")[0]["spec"]["nodeName"] == "k8s-worker-02"
    stuck = write(tmp_path, "s.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: stuck\nspec:\n  nodeSelector:\n"
                  "    disk: ssd\n  containers:\n  - name: c\n    image: nginx\n")
    mk("apply", "-f", stuck)
    mk.advance(5)
    assert re.search(r"stuck\s+0/1\s+Pending", mk("get", "po", "stuck").out)
    d = mk("describe", "po", "stuck").out
    assert "0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, " \
           "3 node(s) didn't match Pod's node affinity/selector." in d
    master = write(tmp_path, "m.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: onmaster\nspec:\n  nodeName: k8s-master\n"
                   "  containers:\n  - name: c\n    image: nginx\n")
    mk("apply", "-f", master)
    mk.advance(5)
    assert objs(mk, "po", "onmaster")[0]["spec"]["nodeName"] == "k8s-master"


def test_pod_ips_are_released_and_reused(mk, tmp_path):
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {n}\nspec:\n  nodeName: k8s-worker-01\n  containers:\n  - name: c\n    image: nginx\n"
    mk("apply", "-f", write(tmp_path, "a.yaml", pod.format(n="a")))
    mk.advance(5)
    ip_a = objs(mk, "po", "a")[0]["status"]["podIP"]
    node_ips = {p["status"]["podIP"] for p in objs(mk, "po", "-A") if p["spec"]["nodeName"] == "k8s-worker-01"}
    assert mk("delete", "po", "a").out == 'pod "a" deleted\n'
    # a new block is not claimed: the next pod on the node stays in the node's block
    mk("apply", "-f", write(tmp_path, "b.yaml", pod.format(n="b")))
    mk.advance(5)
    ip_b = objs(mk, "po", "b")[0]["status"]["podIP"]
    assert ipaddress.ip_network(ip_b + "/26", strict=False) == ipaddress.ip_network(ip_a + "/26", strict=False)
    assert ip_b not in node_ips - {ip_a}


def test_endpoints_follow_ready_pods_and_hostnames(mk):
    mk.apply_spec()
    (ep,) = objs(mk, "ep", "headless-web-server-svc")
    addrs = ep["subsets"][0]["addresses"]
    assert sorted(a["hostname"] for a in addrs) == ["web-server-0", "web-server-1", "web-server-2"]
    (ep2,) = objs(mk, "ep", "headless-svc")
    assert len(ep2["subsets"][0]["addresses"]) == 3
    assert all("hostname" not in a for a in ep2["subsets"][0]["addresses"])  # no subdomain: no hostname
    slices = [s for s in objs(mk, "endpointslices") if s["metadata"]["labels"]["kubernetes.io/service-name"] == "headless-svc"]
    assert len(slices) == 1 and re.fullmatch(r"headless-svc-[bcdfghjklmnpqrstvwxz2456789]{5}", slices[0]["metadata"]["name"])
    assert all(e["conditions"]["ready"] for e in slices[0]["endpoints"])
    out = mk("get", "ep", "web-server-svc").out
    assert re.search(r"web-server-svc\s+(\d+\.\d+\.\d+\.\d+:80,){2}\d+\.\d+\.\d+\.\d+:80\s", out), out


def test_deleting_a_deployment_cascades(mk, tmp_path):
    mk("apply", "-f", deploy(tmp_path))
    mk.advance(5)
    assert mk("delete", "deploy", "web").out == 'deployment.apps "web" deleted\n'
    assert objs(mk, "rs", "-l", "app=web") == []
    out = mk("get", "po", "-l", "app=web").out
    assert out.count("Terminating") == 3
    mk.advance(40)
    r = mk("get", "po", "-l", "app=web")
    assert r.out == "" and r.err == "No resources found in default namespace.\n"


def test_busybox_lifecycle(mk, tmp_path):
    mk.apply_spec("busybox")
    assert re.search(r"busybox\s+1/1\s+Running", mk("get", "po", "busybox").out)
    mk.advance(3600)
    assert re.search(r"busybox\s+0/1\s+Completed\s+0\s", mk("get", "po", "busybox").out)
    crash = write(tmp_path, "c.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: crash\nspec:\n  containers:\n"
                  "  - name: c\n    image: busybox\n")
    mk("apply", "-f", crash)
    mk.advance(60)
    out = mk("get", "po", "crash").out
    # a shell with nothing to run exits at once; the kubelet restarts it after 0s, 10s, 20s, 40s...
    # (back-off doubling from 10s), so a minute in it has restarted three times and is backing off
    assert re.search(r"crash\s+0/1\s+CrashLoopBackOff\s+3 \(\d+s ago\)", out), out
