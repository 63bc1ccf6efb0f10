"""The kubelet as a process on its node (placeholder until the static pod sync lands)."""
from __future__ import annotations


def files_changed(cluster, node: str) -> None:
    return None
