"""LimitRange: the LimitRanger admission plugin (plugin/pkg/admission/limitranger). A new pod's
containers get the default requests and limits of the namespace's Container items (and the
kubernetes.io/limit-ranger annotation saying what was set), then every Container and Pod item's
min, max and maxLimitRequestRatio is enforced, in the plugin's own words.
"""
from __future__ import annotations

from fractions import Fraction

from minikctl.api.resources import amount
from minikctl import lazy

render = lazy.function("minikctl.api.quantity_canon", "render")
canonical = lazy.function("minikctl.api.quantity_canon", "canonical")

ANNOTATION = "kubernetes.io/limit-ranger"


def item_defaults(item: dict) -> None:
    """SetDefaults_LimitRangeItem: a Container item's default limit falls back to max, its
    default request to the default limit, then to min."""
    if item.get("type") != "Container":
        return
    default = dict(item.get("default") or {})
    request = dict(item.get("defaultRequest") or {})
    for k, v in (item.get("max") or {}).items():
        default.setdefault(k, v)
    for k, v in default.items():
        request.setdefault(k, v)
    for k, v in (item.get("min") or {}).items():
        request.setdefault(k, v)
    if default:
        item["default"] = default
    if request:
        item["defaultRequest"] = request


def _apply_defaults(pod: dict, items: list[dict]) -> None:
    notes = []
    for kind, key in (("init container", "initContainers"), ("container", "containers")):
        for c in (pod.get("spec") or {}).get(key) or []:
            res = c.setdefault("resources", {})
            set_limits, set_requests = [], []
            for item in items:
                for k, v in (item.get("default") or {}).items():
                    if k not in (res.get("limits") or {}):
                        res.setdefault("limits", {})[k] = v
                        set_limits.append(k)
                for k, v in (item.get("defaultRequest") or {}).items():
                    if k not in (res.get("requests") or {}):
                        res.setdefault("requests", {})[k] = v
                        set_requests.append(k)
            if set_requests:
                notes.append(f"{', '.join(sorted(set_requests))} request for {kind} {c.get('name')}")
            if set_limits:
                notes.append(f"{', '.join(sorted(set_limits))} limit for {kind} {c.get('name')}")
    if notes:
        pod["metadata"].setdefault("annotations", {})[ANNOTATION] = "LimitRanger plugin set: " + "; ".join(notes)


def _check(kind: str, item: dict, requests: dict, limits: dict) -> list[str]:
    errs = []
    for k, enforced in (item.get("min") or {}).items():
        req, lim = requests.get(k), limits.get(k)
        if req is None:
            errs.append(f"minimum {k} usage per {kind} is {enforced}.  No request is specified")
        elif amount(req) < amount(enforced):
            errs.append(f"minimum {k} usage per {kind} is {enforced}, but request is {req}")
        elif lim is not None and amount(lim) < amount(enforced):
            errs.append(f"minimum {k} usage per {kind} is {enforced}, but limit is {lim}")
    for k, enforced in (item.get("max") or {}).items():
        req, lim = requests.get(k), limits.get(k)
        if lim is None:
            errs.append(f"maximum {k} usage per {kind} is {enforced}.  No limit is specified")
        elif amount(lim) > amount(enforced):
            errs.append(f"maximum {k} usage per {kind} is {enforced}, but limit is {lim}")
        elif req is not None and amount(req) > amount(enforced):
            errs.append(f"maximum {k} usage per {kind} is {enforced}, but request is {req}")
    for k, enforced in (item.get("maxLimitRequestRatio") or {}).items():
        req, lim = amount(requests.get(k)), amount(limits.get(k))
        if req == 0:
            errs.append(f"{k} max limit to request ratio per {kind} is {enforced}, but no request is specified "
                        "or request is 0")
        elif lim / req > amount(enforced):
            errs.append(f"{k} max limit to request ratio per {kind} is {enforced}, but provided ratio is "
                        f"{float(lim / req):f}")
    return errs


def admit(view, pod: dict) -> str | None:
    """Defaults applied to the pod in place; the refusal text, or None."""
    ns = pod["metadata"].get("namespace") or "default"
    ranges = view.list("LimitRange", ns)
    if not ranges:
        return None
    items = [i for lr in ranges for i in (lr.get("spec") or {}).get("limits") or []]
    _apply_defaults(pod, [i for i in items if i.get("type") == "Container"])
    errs = []
    containers = ((pod.get("spec") or {}).get("initContainers") or []) + ((pod.get("spec") or {}).get("containers") or [])
    for item in items:
        if item.get("type") == "Container":
            for c in containers:
                res = c.get("resources") or {}
                errs += _check("Container", item, res.get("requests") or {}, res.get("limits") or {})
        elif item.get("type") == "Pod":
            reqs: dict[str, Fraction] = {}
            lims: dict[str, Fraction] = {}
            for c in (pod.get("spec") or {}).get("containers") or []:
                res = c.get("resources") or {}
                for src, acc in ((res.get("requests") or {}, reqs), (res.get("limits") or {}, lims)):
                    for k, v in src.items():
                        acc[k] = acc.get(k, Fraction(0)) + amount(v)
            errs += _check("Pod", item, {k: render(v) for k, v in reqs.items()}, {k: render(v) for k, v in lims.items()})
    if not errs:
        return None
    return errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]"
