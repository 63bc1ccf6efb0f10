"""`?watch=true`: a stream of watch events (ADDED / MODIFIED / DELETED / BOOKMARK), served from the
watch cache (apiserver/watchcache.py), which the commits push into; nothing polls per watcher.

JSON streams are one event per line; a client whose first choice is protobuf gets the apiserver's
protobuf stream (each frame a 4-byte length and a metav1.WatchEvent whose object is the enveloped
object, apiserver/protobuf.py); a Table Accept gets Table rows, like server-side printing.
resourceVersion, allowWatchBookmarks, sendInitialEvents and timeoutSeconds are the apiserver's
(see watchcache.py for the semantics and texts).
"""
from __future__ import annotations

import json
import time

from minikctl.apiserver import selection, table
from minikctl.apiserver.request import Request, Response
from minikctl import lazy

negotiate = lazy.module("minikctl.apiserver.negotiate")
protobuf = lazy.module("minikctl.apiserver.protobuf")
watchcache = lazy.module("minikctl.apiserver.watchcache")

DEFAULT_TIMEOUT = 1800       # the apiserver's --min-request-timeout
PB_STREAM = "application/vnd.kubernetes.protobuf;stream=watch"


def respond(req: Request, t, env) -> Response:
    labels = selection.label_filter(req.q("labelSelector"))
    fields = selection.field_filter(req.q("fieldSelector"), t.kind)
    if t.name:
        fields = (fields or []) + [("metadata.name", "=", t.name)]
    ns = t.namespace if t.kind.namespaced else None
    tv = table.wants_table(req.accept)
    include = req.q("includeObject", "Metadata")
    timeout = req.q("timeoutSeconds")
    seconds = int(timeout) if timeout.isdigit() else DEFAULT_TIMEOUT
    bookmarks = req.flag("allowWatchBookmarks")
    initial = req.flag("sendInitialEvents")
    protobuf = not tv and negotiate.choice(req.accept) == negotiate.PROTOBUF and _pb_ok(t.kind)

    def match(o: dict) -> bool:
        return (ns is None or (o.get("metadata") or {}).get("namespace") == ns) and selection.matches(o, labels, fields)

    cache = watchcache.for_env(env)
    watcher, first, start_rv = cache.watch(t.kind.kind, match, req.q("resourceVersion"), initial)

    def stream(write, stopping) -> None:
        deadline = time.monotonic() + seconds
        state = {"headers": True}

        def bookmark(rv: int, end_of_initial: bool = False) -> None:
            meta = {"resourceVersion": str(rv)}
            if end_of_initial:
                meta["annotations"] = {"k8s.io/initial-events-end": "true"}
            send("BOOKMARK", {"kind": t.kind.kind, "apiVersion": t.kind.api_version, "metadata": meta}, None, None)

        def send(kind: str, obj: dict, ev, which) -> None:
            if protobuf:
                write(_pb_frame(kind, obj))
                return
            if tv and kind != "BOOKMARK":
                body = table.table(t.kind.kind, [obj], cache.view(), obj["metadata"].get("resourceVersion", ""),
                                   include=include, version=tv, headers=state["headers"])
                state["headers"] = False
                data = json.dumps(body, separators=(",", ":")).encode()
            elif ev is not None:
                data = ev.encoded(which, obj)
            else:
                data = json.dumps(obj, separators=(",", ":")).encode()
            write(b'{"type":"' + kind.encode() + b'","object":' + data + b"}\n")

        try:
            for kind, obj, _ in first:
                send(kind, obj, None, None)
            if initial and bookmarks:
                bookmark(start_rv, end_of_initial=True)
            next_mark = time.monotonic() + BOOKMARK_EVERY() if bookmarks else None
            if bookmarks and deadline - 2 < next_mark:
                next_mark = deadline - 2
            # A woken watcher does as little as it can before writing (49 others wake with it
            # and share the GIL): whether its client left (a select) is asked when it wakes with
            # nothing to send, or once a second while events keep coming, not per event.
            checked = time.monotonic()
            while not watcher.closed:
                now = time.monotonic()
                if now >= deadline:
                    break
                if next_mark is not None and now >= next_mark:
                    bookmark(cache.rv)
                    next_mark = min(now + BOOKMARK_EVERY(), deadline - 2) if now < deadline - 2 else None
                wait = min(deadline - now, 1.0, *([max(next_mark - now, 0.0)] if next_mark is not None else []))
                got = watcher.take(wait)
                for ev, kind, obj, which in got:
                    send(kind, obj, ev, which)
                if not got or now - checked >= 1.0:
                    if stopping.is_set():
                        break
                    checked = now
        finally:
            cache.unwatch(watcher)

    ctype = PB_STREAM if protobuf else "application/json"
    return Response(200, content_type=ctype, stream=stream)


def BOOKMARK_EVERY() -> float:  # noqa: N802 - read at call time, so tests can shorten it
    return watchcache.BOOKMARK_EVERY


def _pb_ok(kind) -> bool:
    return protobuf.schema().message(kind.api_version, kind.kind) is not None


def _pb_frame(kind: str, obj: dict) -> bytes:
    """A length-prefixed metav1.WatchEvent{type, object: RawExtension{raw: the enveloped object}}
    (the protobuf stream serializer writes the event itself without an envelope)."""
    raw = protobuf.encode(obj) if protobuf.can_encode(obj) else json.dumps(obj).encode()
    ext = bytearray()
    protobuf._put_bytes(ext, 1, raw)
    ev = bytearray()
    protobuf._put_bytes(ev, 1, kind.encode())
    protobuf._put_bytes(ev, 2, bytes(ext))
    return len(ev).to_bytes(4, "big") + bytes(ev)
