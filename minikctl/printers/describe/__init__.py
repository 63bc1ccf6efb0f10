"""`kubectl describe`: one module per kind, sharing the writer and helpers defined here.

kubectl writes describe text through a prefixWriter (2 spaces per level) into a stdlib
text/tabwriter (minwidth 0, padding 2); we do the same: build tabbed text, then lay it out
with printers.tabwriter.render_tabbed. Field order follows kubectl's describe.go.
"""
from __future__ import annotations

import importlib

from minikctl.printers.duration import human_duration, translate_timestamp_since
from minikctl.printers.table import _g as g  # one None-safe path getter for both printers
from minikctl.timeutil import parse, rfc1123z
from minikctl import lazy

CliError = lazy.function("minikctl.api.errors", "CliError")
by_kind = lazy.function("minikctl.api.kinds", "by_kind")
render_tabbed = lazy.function("minikctl.printers.tabwriter", "render_tabbed")

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
MAX_ANNOTATION_LEN = 140

_MODULES = {
    "Pod": "pod", "Service": "service", "Endpoints": "endpoints", "Deployment": "deployment",
    "ReplicaSet": "replicaset", "StatefulSet": "statefulset", "Node": "node",
    "Namespace": "namespace", "ConfigMap": "configmap", "DaemonSet": "daemonset",
    "EndpointSlice": "endpointslice", "PersistentVolume": "storage", "PersistentVolumeClaim": "storage",
    "StorageClass": "storage",
    "Secret": "secret", "ServiceAccount": "serviceaccount",
    "CertificateSigningRequest": "csr", "ResourceQuota": "resourcequota", "LimitRange": "limitrange",
    "Role": "rbac", "ClusterRole": "rbac", "RoleBinding": "rbac", "ClusterRoleBinding": "rbac",
    "NetworkPolicy": "networkpolicy",
    "Ingress": "ingress", "IngressClass": "ingressclass",
    "GatewayClass": "generic", "Gateway": "generic", "HTTPRoute": "generic", "ReferenceGrant": "generic",
    "Job": "job", "CronJob": "cronjob", "PodDisruptionBudget": "pdb",
    "HorizontalPodAutoscaler": "hpa",
}


def describe(obj: dict, view) -> str:
    """The describe text of one object, dispatched on its kind."""
    mod = _MODULES.get(obj.get("kind", ""))
    if mod is None:
        k = by_kind(obj.get("kind", ""))
        if k is not None and k.crd is not None:     # a custom object: kubectl's generic describer
            mod = "generic"
    if obj.get("kind") == "CustomResourceDefinition":
        mod = "generic"
    if mod is None:
        raise CliError(f"no description has been implemented for {obj.get('kind')}")
    return importlib.import_module(f"{__name__}.{mod}").describe(obj, view)


class Writer:
    """kubectl's prefixWriter: text at an indentation level (2 spaces each)."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, level: int, text: str) -> None:
        self.parts.append("  " * level + text)

    def line(self, text: str = "") -> None:
        """WriteLine: no indentation, newline appended."""
        self.parts.append(text + "\n")

    def render(self) -> str:
        return render_tabbed("".join(self.parts))

    def raw(self) -> str:
        """The text with its tabs, as a prefixWriter over a plain buffer writes it."""
        return "".join(self.parts)




def time_str(ts: str | None) -> str:
    """RFC1123Z of an RFC 3339 timestamp; Go's zero time when missing."""
    t = parse(ts)
    return rfc1123z(t) if t is not None else "Mon, 01 Jan 0001 00:00:00 +0000"


def labels_multiline(w: Writer, title: str, labels: dict | None, initial: str = "",
                     inner: str = "\t") -> None:
    """printLabelsMultilineWithIndent: sorted 'k=v', continuation lines start with the indent."""
    w.write(0, f"{initial}{title}:{inner}")
    if not labels:
        w.line("<none>")
        return
    for i, k in enumerate(sorted(labels)):
        if i:
            w.write(0, initial + inner)
        w.write(0, f"{k}={labels[k]}\n")


def annotations_multiline(w: Writer, title: str, annotations: dict | None) -> None:
    """printAnnotationsMultiline: skips last-applied; long or multi-line values on their own lines."""
    w.write(0, f"{title}:\t")
    keys = sorted(k for k in (annotations or {}) if k != LAST_APPLIED)
    if not keys:
        w.line("<none>")
        return
    for i, k in enumerate(keys):
        if i:
            w.write(0, "\t")
        value = annotations[k]
        if value.endswith("\n"):
            value = value[:-1]
        if len(value) + len(k) + 2 > MAX_ANNOTATION_LEN or "\n" in value:
            w.write(0, f"{k}:\n")
            for s in value.split("\n"):
                s = s[:MAX_ANNOTATION_LEN - 2] + "..." if len(s) > MAX_ANNOTATION_LEN - 2 else s
                w.write(0, f"\t  {s}\n")
        else:
            w.write(0, f"{k}: {value}\n")


def tolerations_multiline(w: Writer, title: str, tolerations: list | None, initial: str = "") -> None:
    """printTolerationsMultilineWithIndent: key[=value][:effect][ op=Exists][ for Ns], sorted by key."""
    w.write(0, f"{initial}{title}:\t")
    if not tolerations:
        w.line("<none>")
        return
    for i, t in enumerate(sorted(tolerations, key=lambda t: t.get("key") or "")):
        if i:
            w.write(0, initial + "\t")
        key, value, effect = t.get("key") or "", t.get("value") or "", t.get("effect") or ""
        s = key + (f"={value}" if value else "") + (f":{effect}" if effect else "")
        if t.get("operator") == "Exists" and not value:
            s += " op=Exists" if (key or effect) else "op=Exists"
        if t.get("tolerationSeconds") is not None:
            s += f" for {int(t['tolerationSeconds'])}s"
        w.write(0, s + "\n")


def controller_of(obj: dict) -> dict | None:
    for ref in g(obj, "metadata", "ownerReferences", default=[]):
        if ref.get("controller"):
            return ref
    return None


def events_for(obj: dict, view, extra_uids: tuple[str, ...] = ()) -> list[dict]:
    """Events whose involvedObject is this object (uid when both carry one, else kind + name)."""
    m = obj.get("metadata") or {}
    ns = m.get("namespace") or None
    uid = m.get("uid")
    out = []
    for ev in view.list("Event", ns):
        io = ev.get("involvedObject") or {}
        if io.get("name") != m.get("name") or (io.get("namespace") or None) != ns:
            continue
        if io.get("uid") and uid:
            if io["uid"] != uid and io["uid"] not in extra_uids:
                continue
        elif io.get("kind") and io["kind"] != obj.get("kind"):
            continue
        out.append(ev)
    return out


def describe_events(w: Writer, events: list[dict], now: float) -> None:
    """DescribeEvents: 'Events:\\t<none>' or the Type/Reason/Age/From/Message table."""
    if not events:
        w.write(0, "Events:\t<none>\n")
        return
    events = sorted(events, key=lambda e: parse(e.get("lastTimestamp")) or 0.0)
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for e in events:
        if e.get("eventTime"):
            first = translate_timestamp_since(e["eventTime"], now)
        else:
            first = translate_timestamp_since(e.get("firstTimestamp"), now)
        series = e.get("series")
        count = int(e.get("count") or 0)
        if series:
            interval = (f"{translate_timestamp_since(series.get('lastObservedTime'), now)} "
                        f"(x{int(series.get('count') or 0)} over {first})")
        elif count > 1:
            interval = f"{translate_timestamp_since(e.get('lastTimestamp'), now)} (x{count} over {first})"
        else:
            interval = first
        source = g(e, "source", "component") or e.get("reportingController") or ""
        w.write(1, f"{e.get('type') or ''}\t{e.get('reason') or ''}\t{interval}\t{source}\t"
                   f"{(e.get('message') or '').strip()}\n")


__all__ = ["describe", "Writer", "labels_multiline", "annotations_multiline", "tolerations_multiline",
           "describe_events", "events_for", "controller_of", "time_str", "g",
           "human_duration", "translate_timestamp_since"]
