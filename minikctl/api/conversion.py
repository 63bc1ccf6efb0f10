"""Objects written in an older served version, converted to the version minikctl stores.

The apiserver accepts every served version of a kind and converts it to its storage version;
minikctl stores one version per kind (api/kinds.py) and converts the others on the way in, so
every reader sees one shape. Only what a CKA learner meets is here: autoscaling/v1
HorizontalPodAutoscalers (what `kubectl autoscale` 1.32 sends and many examples still use).
"""
from __future__ import annotations

import copy


def _hpa_v1(obj: dict) -> dict:
    """autoscaling/v1 -> v2: targetCPUUtilizationPercentage becomes a Resource metric
    (pkg/apis/autoscaling/v1 conversion); v1 status fields map to v2's."""
    out = copy.deepcopy(obj)
    out["apiVersion"] = "autoscaling/v2"
    spec = out.get("spec")
    if isinstance(spec, dict):
        pct = spec.pop("targetCPUUtilizationPercentage", None)
        if pct is not None:
            spec["metrics"] = [{"type": "Resource", "resource": {"name": "cpu", "target": {
                "type": "Utilization", "averageUtilization": pct}}}]
    st = out.get("status")
    if isinstance(st, dict):
        cur = st.pop("currentCPUUtilizationPercentage", None)
        if cur is not None:
            st["currentMetrics"] = [{"type": "Resource", "resource": {"name": "cpu", "current": {
                "averageUtilization": cur}}}]
    return out


CONVERTERS = {("autoscaling/v1", "HorizontalPodAutoscaler"): _hpa_v1}


def to_storage(obj: dict) -> dict:
    """obj in the version minikctl stores (obj itself when it already is)."""
    fn = CONVERTERS.get((obj.get("apiVersion"), obj.get("kind")))
    return fn(obj) if fn else obj
