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


def _ip(n: int) -> str:
    return f"{n >> 24 & 255}.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def allocate(cluster, node: str, used: set[str] | None = None) -> str:
    prof = cluster.profile
    state = cluster.meta.setdefault("ipam", {})
    blocks: list[str] = state.setdefault("blocks", {}).setdefault(node, [])
    cursors: dict = state.setdefault("cursor", {})
    used = _used(cluster) if used is None else used
    # the block handed out from last comes first, so a node with many full blocks is not rescanned
    order = sorted(blocks, key=lambda b: b != state.setdefault("current", {}).get(node))
    for block in order:
        net = ipaddress.ip_network(block)
        base, size = int(net.network_address), net.num_addresses
        start = cursors.get(block, 0)
        for i in range(1, size + 1):
            off = (start + i) % size
            if off == 0:
                continue  # the tunnel address
            ip = _ip(base + off)
            if ip not in used:
                cursors[block] = off
                state["current"][node] = block
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
        block = f"{_ip(int(pool.network_address) + idx * 2 ** (32 - prefix))}/{prefix}"
        if block not in taken:
            blocks.append(block)
            cursors[block] = 0
            state.setdefault("current", {})[node] = block
            return allocate(cluster, node, used)
    raise RuntimeError("pod CIDR exhausted")
