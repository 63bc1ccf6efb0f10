"""Resource quantities and what a pod asks for: one exact implementation for the scheduler, the
kubelet's admission, `describe node` and quotas.

Why exact: `describe node` prints `850m (21%)` and the scheduler decides `Insufficient cpu` on the
same sums; floats would round 0.1 + 0.2 differently from resource.Quantity. Fractions keep
`100m` + `200m` = `300m` exactly.
"""
from __future__ import annotations

import re
from fractions import Fraction

_QTY = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$")
_SUFFIX = {"": 1, "n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000),
           "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
           "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}


def parse(q) -> Fraction | None:
    """resource.ParseQuantity's accepted forms as an exact amount; None if q is not a quantity."""
    if isinstance(q, bool):
        return None
    if isinstance(q, int):
        return Fraction(q)
    if isinstance(q, float):
        return Fraction(str(q))
    m = _QTY.match(str(q).strip())
    if not m:
        return None
    num = Fraction(m.group(1))
    suf = m.group(2) or ""
    if suf[:1] in ("e", "E"):
        return num * Fraction(10) ** int(suf[1:])
    return num * _SUFFIX[suf]


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
