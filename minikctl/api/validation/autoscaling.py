"""HorizontalPodAutoscaler validation (ValidateHorizontalPodAutoscaler in
pkg/apis/autoscaling/validation): replica bounds, the scale target reference, each metric's
source and target, the behavior's rules. Runs on the stored (autoscaling/v2, defaulted) form."""
from __future__ import annotations

from minikctl.api.validation.fields import invalid, not_supported, required
from minikctl.api.validation.meta import validate_object_meta

METRIC_TYPES = ["ContainerResource", "External", "Object", "Pods", "Resource"]
TARGET_TYPES = ["AverageValue", "Utilization", "Value"]
_SOURCE = {"Resource": "resource", "ContainerResource": "containerResource", "Pods": "pods",
           "Object": "object", "External": "external"}


def _xref(ref, path: str) -> list[tuple[str, str]]:
    errs = []
    ref = ref if isinstance(ref, dict) else {}
    for key in ("kind", "name"):
        v = ref.get(key)
        if not v:
            errs.append(required(f"{path}.{key}"))
        elif "/" in v or "%" in v or v in (".", ".."):
            errs.append(invalid(f"{path}.{key}", v, "may not contain '/'" if "/" in v else "may not contain '%'"))
    return errs


def _target(t, path: str) -> list[tuple[str, str]]:
    errs = []
    t = t if isinstance(t, dict) else {}
    typ = t.get("type")
    if not typ:
        errs.append(required(f"{path}.type", "must specify a metric target type"))
    elif typ not in TARGET_TYPES:
        errs.append(not_supported(f"{path}.type", typ, TARGET_TYPES))
    util = t.get("averageUtilization")
    if util is not None and int(util) < 1:
        errs.append(invalid(f"{path}.averageUtilization", util, "must be greater than 0"))
    if typ == "Utilization" and util is None:
        errs.append(required(f"{path}.averageUtilization", "must set either a target raw value or a target utilization"))
    if typ == "Value" and t.get("value") is None:
        errs.append(required(f"{path}.value", "must set either a target value for metric or a per-pod target"))
    if typ == "AverageValue" and t.get("averageValue") is None:
        errs.append(required(f"{path}.averageValue", "must set either a target value for metric or a per-pod target"))
    return errs


def _metric(m, path: str) -> list[tuple[str, str]]:
    m = m if isinstance(m, dict) else {}
    typ = m.get("type")
    if not typ:
        return [required(f"{path}.type", "must specify a metric source type")]
    if typ not in METRIC_TYPES:
        return [not_supported(f"{path}.type", typ, METRIC_TYPES)]
    key = _SOURCE[typ]
    src = m.get(key)
    if not isinstance(src, dict):
        return [required(f"{path}.{key}", "must populate information for the given metric source")]
    errs = []
    if typ in ("Resource", "ContainerResource"):
        if not src.get("name"):
            errs.append(required(f"{path}.{key}.name", "must specify a resource name"))
        if typ == "ContainerResource" and not src.get("container"):
            errs.append(required(f"{path}.{key}.container", "must specify a container"))
        errs += _target(src.get("target"), f"{path}.{key}.target")
    else:
        if not (src.get("metric") or {}).get("name"):
            errs.append(required(f"{path}.{key}.metric.name", "must specify a metric name"))
        errs += _target(src.get("target"), f"{path}.{key}.target")
    return errs


def _rules(r, path: str) -> list[tuple[str, str]]:
    errs = []
    r = r if isinstance(r, dict) else {}
    w = r.get("stabilizationWindowSeconds")
    if w is not None and not (0 <= int(w) <= 3600):
        errs.append(invalid(f"{path}.stabilizationWindowSeconds", w, "must be less than or equal to 3600"
                            if int(w) > 3600 else "must be greater than or equal to zero"))
    sel = r.get("selectPolicy")
    if sel is not None and sel not in ("Disabled", "Max", "Min"):
        errs.append(not_supported(f"{path}.selectPolicy", sel, ["Disabled", "Max", "Min"]))
    for i, p in enumerate(r.get("policies") or []):
        pp = f"{path}.policies[{i}]"
        if p.get("type") not in ("Percent", "Pods"):
            errs.append(not_supported(f"{pp}.type", p.get("type"), ["Percent", "Pods"]))
        if int(p.get("value") or 0) <= 0:
            errs.append(invalid(f"{pp}.value", p.get("value", 0), "must be greater than zero"))
        ps = int(p.get("periodSeconds") or 0)
        if ps <= 0:
            errs.append(invalid(f"{pp}.periodSeconds", ps, "must be greater than zero"))
        elif ps > 1800:
            errs.append(invalid(f"{pp}.periodSeconds", ps, "must be less than or equal to 1800"))
    return errs


def validate_hpa(hpa: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(hpa, True)
    spec = hpa.get("spec") or {}
    lo, hi = spec.get("minReplicas"), spec.get("maxReplicas")
    if lo is not None and int(lo) < 1:
        errs.append(invalid("spec.minReplicas", lo, "must be greater than or equal to 1"))
    if hi is None or int(hi) < 1:
        errs.append(invalid("spec.maxReplicas", hi or 0, "must be greater than 0"))
    elif lo is not None and int(hi) < int(lo):
        errs.append(invalid("spec.maxReplicas", hi, "must be greater than or equal to `minReplicas`"))
    errs += _xref(spec.get("scaleTargetRef"), "spec.scaleTargetRef")
    for i, m in enumerate(spec.get("metrics") or []):
        errs += _metric(m, f"spec.metrics[{i}]")
    b = spec.get("behavior")
    if isinstance(b, dict):
        errs += _rules(b.get("scaleUp"), "spec.behavior.scaleUp") + _rules(b.get("scaleDown"), "spec.behavior.scaleDown")
    return errs
