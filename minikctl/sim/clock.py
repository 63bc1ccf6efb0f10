"""The discrete-event clock: bring the cluster from its stored time to now.

Due timers fire in time order, each at its own timestamp, with the controllers settling after
each one; so a StatefulSet's second pod is created at the moment its first turned Ready, and the
ages printed afterwards read as on a real cluster.
"""
from __future__ import annotations

import heapq

from minikctl.sim import controllers


def advance(cluster, to: float) -> None:
    if to < cluster.now:  # the wall clock went back (or a pinned clock): time never runs backwards
        to = cluster.now
    controllers.settle(cluster)
    while cluster.timers and cluster.timers[0][0] <= to:
        due, _seq, what, payload = heapq.heappop(cluster.timers)
        cluster.now = max(cluster.now, due)
        controllers.fire(cluster, what, payload)
        controllers.settle(cluster)
    cluster.now = to
    controllers.settle(cluster)
