"""batch/v1: Job and CronJob validation (pkg/apis/batch/validation, 1.32), in its own words.

Jobs: the generated selector and labels, the counts (non-negative), Indexed completion mode
(completions required, pod hostnames valid), backoffLimitPerIndex only for Indexed Jobs, the pod
failure policy's rules, and a template whose restartPolicy is OnFailure or Never. CronJobs: the
schedule through the controller's own cron parser (minikctl.api.cron), the time zone, the
concurrency policy, the history limits, a name short enough for its jobs' names.
"""
from __future__ import annotations

from minikctl.api.selectors import label_selector_matches
from minikctl.api.validation.fields import (dns1123_label, forbidden, go_label_selector, go_quote, go_string_map,
                                            invalid, nonnegative, not_supported, required)
from minikctl.api.validation.meta import (validate_annotations, validate_label_selector, validate_labels,
                                          validate_object_meta, validate_object_meta_update)
from minikctl.api.validation.pod import validate_pod_spec
import re
from minikctl import lazy

cron = lazy.module("minikctl.api.cron")

INDEXED = "Indexed"
MAX_PARALLELISM_INDEXED = 100_000
MAX_COMPLETIONS_PER_INDEX = 100_000


def _has_label(meta: dict, path: str, key: str, want: str) -> list[tuple[str, str]]:
    """ValidateHasLabel."""
    labels = meta.get("labels") or {}
    if key not in labels:
        return [required(f"{path}.labels[{key}]")]
    if labels[key] != want:
        return [invalid(f"{path}.labels[{key}]", go_string_map(labels), f"must be '{want}'")]
    return []


def _generated_selector(job: dict) -> list[tuple[str, str]]:
    spec, meta = job.get("spec") or {}, job.get("metadata") or {}
    if spec.get("manualSelector") or spec.get("selector") is None:
        return []
    tmeta = (spec.get("template") or {}).get("metadata") or {}
    uid = meta.get("uid") or ""
    errs = []
    if not uid:
        errs.append(required("metadata.uid"))
    errs += _has_label(tmeta, "spec.template.metadata", "controller-uid", uid)
    errs += _has_label(tmeta, "spec.template.metadata", "job-name", meta.get("name") or "")
    if not label_selector_matches(spec["selector"], {"batch.kubernetes.io/controller-uid": uid}):
        errs.append(invalid("spec.selector", go_label_selector(spec["selector"]), "`selector` not auto-generated"))
    return errs


def _pod_failure_policy(spec: dict, path: str) -> list[tuple[str, str]]:
    errs = []
    rules = (spec.get("podFailurePolicy") or {}).get("rules") or []
    actions = ["Count", "FailIndex", "FailJob", "Ignore"]
    for i, rule in enumerate(rules):
        p = f"{path}.rules[{i}]"
        action = rule.get("action") or ""
        if action not in actions:
            errs.append(not_supported(f"{p}.action", action, actions))
        elif action == "FailIndex" and spec.get("backoffLimitPerIndex") is None:
            errs.append(forbidden(f"{p}.action", "requires the backoffLimitPerIndex to be set"))
        codes, conds = rule.get("onExitCodes"), rule.get("onPodConditions")
        if codes is not None and conds:
            errs.append(invalid(p, "", "specifying both OnExitCodes and OnPodConditions is not supported"))
        elif codes is None and not conds:
            errs.append(invalid(p, "", "specifying one of OnExitCodes and OnPodConditions is required"))
        if codes is not None:
            cp = f"{p}.onExitCodes"
            op = codes.get("operator") or ""
            if op not in ("In", "NotIn"):
                errs.append(not_supported(f"{cp}.operator", op, ["In", "NotIn"]))
            values = codes.get("values") or []
            if not values:
                errs.append(required(f"{cp}.values", "at least one value is required"))
            seen = set()
            prev = None
            for j, v in enumerate(values):
                if v in seen:
                    errs.append((f"{cp}.values[{j}]", f"Duplicate value: {v}"))
                if op == "In" and v == 0:
                    errs.append(invalid(f"{cp}.values[{j}]", v, "must not be 0 for the In operator"))
                if prev is not None and v < prev:
                    errs.append(invalid(f"{cp}.values", values, "must be ordered"))
                seen.add(v)
                prev = v
    return errs


def validate_job_spec(spec: dict, path: str, *, template_only: bool = False) -> list[tuple[str, str]]:
    """validateJobSpec (+ ValidateJobSpec's selector rules unless template_only: a CronJob's
    job template has no selector yet)."""
    errs = []
    for key in ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished"):
        errs += nonnegative(f"{path}.{key}", spec.get(key))
    if spec.get("backoffLimitPerIndex") is not None:
        errs += nonnegative(f"{path}.backoffLimitPerIndex", spec["backoffLimitPerIndex"])
        if spec.get("completionMode") != INDEXED:
            errs.append(forbidden(f"{path}.backoffLimitPerIndex", "requires indexed completion mode"))
    if spec.get("maxFailedIndexes") is not None and spec.get("backoffLimitPerIndex") is None:
        errs.append(required(f"{path}.backoffLimitPerIndex", "when maxFailedIndexes is specified"))
    mode = spec.get("completionMode")
    if mode is not None:
        if mode not in ("NonIndexed", INDEXED):
            errs.append(not_supported(f"{path}.completionMode", mode, ["NonIndexed", INDEXED]))
        if mode == INDEXED:
            if spec.get("completions") is None:
                errs.append(required(f"{path}.completions", f"when completion mode is {INDEXED}"))
            par = spec.get("parallelism")
            if isinstance(par, int) and par > MAX_PARALLELISM_INDEXED:
                errs.append(invalid(f"{path}.parallelism", par, f"must be less than or equal to "
                                    f"{MAX_PARALLELISM_INDEXED} when completion mode is {INDEXED}"))
    if spec.get("podFailurePolicy") is not None:
        errs += _pod_failure_policy(spec, f"{path}.podFailurePolicy")
    prp = spec.get("podReplacementPolicy")
    if prp is not None:
        if spec.get("podFailurePolicy") is not None and prp != "Failed":
            errs.append(not_supported(f"{path}.podReplacementPolicy", prp, ["Failed"]))
        elif prp not in ("TerminatingOrFailed", "Failed"):
            errs.append(not_supported(f"{path}.podReplacementPolicy", prp, ["Failed", "TerminatingOrFailed"]))
    tmpl = spec.get("template") or {}
    tmeta = tmpl.get("metadata") or {}
    errs += validate_labels(tmeta.get("labels"), f"{path}.template.labels")
    errs += validate_annotations(tmeta.get("annotations"), f"{path}.template.annotations")
    pspec = tmpl.get("spec") or {}
    errs += validate_pod_spec(pspec, f"{path}.template.spec")
    rp = pspec.get("restartPolicy") or ""
    if rp in ("Always", ""):
        errs.append(required(f"{path}.template.spec.restartPolicy", 'valid values: "OnFailure", "Never"'))
    elif rp not in ("OnFailure", "Never"):
        errs.append(not_supported(f"{path}.template.spec.restartPolicy", rp, ["OnFailure", "Never"]))
    elif spec.get("podFailurePolicy") is not None and rp != "Never":
        errs.append(invalid(f"{path}.template.spec.restartPolicy", rp,
                            'only "Never" is supported when podFailurePolicy is specified'))
    if template_only:
        return errs
    sel = spec.get("selector")
    if sel is None:
        errs.append(required(f"{path}.selector"))
    else:
        errs += validate_label_selector(sel, f"{path}.selector")
        if not label_selector_matches(sel, tmeta.get("labels")) and (sel.get("matchLabels") or sel.get("matchExpressions")):
            errs.append(invalid(f"{path}.template.metadata.labels", go_string_map(tmeta.get("labels")),
                                "`selector` does not match template `labels`"))
    return errs


def _validate_job(job: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(job, True)
    errs += _generated_selector(job)
    spec = job.get("spec") or {}
    errs += validate_job_spec(spec, "spec")
    name, completions = (job.get("metadata") or {}).get("name") or "", spec.get("completions")
    if spec.get("completionMode") == INDEXED and isinstance(completions, int) and completions > 0:
        host = f"{name}-{completions - 1}"
        if dns1123_label(host):
            errs.append(invalid("metadata.name", name, f"will not able to create pod with invalid DNS label: {host}"))
    return errs


def _validate_job_update(job: dict, old: dict) -> list[tuple[str, str]]:
    """ValidateJobUpdate: the create rules, then selector and completions immutable (an Indexed
    Job may change completions together with parallelism)."""
    errs = validate_object_meta_update(job, old) + [e for e in _validate_job(job) if not e[0].startswith("metadata.")]
    spec, ospec = job.get("spec") or {}, old.get("spec") or {}
    if spec.get("selector") != ospec.get("selector"):
        errs.append(invalid("spec.selector", go_label_selector(spec.get("selector") or {}), "field is immutable"))
    if spec.get("completions") != ospec.get("completions"):
        elastic = spec.get("completionMode") == INDEXED and spec.get("completions") == spec.get("parallelism")
        if not elastic:
            errs.append(invalid("spec.completions", spec.get("completions"), "field is immutable"))
    if spec.get("completionMode") != ospec.get("completionMode"):
        errs.append(invalid("spec.completionMode", spec.get("completionMode"), "field is immutable"))
    return errs


def _validate_cronjob(cj: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(cj, True)
    meta, spec = cj.get("metadata") or {}, cj.get("spec") or {}
    name = meta.get("name") or ""
    if len(name) > 52:
        errs.append(invalid("metadata.name", name, "must be no more than 52 characters"))
    schedule = spec.get("schedule") or ""
    if not schedule:
        errs.append(required("spec.schedule"))
    else:
        try:
            cron.parse(schedule)
        except cron.CronError as e:
            errs.append(invalid("spec.schedule", schedule, str(e)))
        if "TZ" in schedule:
            errs.append(invalid("spec.schedule", schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"))
    if spec.get("startingDeadlineSeconds") is not None:
        errs += nonnegative("spec.startingDeadlineSeconds", spec["startingDeadlineSeconds"])
    policy = spec.get("concurrencyPolicy") or ""
    if policy not in ("Allow", "Forbid", "Replace"):
        if not policy:
            errs.append(required("spec.concurrencyPolicy"))
        else:
            errs.append(not_supported("spec.concurrencyPolicy", policy, ["Allow", "Forbid", "Replace"]))
    jt = spec.get("jobTemplate") or {}
    jmeta = jt.get("metadata") or {}
    errs += validate_labels(jmeta.get("labels"), "spec.jobTemplate.metadata.labels")
    errs += validate_annotations(jmeta.get("annotations"), "spec.jobTemplate.metadata.annotations")
    jspec = jt.get("spec") or {}
    errs += validate_job_spec(jspec, "spec.jobTemplate.spec", template_only=jspec.get("selector") is None)
    for key in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        if spec.get(key) is not None:
            errs += nonnegative(f"spec.{key}", spec[key])
    tz = spec.get("timeZone")
    if tz is not None:
        errs += _time_zone(tz)
    return errs


def _time_zone(tz: str) -> list[tuple[str, str]]:
    """validateTimeZone: non-empty, tz-database characters, not Local, a zone time.LoadLocation finds."""
    if tz == "":
        return [invalid("spec.timeZone", tz, "timeZone must be nil or non-empty string")]
    for part in tz.split("/"):
        if part in (".", "..") or part.startswith("-") or not re.fullmatch(r"[A-Za-z\.\-_0-9+]{1,14}", part):
            return [invalid("spec.timeZone", tz, f"unknown time zone {tz}")]
    if tz.lower() == "local":
        return [invalid("spec.timeZone", tz, "timeZone must be an explicit time zone as defined in "
                                            "https://www.iana.org/time-zones")]
    try:
        cron.load_location(tz)
    except cron.CronError as e:
        return [invalid("spec.timeZone", tz, str(e))]
    return []


__all__ = ["_validate_job", "_validate_job_update", "_validate_cronjob", "validate_job_spec", "go_quote"]
