"""describe cronjob (describeCronJob, kubectl 1.32): schedule, policy, history limits, the job
template, last schedule time, active jobs, events."""
from __future__ import annotations

from minikctl.api.selectors import selector_string
from minikctl.printers.describe import Writer, annotations_multiline, describe_events, events_for, labels_multiline
from minikctl.printers.describe.pod import describe_pod_template
from minikctl.timeutil import parse, rfc1123z


def bool_ptr(v) -> str:
    """printBoolPtr: True / False / <unset>."""
    if v is None:
        return "<unset>"
    return "True" if v else "False"


def _unset(v, suffix: str = "") -> str:
    return "<unset>" if v is None else f"{int(v)}{suffix}"


def describe(cj: dict, view) -> str:
    meta, spec, st = cj.get("metadata") or {}, cj.get("spec") or {}, cj.get("status") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace') or ''}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Schedule:\t{spec.get('schedule') or ''}\n")
    w.write(0, f"Concurrency Policy:\t{spec.get('concurrencyPolicy') or ''}\n")
    w.write(0, f"Suspend:\t{bool_ptr(spec.get('suspend'))}\n")
    w.write(0, f"Successful Job History Limit:\t{_unset(spec.get('successfulJobsHistoryLimit'))}\n")
    w.write(0, f"Failed Job History Limit:\t{_unset(spec.get('failedJobsHistoryLimit'))}\n")
    w.write(0, f"Starting Deadline Seconds:\t{_unset(spec.get('startingDeadlineSeconds'), 's')}\n")
    jspec = (spec.get("jobTemplate") or {}).get("spec") or {}
    w.write(0, f"Selector:\t{selector_string(jspec['selector']) if jspec.get('selector') is not None else '<unset>'}\n")
    w.write(0, f"Parallelism:\t{_unset(jspec.get('parallelism'))}\n")
    w.write(0, f"Completions:\t{_unset(jspec.get('completions'))}\n")
    if jspec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{int(jspec['activeDeadlineSeconds'])}s\n")
    describe_pod_template(w, jspec.get("template"))
    last = parse(st.get("lastScheduleTime"))
    w.write(0, f"Last Schedule Time:\t{rfc1123z(last) if last is not None else '<unset>'}\n")
    active = [a.get("name", "") for a in st.get("active") or []]
    w.write(0, f"Active Jobs:\t{', '.join(active) if active else '<none>'}\n")
    describe_events(w, events_for(cj, view), view.now)
    return w.render()
