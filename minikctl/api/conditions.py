"""Status conditions, and the one reading of "is this pod Ready" everything shares.

Why here: the controllers (endpoints, ReplicaSet, StatefulSet ...), `dns explain` and the drill
checks all ask the same question as podutil.IsPodReady; one answer keeps them in agreement.
"""
from __future__ import annotations


def condition(obj: dict, ctype: str) -> dict | None:
    """The status condition of type `ctype`, or None."""
    for c in (obj.get("status") or {}).get("conditions") or []:
        if c.get("type") == ctype:
            return c
    return None


def is_ready(pod: dict) -> bool:
    """podutil.IsPodReady: the Ready condition is True."""
    c = condition(pod, "Ready")
    return bool(c and c.get("status") == "True")
