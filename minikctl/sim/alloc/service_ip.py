"""ClusterIP allocation as the apiserver's bitmap allocator does it (1.25-1.32 defaults).

The usable range is the service CIDR minus network and broadcast addresses. Dynamic allocation
picks a random start in the upper band [offset, max) and scans forward to the first free address;
the lower band (offset = min(max(16, size/16), 256)) is kept for static addresses.
"""
from __future__ import annotations

import ipaddress

from minikctl.api.errors import invalid


def _range(cluster):
    net = ipaddress.ip_network(cluster.profile["serviceCIDR"])
    base = int(net.network_address) + 1
    size = net.num_addresses - 2
    offset = 0 if size <= 16 else min(max(16, size // 16), 256)
    return net, base, size, offset


def used_ips(cluster, exclude: dict | None = None) -> set[str]:
    ips = set()
    for s in cluster.list("Service"):
        if exclude is not None and s is exclude:
            continue
        for ip in (s.get("spec") or {}).get("clusterIPs") or []:
            if ip and ip != "None":
                ips.add(ip)
    return ips


def allocate(cluster, svc: dict, requested: str | None) -> str:
    """Return the ClusterIP for svc (requested or dynamic), raising the apiserver's Invalid errors."""
    net, base, size, offset = _range(cluster)
    used = used_ips(cluster)
    name = svc["metadata"].get("name", "")
    if requested:
        try:
            ip = ipaddress.ip_address(requested)
        except ValueError:
            return requested  # validation reports the malformed address
        if ip not in net or int(ip) < base or int(ip) >= base + size:
            raise invalid("Service", name, [("spec.clusterIPs", f'Invalid value: []string{{"{requested}"}}: failed to allocate IP {requested}: the provided IP ({requested}) is not in the valid range. The range of valid IPs is {net}')])
        if requested in used:
            raise invalid("Service", name, [("spec.clusterIPs", f'Invalid value: []string{{"{requested}"}}: failed to allocate IP {requested}: provided IP is already allocated')])
        return requested
    for lo, hi in ((offset, size), (0, offset)):
        span = hi - lo
        if span <= 0:
            continue
        start = cluster.rng.randrange(span)
        for i in range(span):
            ip = str(ipaddress.ip_address(base + lo + (start + i) % span))
            if ip not in used:
                return ip
    raise invalid("Service", name, [("spec.clusterIPs", "Internal error: failed to allocate a serviceIP: range is full")])
