"""The discrete-event clock: bring the cluster from its stored time to now.

Due timers fire in time order, each at its own timestamp; the controllers settle after each
batch of timers that fall within one tick (TICK seconds) of each other. So a StatefulSet's second
pod is created the moment (within a tick) its first turned Ready, and ages read as on a real
cluster, while three thousand pods starting within a second cost a few settles, not thousands.
"""
from __future__ import annotations

import heapq
from minikctl import lazy

controllers = lazy.module("minikctl.sim.controllers")

TICK = 0.25


def advance(cluster, to: float) -> int:
    """Fire due timers and let the controllers settle; a settled cluster with nothing due costs
    nothing (the controllers are not even imported: that is most read-only commands).
    Returns how many timers fired."""
    fired = 0
    if to < cluster.now:  # the wall clock went back (or a pinned clock): time never runs backwards
        to = cluster.now
    if getattr(cluster, "settled", False) and not (cluster.timers and cluster.timers[0][0] <= to):
        cluster.now = to
        return 0
    if (cluster.meta.get("controlPlane") or {}).get("kube-apiserver") or (cluster.meta.get("controlPlane") or {}).get("etcd"):
        # no API server: no controller, scheduler or kubelet status reaches the store; what
        # fell due meanwhile happens once it is back (sim/nodehost/controlplane.py)
        cluster.now = to
        return 0
    if not getattr(cluster, "settled", False):
        controllers.settle(cluster)
    while cluster.timers and cluster.timers[0][0] <= to:
        window = cluster.timers[0][0] + TICK
        while cluster.timers and cluster.timers[0][0] <= min(window, to):
            due, _seq, what, payload = heapq.heappop(cluster.timers)
            cluster.now = max(cluster.now, due)
            controllers.fire(cluster, what, payload)
            fired += 1
        controllers.settle(cluster)
    cluster.now = to
    if not getattr(cluster, "settled", False):
        controllers.settle(cluster)
    return fired


def advance_by(cluster, seconds: float) -> dict:
    """`minikctl sim advance`: move the cluster's own clock on by `seconds` (kept as meta
    clockOffset, so later commands see the moved time), firing what falls due on the way.
    Returns what happened, for an honest one-line summary."""
    start = cluster.now
    before = set(cluster.new_events)
    cluster.meta["clockOffset"] = float(cluster.meta.get("clockOffset", 0.0) or 0.0) + seconds
    fired = advance(cluster, start + seconds)
    reasons: dict[str, int] = {}
    for key, ev in cluster.new_events.items():
        if key not in before:
            reasons[ev["reason"]] = reasons.get(ev["reason"], 0) + 1
    return {"from": start, "to": cluster.now, "fired": fired, "events": reasons}
