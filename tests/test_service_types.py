"""Every Service type end to end through the CLI: the `get` row (layout checked by table-check),
`describe`, and where traffic goes (from pods with `traffic`/`exec`, from nodes with `ssh -- curl`).

Expectations come from the rules, not from minikctl's own output: NodePort texts are the
apiserver's portallocator messages, EXTERNAL-IP/PORT(S) cells follow kubectl's printers
(kubectl-formats.md), endpoints are recomputed from the pods (IP, node, named port)."""
from __future__ import annotations

import ipaddress
import re

import yaml

from conftest import table_check
from test_cli_net import chart_rows, objs, pods_of

NODEPORT_RANGE = (30000, 32767)


def apply(mk, text: str):
    r = mk("apply", "-f", "-", stdin=text)
    assert r.code == 0, r.err
    mk.advance(5)
    return r


def svc_yaml(name: str, spec: dict, labels: dict | None = None) -> str:
    meta = {"name": name, **({"labels": labels} if labels else {})}
    return yaml.safe_dump({"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": spec})


def row(mk, name: str) -> dict[str, str]:
    """`get svc NAME -o wide` as {column: cell}, after table-check says the layout holds."""
    r = mk("get", "svc", name, "-o", "wide")
    assert r.code == 0, r.err
    code, report = table_check(r.out)
    assert code == 0, report
    head, line = r.out.splitlines()
    starts = [m.start() for m in re.finditer(r"\S+(?: \S+)*", head)]
    names = re.findall(r"\S+(?: \S+)*", head)
    cells = [line[a:b].strip() for a, b in zip(starts, starts[1:] + [None])]
    return dict(zip(names, cells))


def describe(mk, name: str) -> dict[str, str]:
    r = mk("describe", "svc", name)
    assert r.code == 0, r.err
    out = {}
    for ln in r.out.splitlines():
        m = re.match(r"^([A-Z][A-Za-z ]+):\s+(.*)$", ln)
        if m and m.group(1) not in out:
            out[m.group(1)] = m.group(2)
        elif re.match(r"^([A-Z][A-Za-z ]+):$", ln):
            out[ln[:-1]] = ""
    widths = {len(m.group(1)) for ln in r.out.splitlines() if (m := re.match(r"^([A-Z][^:]*:\s+)\S", ln))}
    assert len(widths) == 1, r.out                       # one tabwriter column for every key
    return out


def node_ips(mk) -> dict[str, str]:
    return {n["metadata"]["name"]: next(a["address"] for a in n["status"]["addresses"] if a["type"] == "InternalIP")
            for n in objs(mk, "nodes")}


def in_service_cidr(ip: str) -> bool:
    return ipaddress.ip_address(ip) in ipaddress.ip_network("10.96.0.0/12")


WEB = {"app": "web-server"}


# --- NodePort ------------------------------------------------------------------------------

def test_nodeport_row_describe_and_allocation(mk):
    mk.apply_spec("web-server", "busybox")
    apply(mk, svc_yaml("web-np", {"type": "NodePort", "selector": WEB, "ports": [{"port": 80, "nodePort": 30080}]}))
    apply(mk, svc_yaml("web-auto", {"type": "NodePort", "selector": WEB, "ports": [{"port": 80}]}))
    c = row(mk, "web-np")
    assert (c["TYPE"], c["EXTERNAL-IP"], c["PORT(S)"], c["SELECTOR"]) == ("NodePort", "<none>", "80:30080/TCP", "app=web-server")
    assert in_service_cidr(c["CLUSTER-IP"])              # a NodePort Service is also a ClusterIP Service
    auto = objs(mk, "svc", "web-auto")[0]["spec"]["ports"][0]["nodePort"]
    assert NODEPORT_RANGE[0] <= auto <= NODEPORT_RANGE[1]
    assert row(mk, "web-auto")["PORT(S)"] == f"80:{auto}/TCP"
    d = describe(mk, "web-np")
    assert d["Type"] == "NodePort"
    assert d["NodePort"] == "<unset>  30080/TCP"
    assert d["External Traffic Policy"] == "Cluster"
    assert d["IP"] == c["CLUSTER-IP"]


def test_nodeport_conflict_and_range_errors(mk):
    apply(mk, svc_yaml("a", {"type": "NodePort", "selector": WEB, "ports": [{"port": 80, "nodePort": 30080}]}))
    r = mk("apply", "-f", "-", stdin=svc_yaml("b", {"type": "NodePort", "selector": WEB,
                                                   "ports": [{"port": 80, "nodePort": 30080}]}))
    assert (r.code, r.err) == (1, 'The Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: '
                                  "provided port is already allocated\n")
    r = mk("apply", "-f", "-", stdin=svc_yaml("b", {"type": "NodePort", "selector": WEB,
                                                   "ports": [{"port": 80, "nodePort": 29999}]}))
    assert r.err == ('The Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 29999: provided port is '
                     "not in the valid range. The range of valid ports is 30000-32767\n")
    assert mk("get", "svc", "b").code == 1


def test_nodeport_reachable_on_every_nodes_ip_from_nodes_and_pods(mk):
    mk.apply_spec("web-server", "busybox")
    apply(mk, svc_yaml("web-np", {"type": "NodePort", "selector": WEB, "ports": [{"port": 80, "nodePort": 30080}]}))
    ips = node_ips(mk)
    assert len(ips) == 4
    for ip in ips.values():
        r = mk("ssh", "k8s-worker-01", "--", "curl", "-s", f"{ip}:30080")
        assert r.code == 0 and "<title>Welcome to nginx!</title>" in r.out, ip
        r = mk("exec", "busybox", "--", "wget", "-qO-", f"http://{ip}:30080")
        assert r.code == 0 and "<title>Welcome to nginx!</title>" in r.out, ip
    r = mk("traffic", f"{ips['k8s-worker-02']}:30080", "-n", "300")
    assert sorted(chart_rows(r.out)) == sorted(p["metadata"]["name"] for p in pods_of(mk, "app=web-server"))
    assert "via node port" in r.out
    # a port nobody allocated on a node: nothing listens there
    r = mk("ssh", "k8s-worker-01", "--", "curl", "-sS", f"{ips['k8s-worker-03']}:30081")
    assert r.code == 7


def test_type_change_drops_and_allocates_nodeports(mk):
    apply(mk, svc_yaml("flip", {"type": "NodePort", "selector": WEB, "ports": [{"port": 80, "nodePort": 30111}]}))
    apply(mk, svc_yaml("flip", {"type": "ClusterIP", "selector": WEB, "ports": [{"port": 80}]}))
    spec = objs(mk, "svc", "flip")[0]["spec"]
    assert "nodePort" not in spec["ports"][0] and "externalTrafficPolicy" not in spec
    assert row(mk, "flip")["PORT(S)"] == "80/TCP"
    apply(mk, svc_yaml("flip", {"type": "NodePort", "selector": WEB, "ports": [{"port": 80}]}))
    np = objs(mk, "svc", "flip")[0]["spec"]["ports"][0]["nodePort"]
    assert NODEPORT_RANGE[0] <= np <= NODEPORT_RANGE[1]


# --- LoadBalancer --------------------------------------------------------------------------

def test_loadbalancer_pending_on_the_default_profile(mk):
    mk.apply_spec("web-server")
    apply(mk, svc_yaml("web-lb", {"type": "LoadBalancer", "selector": WEB, "ports": [{"port": 80}]}))
    c = row(mk, "web-lb")
    np = objs(mk, "svc", "web-lb")[0]["spec"]["ports"][0]["nodePort"]
    assert (c["TYPE"], c["EXTERNAL-IP"], c["PORT(S)"]) == ("LoadBalancer", "<pending>", f"80:{np}/TCP")
    d = describe(mk, "web-lb")
    assert "LoadBalancer Ingress" not in d and d["NodePort"] == f"<unset>  {np}/TCP"
    r = mk("ssh", "k8s-worker-02", "--", "curl", "-s", f"{node_ips(mk)['k8s-worker-01']}:{np}")
    assert "<title>Welcome to nginx!</title>" in r.out  # a LoadBalancer Service is also a NodePort one


def test_loadbalancer_gets_pool_addresses_under_metallb(mk):
    from minikctl.sim.profile import PROFILES
    pool = yaml.safe_load((PROFILES / "metallb.yaml").read_text())["loadBalancerPool"]
    hosts = [str(h) for h in ipaddress.ip_network(pool).hosts()]
    assert mk("cluster", "reset", "--profile", "metallb").code == 0
    mk.apply_spec("web-server")
    apply(mk, svc_yaml("lb-a", {"type": "LoadBalancer", "selector": WEB, "ports": [{"port": 80}]}))
    apply(mk, svc_yaml("lb-b", {"type": "LoadBalancer", "selector": WEB, "ports": [{"port": 80}]}))
    a, b = row(mk, "lb-a")["EXTERNAL-IP"], row(mk, "lb-b")["EXTERNAL-IP"]
    assert a in hosts and b in hosts and a != b
    assert objs(mk, "svc", "lb-a")[0]["status"]["loadBalancer"]["ingress"][0]["ip"] == a
    assert describe(mk, "lb-a")["LoadBalancer Ingress"].split()[0] == a
    r = mk("ssh", "k8s-worker-03", "--", "curl", "-s", a)
    assert "<title>Welcome to nginx!</title>" in r.out
    # no longer a LoadBalancer: the address goes back to the pool
    apply(mk, svc_yaml("lb-a", {"type": "ClusterIP", "selector": WEB, "ports": [{"port": 80}]}))
    assert row(mk, "lb-a")["EXTERNAL-IP"] == "<none>"
    apply(mk, svc_yaml("lb-c", {"type": "LoadBalancer", "selector": WEB, "ports": [{"port": 80}]}))
    assert row(mk, "lb-c")["EXTERNAL-IP"] == a
    # a ClusterIP Service turned LoadBalancer gets one too
    apply(mk, svc_yaml("lb-a", {"type": "LoadBalancer", "selector": WEB, "ports": [{"port": 80}]}))
    assert row(mk, "lb-a")["EXTERNAL-IP"] not in ("<pending>", a, b)


# --- ExternalName --------------------------------------------------------------------------

def test_externalname_row_describe_dns_and_traffic(mk):
    mk.apply_spec("busybox")
    apply(mk, svc_yaml("my-service", {"type": "ExternalName", "externalName": "my.database.example.com"}))
    c = row(mk, "my-service")
    assert (c["TYPE"], c["CLUSTER-IP"], c["EXTERNAL-IP"], c["PORT(S)"]) == (
        "ExternalName", "<none>", "my.database.example.com", "<none>")
    spec = objs(mk, "svc", "my-service")[0]["spec"]
    assert "clusterIP" not in spec
    d = describe(mk, "my-service")
    assert d["External Name"] == "my.database.example.com" and d["Type"] == "ExternalName"
    r = mk("get", "ep", "my-service")
    assert r.err == 'Error from server (NotFound): endpoints "my-service" not found\n'
    assert mk("get", "endpointslice", "-l", "kubernetes.io/service-name=my-service").err.startswith("No resources found")
    r = mk("run", "dnsutils", "--image=registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3", "--restart=Never",
           "--", "sleep", "3600")
    assert r.code == 0, r.err
    mk.advance(10)
    r = mk("exec", "dnsutils", "--", "dig", "+short", "my-service.default.svc.cluster.local")
    assert r.out == "my.database.example.com.\n203.0.113.10\n"    # CNAME, then the upstream's A
    r = mk("exec", "busybox", "--", "wget", "-qO-", "my-service")
    assert r.err.startswith("wget: server returned error: HTTP/1.1 404 Not Found")   # Host: my-service
    r = mk("traffic", "my-service", "-n", "5")
    assert chart_rows(r.out) == {"203.0.113.10 (HTTP 404)": 5}
    assert "Host: header that the origin server does not recognize" in r.out
    assert "ExternalName for my.database.example.com" in r.out


# --- selectorless Services -----------------------------------------------------------------

def test_selectorless_service_with_hand_written_endpoints(mk):
    mk.apply_spec("web-server", "busybox")
    pods = sorted(pods_of(mk, "app=web-server"), key=lambda p: p["metadata"]["name"])[:2]
    chosen = [p["status"]["podIP"] for p in pods]
    apply(mk, svc_yaml("by-hand", {"ports": [{"port": 8080, "targetPort": 80}]}) + "---\n" + yaml.safe_dump({
        "apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "by-hand"},
        "subsets": [{"addresses": [{"ip": ip} for ip in chosen] + [{"ip": "203.0.113.20"}], "ports": [{"port": 80}]}]}))
    c = row(mk, "by-hand")
    assert c["SELECTOR"] == "<none>" and in_service_cidr(c["CLUSTER-IP"]) and c["PORT(S)"] == "8080/TCP"
    slices = objs(mk, "endpointslice", "-l", "kubernetes.io/service-name=by-hand")
    assert [s["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] for s in slices] == [
        "endpointslicemirroring-controller.k8s.io"]
    assert sorted(e["addresses"][0] for e in slices[0]["endpoints"]) == sorted(chosen + ["203.0.113.20"])
    r = mk("traffic", "by-hand", "-n", "600")
    rows = chart_rows(r.out)
    # the two pods listed, and the outside address (which only knows its own Host names)
    assert set(rows) == {p["metadata"]["name"] for p in pods} | {"203.0.113.20 (HTTP 404)"}
    assert all(c > 120 for c in rows.values())
    r = mk("ssh", "k8s-worker-01", "--", "curl", "-s", "-H", "Host: example.com", f"{c['CLUSTER-IP']}:8080")
    assert r.code == 0


# --- externalIPs, affinity, traffic policies, named ports -----------------------------------

def test_external_ips(mk):
    mk.apply_spec("web-server", "busybox")
    apply(mk, svc_yaml("ext", {"selector": WEB, "externalIPs": ["192.168.1.200"], "ports": [{"port": 80}]}))
    c = row(mk, "ext")
    assert (c["TYPE"], c["EXTERNAL-IP"]) == ("ClusterIP", "192.168.1.200")
    assert describe(mk, "ext")["External IPs"] == "192.168.1.200"
    r = mk("ssh", "k8s-worker-02", "--", "curl", "-s", "192.168.1.200")
    assert "<title>Welcome to nginx!</title>" in r.out
    dump = mk("ssh", "k8s-worker-02", "--", "iptables-save", "-t", "nat").out
    assert re.search(r'-A KUBE-SERVICES -d 192\.168\.1\.200/32 -p tcp -m comment --comment "default/ext external IP" '
                     r"-m tcp --dport 80 -j KUBE-EXT-\w{16}", dump)


def test_session_affinity_client_ip_is_sticky(mk):
    mk.apply_spec("web-server", "busybox")
    apply(mk, svc_yaml("sticky", {"selector": WEB, "sessionAffinity": "ClientIP", "ports": [{"port": 80}]}))
    assert describe(mk, "sticky")["Session Affinity"] == "ClientIP"
    r = mk("traffic", "sticky", "-n", "60")
    rows = chart_rows(r.out)
    assert len(rows) == 1 and list(rows.values()) == [60]
    assert "sessionAffinity ClientIP: one endpoint per client IP for 10800s" in r.out
    again = chart_rows(mk("traffic", "sticky", "-n", "20").out)
    assert list(again) == list(rows)                     # still the same pod on the next run
    plain = chart_rows(mk("traffic", "web-server-svc", "-n", "60").out)
    assert len(plain) == 3                               # without affinity the same client spreads
    dump = mk("ssh", "k8s-worker-01", "--", "iptables-save", "-t", "nat").out
    # libxt_recent's save order, as real dumps show it (kubernetes#47533 and other transcripts)
    assert re.search(r'-A KUBE-SVC-\w{16} -m comment --comment "default/sticky -> [\d.:]+" -m recent --rcheck '
                     r"--seconds 10800 --reap --name KUBE-SEP-\w{16} --mask 255\.255\.255\.255 --rsource "
                     r"-j KUBE-SEP-\w{16}", dump)
    assert re.search(r'-m comment --comment "default/sticky" -m recent --set --name KUBE-SEP-\w{16} '
                     r"--mask 255\.255\.255\.255 --rsource -m tcp -j DNAT", dump)


def test_internal_traffic_policy_local(mk):
    mk.apply_spec("web-server", "busybox")
    apply(mk, svc_yaml("itp", {"selector": WEB, "internalTrafficPolicy": "Local", "ports": [{"port": 80}]}))
    bb_node = objs(mk, "po", "busybox")[0]["spec"]["nodeName"]
    local = {p["metadata"]["name"] for p in pods_of(mk, "app=web-server") if p["spec"]["nodeName"] == bb_node}
    rows = chart_rows(mk("traffic", "itp", "-n", "60").out)
    assert set(rows) == (local or {"(timeout)"})         # no local endpoint: DROP, the client times out
    for p in pods_of(mk, "app=web-server"):
        rows = chart_rows(mk("traffic", "itp", "-n", "20", "--from", p["metadata"]["name"]).out)
        node = p["spec"]["nodeName"]
        assert set(rows) <= {q["metadata"]["name"] for q in pods_of(mk, "app=web-server") if q["spec"]["nodeName"] == node}


def test_external_traffic_policy_local_nodeport(mk):
    apply(mk, yaml.safe_dump({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "solo", "labels": {"app": "solo"}},
                              "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}))
    apply(mk, svc_yaml("np-local", {"type": "NodePort", "externalTrafficPolicy": "Local", "selector": {"app": "solo"},
                                    "ports": [{"port": 80, "nodePort": 30090}]}))
    assert describe(mk, "np-local")["External Traffic Policy"] == "Local"
    home = objs(mk, "po", "solo")[0]["spec"]["nodeName"]
    ips = node_ips(mk)
    outside = "k8s-master" if home != "k8s-master" else "k8s-worker-01"
    for node, ip in ips.items():
        if node == outside:
            continue
        r = mk("ssh", outside, "--", "curl", "-sS", "-m", "2", f"{ip}:30090")
        if node == home:
            assert r.code == 0 and "Welcome to nginx!" in r.out
        else:                                            # no local endpoint on that node: dropped
            assert (r.code, r.err) == (28, "curl: (28) Connection timed out after 2005 milliseconds\n"), node


def test_named_target_port_resolved_per_pod(mk):
    deploy = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web-%(f)s}
spec:
  replicas: 2
  selector: {matchLabels: {app: mixed, flavour: %(f)s}}
  template:
    metadata: {labels: {app: mixed, flavour: %(f)s}}
    spec:
      containers:
      - name: c
        image: %(image)s
        args: %(args)s
        ports: [{name: web, containerPort: %(port)d}]
"""
    apply(mk, deploy % {"f": "a", "image": "nginx:1.27.3", "args": "[]", "port": 80} + "---\n"
          + deploy % {"f": "b", "image": "registry.k8s.io/e2e-test-images/agnhost:2.39",
                      "args": "[netexec, --http-port=8080]", "port": 8080} + "---\n"
          + svc_yaml("mixed", {"selector": {"app": "mixed"}, "ports": [{"name": "http", "port": 80, "targetPort": "web"}]}))
    mk.apply_spec("busybox")
    want = sorted(f"{p['status']['podIP']}:{p['spec']['containers'][0]['ports'][0]['containerPort']}"
                  for p in pods_of(mk, "app=mixed"))
    ep = objs(mk, "ep", "mixed")[0]
    got = sorted(f"{a['ip']}:{s['ports'][0]['port']}" for s in ep["subsets"] for a in s["addresses"])
    assert got == want and len({w.rsplit(":")[1] for w in want}) == 2
    assert describe(mk, "mixed")["TargetPort"] == "web/TCP"
    rows = chart_rows(mk("traffic", "mixed", "-n", "400", "--path", "/hostname").out)
    names = {p["metadata"]["name"]: p for p in pods_of(mk, "app=mixed")}
    assert {k.split()[0] for k in rows} == set(names)
    for label in rows:                                   # nginx has no /hostname; netexec answers it
        assert label.endswith("(HTTP 404)") == (names[label.split()[0]]["metadata"]["labels"]["flavour"] == "a")
