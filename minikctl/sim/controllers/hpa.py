"""The horizontal pod autoscaler controller (pkg/controller/podautoscaler), every 15 s per HPA.

Each sync reads the target's scale, asks the simulated metrics-server (sim/metrics.py) for its
pods' usage, computes the replica count the way replica_calculator.go does (ratio of current to
target utilization over ready pods with metrics, 10% tolerance, missing and unready pods
assumed at 0% or 100% against the direction of the change), then applies the behavior:
stabilization windows (scale down looks at the highest recommendation of the last 300 s), the
rate policies (by default at most +100% or +4 pods per 15 s up) and the min/max bounds. It
writes the target's replicas as the scale subresource would, the status the real controller
writes (currentMetrics, conditions with their texts) and its events.

Only resource metrics (cpu, memory) are computed; Pods, Object and External metrics need a
custom or external metrics API that this cluster does not run, and say so as a plain
`minikctl: ... is not simulated` condition.
"""
from __future__ import annotations

import copy
import math

from minikctl.api import kinds, server
from minikctl.api.resources import amount
from minikctl.api.selectors import label_selector_matches
from minikctl import lazy

metrics = lazy.module("minikctl.sim.metrics")

TIMER = "hpa-sync"
INTERVAL = 15.0
TOLERANCE = 0.1
SCALE_UP = {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
            "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15}, {"type": "Percent", "value": 100, "periodSeconds": 15}]}
SCALE_DOWN = {"stabilizationWindowSeconds": 300, "selectPolicy": "Max",
              "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}
SCALABLE = ("Deployment", "ReplicaSet", "StatefulSet")


class MetricError(Exception):
    """A metric that could not be computed: (condition reason, event/condition text, the
    FailedComputeMetricsReplicas wording of it)."""

    def __init__(self, reason: str, message: str, summary: str):
        super().__init__(message)
        self.reason, self.message, self.summary = reason, message, summary


def reconcile(cluster) -> None:
    hpas = cluster.list("HorizontalPodAutoscaler")
    if not hpas:
        return
    scheduled = {t[3].get("uid") for t in cluster.timers if t[2] == TIMER}
    for h in hpas:
        m = h["metadata"]
        if m["uid"] not in scheduled and not m.get("deletionTimestamp"):
            cluster.schedule(cluster.now, TIMER, {"uid": m["uid"], "namespace": m["namespace"], "name": m["name"]})


def on_timer(cluster, payload: dict) -> None:
    h = cluster.get("HorizontalPodAutoscaler", payload["namespace"], payload["name"])
    if h is None or h["metadata"]["uid"] != payload["uid"]:
        cluster.meta.get("hpa", {}).pop(payload["uid"], None)
        return
    sync(cluster, h)
    cluster.schedule(cluster.now + INTERVAL, TIMER, payload)


# ---- metrics --------------------------------------------------------------------------------

def _milli(v: int) -> str:
    """resource.NewMilliQuantity(v, DecimalSI).String()."""
    return str(v // 1000) if v % 1000 == 0 else f"{v}m"


def _ready(pod: dict) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in (pod.get("status") or {}).get("conditions") or [])


def _pod_request(pod: dict, resource: str, container: str | None) -> int:
    """The pod's request in milli-units; raises when a container sets none."""
    total = 0
    for c in pod["spec"].get("containers") or []:
        if container and c["name"] != container:
            continue
        req = ((c.get("resources") or {}).get("requests") or {}).get(resource)
        if req is None:
            raise MetricError("FailedGetResourceMetric",
                              f"missing request for {resource} in container {c['name']} of Pod {pod['metadata']['name']}", "")
        total += int(amount(req) * 1000)
    return total


def _usage(cluster, pods: list[dict], resource: str, container: str | None) -> dict[str, int]:
    """Pod name -> usage in milli-units, for pods metrics-server has scraped."""
    out = {}
    for p in pods:
        cs = metrics.container_usage(cluster, p)
        if cs is None:
            continue
        idx = 1 if resource == "cpu" else 2
        vals = [c[idx] for c in cs if not container or c[0] == container]
        if not vals:
            continue
        out[p["metadata"]["name"]] = sum(vals) * (1 if resource == "cpu" else 1000)
    return out


def _resource_replicas(cluster, current: int, pods: list[dict], resource: str, target: dict,
                       container: str | None) -> tuple[int, dict]:
    """GetResourceReplicas / GetRawResourceReplicas: (proposal, metric status 'current')."""
    if not metrics.available(cluster):
        raise MetricError("FailedGetResourceMetric", f"unable to get metrics for resource {resource}: unable to fetch "
                          "metrics from resource metrics API: the server could not find the requested resource "
                          "(get pods.metrics.k8s.io)", "")
    usage = _usage(cluster, pods, resource, container)
    if not usage:
        raise MetricError("FailedGetResourceMetric", f"unable to get metrics for resource {resource}: no metrics "
                          "returned from resource metrics API", "")
    live = [p for p in pods if not p["metadata"].get("deletionTimestamp") and p["status"].get("phase") != "Failed"]
    if not live:
        raise MetricError("FailedGetResourceMetric", "no pods returned by selector while calculating replica count", "")
    unready = {p["metadata"]["name"] for p in live if p["status"].get("phase") == "Pending"
               or (resource == "cpu" and not _ready(p))}
    missing = {p["metadata"]["name"] for p in live} - set(usage) - unready
    counted = {n: v for n, v in usage.items() if n not in unready and n in {p["metadata"]["name"] for p in live}}
    by_name = {p["metadata"]["name"]: p for p in live}
    util_target = target.get("averageUtilization")
    if util_target is not None:
        requests = {n: _pod_request(by_name[n], resource, container) for n in set(counted) | missing | unready}
        if not counted:
            raise MetricError("FailedGetResourceMetric", f"unable to get metrics for resource {resource}: no metrics "
                              "returned from resource metrics API", "")
        total_req = sum(requests[n] for n in counted)
        util = int(sum(counted.values()) * 100 / total_req) if total_req else 0
        ratio = util / util_target
        raw = sum(counted.values()) // len(counted)
        status = {"averageUtilization": util, "averageValue": _milli(raw)}

        def ratio_of(values: dict) -> float:
            req = sum(requests[n] for n in values)
            return (sum(values.values()) * 100 / req) / util_target if req else 0.0
    else:
        tgt = int(amount(target.get("averageValue")) * 1000)
        raw = sum(counted.values()) // len(counted) if counted else 0
        ratio = raw / tgt if tgt else 0.0
        status = {"averageValue": _milli(raw)}
        requests = {n: tgt for n in set(counted) | missing | unready}

        def ratio_of(values: dict) -> float:
            return (sum(values.values()) / len(values)) / tgt if values and tgt else 0.0
    scale_up_unready = bool(unready) and ratio > 1.0
    if not scale_up_unready and not missing:
        if abs(1.0 - ratio) <= TOLERANCE:
            return current, status
        return math.ceil(ratio * len(counted)), status
    values = dict(counted)
    for n in missing:
        values[n] = requests[n] if ratio < 1.0 else 0   # assume the opposite of the change
    if scale_up_unready:
        for n in unready:
            values[n] = 0
    new_ratio = ratio_of(values)
    if abs(1.0 - new_ratio) <= TOLERANCE or (ratio < 1.0 < new_ratio) or (ratio > 1.0 > new_ratio):
        return current, status
    proposal = math.ceil(new_ratio * len(values))
    if (new_ratio < 1.0 and proposal > current) or (new_ratio > 1.0 and proposal < current):
        return current, status
    return proposal, status


def _compute(cluster, hpa, current: int, pods: list[dict]) -> tuple[int | None, list, str, list[MetricError]]:
    """computeReplicasForMetrics: (proposal or None, currentMetrics, the metric named in a
    rescale, the errors)."""
    statuses, errors = [], []
    best, best_name = None, ""
    for m in hpa["spec"].get("metrics") or []:
        typ = m.get("type")
        if typ not in ("Resource", "ContainerResource"):
            statuses.append({"type": ""})
            errors.append(MetricError("FailedGetExternalMetric" if typ == "External" else "FailedGetPodsMetric",
                                      f"minikctl: {typ} metrics (a custom or external metrics API) are not simulated",
                                      f"minikctl: {typ} metrics are not simulated"))
            continue
        key = "resource" if typ == "Resource" else "containerResource"
        src = m.get(key) or {}
        res, target = src.get("name", ""), src.get("target") or {}
        try:
            proposal, cur = _resource_replicas(cluster, current, pods, res, target, src.get("container"))
        except MetricError as e:
            what = f"failed to get {res} utilization: {e.message}" if target.get("averageUtilization") is not None \
                else f"failed to get {res} usage: {e.message}"
            errors.append(MetricError(e.reason, what, f"failed to get {res} resource metric value: {what}"))
            statuses.append({"type": ""})
            continue
        statuses.append({"type": typ, key: {"name": res, "current": cur, **({"container": src["container"]} if typ ==
                                                                               "ContainerResource" else {})}})
        name = f"{res} resource utilization (percentage of request)" if target.get("averageUtilization") is not None \
            else f"{res} resource"
        if typ == "ContainerResource":
            name = f"{res} container resource utilization (percentage of request)"
        if best is None or proposal > best:
            best, best_name = proposal, name
    return best, statuses, best_name, errors


# ---- behavior -------------------------------------------------------------------------------

def _rules(hpa, key: str, default: dict) -> dict:
    return ((hpa["spec"].get("behavior") or {}).get(key)) or default


def _limit(rules: dict, start: int, up: bool) -> int:
    """The replica count the rate policies allow from the period's starting count."""
    limits = []
    for p in rules.get("policies") or []:
        v = int(p.get("value") or 0)
        if p.get("type") == "Pods":
            limits.append(start + v if up else start - v)
        else:
            limits.append(math.ceil(start * (1 + v / 100)) if up else math.floor(start * (1 - v / 100)))
    if not limits:
        return start
    pick = rules.get("selectPolicy") or "Max"
    if pick == "Disabled":
        return start
    if up:
        return max(limits) if pick == "Max" else min(limits)
    return min(limits) if pick == "Max" else max(limits)


def _normalize(cluster, hpa, state: dict, current: int, proposal: int) -> tuple[int, str, str, tuple]:
    """normalizeDesiredReplicasWithBehaviors: (desired, AbleToScale reason, message, ScalingLimited)."""
    now = cluster.now
    up, down = _rules(hpa, "scaleUp", SCALE_UP), _rules(hpa, "scaleDown", SCALE_DOWN)
    recs = [r for r in state.setdefault("recs", []) if now - r[0] <= max(int(up.get("stabilizationWindowSeconds") or 0),
                                                                         int(down.get("stabilizationWindowSeconds") or 0))]
    recs.append([now, proposal])
    state["recs"] = recs
    up_w, down_w = int(up.get("stabilizationWindowSeconds") or 0), int(down.get("stabilizationWindowSeconds") or 0)
    up_rec = min([r for t, r in recs if now - t <= up_w] or [proposal])
    down_rec = max([r for t, r in recs if now - t <= down_w] or [proposal])
    desired, reason, msg = current, "ReadyForNewScale", "recommended size matches current size"
    if current < up_rec:
        desired = up_rec
    elif current > down_rec:
        desired = down_rec
    if desired > proposal:
        reason, msg = "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation"
    elif desired < proposal:
        reason, msg = "ScaleUpStabilized", "recent recommendations were lower than current one, applying the lowest recent recommendation"
    events = [e for e in state.setdefault("scales", []) if now - e[0] <= 1800]
    state["scales"] = events
    limited = ("False", "DesiredWithinRange", "the desired count is within the acceptable range")
    if desired > current:
        period = max(int(p.get("periodSeconds") or 15) for p in up.get("policies") or [{"periodSeconds": 15}])
        start = current - sum(d for t, d in events if now - t < period and d > 0)
        cap = _limit(up, start, True)
        if desired > cap:
            desired = max(cap, current)
            limited = ("True", "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")
    elif desired < current:
        period = max(int(p.get("periodSeconds") or 15) for p in down.get("policies") or [{"periodSeconds": 15}])
        start = current - sum(d for t, d in events if now - t < period and d < 0)
        floor_ = _limit(down, start, False)
        if desired < floor_:
            desired = min(floor_, current)
            limited = ("True", "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate")
    lo, hi = int(hpa["spec"].get("minReplicas") or 1), int(hpa["spec"]["maxReplicas"])
    if desired > hi:
        desired, limited = hi, ("True", "TooManyReplicas", "the desired replica count is more than the maximum replica count")
    elif desired < lo:
        desired, limited = lo, ("True", "TooFewReplicas", "the desired replica count is less than the minimum replica count")
    return desired, reason, msg, limited


# ---- one sync -------------------------------------------------------------------------------

def _condition(old: list, ctype: str, status: str, reason: str, message: str, now: str) -> dict:
    prev = next((c for c in old if c.get("type") == ctype), None)
    at = prev["lastTransitionTime"] if prev and prev.get("status") == status else now
    return {"type": ctype, "status": status, "lastTransitionTime": at, "reason": reason, "message": message}


def _scale_resource(kind: str) -> str:
    k = kinds.BY_KIND.get(kind)
    return f"{k.plural}/scale.{k.group}" if k and k.group else f"{(k.plural if k else kind.lower() + 's')}/scale"


def sync(cluster, hpa: dict) -> None:
    ns = hpa["metadata"]["namespace"]
    ref = hpa["spec"].get("scaleTargetRef") or {}
    state = cluster.meta.setdefault("hpa", {}).setdefault(hpa["metadata"]["uid"], {})
    now_ts = cluster.timestamp()
    old_conds = (hpa.get("status") or {}).get("conditions") or []
    status = copy.deepcopy(hpa.get("status") or {})
    status["observedGeneration"] = hpa["metadata"].get("generation", 1)
    target = cluster.get(ref.get("kind", ""), ns, ref.get("name", "")) if ref.get("kind") in SCALABLE else None
    if target is None:
        if ref.get("kind") in SCALABLE:
            err = f'{_scale_resource(ref["kind"])} "{ref.get("name", "")}" not found'
        else:
            err = f'minikctl: scaling a {ref.get("kind", "")} is not simulated'
        cluster.record_event(hpa, "Warning", "FailedGetScale", err, "horizontal-pod-autoscaler", stored=True)
        status["conditions"] = [_condition(old_conds, "AbleToScale", "False", "FailedGetScale",
                                           f"the HPA controller was unable to get the target's current scale: {err}", now_ts)]
        status.setdefault("currentReplicas", 0)
        status.setdefault("desiredReplicas", 0)
        _write(cluster, hpa, status)
        return
    current = int(target["spec"].get("replicas", 1))
    lo, hi = int(hpa["spec"].get("minReplicas") or 1), int(hpa["spec"]["maxReplicas"])
    sel = target["spec"].get("selector")
    pods = [p for p in cluster.list("Pod", ns) if label_selector_matches(sel, p["metadata"].get("labels") or {})]
    able = ("True", "SucceededGetScale", "the HPA controller was able to get the target's current scale")
    active = ("True", "ValidMetricFound", "")
    limited = ("False", "DesiredWithinRange", "the desired count is within the acceptable range")
    rescale_reason = ""
    if current == 0 and lo != 0:
        desired = 0
        active = ("False", "ScalingDisabled", "scaling is disabled since the replica count of the target is zero")
    elif current > hi:
        desired, rescale_reason = hi, "Current number of replicas above Spec.MaxReplicas"
        limited = ("True", "TooManyReplicas", "the desired replica count is more than the maximum replica count")
    elif current < lo:
        desired, rescale_reason = lo, "Current number of replicas below Spec.MinReplicas"
        limited = ("True", "TooFewReplicas", "the desired replica count is less than the minimum replica count")
    else:
        proposal, metrics_status, metric_name, errors = _compute(cluster, hpa, current, pods)
        status["currentMetrics"] = metrics_status
        for e in errors:
            cluster.record_event(hpa, "Warning", e.reason, e.message, "horizontal-pod-autoscaler", stored=True)
        if proposal is None:
            first = errors[0]
            cluster.record_event(hpa, "Warning", "FailedComputeMetricsReplicas",
                                 f"invalid metrics ({len(errors)} invalid out of {len(metrics_status)}), first error is: "
                                 f"{first.summary}", "horizontal-pod-autoscaler", stored=True)
            status["conditions"] = [
                _condition(old_conds, "AbleToScale", *able, now_ts),
                _condition(old_conds, "ScalingActive", "False", first.reason,
                           f"the HPA was unable to compute the replica count: {first.message}", now_ts)]
            status.setdefault("desiredReplicas", 0)
            status["currentReplicas"] = current
            _write(cluster, hpa, status)
            return
        active = ("True", "ValidMetricFound",
                  f"the HPA was able to successfully calculate a replica count from {metric_name}")
        desired, a_reason, a_msg, limited = _normalize(cluster, hpa, state, current, proposal)
        able = ("True", a_reason, a_msg)
        if desired > current:
            rescale_reason = f"{metric_name} above target"
        elif desired < current:
            rescale_reason = "All metrics below target"
    if desired != current and not (current == 0 and lo != 0):
        old = target
        new = copy.deepcopy(old)
        new["spec"]["replicas"] = desired
        server.update(cluster, new, old)
        state.setdefault("scales", []).append([cluster.now, desired - current])
        cluster.record_event(hpa, "Normal", "SuccessfulRescale", f"New size: {desired}; reason: {rescale_reason}",
                             "horizontal-pod-autoscaler")
        able = ("True", "SucceededRescale", f"the HPA controller was able to update the target scale to {desired}")
        status["lastScaleTime"] = now_ts
    status["currentReplicas"] = current
    status["desiredReplicas"] = desired
    status["conditions"] = [_condition(old_conds, "AbleToScale", *able, now_ts),
                            _condition(old_conds, "ScalingActive", *active, now_ts),
                            _condition(old_conds, "ScalingLimited", *limited, now_ts)]
    _write(cluster, hpa, status)


def _write(cluster, hpa: dict, status: dict) -> None:
    if hpa.get("status") != status:
        hpa["status"] = status
        server.update_internal(cluster, hpa)
