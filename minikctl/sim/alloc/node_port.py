"""NodePort allocation (portallocator): random in the upper band 30086-32767 first, then the
static band; requested ports are checked for range and conflicts, with the apiserver's texts.

The health check node port of a LoadBalancer Service with externalTrafficPolicy Local comes from
the same range (alloc.go allocHealthCheckNodePort / updateHealthCheckNodePort): allocated when a
Service starts needing one, kept while it still does, released when it stops."""
from __future__ import annotations

from minikctl.api.errors import ApiError, invalid


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
        if needs_health_check(s) and (s.get("spec") or {}).get("healthCheckNodePort"):
            out.add(int(s["spec"]["healthCheckNodePort"]))
    return out


def needs_health_check(svc: dict | None) -> bool:
    """apiservice.NeedsHealthCheck: a LoadBalancer whose external traffic stays on the node."""
    spec = (svc or {}).get("spec") or {}
    return spec.get("type") == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local"


def _next_free(cluster, used: set[int]) -> int | None:
    lo, hi = _range(cluster)
    size = hi - lo + 1
    offset = min(max(16, size // 32), 128)
    for a, b in ((lo + offset, hi + 1), (lo, lo + offset)):
        span = b - a
        start = cluster.rng.randrange(span)
        port = next((a + (start + j) % span for j in range(span) if a + (start + j) % span not in used), None)
        if port is not None:
            return port
    return None


def allocate_health_check(cluster, svc: dict, old: dict | None = None) -> None:
    """Fill spec.healthCheckNodePort in place when the Service needs one and did not before
    (a Service that still needs one keeps the old port when the update omits it)."""
    spec = svc["spec"]
    if not needs_health_check(svc):
        return
    if old is not None and needs_health_check(old):
        if not spec.get("healthCheckNodePort"):
            spec["healthCheckNodePort"] = (old.get("spec") or {}).get("healthCheckNodePort")
        return
    used = used_ports(cluster, exclude=old) | {int(p["nodePort"]) for p in spec.get("ports") or [] if p.get("nodePort")}
    want = spec.get("healthCheckNodePort")
    if want:
        lo, hi = _range(cluster)
        if not isinstance(want, int) or isinstance(want, bool):
            return  # validation words the bad type
        why = None if lo <= want <= hi else \
            f"provided port is not in the valid range. The range of valid ports is {lo}-{hi}"
        if why is None and want in used:
            why = "provided port is already allocated"
        if why:
            raise ApiError("InternalError", f"Internal error occurred: failed to allocate requested HealthCheck "
                                            f"NodePort {want}: {why}", 500)
        return
    port = _next_free(cluster, used)
    if port is None:
        raise ApiError("InternalError", "Internal error occurred: failed to allocate a HealthCheck NodePort 0: "
                                        "range is full", 500)
    spec["healthCheckNodePort"] = port


def allocate(cluster, svc: dict, old: dict | None = None) -> None:
    """Fill spec.ports[].nodePort for NodePort/LoadBalancer Services, in place."""
    spec = svc["spec"]
    name = svc["metadata"].get("name", "")
    lo, hi = _range(cluster)
    used = used_ports(cluster, exclude=old)
    old_ports = {(p.get("port"), p.get("protocol")): p.get("nodePort") for p in ((old or {}).get("spec") or {}).get("ports") or []}
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
        port = _next_free(cluster, used)
        if port is not None:
            p["nodePort"] = port
            used.add(port)
