"""Issue 10 "Done when": kubernetes.io pages replayed unedited (manifests in tests/data/k8s-io/,
commands as the pages type them), compared with what the pages print by rules and columns
(names, states, the values a real cluster would give), not by our own strings."""
from __future__ import annotations

import json
import re
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "k8s-io"


def _rows(out: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", line.strip()) for line in out.strip().splitlines()]


def _ips(mk, selector):
    items = json.loads(mk("get", "po", "-l", selector, "-o", "json").out)["items"]
    return {p["metadata"]["name"]: p["status"]["podIP"] for p in items}


# --- StatefulSet Basics ------------------------------------------------------------------------

def test_statefulset_basics(mk):
    r = mk("apply", "-f", str(DATA / "web.yaml"))
    assert (r.code, r.out) == (0, "service/nginx created\nstatefulset.apps/web created\n"), r.err
    mk.advance(2)
    # OrderedReady: web-1 is created only once web-0 is Running and Ready
    names = [row[0] for row in _rows(mk("get", "pods", "-l", "app=nginx").out)[1:]]
    mk.advance(20)
    rows = _rows(mk("get", "pods", "-l", "app=nginx").out)
    assert rows[0] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert [r[:4] for r in rows[1:]] == [["web-0", "1/1", "Running", "0"], ["web-1", "1/1", "Running", "0"]]
    assert names[0] == "web-0"
    svc = _rows(mk("get", "service", "nginx").out)
    assert svc[0] == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert svc[1][:5] == ["nginx", "ClusterIP", "None", "<none>", "80/TCP"]
    assert _rows(mk("get", "statefulset", "web").out)[1][:2] == ["web", "2/2"]
    for i in (0, 1):
        assert mk("exec", f"web-{i}", "--", "sh", "-c", "hostname").out == f"web-{i}\n"
    ips = _ips(mk, "app=nginx")
    r = mk("run", "-i", "--tty", "--image", "busybox:1.28", "dns-test", "--restart=Never", "--rm", "--",
           "nslookup", "web-0.nginx")
    assert re.search(rf"Name:\s+web-0\.nginx\nAddress 1: {re.escape(ips['web-0'])} "
                     r"web-0\.nginx\.default\.svc\.cluster\.local", r.out), r.out
    for i in (0, 1):
        assert mk("exec", f"web-{i}", "--", "sh", "-c",
                  'echo "$(hostname)" > /usr/share/nginx/html/index.html').code == 0
    for i in (0, 1):
        r = mk("exec", "-i", "-t", f"web-{i}", "--", "curl", "http://localhost/")
        assert (r.code, r.out) == (0, f"web-{i}\n"), r.err


# --- Debug Services ----------------------------------------------------------------------------

def test_debug_services_hostnames(mk):
    assert mk("create", "deployment", "hostnames", "--image=registry.k8s.io/serve_hostname").out == \
        "deployment.apps/hostnames created\n"
    assert mk("scale", "deployment", "hostnames", "--replicas=3").out == "deployment.apps/hostnames scaled\n"
    mk("run", "-i", "--tty", "busybox", "--image=busybox:1.28", "--", "sleep", "3600")
    mk.advance(20)
    rows = _rows(mk("get", "pods", "-l", "app=hostnames").out)
    assert len(rows) == 4 and all(r[1:3] == ["1/1", "Running"] for r in rows[1:])
    ips = _ips(mk, "app=hostnames")
    tmpl = mk("get", "pods", "-l", "app=hostnames", "-o", 'go-template={{range .items}}{{.status.podIP}}{{"\\n"}}{{end}}')
    assert sorted(tmpl.out.split()) == sorted(ips.values())
    # "for ep in 10.244.0.5:9376 ...; do wget -qO- $ep; done": each pod answers its own name
    for name, ip in ips.items():
        assert mk("exec", "busybox", "--", "wget", "-qO-", f"{ip}:9376").out == name
    assert mk("expose", "deployment", "hostnames", "--port=80", "--target-port=9376").out == \
        "service/hostnames exposed\n"
    mk.advance(2)
    assert mk("exec", "busybox", "--", "wget", "-qO-", "hostnames").out in ips
    r = mk("exec", "busybox", "--", "nslookup", "hostnames")
    svc_ip = json.loads(mk("get", "svc", "hostnames", "-o", "json").out)["spec"]["clusterIP"]
    assert r.code == 0 and f"Address 1: {svc_ip} hostnames.default.svc.cluster.local" in r.out
    r = mk("exec", "busybox", "--", "nslookup", "hostnames.default.svc.cluster.local")
    assert r.code == 0 and svc_ip in r.out


# --- Using Source IP ---------------------------------------------------------------------------

def test_source_ip_clusterip(mk):
    assert mk("create", "deployment", "source-ip-app", "--image=registry.k8s.io/echoserver:1.4").code == 0
    assert mk("expose", "deployment", "source-ip-app", "--name=clusterip", "--port=80", "--target-port=8080").out \
        == "service/clusterip exposed\n"
    mk("run", "busybox", "-it", "--image=busybox:1.28", "--restart=Never", "--", "sleep", "3600")
    mk.advance(10)
    svc_ip = json.loads(mk("get", "svc", "clusterip", "-o", "json").out)["spec"]["clusterIP"]
    me = mk("get", "po", "busybox", "-o", "jsonpath={.status.podIP}").out
    out = mk("exec", "busybox", "--", "wget", "-qO", "-", svc_ip).out
    # the page: "client_address=10.244.3.8" is the client pod's own IP (no SNAT for ClusterIP)
    assert out.startswith(f"CLIENT VALUES:\nclient_address={me}\ncommand=GET\nreal path=/\n")
    assert f"request_uri=http://{svc_ip}:8080/" in out


# --- Connecting Applications with Services -----------------------------------------------------

def test_connect_applications_service(mk):
    r = mk("apply", "-f", str(DATA / "run-my-nginx.yaml"))
    assert r.out == "deployment.apps/my-nginx created\n", r.err
    mk.advance(10)
    rows = _rows(mk("get", "pods", "-l", "run=my-nginx", "-o", "wide").out)
    assert rows[0][:7] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"]
    assert len(rows) == 3 and all(r[1:3] == ["1/1", "Running"] for r in rows[1:])
    assert mk("expose", "deployment/my-nginx").out == "service/my-nginx exposed\n"
    mk.advance(2)
    svc = _rows(mk("get", "svc", "my-nginx").out)
    assert svc[1][0:2] == ["my-nginx", "ClusterIP"] and svc[1][3:5] == ["<none>", "80/TCP"]
    ips = sorted(_ips(mk, "run=my-nginx").values())
    d = mk("describe", "svc", "my-nginx").out
    m = re.search(r"^Endpoints:\s+(\S+)", d, re.M)
    assert m and sorted(x.rsplit(":", 1)[0] for x in m.group(1).split(",")) == ips
    mk("run", "curl", "--image=radial/busyboxplus:curl", "-i", "--tty", "--", "sleep", "3600")
    mk.advance(10)
    r = mk("exec", "curl", "--", "nslookup", "my-nginx")
    assert r.code == 0 and "my-nginx.default.svc.cluster.local" in r.out
    r = mk("exec", "curl", "--", "wget", "-qO-", "my-nginx")
    assert "<title>Welcome to nginx!</title>" in r.out


# --- Debugging DNS Resolution ------------------------------------------------------------------

def test_dns_debugging_dnsutils(mk):
    assert mk("apply", "-f", str(DATA / "dnsutils.yaml")).out == "pod/dnsutils created\n"
    mk.advance(10)
    rows = _rows(mk("get", "pods", "dnsutils").out)
    assert rows[1][:3] == ["dnsutils", "1/1", "Running"]
    r = mk("exec", "-i", "-t", "dnsutils", "--", "nslookup", "kubernetes.default")
    assert r.code == 0 and re.search(r"Name:\s+kubernetes\.default\.svc\.cluster\.local\nAddress: 10\.96\.0\.1", r.out), r.out
    r = mk("exec", "-ti", "dnsutils", "--", "cat", "/etc/resolv.conf")
    assert "search default.svc.cluster.local svc.cluster.local cluster.local" in r.out
    assert "nameserver 10.96.0.10" in r.out


# --- Running ZooKeeper, up to its PodDisruptionBudget --------------------------------------------

def test_zookeeper_up_to_its_pdb(mk):
    r = mk("apply", "-f", str(DATA / "zookeeper.yaml"))
    assert "service/zk-hs created\nservice/zk-cs created\n" in r.out and "statefulset.apps/zk created" in r.out
    mk.advance(5)
    assert [row[0] for row in _rows(mk("get", "pods", "-l", "app=zk").out)[1:]] == ["zk-0"]   # OrderedReady
    mk.advance(60)
    rows = _rows(mk("get", "pods", "-l", "app=zk").out)
    assert [r[:4] for r in rows[1:]] == [[f"zk-{i}", "1/1", "Running", "0"] for i in range(3)]
    for i in range(3):
        assert mk("exec", f"zk-{i}", "--", "hostname").out == f"zk-{i}\n"
    events = json.loads(mk("get", "events", "-o", "json").out)["items"]
    assert not [e for e in events if e["reason"] in ("Unhealthy", "Killing")]
    ips = _ips(mk, "app=zk")
    r = mk("run", "-i", "--rm", "--image", "busybox:1.28", "t", "--restart=Never", "--", "nslookup", "zk-0.zk-hs")
    assert ips["zk-0"] in r.out


# --- StatefulSet Basics: Updating StatefulSets (RollingUpdate, staging, canary, phased, OnDelete) --

_IMAGES = "{range .items[*]}{.metadata.name}{\"\\t\"}{.spec.containers[0].image}{\"\\n\"}{end}"


def _image(mk, pod):
    # the page reads it with --template '{{range $i, $c := .spec.containers}}{{$c.image}}{{end}}'
    return mk("get", "pod", pod, "-o", "jsonpath={.spec.containers[0].image}").out


def test_statefulset_basics_updating(mk):
    assert mk("apply", "-f", str(DATA / "web.yaml")).code == 0
    mk.advance(30)
    assert mk("scale", "sts", "web", "--replicas=3").out == "statefulset.apps/web scaled\n"
    mk.advance(30)
    # Rolling Update: every pod replaced, in reverse ordinal order
    r = mk("patch", "statefulset", "web", "--type=json", "-p",
           '[{"op": "replace", "path": "/spec/template/spec/containers/0/image", '
           '"value":"registry.k8s.io/nginx-slim:0.21"}]')
    assert r.out == "statefulset.apps/web patched\n", r.err
    mk.advance(3)
    images = dict(line.split("\t") for line in mk("get", "pod", "-l", "app=nginx", "-o",
                                                   f"jsonpath={_IMAGES}").out.splitlines())
    assert images["web-2"] == "registry.k8s.io/nginx-slim:0.21"          # the highest ordinal goes first
    assert images["web-0"] == "registry.k8s.io/nginx-slim:0.24"
    mk.advance(60)
    assert mk("get", "pod", "-l", "app=nginx", "-o", f"jsonpath={_IMAGES}").out == (
        "web-0\tregistry.k8s.io/nginx-slim:0.21\nweb-1\tregistry.k8s.io/nginx-slim:0.21\n"
        "web-2\tregistry.k8s.io/nginx-slim:0.21\n")
    assert mk("rollout", "status", "sts/web").out == "partitioned roll out complete: 3 new pods have been updated...\n"
    # Staging an update: partition 3 keeps every pod at the current revision, even when recreated
    r = mk("patch", "statefulset", "web", "-p",
           '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":3}}}}')
    assert r.out == "statefulset.apps/web patched\n"
    r = mk("patch", "statefulset", "web", "--type=json", "-p",
           '[{"op": "replace", "path": "/spec/template/spec/containers/0/image", '
           '"value":"registry.k8s.io/nginx-slim:0.24"}]')
    assert r.out == "statefulset.apps/web patched\n"
    assert mk("delete", "pod", "web-2").out == 'pod "web-2" deleted\n'
    mk.advance(30)
    assert _image(mk, "web-2") == "registry.k8s.io/nginx-slim:0.21"
    # Rolling out a canary: partition 2 updates web-2 only; web-1 recreated stays at the old image
    mk("patch", "statefulset", "web", "-p",
       '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}}}}')
    mk.advance(30)
    assert _image(mk, "web-2") == "registry.k8s.io/nginx-slim:0.24"
    assert mk("delete", "pod", "web-1").out == 'pod "web-1" deleted\n'
    mk.advance(30)
    assert _image(mk, "web-1") == "registry.k8s.io/nginx-slim:0.21"
    # Phased roll out: partition 0, every pod at the new image
    mk("patch", "statefulset", "web", "-p",
       '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":0}}}}')
    mk.advance(60)
    assert mk("get", "pod", "-l", "app=nginx", "-o", f"jsonpath={_IMAGES}").out == (
        "web-0\tregistry.k8s.io/nginx-slim:0.24\nweb-1\tregistry.k8s.io/nginx-slim:0.24\n"
        "web-2\tregistry.k8s.io/nginx-slim:0.24\n")
    # On Delete
    r = mk("patch", "statefulset", "web", "-p",
           '{"spec":{"updateStrategy":{"type":"OnDelete", "rollingUpdate": null}}}')
    assert r.out == "statefulset.apps/web patched\n", r.err
    assert mk("get", "sts", "web", "-o", "jsonpath={.spec.updateStrategy}").out == '{"type":"OnDelete"}'


# --- Specifying a Disruption Budget for your Application; Safely Drain a Node ------------------

ZK_PDB_MIN = """apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: zk-pdb
spec:
  minAvailable: 2
  selector:
    matchLabels:
      app: zookeeper
"""


def test_pdb_page_and_drain(mk):
    assert mk("apply", "-f", "-", stdin=ZK_PDB_MIN).out == "poddisruptionbudget.policy/zk-pdb created\n"
    mk.advance(7)
    # no pods yet: the page's first table, nothing may be disrupted
    rows = _rows(mk("get", "poddisruptionbudgets").out)
    assert rows == [["NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"],
                    ["zk-pdb", "2", "N/A", "0", "7s"]]
    # three pods of the application (the page's zookeeper StatefulSet, here a Deployment of 3)
    assert mk("create", "deployment", "zookeeper", "--image=nginx", "--replicas=3").code == 0
    mk.advance(30)
    rows = _rows(mk("get", "poddisruptionbudgets").out)
    assert rows[1][:4] == ["zk-pdb", "2", "N/A", "1"]
    st = json.loads(mk("get", "poddisruptionbudgets", "zk-pdb", "-o", "json").out)["status"]
    cond = st["conditions"][0]
    assert (cond["type"], cond["status"], cond["reason"], cond["message"], cond["observedGeneration"]) == \
        ("DisruptionAllowed", "True", "SufficientPods", "", 1)
    assert {k: st[k] for k in ("currentHealthy", "desiredHealthy", "disruptionsAllowed", "expectedPods",
                               "observedGeneration")} == \
        {"currentHealthy": 3, "desiredHealthy": 2, "disruptionsAllowed": 1, "expectedPods": 3, "observedGeneration": 1}
    # the page's other form: maxUnavailable 1, the same single disruption allowed
    r = mk("apply", "-f", "-", stdin=ZK_PDB_MIN.replace("minAvailable: 2", "maxUnavailable: 1"))
    assert r.code == 0, r.err
    mk.advance(2)
    assert _rows(mk("get", "pdb").out)[1][:4] == ["zk-pdb", "N/A", "1", "1"]
    # Safely Drain a Node: a node with one zookeeper pod drains (the budget allows one); a second
    # node's pod would break the budget while the first is being replaced
    pods = json.loads(mk("get", "po", "-l", "app=zookeeper", "-o", "json").out)["items"]
    first = pods[0]["spec"]["nodeName"]
    r = mk("drain", first, "--ignore-daemonsets")
    assert r.code == 0, r.err
    assert r.out.startswith(f"node/{first} cordoned\n") and r.out.endswith(f"node/{first} drained\n")
    assert f"pod/{pods[0]['metadata']['name']} evicted\n" in r.out
