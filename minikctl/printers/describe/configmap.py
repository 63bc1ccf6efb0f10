"""describe configmap: Data entries (key, '----', value, blank line), BinaryData sizes, Events."""
from __future__ import annotations

import base64

from minikctl.printers.describe import (Writer, annotations_multiline, describe_events, events_for,
                                        labels_multiline)


def describe(cm: dict, view) -> str:
    meta = cm.get("metadata") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace') or ''}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, "\nData\n====\n")
    # Go ranges over a map in random order; we print keys sorted, as the apiserver stores them.
    for k, v in sorted((cm.get("data") or {}).items()):
        w.write(0, f"{k}:\n----\n")
        w.write(0, f"{v}\n")
        w.write(0, "\n")
    w.write(0, "\nBinaryData\n====\n")
    for k, v in sorted((cm.get("binaryData") or {}).items()):
        w.write(0, f"{k}: {len(base64.b64decode(v))} bytes\n")
    w.write(0, "\n")
    describe_events(w, events_for(cm, view), view.now)
    return w.render()
