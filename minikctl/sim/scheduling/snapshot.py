"""The scheduler's view of the cluster for one pass (the cache's NodeInfo snapshot): per node, the
pods bound to it and the resources and host ports they hold. Binding a pod updates it, so the
next pending pod of the same pass sees the first one (as the real scheduler's assumed pods)."""
from __future__ import annotations

from dataclasses import dataclass, field
from minikctl.api.resources import node_allocatable, pod_totals, terminated


def host_ports(pod: dict) -> set[tuple[str, str, int]]:
    out = set()
    for c in (pod.get("spec") or {}).get("containers") or []:
        for p in c.get("ports") or []:
            if p.get("hostPort"):
                out.add((p.get("protocol") or "TCP", p.get("hostIP") or "0.0.0.0", int(p["hostPort"])))
    return out


@dataclass
class NodeInfo:
    node: dict
    pods: list = field(default_factory=list)
    requested: dict = field(default_factory=dict)
    ports: set = field(default_factory=set)
    _alloc: dict | None = None

    @property
    def name(self) -> str:
        return self.node["metadata"]["name"]

    @property
    def labels(self) -> dict:
        return self.node["metadata"].get("labels") or {}

    @property
    def allocatable(self) -> dict[str, int]:
        """Allocatable in milli-units (integers: the filters compare these for every node and pod)."""
        if self._alloc is None:
            self._alloc = {r: int(v * 1000) for r, v in node_allocatable(self.node).items()}
        return self._alloc

    def add(self, pod: dict) -> None:
        self.pods.append(pod)
        for r, v in pod_totals(pod).items():
            self.requested[r] = self.requested.get(r, 0) + int(v * 1000)   # milli-units
        self.ports |= host_ports(pod)

    def without(self, victims: list[dict]) -> "NodeInfo":
        """A copy with victims removed: what preemption would leave."""
        gone = {id(v) for v in victims}
        copy = NodeInfo(self.node)
        for p in self.pods:
            if id(p) not in gone:
                copy.add(p)
        return copy


@dataclass
class Snapshot:
    nodes: list
    namespaces: list
    by_name: dict = field(default_factory=dict)
    anti: list = field(default_factory=list)   # (pod, node info, term) of bound pods' required anti-affinity terms
    anti_by_label: dict = field(default_factory=dict)  # the same, by one (key, value) the term's matchLabels needs
    by_label: dict = field(default_factory=dict)  # (key, value) -> [(pod, node info)], for affinity terms
    bound: list = field(default_factory=list)     # every (pod, node info)

    @classmethod
    def take(cls, cluster) -> "Snapshot":
        infos = [NodeInfo(n) for n in cluster.list("Node")]
        snap = cls(infos, cluster.list("Namespace"), {i.name: i for i in infos})
        for p in cluster.list("Pod"):
            info = snap.by_name.get((p.get("spec") or {}).get("nodeName") or "")
            if info is not None and not terminated(p):
                snap.bind(p, info)
        return snap

    def bind(self, pod: dict, info: NodeInfo) -> None:
        info.add(pod)
        self.bound.append((pod, info))
        for kv in (pod["metadata"].get("labels") or {}).items():
            self.by_label.setdefault(kv, []).append((pod, info))
        aff = ((pod.get("spec") or {}).get("affinity") or {}).get("podAntiAffinity") or {}
        for term in aff.get("requiredDuringSchedulingIgnoredDuringExecution") or []:
            pairs = list(((term.get("labelSelector") or {}).get("matchLabels") or {}).items())
            if pairs:
                self.anti_by_label.setdefault(pairs[0], []).append((pod, info, term))
            else:
                self.anti.append((pod, info, term))

    def anti_terms_for(self, pod: dict) -> list:
        """The bound pods' required anti-affinity terms that could select pod."""
        out = list(self.anti)
        for kv in (pod["metadata"].get("labels") or {}).items():
            out.extend(self.anti_by_label.get(kv, ()))
        return out

    def candidates(self, selector: dict | None) -> list:
        """The bound pods a label selector could match: the smallest matchLabels index, else all."""
        pairs = list(((selector or {}).get("matchLabels") or {}).items())
        if not pairs:
            return self.bound
        return min((self.by_label.get(kv, []) for kv in pairs), key=len)
