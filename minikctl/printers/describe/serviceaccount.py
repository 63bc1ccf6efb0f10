"""describe serviceaccount (describeServiceAccount): the three secret lists under headers that
kubectl pads to one width and prints in sorted order, a missing secret marked (not found),
then events."""
from __future__ import annotations

from minikctl.printers.describe import (Writer, annotations_multiline, describe_events, events_for,
                                        labels_multiline)

_EMPTY = "                   "
_PULL = "Image pull secrets:"
_MOUNT = "Mountable secrets: "
_TOKEN = "Tokens:            "


def describe(sa: dict, view) -> str:
    meta = sa.get("metadata") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace') or ''}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    secrets = view.list("Secret", meta.get("namespace"))
    missing = {s.get("name") for s in sa.get("secrets") or []} - {s["metadata"]["name"] for s in secrets}
    tokens = [s["metadata"]["name"] for s in secrets
              if s.get("type") == "kubernetes.io/service-account-token"
              and (s["metadata"].get("annotations") or {}).get("kubernetes.io/service-account.name") == meta.get("name")
              and (s["metadata"].get("annotations") or {}).get("kubernetes.io/service-account.uid") == meta.get("uid")]
    lists = {
        _PULL: [s.get("name", "") for s in sa.get("imagePullSecrets") or []],
        _MOUNT: [s.get("name", "") for s in sa.get("secrets") or []],
        _TOKEN: tokens,
    }
    for header in sorted(lists):
        names = lists[header]
        if not names:
            w.write(0, f"{header}\t<none>\n")
            continue
        prefix = header
        for name in names:
            w.write(0, f"{prefix}\t{name}{' (not found)' if name in missing else ''}\n")
            prefix = _EMPTY
    describe_events(w, events_for(sa, view), view.now)
    return w.render()
