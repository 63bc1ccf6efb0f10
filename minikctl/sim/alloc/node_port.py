"""NodePort allocation (portallocator): random in the upper band 30086-32767 first, then the
static band; requested ports are checked for range and conflicts, with the apiserver's texts."""
from __future__ import annotations

from minikctl.api.errors import invalid


def _range(cluster) -> tuple[int, int]:
    lo, hi = (int(x) for x in cluster.profile.get("nodePortRange", "30000-32767").split("-"))
    return lo, hi


def used_ports(cluster, exclude: dict | None = None) -> set[int]:
    out = set()
    for s in cluster.list("Service"):
        if exclude is not None and s is exclude:
            continue
        for p in (s.get("spec") or {}).get("ports") or []:
            if p.get("nodePort"):
                out.add(int(p["nodePort"]))
    return out


def allocate(cluster, svc: dict, old: dict | None = None) -> None:
    """Fill spec.ports[].nodePort for NodePort/LoadBalancer Services, in place."""
    spec = svc["spec"]
    name = svc["metadata"].get("name", "")
    lo, hi = _range(cluster)
    used = used_ports(cluster, exclude=old)
    old_ports = {(p.get("port"), p.get("protocol")): p.get("nodePort") for p in ((old or {}).get("spec") or {}).get("ports") or []}
    size = hi - lo + 1
    offset = min(max(16, size // 32), 128)
    for i, p in enumerate(spec.get("ports") or []):
        want = p.get("nodePort")
        if want:
            if not lo <= int(want) <= hi:
                raise invalid("Service", name, [(f"spec.ports[{i}].nodePort", f"Invalid value: {want}: provided port is not in the valid range. The range of valid ports is {lo}-{hi}")])
            if int(want) in used:
                raise invalid("Service", name, [(f"spec.ports[{i}].nodePort", f"Invalid value: {want}: provided port is already allocated")])
            used.add(int(want))
            continue
        keep = old_ports.get((p.get("port"), p.get("protocol")))
        if keep and keep not in used:
            p["nodePort"] = keep
            used.add(keep)
            continue
        for a, b in ((lo + offset, hi + 1), (lo, lo + offset)):
            span = b - a
            start = cluster.rng.randrange(span)
            port = next((a + (start + j) % span for j in range(span) if a + (start + j) % span not in used), None)
            if port is not None:
                p["nodePort"] = port
                used.add(port)
                break
