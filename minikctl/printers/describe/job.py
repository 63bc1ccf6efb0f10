"""describe job (describeJob, kubectl 1.32): selector, counts, times, pod statuses, completed
indexes, pod template, events."""
from __future__ import annotations

from minikctl.api.selectors import selector_string
from minikctl.printers.describe import (Writer, annotations_multiline, controller_of, describe_events, events_for, g,
                                        labels_multiline)
from minikctl.printers.describe.pod import describe_pod_template
from minikctl.printers.duration import human_duration
from minikctl.timeutil import parse, rfc1123z


def cap_indexes(indexes: str | None, soft_limit: int = 50) -> str:
    """capIndexesListOrNone: the list cut after the first comma past soft_limit characters."""
    if not indexes:
        return "<none>"
    ix = soft_limit
    while ix < len(indexes) and indexes[ix] != ",":
        ix += 1
    if ix >= len(indexes):
        return indexes
    return indexes[:ix + 1] + "..."


def describe(job: dict, view) -> str:
    meta, spec, st = job.get("metadata") or {}, job.get("spec") or {}, job.get("status") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace') or ''}\n")
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    ctl = controller_of(job)
    if ctl:
        w.write(0, f"Controlled By:\t{ctl['kind']}/{ctl['name']}\n")
    if spec.get("parallelism") is not None:
        w.write(0, f"Parallelism:\t{int(spec['parallelism'])}\n")
    w.write(0, f"Completions:\t{int(spec['completions']) if spec.get('completions') is not None else '<unset>'}\n")
    if spec.get("completionMode") is not None:
        w.write(0, f"Completion Mode:\t{spec['completionMode']}\n")
    if spec.get("suspend") is not None:
        w.write(0, f"Suspend:\t{'true' if spec['suspend'] else 'false'}\n")
    if spec.get("backoffLimit") is not None:
        w.write(0, f"Backoff Limit:\t{int(spec['backoffLimit'])}\n")
    if spec.get("ttlSecondsAfterFinished") is not None:
        w.write(0, f"TTL Seconds After Finished:\t{int(spec['ttlSecondsAfterFinished'])}\n")
    start, done = parse(st.get("startTime")), parse(st.get("completionTime"))
    if start is not None:
        w.write(0, f"Start Time:\t{rfc1123z(start)}\n")
    if done is not None:
        w.write(0, f"Completed At:\t{rfc1123z(done)}\n")
    if start is not None and done is not None:
        w.write(0, f"Duration:\t{human_duration(done - start)}\n")
    if spec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{int(spec['activeDeadlineSeconds'])}s\n")
    active, ok, failed = int(st.get("active") or 0), int(st.get("succeeded") or 0), int(st.get("failed") or 0)
    if st.get("ready") is None:
        w.write(0, f"Pods Statuses:\t{active} Active / {ok} Succeeded / {failed} Failed\n")
    else:
        w.write(0, f"Pods Statuses:\t{active} Active ({int(st['ready'])} Ready) / {ok} Succeeded / {failed} Failed\n")
    if spec.get("completionMode") == "Indexed":
        w.write(0, f"Completed Indexes:\t{cap_indexes(st.get('completedIndexes'))}\n")
    describe_pod_template(w, spec.get("template"))
    describe_events(w, events_for(job, view), view.now)
    return w.render()
