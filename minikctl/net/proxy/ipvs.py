"""IPVS mode: `ipvsadm -Ln` and the kube-ipvs0 dummy interface of a node.

kube-proxy (pkg/proxy/ipvs) makes one virtual server per ClusterIP, externalIP, LoadBalancer IP
and per node address x NodePort, scheduler `rr`, real servers forwarded with Masq, weight 1.
ClientIP affinity becomes `persistent <timeout>`. The ClusterIPs are bound on `kube-ipvs0`.
Printed as ipvsadm.c prints (`print_title` / `print_service_entry`) after libipvs's sort:
fwmark, af, protocol (TCP 6 < UDP 17), then address and port compared as C `int` differences
of host-order values, which wraps: 192.168.x.x sorts *before* 10.x.x.x (ipvs_cmp_services).
NodePorts are listed on the node's InternalIP only (`--nodeport-addresses` set to it).
"""
from __future__ import annotations

import functools
import hashlib

from minikctl.net.proxy import rules as R
import ipaddress
from minikctl import lazy

node_mode = lazy.function("minikctl.net.proxy.mode", "node_mode")

PROTO_NUM = {"TCP": 6, "UDP": 17, "SCTP": 132}
HEADER = ("IP Virtual Server version 1.2.1 (size=4096)\n"
          "Prot LocalAddress:Port Scheduler Flags\n"
          "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n")


def _c_int(v: int) -> int:
    """The wrap of `int r = (u32)a - (u32)b`."""
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= 1 << 31 else v


def _cmp_addr_port(a: tuple[str, int], b: tuple[str, int]) -> int:
    r = _c_int(R.ip_key(a[0]) - R.ip_key(b[0]))
    return r if r else a[1] - b[1]


def virtual_servers(view, node: str) -> list[tuple[R.ServicePort, str, int, list[R.Endpoint]]]:
    """(service port, VIP, port, real servers) as kube-proxy programs them on `node`."""
    out = []
    nip = R.node_ip(view, node)
    for sp in R.all_service_ports(view):
        cat = R.categorize(sp, node)
        internal = cat.local if sp.internal_local else cat.cluster
        external = cat.local if sp.external_local else cat.cluster
        out.append((sp, sp.cluster_ip, sp.port, internal))
        for ip in sp.external_ips + sp.lb_ips:
            out.append((sp, ip, sp.port, external))
        if sp.node_port and nip:
            out.append((sp, nip, sp.node_port, external))
    return out


def _key(entry):
    sp, ip, port, _ = entry
    return PROTO_NUM.get(sp.protocol, 0), (ip, port)


def _cmp_entries(a, b) -> int:
    (pa, ka), (pb, kb) = _key(a), _key(b)
    return (pa - pb) or _cmp_addr_port(ka, kb)


def ipvsadm_ln(view, node: str | None = None) -> str:
    """`ipvsadm -Ln` on `node` (the first node when None)."""
    node = node or R.node_names(view)[0]
    entries = sorted(virtual_servers(view, node), key=functools.cmp_to_key(_cmp_entries))
    lines = [HEADER.rstrip("\n")]
    for sp, ip, port, eps in entries:
        line = f"{sp.protocol:<4} {ip}:{port} rr"
        if sp.affinity == "ClientIP":
            line += f" persistent {sp.affinity_seconds}"
        lines.append(line)
        dests = sorted(eps, key=functools.cmp_to_key(
            lambda x, y: _cmp_addr_port((x.ip, x.port), (y.ip, y.port))))
        for ep in dests:
            lines.append(f"  -> {ep.addr:<28} {'Masq':<7} {1:<6d} {0:<10d} {0:<10d}")
    return "\n".join(lines) + "\n"


def cluster_ips(view) -> list[str]:
    """Every address bound on kube-ipvs0: ClusterIPs, externalIPs, LB IPs (deduped, sorted)."""
    ips = set()
    for sp in R.all_service_ports(view):
        ips.add(sp.cluster_ip)
        ips.update(sp.external_ips)
        ips.update(sp.lb_ips)
    return sorted(ips, key=R.ip_key)


def _mac(seed: str) -> str:
    h = hashlib.sha256(seed.encode()).digest()
    return ":".join(f"{b:02x}" for b in bytes([(h[0] & 0xFE) | 0x02]) + h[1:6])


def ip_addr_kube_ipvs0(view, node: str, index: int) -> str:
    """The kube-ipvs0 block of `ip addr` (a DOWN dummy interface holding the service VIPs)."""
    lines = [f"{index}: kube-ipvs0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN group default ",
             f"    link/ether {_mac('kube-ipvs0' + node)} brd ff:ff:ff:ff:ff:ff"]
    for ip in cluster_ips(view):
        lines.append(f"    inet {ip}/32 scope global kube-ipvs0")
        lines.append("       valid_lft forever preferred_lft forever")
    return "\n".join(lines)


def ip_addr(view, node: str) -> str:
    """`ip addr` on a node: lo, eth0 (InternalIP/24), tunl0 (Calico IPIP), kube-ipvs0 in IPVS mode."""
    nip = R.node_ip(view, node) or "0.0.0.0"
    blocks = [
        "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n"
        "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n"
        "    inet 127.0.0.1/8 scope host lo\n"
        "       valid_lft forever preferred_lft forever\n"
        "    inet6 ::1/128 scope host \n"
        "       valid_lft forever preferred_lft forever",
        "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UP group default qlen 1000\n"
        f"    link/ether {_mac('eth0' + node)} brd ff:ff:ff:ff:ff:ff\n"
        f"    inet {nip}/24 brd {nip.rsplit('.', 1)[0]}.255 scope global noprefixroute eth0\n"
        "       valid_lft forever preferred_lft forever",
    ]
    tunl = _tunl0_ip(view, node)
    if tunl:
        blocks.append(
            "3: tunl0@NONE: <NOARP,UP,LOWER_UP> mtu 1480 qdisc noqueue state UNKNOWN group default qlen 1000\n"
            "    link/ipip 0.0.0.0 brd 0.0.0.0\n"
            f"    inet {tunl}/32 scope global tunl0\n"
            "       valid_lft forever preferred_lft forever")
    if node_mode(view, node) == "ipvs":
        blocks.append(ip_addr_kube_ipvs0(view, node, len(blocks) + 1))
    return "\n".join(blocks) + "\n"


def _tunl0_ip(view, node: str) -> str | None:
    """Calico gives tunl0 the first address of the node's first /26 block (seen from its pods)."""
    prefix = int(view.profile.get("podBlockPrefix") or 26)
    ips = sorted(R.ip_key(p["status"]["podIP"]) for p in view.list("Pod")
                 if (p.get("spec") or {}).get("nodeName") == node and (p.get("status") or {}).get("podIP")
                 and not (p.get("spec") or {}).get("hostNetwork"))
    if not ips:
        return None
    net = ipaddress.ip_network(f"{ipaddress.ip_address(ips[0])}/{prefix}", strict=False)
    return str(net.network_address)
