"""apps/v1 workloads: Deployment, ReplicaSet, StatefulSet, DaemonSet and their pod templates.

They share the template rules (selector must match the template labels, restartPolicy Always),
the rollout strategy checks and the update rule that a selector is immutable; the pod template
itself is checked by pod.validate_pod_spec.
"""
from __future__ import annotations

from minikctl.api.selectors import label_selector_matches
from minikctl.api.validation.fields import (GoRaw, _PERCENT_FMT, _full, _is_int, forbidden,
                                            go_label_selector, go_quote, go_string_map, invalid,
                                            nonnegative, not_supported, regex_error, required)
from minikctl.api.validation.meta import (validate_annotations, validate_label_selector,
                                          validate_labels, validate_object_meta,
                                          validate_object_meta_update)
from minikctl.api.validation.pod import validate_pod_spec


# ---------------------------------------------------------------------------------------------
# Workloads (apps/v1)


def _validate_template_for_replicas(spec: dict, path: str, validate_spec: bool = True) -> list[tuple[str, str]]:
    """ValidatePodTemplateSpecForReplicaSet: selector/labels agreement, then the pod template."""
    errs = []
    tmpl = spec.get("template")
    if tmpl is None:
        return [required(path)]
    meta = tmpl.get("metadata") or {}
    labels = meta.get("labels")
    sel = spec.get("selector")
    # A nil selector converts to labels.Nothing(), which is not Empty() and matches nothing.
    if sel is None or (sel.get("matchLabels") or sel.get("matchExpressions")):
        if not label_selector_matches(sel, labels):
            errs.append(invalid(f"{path}.metadata.labels", go_string_map(labels),
                                "`selector` does not match template `labels`"))
    # ValidatePodTemplateSpec names these `spec.template.labels` (sic, no `metadata`).
    errs += validate_labels(labels, f"{path}.labels")
    errs += validate_annotations(meta.get("annotations"), f"{path}.annotations")
    pspec = tmpl.get("spec") or {}
    if validate_spec:
        errs += validate_pod_spec(pspec, f"{path}.spec")
    return errs


def _restart_always(spec: dict, path: str, what: str, forbid: bool) -> list[tuple[str, str]]:
    errs = []
    pspec = (spec.get("template") or {}).get("spec") or {}
    rp = pspec.get("restartPolicy") or ""
    if rp != "Always":
        errs.append(not_supported(f"{path}.spec.restartPolicy", rp, ["Always"]))
    if pspec.get("activeDeadlineSeconds") is not None:
        if forbid:
            errs.append(forbidden(f"{path}.spec.activeDeadlineSeconds", f"activeDeadlineSeconds in {what} is not Supported"))
        else:
            errs.append(invalid(f"{path}.spec.activeDeadlineSeconds", pspec["activeDeadlineSeconds"],
                                f"activeDeadlineSeconds in {what} is not Supported"))
    return errs


def _validate_selector(spec: dict, what: str) -> list[tuple[str, str]]:
    sel = spec.get("selector")
    if sel is None:
        return [required("spec.selector")]
    errs = validate_label_selector(sel, "spec.selector")
    if not sel.get("matchLabels") and not sel.get("matchExpressions"):
        errs.append(invalid("spec.selector", go_label_selector(sel), f"empty selector is invalid for {what}"))
    return errs


def _int_or_percent(value, path: str) -> list[tuple[str, str]]:
    if isinstance(value, str):
        if not _full(_PERCENT_FMT, value):
            return [invalid(path, value, regex_error("a valid percent string must be a numeric string "
                                                     "followed by an ending '%'", _PERCENT_FMT, "1%", "93%"))]
        return []
    return nonnegative(path, value)


def _percent_or_int(value) -> float:
    if isinstance(value, str) and value.endswith("%"):
        try:
            return float(value[:-1])
        except ValueError:
            return -1
    return float(value) if _is_int(value) else -1


def _validate_deployment(d: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(d, True)
    spec = d.get("spec") or {}
    errs += nonnegative("spec.replicas", spec.get("replicas"))
    errs += _validate_selector(spec, "deployment")
    errs += _validate_template_for_replicas(spec, "spec.template")
    errs += _restart_always(spec, "spec.template", "ReplicaSet", False)
    strategy = spec.get("strategy") or {}
    st = strategy.get("type")
    if st == "Recreate":
        if strategy.get("rollingUpdate") is not None:
            errs.append(forbidden("spec.strategy.rollingUpdate",
                                  "may not be specified when strategy `type` is 'Recreate'"))
    elif st == "RollingUpdate":
        ru = strategy.get("rollingUpdate")
        if ru is None:
            errs.append(required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil"))
        else:
            mu, ms = ru.get("maxUnavailable"), ru.get("maxSurge")
            errs += _int_or_percent(mu, "spec.strategy.rollingUpdate.maxUnavailable")
            errs += _int_or_percent(ms, "spec.strategy.rollingUpdate.maxSurge")
            if _percent_or_int(mu) == 0 and _percent_or_int(ms) == 0:
                errs.append(invalid("spec.strategy.rollingUpdate.maxUnavailable", mu,
                                    "may not be 0 when `maxSurge` is 0"))
            if isinstance(mu, str) and _percent_or_int(mu) > 100:
                errs.append(invalid("spec.strategy.rollingUpdate.maxUnavailable", mu,
                                    "must not be greater than 100%"))
    else:
        errs.append(not_supported("spec.strategy", GoRaw(_go_strategy(strategy)), ["Recreate", "RollingUpdate"]))
    errs += nonnegative("spec.minReadySeconds", spec.get("minReadySeconds"))
    errs += nonnegative("spec.revisionHistoryLimit", spec.get("revisionHistoryLimit"))
    pds = spec.get("progressDeadlineSeconds")
    if _is_int(pds):
        errs += nonnegative("spec.progressDeadlineSeconds", pds)
        if pds <= (spec.get("minReadySeconds") or 0):
            errs.append(invalid("spec.progressDeadlineSeconds", pds, "must be greater than minReadySeconds"))
    return errs


def _go_strategy(strategy: dict) -> str:
    return "apps.DeploymentStrategy{Type:%s, RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}" % \
        go_quote(strategy.get("type") or "")


def _validate_replicaset(rs: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(rs, True)
    spec = rs.get("spec") or {}
    errs += nonnegative("spec.replicas", spec.get("replicas"))
    errs += nonnegative("spec.minReadySeconds", spec.get("minReadySeconds"))
    errs += _validate_selector(spec, "deployment")  # sic: the apiserver says "deployment" here
    errs += _validate_template_for_replicas(spec, "spec.template")
    errs += _restart_always(spec, "spec.template", "ReplicaSet", False)
    return errs


def _validate_statefulset(sts: dict, update: bool = False) -> list[tuple[str, str]]:
    """ValidateStatefulSetSpec. The pod template's spec is not validated by the apiserver (a
    long-standing TODO): a bad container only shows up when the controller creates pods."""
    errs = [] if update else validate_object_meta(sts, True)
    spec = sts.get("spec") or {}
    pmp = spec.get("podManagementPolicy") or ""
    if not pmp:
        errs.append(required("spec.podManagementPolicy"))
    elif pmp not in ("OrderedReady", "Parallel"):
        errs.append(invalid("spec.podManagementPolicy", pmp, "must be 'OrderedReady' or 'Parallel'"))
    us = spec.get("updateStrategy") or {}
    ut = us.get("type") or ""
    if not ut:
        errs.append(required("spec.updateStrategy"))
    elif ut == "OnDelete":
        if us.get("rollingUpdate") is not None:
            errs.append(invalid("spec.updateStrategy.rollingUpdate", GoRaw("&apps.RollingUpdateStatefulSetStrategy{}"),
                                "only allowed for updateStrategy 'RollingUpdate'"))
    elif ut == "RollingUpdate":
        part = (us.get("rollingUpdate") or {}).get("partition")
        errs += nonnegative("spec.updateStrategy.rollingUpdate.partition", part)
    else:
        errs.append(invalid("spec.updateStrategy", GoRaw("apps.StatefulSetUpdateStrategy{Type:%s}" % go_quote(ut)),
                            "must be 'RollingUpdate' or 'OnDelete'"))
    pol = spec.get("persistentVolumeClaimRetentionPolicy") or {}
    for key in ("whenDeleted", "whenScaled"):
        v = pol.get(key)
        if v not in (None, "Retain", "Delete"):
            errs.append(not_supported(f"spec.persistentVolumeClaimRetentionPolicy.{key}", v, ["Retain", "Delete"]))
    errs += nonnegative("spec.replicas", spec.get("replicas"))
    errs += nonnegative("spec.minReadySeconds", spec.get("minReadySeconds"))
    errs += _validate_selector(spec, "statefulset")
    errs += _validate_template_for_replicas(spec, "spec.template", validate_spec=False)
    errs += _restart_always(spec, "spec.template", "StatefulSet", True)
    return errs


_STS_MUTABLE = ("replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy",
                "minReadySeconds")


def _validate_statefulset_update(sts: dict, old: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta_update(sts, old)
    errs += _validate_statefulset(sts, update=True)
    spec, ospec = sts.get("spec") or {}, old.get("spec") or {}
    rest = {k: v for k, v in spec.items() if k not in _STS_MUTABLE}
    orest = {k: v for k, v in ospec.items() if k not in _STS_MUTABLE}
    if rest != orest:
        errs.append(forbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                                      "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' "
                                      "and 'minReadySeconds' are forbidden"))
    return errs


def _validate_daemonset(ds: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(ds, True)
    spec = ds.get("spec") or {}
    errs += _validate_selector(spec, "daemonset")
    errs += _validate_template_for_replicas(spec, "spec.template")
    errs += _restart_always(spec, "spec.template", "DaemonSet", True)
    errs += nonnegative("spec.minReadySeconds", spec.get("minReadySeconds"))
    errs += nonnegative("spec.revisionHistoryLimit", spec.get("revisionHistoryLimit"))
    ut = (spec.get("updateStrategy") or {}).get("type") or ""
    if ut not in ("RollingUpdate", "OnDelete"):
        errs.append(not_supported("spec.updateStrategy.type", ut, ["OnDelete", "RollingUpdate"]))
    return errs


def _selector_immutable(obj: dict, old: dict) -> list[tuple[str, str]]:
    sel, osel = (obj.get("spec") or {}).get("selector"), (old.get("spec") or {}).get("selector")
    if sel != osel:
        return [invalid("spec.selector", go_label_selector(sel) if sel is not None else None, "field is immutable")]
    return []


