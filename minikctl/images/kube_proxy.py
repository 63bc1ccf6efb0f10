"""What a kube-proxy container writes at start-up, as `kubectl logs -n kube-system kube-proxy-x`
shows it: klog's text lines at the default verbosity, computed from the node and the
configuration the pod started with (its proxy mode, nodePortAddresses unset as kubeadm leaves it,
the node's IP and CPU count for the conntrack limit).

Why written out here: the lines are klog's output of kube-proxy's Go code (cmd/kube-proxy/app,
pkg/proxy/conntrack, pkg/proxy/config, client-go's shared_informer), and must match it byte for
byte: `I1205 22:59:01.123456       1 server.go:698] "message" key="value"`. The file:line
references are those of v1.32 as printed by real v1.32 clusters (server.go, config.go,
conntrack.go, shared_informer.go, and server_linux.go:292 for nftables); the iptables-only lines
(server_linux.go:66 and :169, proxier.go:255) and server.go:234 were only seen in v1.31 logs and
keep those numbers. The sequence is the one a fresh kube-proxy prints on a kubeadm node.
"""
from __future__ import annotations

from datetime import datetime, timezone
from minikctl import lazy

configured_mode = lazy.function("minikctl.net.proxy.mode", "configured_mode")
node_mode = lazy.function("minikctl.net.proxy.mode", "node_mode")
resources = lazy.module("minikctl.api.resources")
rules = lazy.module("minikctl.net.proxy.rules")

CONNTRACK_MAX_PER_CORE = 32768
CONNTRACK_MIN = 131072


def klog(severity: str, t: float, where: str, text: str) -> str:
    """klog's header: Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg (the thread id is the pid 1)."""
    stamp = datetime.fromtimestamp(t, timezone.utc)
    return f"{severity}{stamp:%m%d %H:%M:%S}.{stamp.microsecond:06d} {1:>7} {where}] {text}"


def _node_facts(view, node: str) -> tuple[str, int]:
    obj = view.get("Node", None, node) or {}
    cpu = ((obj.get("status") or {}).get("capacity") or {}).get("cpu") or "1"
    got = resources.parse(cpu)
    cores = max(1, int(got)) if got is not None else 1
    return rules.node_ip(view, node) or "127.0.0.1", cores


def startup_messages(view, pod: dict) -> list[tuple[str, str, str]]:
    """[(severity, file:line, message)] kube-proxy logs when it starts on the pod's node."""
    node = (pod.get("spec") or {}).get("nodeName") or ""
    mode = node_mode(view, node)
    cm = view.get("ConfigMap", "kube-system", "kube-proxy")
    conf = ((cm or {}).get("data") or {}).get("config.conf", "")
    explicit = configured_mode(view) == mode and any(
        line.replace('"', "").strip() == f"mode: {mode}" for line in conf.splitlines())
    npa_unset = "nodePortAddresses" not in conf
    ip, cores = _node_facts(view, node)
    ct_max = max(CONNTRACK_MAX_PER_CORE * cores, CONNTRACK_MIN)
    version = (pod["spec"]["containers"][0].get("image") or ":v1.32.0").rsplit(":", 1)[-1]
    out = []
    if mode == "iptables" and not explicit:
        out.append(("I", "server_linux.go:66", '"Using iptables proxy"'))
    out += [
        ("I", "server.go:698", f'"Successfully retrieved node IP(s)" IPs=["{ip}"]'),
        ("I", "conntrack.go:121", f'"Set sysctl" entry="net/netfilter/nf_conntrack_max" value={ct_max}'),
        ("I", "conntrack.go:60", f'"Setting nf_conntrack_max" nfConntrackMax={ct_max}'),
        ("I", "conntrack.go:121", '"Set sysctl" entry="net/netfilter/nf_conntrack_tcp_timeout_established" value=86400'),
        ("I", "conntrack.go:121", '"Set sysctl" entry="net/netfilter/nf_conntrack_tcp_timeout_close_wait" value=3600'),
    ]
    if mode != "nftables" and npa_unset:
        out.append(("E", "server.go:234", '"Kube-proxy configuration may be incomplete or incorrect" '
                                          'err="nodePortAddresses is unset; NodePort connections will be accepted on all '
                                          'local IPs. Consider using `--nodeport-addresses primary`"'))
    out.append(("I", "server.go:243", '"kube-proxy running in dual-stack mode" primary ipFamily="IPv4"'))
    if mode == "iptables":
        out.append(("I", "server_linux.go:169", '"Using iptables Proxier"'))
        if npa_unset:
            out.append(("I", "proxier.go:255", '"Setting route_localnet=1 to allow node-ports on localhost; to change '
                                               'this either disable iptables.localhostNodePorts '
                                               '(--iptables-localhost-nodeports) or set nodePortAddresses '
                                               '(--nodeport-addresses) to filter loopback addresses" ipFamily="IPv4"'))
    elif mode == "ipvs":
        out.append(("I", "server_linux.go:231", '"Using ipvs Proxier"'))
    else:
        out.append(("I", "server_linux.go:292", '"Using nftables Proxier"'))
    out += [
        ("I", "server.go:497", f'"Version info" version="{version}"'),
        ("I", "server.go:499", '"Golang settings" GOGC="" GOMAXPROCS="" GOTRACEBACK=""'),
    ]
    for name, where in (("service", "config.go:199"), ("endpoint slice", "config.go:105"), ("node", "config.go:329")):
        what = f"{name} config"
        out.append(("I", where, f'"Starting {what} controller"'))
        out.append(("I", "shared_informer.go:313", f"Waiting for caches to sync for {what}"))
    out += [("I", "shared_informer.go:320", f"Caches are synced for {w} config") for w in ("node", "service", "endpoint slice")]
    return out


def startup_lines(view, pod: dict, stamps: list[float]) -> list[str]:
    """The start-up messages with klog headers, one time per line from `stamps`."""
    msgs = startup_messages(view, pod)
    return [klog(sev, stamps[i] if i < len(stamps) else stamps[-1], where, text)
            for i, (sev, where, text) in enumerate(msgs)]
