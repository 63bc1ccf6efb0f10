"""`kubectl logs -f` through serve: GET pods/{name}/log?follow=true streams the container's output
as the simulation produces it, until the client goes away, the server stops, or that container
instance ends (its process exited or was restarted), as the kubelet's log stream ends.

The simulation advances only inside a transaction, so the stream polls: every POLL seconds it
opens the cluster (which runs the clock and the controllers up to now), recomputes the instance's
lines (minikctl/images/logs.py, the same lines `minikctl logs` prints) and writes the new ones.
"""
from __future__ import annotations

from minikctl.apiserver.request import Response
from minikctl import lazy

container_lines = lazy.function("minikctl.images.logs", "container_lines")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")

POLL = 1.0


def _instance(pod: dict | None, container: str) -> tuple[str | None, bool]:
    """(containerID, still running) of the container's current instance."""
    if pod is None or pod["metadata"].get("deletionTimestamp"):
        return None, False
    cs = next((s for s in (pod.get("status") or {}).get("containerStatuses") or [] if s.get("name") == container), {})
    return cs.get("containerID"), "running" in (cs.get("state") or {})


def follow(env, t, pod: dict, container: str, lines: list, total: int, render) -> Response:
    """A chunked response: `lines` (already filtered by tailLines/sinceSeconds) first, then
    every line the instance prints after the first `total`; `render(lines)` makes the bytes."""
    cid, running = _instance(pod, container)

    def stream(write, stopping) -> None:
        nonlocal total
        if lines:
            write(render(lines))
        if not running:
            return
        while not stopping.wait(POLL):
            with open_cluster(env) as cluster:
                live = cluster.get("Pod", t.namespace, t.name)
                now_cid, now_running = _instance(live, container)
                if live is None or now_cid != cid:
                    return
                try:
                    got = container_lines(cluster, live, container)
                except Exception:  # noqa: BLE001 - the instance went away between two polls
                    return
            if len(got) > total:
                write(render(got[total:]))
                total = len(got)
            if not now_running:
                return

    return Response(200, content_type="text/plain", stream=stream)
