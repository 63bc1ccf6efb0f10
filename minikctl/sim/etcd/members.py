"""etcd member and cluster IDs as etcd computes them (membership.computeMemberID,
RaftCluster.genID): the first 8 bytes, big-endian, of a SHA-1 over the sorted peer URLs and the
cluster token; the cluster ID the same over the member IDs. kubeadm's etcd keeps the default
token `etcd-cluster`, so `member list` shows the ID a real kubeadm etcd would have."""
from __future__ import annotations

import hashlib
import struct
from minikctl import lazy

control_plane = lazy.function("minikctl.sim.profile", "control_plane")

TOKEN = "etcd-cluster"


def member_id(peer_urls: list[str], token: str = TOKEN) -> int:
    b = "".join(sorted(peer_urls)).encode() + token.encode()
    return struct.unpack(">Q", hashlib.sha1(b).digest()[:8])[0]


def cluster_id(member_ids: list[int]) -> int:
    b = b"".join(struct.pack(">Q", m) for m in sorted(member_ids))
    return struct.unpack(">Q", hashlib.sha1(b).digest()[:8])[0]


def control_plane_member(view) -> dict:
    """The one member of a kubeadm stacked etcd: named after the control-plane node, on its IP."""
    cp = control_plane(getattr(view, "profile", None) or {})
    ip = cp.get("internalIP", "127.0.0.1")
    peer = f"https://{ip}:2380"
    return {"id": member_id([peer]), "name": cp.get("name", "default"), "peerURLs": [peer],
            "clientURLs": [f"https://{ip}:2379"], "ip": ip}
