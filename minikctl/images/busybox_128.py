"""busybox 1.28: the CKA classic image, with the old libc-based nslookup applet.

Why: the flagship lab prints its output (reference dns-proxy.md 4a, busybox 1_28_4
networking/nslookup.c): the server block, then `Name:` with the name as typed and one
`Address N: ip reverse-name` per address, reverse names from a PTR query each. Resolution is
libc getaddrinfo: /etc/hosts first, then the search walk with ndots:5 (A and AAAA per candidate).
"""
from __future__ import annotations

import ipaddress

from minikctl.images.base import base_tools, files
from minikctl.images.shell import make_sh
from minikctl.net.dns.resolver import Dns, hosts_lookup, parse_resolv_conf, reverse_lookup, search_walk

USAGE = """BusyBox v1.28.4 (2018-05-22 17:00:17 UTC) multi-call binary.

Usage: nslookup [HOST] [SERVER]

Query the nameserver for the IP address of the given HOST
optionally using a specified DNS server
"""


def _reverse_hosts(hosts: str, ip: str) -> str | None:
    for line in hosts.splitlines():
        parts = line.split("#", 1)[0].split()
        if len(parts) >= 2 and parts[0] == ip:
            return parts[1]
    return None


def getaddrinfo(dns: Dns, rc, hosts: str, name: str) -> list[str] | None:
    """libc getaddrinfo(AF_UNSPEC): numeric, /etc/hosts, then DNS search walk."""
    try:
        return [str(ipaddress.ip_address(name))]
    except ValueError:
        pass
    ip = hosts_lookup(hosts, name)
    if ip:
        return [ip]
    lk = search_walk(dns, rc, name, ("A", "AAAA"))
    if not lk.ok:
        return None
    ans = [s.answer for s in lk.steps if s.qname == lk.final.qname and s.answer is not None]
    out = []
    for a in ans:
        out += [ip for ip in a.addresses() if ip not in out]
    return out


def getnameinfo(dns: Dns, rc, hosts: str, ip: str) -> str | None:
    return _reverse_hosts(hosts, ip) or reverse_lookup(dns, rc, ip)


def _print_host(dns, rc, hosts, name, header) -> tuple[str, bool]:
    ips = getaddrinfo(dns, rc, hosts, name)
    if not ips:
        return "", False
    out = [f"{header:<10} {name}\n"]
    for n, ip in enumerate(ips, 1):
        rev = getnameinfo(dns, rc, hosts, ip)
        out.append(f"Address {n}: {ip} {rev}\n" if rev else f"Address {n}: {ip}\n")
    return "".join(out), True


def nslookup(ctx, argv):
    args = [a for a in argv[1:] if not a.startswith("-")]
    if not args or len(args) > 2:
        return "", USAGE, 1
    fs = files(ctx)
    rc = parse_resolv_conf(fs["/etc/resolv.conf"])
    hosts = fs["/etc/hosts"]
    if len(args) == 2:
        rc.nameservers = [args[1]]
    dns = Dns(ctx.view, ctx.pod)
    server = rc.nameservers[0] if rc.nameservers else "127.0.0.1"
    srv, _ = _print_host(dns, rc, hosts, server, "Server:")
    out = srv + "\n" if srv else ""
    text, ok = _print_host(dns, rc, hosts, args[0], "Name:")
    if not ok:
        return out, f"nslookup: can't resolve '{args[0]}'\n", 1
    return out + text, "", 0


def tools() -> dict:
    t = base_tools("busybox")
    t["sh"] = make_sh("ash")
    t["nslookup"] = nslookup
    return t
