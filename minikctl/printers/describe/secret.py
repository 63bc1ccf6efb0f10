"""describe secret (describeSecret): type, then each data key with its size, never its value,
except a service-account-token Secret's token, which kubectl prints in full. No events."""
from __future__ import annotations

import base64

from minikctl.printers.describe import Writer, annotations_multiline, labels_multiline


def describe(secret: dict, view) -> str:
    meta = secret.get("metadata") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace') or ''}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    stype = secret.get("type") or ""
    w.write(0, f"\nType:\t{stype}\n")
    w.write(0, "\nData\n====\n")
    # Go ranges over the map in random order; sorted is one of those orders.
    for k, v in sorted((secret.get("data") or {}).items()):
        raw = base64.b64decode(v or "")
        if k == "token" and stype == "kubernetes.io/service-account-token":
            w.write(0, f"{k}:\t{raw.decode('utf-8', 'replace')}\n")
        else:
            w.write(0, f"{k}:\t{len(raw)} bytes\n")
    return w.render()
