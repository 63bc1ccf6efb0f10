"""Machines that are not nodes yet: the profile's `spareHosts`.

Why: the CKA's "join a node" task hands the candidate a machine with containerd, kubelet, kubeadm
and kubectl installed but never joined: no /etc/kubernetes/kubelet.conf, no
/var/lib/kubelet/config.yaml, and a kubelet that systemd restarts every 10 s because it has no
configuration yet ("waits in a crashloop for kubeadm to tell it what to do", as kubeadm's install
page says). `minikctl ssh HOST` reaches such a machine; `kubeadm join` there (sim/kubeadm/join.py)
makes it a node. A spare host has no Node object until it joins; the cluster meta `joinedHosts`
remembers the ones that did.
"""
from __future__ import annotations

JOINED = "joinedHosts"


def entries(view) -> list[dict]:
    return list((getattr(view, "profile", None) or {}).get("spareHosts") or [])


def entry(view, host: str) -> dict | None:
    """The spare host a name or IP names (joined or not)."""
    for e in entries(view):
        if host in (e.get("name"), e.get("internalIP")):
            return e
    return None


def joined(view, name: str) -> bool:
    meta = getattr(view, "meta", None) or {}
    return name in (meta.get(JOINED) or [])


def is_spare(view, name: str) -> bool:
    """A spare host that has not joined the cluster."""
    e = entry(view, name)
    return e is not None and e.get("name") == name and not joined(view, name) and \
        view.get("Node", None, name) is None


def mark_joined(cluster, name: str) -> None:
    got = cluster.meta.setdefault(JOINED, [])
    if name not in got:
        got.append(name)
