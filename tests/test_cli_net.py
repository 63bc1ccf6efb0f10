"""`minikctl ssh` and `minikctl traffic` end to end, checked against kube-proxy's rules as the
reference states them (dns-proxy.md section 5): chain names recomputed here from portProtoHash,
probabilities from the kernel's lround(2^31 p), ipvsadm's printf formats, and traffic spreads
within statistical bounds."""
from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import math
import re

from conftest import table_check


def objs(mk, *args) -> list[dict]:
    r = mk("get", *args, "-o", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    return data.get("items", [data])


def chain_hash(name: str, proto: str, endpoint: str = "") -> str:
    """kube-proxy portProtoHash, written from the reference, independent of minikctl.net.proxy."""
    return base64.b32encode(hashlib.sha256((name + proto + endpoint).encode()).digest()).decode()[:16]


def kernel_prob(n: int) -> str:
    """What iptables-save prints for kube-proxy's `--probability 1/n`: %.11f of lround(2^31/n)/2^31."""
    return "%.11f" % (math.floor(0x80000000 / n + 0.5) / 0x80000000)


def chart_rows(out: str) -> dict[str, int]:
    rows = {}
    for line in out.splitlines()[2:]:
        m = re.match(r"^(\S.*?)\s{2,}#*\s*(\d+)\s+([\d.]+)%$", line)
        if m:
            rows[m.group(1)] = int(m.group(2))
    return rows


def pods_of(mk, label: str) -> list[dict]:
    return objs(mk, "po", "-l", label)


# --- ssh -----------------------------------------------------------------------------------

def test_ssh_unknown_node_is_sshs_resolver_error(mk):
    r = mk("ssh", "k8s-worker-09", "--", "hostname")
    assert r.code == 255
    assert r.err == "ssh: Could not resolve hostname k8s-worker-09: Name or service not known\n"
    assert r.out == ""


def test_ssh_accepts_name_user_at_name_and_ip(mk):
    nodes = objs(mk, "nodes")
    for n in nodes:
        name = n["metadata"]["name"]
        ip = next(a["address"] for a in n["status"]["addresses"] if a["type"] == "InternalIP")
        for dest in (name, f"root@{name}", ip):
            r = mk("ssh", dest, "--", "hostname")
            assert (r.code, r.out) == (0, name + "\n"), dest


def test_ssh_runs_through_bash_exit_codes_and_pipes(mk):
    r = mk("ssh", "k8s-worker-01", "--", "nosuchtool", "-x")
    assert (r.code, r.err) == (127, "bash: line 1: nosuchtool: command not found\n")   # bash -c, as ssh runs it
    r = mk("ssh", "k8s-worker-01", "--", "false || echo fell back; echo $?")
    assert r.out == "fell back\n0\n"
    mk.apply_spec("web-server")
    r = mk("ssh", "k8s-worker-01", "--", "iptables-save -t nat | grep -c 'default/web-server-svc ->'")
    assert (r.code, r.out) == (0, "3\n")


def test_ssh_resolv_conf_is_the_nodes_own(mk):
    import yaml
    from minikctl.sim.profile import PROFILES
    upstream = yaml.safe_load((PROFILES / "default.yaml").read_text())["upstream"]["nameserver"]
    r = mk("ssh", "k8s-worker-02", "--", "cat", "/etc/resolv.conf")
    assert r.code == 0
    assert f"nameserver {upstream}\n" in r.out
    assert "10.96.0.10" not in r.out and "search" not in r.out
    # grep reads the node's files too (GNU grep: status 2 and its message for a missing one)
    r = mk("ssh", "k8s-worker-02", "--", "grep nameserver /etc/resolv.conf /etc/nope")
    assert (r.code, r.out, r.err) == (2, f"/etc/resolv.conf:nameserver {upstream}\n",   # several files: names
                                      "grep: /etc/nope: No such file or directory\n")


def test_ssh_interactive_prompt_cd_and_logout(mk):
    r = mk("ssh", "-it", "k8s-worker-01", stdin="hostname\ncd /etc\nnope\nexit 3\n")
    assert r.code == 3
    assert r.out.startswith("[root@k8s-worker-01 ~]# k8s-worker-01\n[root@k8s-worker-01 ~]# ")
    assert "[root@k8s-worker-01 etc]# " in r.out          # bash's \W: basename of the cwd
    assert r.out.endswith("logout\n")
    assert "-bash: nope: command not found\n" in r.err
    assert r.err.endswith("Connection to k8s-worker-01 closed.\n")
    r = mk("ssh", "-it", "k8s-worker-01", stdin="for f in /etc/hostname\ndo cat $f\ndone\nexit\n")
    assert r.out == "[root@k8s-worker-01 ~]# > > k8s-worker-01\n[root@k8s-worker-01 ~]# logout\n"   # PS2 `> `
    r = mk("ssh", "k8s-master", stdin="")                  # no command: a shell; EOF logs out
    assert r.out == "[root@k8s-master ~]# logout\n" and r.code == 0


def test_crictl_ps_lists_the_pods_running_on_that_node(mk):
    mk.apply_spec("web-server", "test-headless-server")
    for node in ("k8s-worker-01", "k8s-worker-02", "k8s-worker-03"):
        r = mk("ssh", node, "--", "crictl", "ps")
        assert r.code == 0
        lines = r.out.splitlines()
        assert lines[0].split() == ["CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD", "ID", "POD"]
        shown = sorted(ln.split()[-1] for ln in lines[1:])
        want = sorted(p["metadata"]["name"] for p in objs(mk, "po", "-A")
                      if p["spec"].get("nodeName") == node and p["status"].get("phase") == "Running")
        assert shown == want


# --- iptables-save for the spec's three Services ---------------------------------------------

def test_iptables_save_for_the_three_services(mk):
    mk.apply_spec()
    r = mk("ssh", "k8s-worker-01", "--", "iptables-save", "-t", "nat")
    assert r.code == 0
    dump = r.out
    lines = dump.splitlines()
    assert lines[0].startswith("# Generated by iptables-save v1.8.") and lines[1] == "*nat"
    assert lines[-2] == "COMMIT" and lines[-1].startswith("# Completed on ")
    svc = objs(mk, "svc", "web-server-svc")[0]
    vip = svc["spec"]["clusterIP"]
    name = "default/web-server-svc"                      # unnamed port: ns/name
    svc_chain = "KUBE-SVC-" + chain_hash(name, "tcp")
    assert f":{svc_chain} - [0:0]" in lines
    assert (f'-A KUBE-SERVICES -d {vip}/32 -p tcp -m comment --comment "{name} cluster IP" '
            f"-m tcp --dport 80 -j {svc_chain}") in lines
    assert (f'-A {svc_chain} ! -s 10.100.0.0/16 -d {vip}/32 -p tcp -m comment --comment "{name} cluster IP" '
            f"-m tcp --dport 80 -j KUBE-MARK-MASQ") in lines
    ips = [p["status"]["podIP"] for p in pods_of(mk, "app=web-server")]
    eps = sorted(f"{ip}:80" for ip in ips)             # kube-proxy sorts by the "ip:port" string
    for i, ep in enumerate(eps):
        sep = "KUBE-SEP-" + chain_hash(name, "tcp", ep)
        stat = f" -m statistic --mode random --probability {kernel_prob(len(eps) - i)}" if i < len(eps) - 1 else ""
        assert f'-A {svc_chain} -m comment --comment "{name} -> {ep}"{stat} -j {sep}' in lines
        assert f':{sep} - [0:0]' in lines
        assert (f'-A {sep} -s {ep.split(":")[0]}/32 -m comment --comment "{name}" -j KUBE-MARK-MASQ') in lines
        assert (f'-A {sep} -p tcp -m comment --comment "{name}" -m tcp -j DNAT --to-destination {ep}') in lines
    svc_rules = [ln for ln in lines if ln.startswith(f"-A {svc_chain} ") and "statistic" in ln]
    assert [re.search(r"probability (\S+)", ln).group(1) for ln in svc_rules] == ["0.33333333349", "0.50000000000"]
    # headless Services get no kube-proxy rules at all
    assert "headless-svc" not in dump and "headless-web-server-svc" not in dump
    # the rules are in the cluster's own (the kube-dns ones the reference verified)
    assert ":KUBE-SVC-TCOU7JCQXEZGVUNU - [0:0]" in lines and ":KUBE-SVC-NPX46M4PTMTKRN6Y - [0:0]" in lines
    # user chains sorted after the builtin ones
    decl = [ln[1:].split()[0] for ln in lines if ln.startswith(":")]
    assert decl[:4] == ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"] and decl[4:] == sorted(decl[4:])


def test_no_endpoints_reject_in_filter_and_refused_at_once(mk):
    mk.apply_spec("busybox")
    r = mk("apply", "-f", "-", stdin="apiVersion: v1\nkind: Service\nmetadata: {name: nobody}\n"
                                      "spec:\n  selector: {app: nobody}\n  ports: [{port: 80}]\n")
    assert r.code == 0, r.err
    vip = objs(mk, "svc", "nobody")[0]["spec"]["clusterIP"]
    r = mk("ssh", "k8s-worker-03", "--", "iptables-save", "-t", "filter")
    assert (f'-A KUBE-SERVICES -d {vip}/32 -p tcp -m comment --comment "default/nobody has no endpoints" '
            f"-m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable") in r.out.splitlines()
    r = mk("exec", "busybox", "--", "wget", "-qO-", "nobody")
    assert r.code == 1
    assert f"wget: can't connect to remote host ({vip}): Connection refused\n" in r.err
    r = mk("traffic", "nobody", "-n", "7")
    assert r.code == 0
    assert chart_rows(r.out) == {"(refused)": 7}
    assert "failed: 7 refused" in r.out


# --- traffic -------------------------------------------------------------------------------

def test_traffic_clusterip_spread_within_statistical_bounds(mk):
    mk.apply_spec("web-server", "busybox")
    n = 3000
    r = mk("traffic", "web-server-svc", "-n", str(n))
    assert r.code == 0, r.err
    rows = chart_rows(r.out)
    names = sorted(p["metadata"]["name"] for p in pods_of(mk, "app=web-server"))
    assert sorted(rows) == names and sum(rows.values()) == n
    # each endpoint 1/3: binomial sd = sqrt(n p (1-p)); 4.5 sd bounds, and a chi-square (2 dof, p=0.001)
    sd = math.sqrt(n * (1 / 3) * (2 / 3))
    for c in rows.values():
        assert abs(c - n / 3) < 4.5 * sd
    chi2 = sum((c - n / 3) ** 2 / (n / 3) for c in rows.values())
    assert chi2 < 13.82
    assert "kube-proxy iptables, via cluster IP: random per connection" in r.out
    assert "\x1b[" not in r.out                         # plain bars when not a terminal
    title = r.out.splitlines()[0]
    vip = objs(mk, "svc", "web-server-svc")[0]["spec"]["clusterIP"]
    bb = objs(mk, "po", "busybox")[0]
    assert title == (f"{n} new connections to web-server-svc:80 ({vip}) from busybox "
                     f"({bb['status']['podIP']} on {bb['spec']['nodeName']})")


def test_traffic_resolves_names_as_nslookup_does(mk):
    """One stub resolver: with CoreDNS scaled to zero, names fail for traffic as for nslookup,
    while the ClusterIP itself still answers (kube-proxy needs no DNS)."""
    mk.apply_spec("web-server", "busybox")
    vip = objs(mk, "svc", "web-server-svc")[0]["spec"]["clusterIP"]
    mk("scale", "deploy", "coredns", "-n", "kube-system", "--replicas=0")
    mk.advance(60)
    assert mk("exec", "busybox", "--", "nslookup", "web-server-svc").code != 0
    assert chart_rows(mk("traffic", "web-server-svc", "-n", "5").out) == {"(bad address)": 5}
    assert sum(chart_rows(mk("traffic", f"{vip}:80", "-n", "5").out).values()) == 5
    assert "(bad address)" not in mk("traffic", f"{vip}:80", "-n", "5").out


def test_traffic_chart_rows_are_consistent(mk):
    mk.apply_spec("web-server", "busybox")
    r = mk("traffic", "web-server-svc", "-n", "40")
    lines = r.out.splitlines()
    body = [ln for ln in lines[2:] if re.search(r"%$", ln)]
    counts = [int(re.search(r"(\d+)\s+[\d.]+%$", ln).group(1)) for ln in body]
    assert counts == sorted(counts, reverse=True)
    top = max(counts)
    for ln, c in zip(body, counts):
        assert ln.count("#") == round(40 * c / top)
        assert ln.endswith(f"{100 * c / 40:5.1f}%")
    assert re.match(r"^\s+40  total$", lines[2 + len(body)])


def test_traffic_headless_goes_to_the_first_dns_address(mk):
    mk.apply_spec("test-headless-server", "busybox")
    r = mk("traffic", "headless-svc", "-n", "300")
    rows = chart_rows(r.out)
    assert sorted(rows) == sorted(p["metadata"]["name"] for p in pods_of(mk, "app=headless-server"))
    assert all(c > 50 for c in rows.values())           # CoreDNS shuffles: every pod comes first sometimes
    assert "first address DNS gave" in r.out


def test_traffic_failures_refused_timeout_bad_address(mk):
    mk.apply_spec("web-server", "busybox")
    r = mk("traffic", "web-server-svc", "--port", "8080", "-n", "3")
    assert chart_rows(r.out) == {"(timeout)": 3}          # a port the Service does not declare
    r = mk("traffic", "no-such-svc", "-n", "2")
    assert chart_rows(r.out) == {"(bad address)": 2}
    r = mk("traffic", "svc/no-such-svc")
    assert (r.code, r.err) == (1, 'Error from server (NotFound): services "no-such-svc" not found\n')


def test_traffic_to_a_pod_and_host_port(mk):
    mk.apply_spec("headless-web-server", "busybox")
    r = mk("traffic", "pod/web-server-1", "-n", "4")
    assert chart_rows(r.out) == {"web-server-1": 4}
    assert "straight to the pod IP" in r.out
    r = mk("traffic", "web-server-0.headless-web-server-svc:80", "-n", "4")
    assert chart_rows(r.out) == {"web-server-0": 4}


def test_traffic_without_busybox_uses_a_throwaway_client(mk):
    mk.apply_spec("web-server")
    before = {p["metadata"]["name"] for p in objs(mk, "po")}
    r = mk("traffic", "web-server-svc", "-n", "30")
    assert r.code == 0, r.err
    assert " from traffic-client (10.100." in r.out.splitlines()[0]
    assert sum(chart_rows(r.out).values()) == 30
    assert {p["metadata"]["name"] for p in objs(mk, "po")} == before


def test_traffic_from_a_pod_that_does_not_exist(mk):
    mk.apply_spec("web-server")
    r = mk("traffic", "web-server-svc", "--from", "ghost")
    assert (r.code, r.err) == (1, 'Error from server (NotFound): pods "ghost" not found\n')


# --- IPVS ----------------------------------------------------------------------------------

def test_ipvs_profile_ipvsadm_ip_addr_and_round_robin(mk):
    r = mk("cluster", "reset", "--profile", "ipvs")
    assert r.code == 0, r.err
    mk.apply_spec("web-server", "busybox")
    vip = objs(mk, "svc", "web-server-svc")[0]["spec"]["clusterIP"]
    r = mk("ssh", "k8s-worker-01", "--", "ipvsadm", "-Ln")
    assert r.code == 0
    lines = r.out.splitlines(keepends=True)
    assert lines[:3] == ["IP Virtual Server version 1.2.1 (size=4096)\n",
                         "Prot LocalAddress:Port Scheduler Flags\n",
                         "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"]
    i = lines.index(f"TCP  {vip}:80 rr\n")
    ips = sorted((p["status"]["podIP"] for p in pods_of(mk, "app=web-server")), key=ipaddress.ip_address)
    assert lines[i + 1:i + 4] == ["  -> %-28s %-7s %-6d %-10u %-10u\n" % (f"{ip}:80", "Masq", 1, 0, 0) for ip in ips]
    # virtual servers sorted by protocol, then address, then port
    keys = [(ln.split()[0], ipaddress.ip_address(ln.split()[1].rsplit(":", 1)[0]), int(ln.split()[1].rsplit(":", 1)[1]))
            for ln in lines[3:] if not ln.startswith("  ->")]
    assert keys == sorted(keys, key=lambda k: ({"TCP": 6, "UDP": 17}[k[0]], k[1], k[2]))
    r = mk("ssh", "k8s-worker-01", "--", "ip", "addr")
    assert "kube-ipvs0" in r.out and f"inet {vip}/32" in r.out
    r = mk("traffic", "web-server-svc", "-n", "99")
    rows = chart_rows(r.out)
    assert sorted(rows.values()) == [33, 33, 33]        # rr: exactly even
    assert "kube-proxy ipvs, via cluster IP: round robin" in r.out


def test_iptables_mode_ipvsadm_has_no_virtual_servers(mk):
    mk.apply_spec("web-server")
    r = mk("ssh", "k8s-worker-01", "--", "ipvsadm", "-Ln")
    assert r.out.count("\n") == 3 and "TCP " not in r.out


def test_get_after_traffic_tables_hold(mk):
    mk.apply_spec()
    mk("traffic", "web-server-svc", "-n", "5")
    r = mk("get", "svc,po", "-o", "wide")
    code, report = table_check(r.out)
    assert code == 0, report
