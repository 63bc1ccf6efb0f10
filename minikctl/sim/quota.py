"""ResourceQuota: what a namespace uses of each resource a quota limits (the quota evaluators of
pkg/quota/v1/evaluator/core), and the admission check that refuses what would exceed it.

Pods count while not Succeeded or Failed; their compute usage is the containers' requests and
limits (cpu and memory; `cpu` means requests.cpu). Other objects count as `<resource>` or
`count/<resource>.<group>`. Scopes BestEffort, NotBestEffort, Terminating and NotTerminating
select the pods a quota sees.
"""
from __future__ import annotations

from fractions import Fraction

from minikctl.api import builtin_resources
from minikctl.api.quantity_canon import render
from minikctl.api.resources import amount
from minikctl import lazy

format_of = lazy.function("minikctl.api.quantity_canon", "format_of")
kinds = lazy.module("minikctl.api.kinds")

COMPUTE = {"cpu": ("requests", "cpu"), "memory": ("requests", "memory"), "requests.cpu": ("requests", "cpu"),
           "requests.memory": ("requests", "memory"), "limits.cpu": ("limits", "cpu"),
           "limits.memory": ("limits", "memory")}
BINARY = {"memory", "requests.memory", "limits.memory"}
_COUNTED = {"pods": "Pod", "services": "Service", "configmaps": "ConfigMap", "secrets": "Secret",
            "resourcequotas": "ResourceQuota", "persistentvolumeclaims": "PersistentVolumeClaim",
            "replicationcontrollers": "ReplicationController"}


def _kind_for(key: str) -> str | None:
    if key in _COUNTED:
        return _COUNTED[key]
    if key.startswith("count/"):
        name = key[len("count/"):]
        res = builtin_resources.parse(name)
        if res is None:
            return None
        for k in kinds.KINDS:
            if k.plural == res.plural and k.group == res.group:
                return k.kind
    return None


def pod_counts(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed")


def _best_effort(pod: dict) -> bool:
    for c in (pod.get("spec") or {}).get("containers") or []:
        res = c.get("resources") or {}
        if res.get("requests") or res.get("limits"):
            return False
    return True


def in_scope(quota: dict, pod: dict) -> bool:
    for scope in (quota.get("spec") or {}).get("scopes") or []:
        terminating = (pod.get("spec") or {}).get("activeDeadlineSeconds") is not None
        if scope == "BestEffort" and not _best_effort(pod) or scope == "NotBestEffort" and _best_effort(pod):
            return False
        if scope == "Terminating" and not terminating or scope == "NotTerminating" and terminating:
            return False
    return True


def container_usage(c: dict, key: str) -> Fraction | None:
    part, name = COMPUTE[key]
    res = c.get("resources") or {}
    val = (res.get(part) or {}).get(name)
    if val is None and part == "requests":
        val = (res.get("limits") or {}).get(name)      # requests default to limits
    return amount(val) if val is not None else None


def pod_usage(pod: dict, key: str) -> Fraction:
    if key == "pods":
        return Fraction(1)
    if key in COMPUTE:
        return sum((container_usage(c, key) or Fraction(0)) for c in (pod.get("spec") or {}).get("containers") or [])
    if key == "count/pods":
        return Fraction(1)
    return Fraction(0)


def _first_format(pods: list[dict], key: str) -> str:
    """A sum keeps the format of its first term (resource.Quantity.Add)."""
    part, name = COMPUTE[key]
    for p in pods:
        for c in (p.get("spec") or {}).get("containers") or []:
            res = c.get("resources") or {}
            val = (res.get(part) or {}).get(name)
            if val is None and part == "requests":
                val = (res.get("limits") or {}).get(name)
            if val is not None:
                return format_of(val)
    return "DecimalSI"


def usage(view, quota: dict, formats: dict | None = None) -> dict[str, Fraction]:
    ns = quota["metadata"].get("namespace")
    hard = (quota.get("spec") or {}).get("hard") or {}
    used: dict[str, Fraction] = {}
    pods = [p for p in view.list("Pod", ns) if pod_counts(p) and in_scope(quota, p)]
    for key in hard:
        if key in COMPUTE or key in ("pods", "count/pods"):
            used[key] = sum((pod_usage(p, key) for p in pods), Fraction(0))
            if formats is not None and key in COMPUTE:
                formats[key] = _first_format(pods, key)
            continue
        kind = _kind_for(key)
        used[key] = Fraction(len(view.list(kind, ns))) if kind else Fraction(0)
    return used


def fmt(key: str, value: Fraction, form: str | None = None) -> str:
    return render(value, form or "DecimalSI")


def admit(view, obj: dict) -> str | None:
    """The quota admission's refusal of a new object, or None."""
    ns = obj["metadata"].get("namespace") or "default"
    quotas = view.list("ResourceQuota", ns)
    if not quotas:
        return None
    for q in quotas:
        hard = (q.get("spec") or {}).get("hard") or {}
        if obj["kind"] == "Pod":
            if not in_scope(q, obj):
                continue
            required = sorted(k for k in hard if k in COMPUTE)
            missing: dict[str, list[str]] = {}
            for c in (obj.get("spec") or {}).get("containers") or []:
                for key in required:
                    if container_usage(c, key) is None:
                        missing.setdefault(key, []).append(c.get("name", ""))
            if missing:
                text = "; ".join(f"{k} for: {','.join(sorted(v))}" for k, v in sorted(missing.items()))
                return f"failed quota: {q['metadata']['name']}: must specify {text}"
        forms: dict = {}
        used = usage(view, q, forms)
        exceeded = []
        requested = {}
        for key in sorted(hard):
            if obj["kind"] == "Pod" and (key in COMPUTE or key in ("pods", "count/pods")):
                delta = pod_usage(obj, key)
            elif _kind_for(key) == obj["kind"]:
                delta = Fraction(1)
            else:
                continue
            requested[key] = delta
            if used.get(key, Fraction(0)) + delta > amount(hard[key]):
                exceeded.append(key)
        if exceeded:
            def pretty(values: dict) -> str:
                return ",".join(f"{k}={values[k]}" for k in sorted(values))
            return (f"exceeded quota: {q['metadata']['name']}, requested: "
                    f"{pretty({k: fmt(k, requested[k], _first_format([obj], k) if k in COMPUTE else None) for k in exceeded})}, used: "
                    f"{pretty({k: fmt(k, used.get(k, Fraction(0)), forms.get(k)) for k in exceeded})}, limited: "
                    f"{pretty({k: hard[k] for k in exceeded})}")
    return None
