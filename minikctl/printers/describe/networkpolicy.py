"""describe networkpolicy: describeNetworkPolicy / describeNetworkPolicySpec of kubectl.

The layout quirks are kubectl's own: `Created on` is Go's time.Time String() (the machine's
zone, UTC here), `PodSelector: ` is followed by a level-2 write (hence the run of spaces), a
port with no number prints `<nil>`, and rules are separated by a line of ten dashes. There is
no Events section: kubectl's NetworkPolicy describer does not read events.
"""
from __future__ import annotations

from datetime import datetime, timezone

from minikctl.api.selectors import format_label_selector
from minikctl.printers.describe import Writer, annotations_multiline, g, labels_multiline
from minikctl.timeutil import parse

_INDENT = "    "


def go_time_string(ts: str | None) -> str:
    """time.Time.String() of a metav1.Time in UTC: '2024-05-01 10:00:00 +0000 UTC'."""
    t = parse(ts)
    if t is None:
        return "0001-01-01 00:00:00 +0000 UTC"
    return datetime.fromtimestamp(int(t), timezone.utc).strftime("%Y-%m-%d %H:%M:%S +0000 UTC")


def _ports(w: Writer, ports: list[dict]) -> None:
    if not ports:
        w.write(0, f"{_INDENT}To Port: <any> (traffic allowed to all ports)\n")
        return
    for p in ports:
        proto = p.get("protocol") or "TCP"
        port = "<nil>" if p.get("port") is None else str(p["port"])
        if p.get("endPort") is None:
            w.write(0, f"{_INDENT}To Port: {port}/{proto}\n")
        else:
            w.write(0, f"{_INDENT}To Port Range: {port}-{int(p['endPort'])}/{proto}\n")


def _peers(w: Writer, peers: list[dict], title: str) -> None:
    for peer in peers:
        peer = peer or {}
        w.write(0, f"{_INDENT}{title}:\n")
        pod, ns, ipb = peer.get("podSelector"), peer.get("namespaceSelector"), peer.get("ipBlock")
        if pod is not None and ns is not None:
            w.write(1, f"{_INDENT}NamespaceSelector: {format_label_selector(ns)}\n")
            w.write(1, f"{_INDENT}PodSelector: {format_label_selector(pod)}\n")
        elif pod is not None:
            w.write(1, f"{_INDENT}PodSelector: {format_label_selector(pod)}\n")
        elif ns is not None:
            w.write(1, f"{_INDENT}NamespaceSelector: {format_label_selector(ns)}\n")
        elif ipb is not None:
            w.write(1, f"{_INDENT}IPBlock:\n")
            w.write(2, f"{_INDENT}CIDR: {ipb.get('cidr') or ''}\n")
            w.write(2, f"{_INDENT}Except: {', '.join(ipb.get('except') or [])}\n")


def _rules(w: Writer, rules: list[dict], peers_key: str, title: str, any_text: str, none_text: str) -> None:
    if not rules:
        w.write(0, f"{_INDENT}<none> ({none_text})\n")
        return
    for i, rule in enumerate(rules):
        rule = rule or {}
        _ports(w, rule.get("ports") or [])
        if not rule.get(peers_key):
            w.write(0, f"{_INDENT}{title}: <any> ({any_text})\n")
        else:
            _peers(w, rule[peers_key], title)
        if i != len(rules) - 1:
            w.write(0, f"{_INDENT}----------\n")


def describe_spec(w: Writer, spec: dict) -> None:
    w.write(0, "Spec:\n")
    w.write(1, "PodSelector: ")
    sel = spec.get("podSelector") or {}
    if not sel.get("matchLabels") and not sel.get("matchExpressions"):
        w.write(2, "<none> (Allowing the specific traffic to all pods in this namespace)\n")
    else:
        w.write(2, f"{format_label_selector(sel)}\n")
    types = spec.get("policyTypes")
    if "Ingress" in (types or []):
        w.write(1, "Allowing ingress traffic:\n")
        _rules(w, spec.get("ingress") or [], "from", "From", "traffic not restricted by source",
               "Selected pods are isolated for ingress connectivity")
    else:
        w.write(1, "Not affecting ingress traffic\n")
    if "Egress" in (types or []):
        w.write(1, "Allowing egress traffic:\n")
        _rules(w, spec.get("egress") or [], "to", "To", "traffic not restricted by destination",
               "Selected pods are isolated for egress connectivity")
    else:
        w.write(1, "Not affecting egress traffic\n")
    w.write(1, f"Policy Types: {', '.join(types) if types else '<none>'}\n")


def describe(np: dict, view) -> str:
    meta = np.get("metadata") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace') or ''}\n")
    w.write(0, f"Created on:\t{go_time_string(g(np, 'metadata', 'creationTimestamp'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    describe_spec(w, np.get("spec") or {})
    return w.render()
