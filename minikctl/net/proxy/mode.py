"""Which proxy mode kube-proxy runs in, node by node.

kube-proxy reads `mode` from its ConfigMap (kube-system/kube-proxy, key config.conf) when it
starts; an empty mode means iptables on Linux. So editing the ConfigMap changes nothing until the
kube-proxy pods are restarted (the CKA habit: edit, then delete the pods and let the DaemonSet
recreate them). The kubelet records the mode each kube-proxy pod started with, per node, in the
cluster's meta; a view without that record (a fresh profile, a test's StaticView) uses the
profile's `kubeProxyMode`.
"""
from __future__ import annotations

import re

MODES = ("iptables", "ipvs", "nftables")


def configured_mode(view) -> str:
    """The mode the kube-proxy ConfigMap asks for now ('' means iptables)."""
    cm = view.get("ConfigMap", "kube-system", "kube-proxy")
    text = ((cm or {}).get("data") or {}).get("config.conf", "")
    m = re.search(r'^mode:\s*"?([A-Za-z]*)"?\s*$', text, re.M)
    mode = (m.group(1) if m else "").lower()
    return mode if mode in MODES else "iptables"


def node_mode(view, node: str | None = None) -> str:
    """The mode kube-proxy on `node` is running in (any node's when node is None)."""
    started = (getattr(view, "meta", None) or {}).get("proxyMode") or {}
    if node and node in started:
        return started[node]
    if node is None and started:
        return started[sorted(started)[0]]
    return (view.profile.get("kubeProxyMode") or "iptables").lower()


def record_start(cluster, pod: dict) -> None:
    """Called by the kubelet when a kube-proxy pod starts: it read its config just now."""
    if (pod["metadata"].get("labels") or {}).get("k8s-app") == "kube-proxy":
        cluster.meta.setdefault("proxyMode", {})[pod["spec"]["nodeName"]] = configured_mode(cluster)
