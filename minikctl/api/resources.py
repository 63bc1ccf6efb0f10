"""Resource quantities and what a pod asks for: one exact implementation for the scheduler, the
kubelet's admission, `describe node` and quotas.

Why exact: `describe node` prints `850m (21%)` and the scheduler decides `Insufficient cpu` on the
same sums; floats would round 0.1 + 0.2 differently from resource.Quantity. Fractions keep
`100m` + `200m` = `300m` exactly.
"""
from __future__ import annotations

from fractions import Fraction

from minikctl.api import quantity


def parse(q) -> Fraction | None:
    """resource.ParseQuantity's value as an exact amount (api/quantity.py); None if q is not a quantity."""
    try:
        return quantity.value(q)
    except quantity.QuantityError:
        return None


def amount(q) -> Fraction:
    """parse() with 0 for absent or malformed values (validation has refused those already)."""
    v = parse(q) if q is not None else None
    return v if v is not None else Fraction(0)


def _parsed(res: dict | None) -> dict[str, Fraction]:
    return {r: amount(v) for r, v in (res or {}).items()}


def _sum(acc: dict, add: dict) -> None:
    for r, v in add.items():
        acc[r] = acc.get(r, Fraction(0)) + v


def _max(acc: dict, other: dict) -> None:
    for r, v in other.items():
        acc[r] = max(acc.get(r, Fraction(0)), v)


def pod_totals(pod: dict, key: str = "requests") -> dict[str, Fraction]:
    """PodRequests / PodLimits (k8s.io/component-helpers/resource): the containers' sum, raised to
    the largest init container (a sidecar init container - restartPolicy Always - keeps running,
    so it adds to everything after it), plus spec.overhead."""
    spec = pod.get("spec") or {}
    total: dict[str, Fraction] = {}
    for c in spec.get("containers") or []:
        _sum(total, _parsed((c.get("resources") or {}).get(key)))
    sidecars: dict[str, Fraction] = {}
    init_peak: dict[str, Fraction] = {}
    for c in spec.get("initContainers") or []:
        own = _parsed((c.get("resources") or {}).get(key))
        if c.get("restartPolicy") == "Always":
            _sum(sidecars, own)
            _max(init_peak, sidecars)
        else:
            step = dict(sidecars)
            _sum(step, own)
            _max(init_peak, step)
    _sum(total, sidecars)
    _max(total, init_peak)
    _sum(total, _parsed(spec.get("overhead")))
    return total


def node_allocatable(node: dict) -> dict[str, Fraction]:
    st = node.get("status") or {}
    alloc = st.get("allocatable") or st.get("capacity") or {}
    return {r: amount(v) for r, v in alloc.items()}


def terminated(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")
