"""Pod IPs as Calico's IPAM hands them out: each node claims /26 blocks of the pod CIDR.

A node's first block is claimed at random when its first pod needs an address; inside a block
the first address goes to the node's tunnel interface (tunl0) and pods take the next free address
after the last one handed out (so consecutive pods get consecutive IPs, as in the study note).
Used addresses are derived from the pods themselves, so a deleted pod's IP is free again.
"""
from __future__ import annotations

import ipaddress


def _used(cluster) -> set[str]:
    """Pod IPs in use: computed once per command, then kept up to date by allocate and remove."""
    used = getattr(cluster, "ips_in_use", None)
    if used is None:
        used = {p["status"]["podIP"] for p in cluster.list("Pod") if (p.get("status") or {}).get("podIP")}
        try:
            cluster.ips_in_use = used
        except AttributeError:
            pass
    return used


def allocate(cluster, node: str, used: set[str] | None = None) -> str:
    prof = cluster.profile
    state = cluster.meta.setdefault("ipam", {})
    blocks: list[str] = state.setdefault("blocks", {}).setdefault(node, [])
    cursors: dict = state.setdefault("cursor", {})
    used = _used(cluster) if used is None else used
    for block in blocks:
        net = ipaddress.ip_network(block)
        size = net.num_addresses
        start = cursors.get(block, 0)
        for i in range(1, size + 1):
            off = (start + i) % size
            if off == 0:
                continue  # the tunnel address
            ip = str(net.network_address + off)
            if ip not in used:
                cursors[block] = off
                used.add(ip)
                return ip
    # claim a new block at random among the free ones
    pool = ipaddress.ip_network(prof["podCIDR"])
    prefix = int(prof.get("podBlockPrefix", 26))
    taken = {b for bl in state["blocks"].values() for b in bl}
    count = 2 ** (prefix - pool.prefixlen)
    start = cluster.rng.randrange(count)
    for i in range(count):
        idx = (start + i) % count
        block = ipaddress.ip_network((int(pool.network_address) + idx * 2 ** (32 - prefix), prefix))
        if str(block) not in taken:
            blocks.append(str(block))
            cursors[str(block)] = 0
            return allocate(cluster, node, used)
    raise RuntimeError("pod CIDR exhausted")


def node_blocks(cluster, node: str) -> list[str]:
    return list(cluster.meta.get("ipam", {}).get("blocks", {}).get(node, []))
