"""`?watch=true`: a stream of JSON watch events (ADDED / MODIFIED / DELETED), one per line.

The simulation advances only inside a transaction, so the watcher polls: every POLL seconds it
opens the cluster (which runs the controllers up to now), diffs the selected objects by
resourceVersion against what it last sent, and writes the differences. With a resourceVersion
the stream starts from the state at that version (objects changed since are sent as MODIFIED:
no history is kept, and deletions between the list and the watch are not replayed); without one it opens with an ADDED event per object, as the
apiserver does. A Table Accept gets Table rows, like server-side printing.
"""
from __future__ import annotations

import json
import time

from minikctl.apiserver import selection, table
from minikctl.apiserver.request import Request, Response

POLL = 0.5


def _snapshot(cluster, t, labels, fields) -> dict:
    objs = cluster.list(t.kind.kind, t.namespace if t.kind.namespaced else None)
    return {(o["metadata"].get("namespace", ""), o["metadata"]["name"]): o for o in objs
            if selection.matches(o, labels, fields)}


def _rv(o: dict) -> int:
    try:
        return int(o["metadata"].get("resourceVersion") or 0)
    except ValueError:
        return 0


def respond(req: Request, t, env) -> Response:
    from minikctl.sim.cluster import open_cluster
    labels = selection.label_filter(req.q("labelSelector"))
    fields = selection.field_filter(req.q("fieldSelector"), t.kind)
    tv = table.wants_table(req.accept)
    include = req.q("includeObject", "Metadata")
    since = req.q("resourceVersion")
    timeout = req.q("timeoutSeconds")
    deadline = time.monotonic() + (int(timeout) if timeout.isdigit() else 1800)
    if t.name:
        fields = (fields or []) + [("metadata.name", "=", t.name)]

    def stream(write, stopping) -> None:
        first = [True]

        def emit(kind: str, obj: dict, view) -> None:
            if tv:
                body = table.table(t.kind.kind, [obj], view, obj["metadata"].get("resourceVersion", ""),
                                   include=include, version=tv, headers=first[0])
            else:
                body = obj
            first[0] = False
            write((json.dumps({"type": kind, "object": body}, separators=(",", ":")) + "\n").encode())

        with open_cluster(env) as cluster:
            sent = _snapshot(cluster, t, labels, fields)
            base = int(since) if since.isdigit() and since != "0" else None
            for o in sent.values():
                if base is None:
                    emit("ADDED", o, cluster)
                elif _rv(o) > base:
                    emit("MODIFIED", o, cluster)   # changed since the client's list (no history kept)
        while not stopping.is_set() and time.monotonic() < deadline:
            if stopping.wait(POLL):
                break
            with open_cluster(env) as cluster:
                now = _snapshot(cluster, t, labels, fields)
                for key, o in now.items():
                    old = sent.get(key)
                    if old is None:
                        emit("ADDED", o, cluster)
                    elif _rv(o) != _rv(old):
                        emit("MODIFIED", o, cluster)
                for key, o in sent.items():
                    if key not in now:
                        emit("DELETED", o, cluster)
            sent = now

    return Response(200, content_type="application/json", stream=stream)

