"""describe for custom resources: kubectl's genericDescriber (describe.go, v1.32).

kubectl has no typed describer for CRD-served kinds (the Gateway API's), so it prints the
unstructured object: Name, Namespace, Labels, Annotations, then every other field sorted by key,
nested maps indented, list items one after another, keys turned into words by smartLabelFor
(`lastTransitionTime` -> `Last Transition Time`, `apiVersion` -> `API Version`), and Events.
"""
from __future__ import annotations

import re

from minikctl.printers.describe import (Writer, annotations_multiline, describe_events, events_for,
                                        labels_multiline)

_SKIP = {".metadata.managedFields", ".metadata.name", ".metadata.namespace", ".metadata.labels",
         ".metadata.annotations"}
_ACRONYMS = {"API", "URL", "UID", "OSB", "GUID"}
_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|-")


def smart_label(field: str) -> str:
    """smartLabelFor: keys with anything but letters and '-' are kept as they are."""
    if any(not (ch.isalpha() or ch == "-") for ch in field):
        return field
    out = []
    for part in _PARTS.findall(field):
        out.append(part.upper() if part.upper() in _ACRONYMS else part[:1].upper() + part[1:])
    return " ".join(out)


def _scalar(v) -> str:
    """Go's %v of a JSON-decoded value."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "<nil>"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def print_unstructured(w: Writer, level: int, content: dict, prefix: str = "") -> None:
    for key in sorted(content):
        value = content[key]
        path = f"{prefix}.{key}"
        if path in _SKIP:
            continue
        if isinstance(value, dict):
            w.write(level, f"{smart_label(key)}:\n")
            print_unstructured(w, level + 1, value, path)
        elif isinstance(value, list):
            w.write(level, f"{smart_label(key)}:\n")
            for item in value:
                if isinstance(item, dict):
                    print_unstructured(w, level + 1, item, path)
                else:
                    w.write(level + 1, f"{_scalar(item)}\n")
        else:
            w.write(level, f"{smart_label(key)}:\t{_scalar(value)}\n")


def describe(obj: dict, view) -> str:
    meta = obj.get("metadata") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace') or ''}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    print_unstructured(w, 0, obj)
    describe_events(w, events_for(obj, view), view.now)
    return w.render()
