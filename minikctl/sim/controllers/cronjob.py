"""The CronJob controller (pkg/controller/cronjob, the v2 controller of 1.32).

Per CronJob, each pass: its jobs' finishing is noticed (SawCompletedJob, lastSuccessfulTime, the
active list), finished jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit are deleted
oldest first; then, unless suspended, the most recent schedule time that is due and not yet
served (minikctl.api.cron on the cluster clock, in spec.timeZone) starts a Job named
`<cronjob>-<scheduled time in minutes since the epoch>`, subject to startingDeadlineSeconds
(MissSchedule) and concurrencyPolicy (Forbid: JobAlreadyActive; Replace: the running jobs are
deleted first). A timer wakes the cluster at the next schedule time, so `sim advance` walks
through every run in order.
"""
from __future__ import annotations

import copy

from minikctl import timeutil
from minikctl.api import cron, server
from minikctl.sim.controllers.common import controller_ref, owner_ref
from datetime import datetime

TIMER = "cronjob-sync"
COMPONENT = "cronjob-controller"
SCHEDULED_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp"
MAX_MISSED_WALK = 100_000


def on_timer(cluster, payload: dict) -> None:
    """A schedule time fell due: the settle that follows starts the job."""


def _finished(job: dict) -> str | None:
    for c in (job.get("status") or {}).get("conditions") or []:
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            return c["type"]
    return None


def reconcile(cluster) -> None:
    cjs = cluster.list("CronJob")
    if not cjs:
        return
    owned: dict[str, list[dict]] = {}
    for j in cluster.list("Job"):
        ref = controller_ref(j)
        if ref and ref.get("kind") == "CronJob":
            owned.setdefault(ref["uid"], []).append(j)
    for cj in cjs:
        if cj["metadata"].get("deletionTimestamp"):
            continue
        _sync(cluster, cj, owned.get(cj["metadata"]["uid"], []))


def _job_ref(job: dict) -> dict:
    m = job["metadata"]
    return {"apiVersion": "batch/v1", "kind": "Job", "name": m["name"], "namespace": m["namespace"],
            "resourceVersion": m.get("resourceVersion", ""), "uid": m["uid"]}


def _sync(cluster, cj: dict, jobs: list[dict]) -> None:
    st = cj.setdefault("status", {})
    before = repr(st)
    active = list(st.get("active") or [])
    by_uid = {j["metadata"]["uid"]: j for j in jobs}
    for j in jobs:
        state = _finished(j)
        listed = any(a.get("uid") == j["metadata"]["uid"] for a in active)
        if state and listed:
            active = [a for a in active if a.get("uid") != j["metadata"]["uid"]]
            cluster.record_event(cj, "Normal", "SawCompletedJob", f"Saw completed job: {j['metadata']['name']}, "
                                 f"status: {state}", COMPONENT)
        elif not state and not listed and not j["metadata"].get("deletionTimestamp"):
            active.append(_job_ref(j))
        if state == "Complete":
            done = (j.get("status") or {}).get("completionTime")
            if done and (not st.get("lastSuccessfulTime") or timeutil.parse(done) > timeutil.parse(st["lastSuccessfulTime"])):
                st["lastSuccessfulTime"] = done
    for a in list(active):
        if a.get("uid") not in by_uid:
            active.remove(a)
            cluster.record_event(cj, "Normal", "MissingJob", f"Active job went missing: {a.get('name')}", COMPONENT)
    _cleanup(cluster, cj, jobs)
    spec = cj.get("spec") or {}
    if not spec.get("suspend"):
        active = _schedule(cluster, cj, active)
    if active:
        st["active"] = active
    else:
        st.pop("active", None)
    if repr(st) != before:
        server.update_internal(cluster, cj)


def _start_time(job: dict):
    t = timeutil.parse((job.get("status") or {}).get("startTime"))
    return (t is None, t or 0.0, job["metadata"]["name"])


def _cleanup(cluster, cj: dict, jobs: list[dict]) -> None:
    """cleanupFinishedJobs: the oldest finished jobs beyond the history limits go."""
    spec = cj.get("spec") or {}
    for state, key in (("Complete", "successfulJobsHistoryLimit"), ("Failed", "failedJobsHistoryLimit")):
        limit = spec.get(key)
        if limit is None:
            continue
        done = sorted((j for j in jobs if _finished(j) == state and not j["metadata"].get("deletionTimestamp")),
                      key=_start_time)
        for j in done[: max(0, len(done) - int(limit))]:
            _delete_job(cluster, cj, j)


def _delete_job(cluster, cj: dict, job: dict) -> None:
    server.delete_internal(cluster, job)
    cluster.record_event(cj, "Normal", "SuccessfulDelete", f"Deleted job {job['metadata']['name']}", COMPONENT)


def _schedule(cluster, cj: dict, active: list[dict]) -> list[dict]:
    spec, st = cj["spec"], cj["status"]
    try:
        sched = cron.parse(spec.get("schedule") or "")
    except cron.CronError as e:
        cluster.record_event(cj, "Warning", "UnparseableSchedule", f'unparseable schedule: "{spec.get("schedule")}" : {e}',
                             COMPONENT)
        return active
    tz = spec.get("timeZone")
    now = cluster.now
    earliest = timeutil.parse(st.get("lastScheduleTime")) or timeutil.parse(cj["metadata"].get("creationTimestamp")) or now
    sds = spec.get("startingDeadlineSeconds")
    if sds is not None and now - int(sds) > earliest:
        earliest = now - int(sds)
    scheduled, missed, t = None, 0, earliest
    while missed < MAX_MISSED_WALK:
        nxt = sched.next_after(t, tz)
        if nxt is None or nxt > now + 1e-6:
            break
        scheduled, t = nxt, nxt
        missed += 1
    if missed > 100:
        cluster.record_event(cj, "Warning", "TooManyMissedTimes", f"too many missed start times: {missed}. Set or decrease "
                             ".spec.startingDeadlineSeconds or check clock skew", COMPONENT)
    nxt = sched.next_after(max(now, t), tz)
    if nxt is not None:
        _wake(cluster, cj, nxt)
    if scheduled is None:
        return active
    if sds is not None and scheduled + int(sds) < now:
        cluster.record_event(cj, "Warning", "MissSchedule", "Missed scheduled time to start a job: "
                             f"{timeutil.rfc1123z(scheduled)}", COMPONENT)
        return active
    name = f"{cj['metadata']['name']}-{int(scheduled // 60)}"
    if any(a.get("name") == name for a in active) or timeutil.parse(st.get("lastScheduleTime")) == scheduled:
        return active
    policy = spec.get("concurrencyPolicy") or "Allow"
    if policy == "Forbid" and active:
        cluster.record_event(cj, "Normal", "JobAlreadyActive", "Not starting job because prior execution is running "
                             "and concurrency policy is Forbid", COMPONENT)
        return active
    if policy == "Replace":
        for a in active:
            j = cluster.get("Job", a.get("namespace"), a.get("name"))
            if j is not None and j["metadata"]["uid"] == a.get("uid"):
                _delete_job(cluster, cj, j)
        active = []
    if cluster.get("Job", cj["metadata"]["namespace"], name) is not None:
        st["lastScheduleTime"] = timeutil.fmt(scheduled)
        return active
    job = server.create_internal(cluster, _job_from_template(cj, name, scheduled, tz))
    cluster.record_event(cj, "Normal", "SuccessfulCreate", f"Created job {name}", COMPONENT)
    st["lastScheduleTime"] = timeutil.fmt(scheduled)
    return active + [_job_ref(job)]


def _job_from_template(cj: dict, name: str, scheduled: float, tz: str | None) -> dict:
    """getJobFromTemplate2: the template's labels and annotations (+ the scheduled timestamp in
    the CronJob's time zone), owned by the CronJob."""
    jt = cj["spec"].get("jobTemplate") or {}
    jmeta = jt.get("metadata") or {}
    zone = cron.load_location(tz or "")
    stamp = datetime.fromtimestamp(int(scheduled), zone).isoformat()
    stamp = stamp.replace("+00:00", "Z") if stamp.endswith("+00:00") else stamp
    meta: dict = {"name": name, "namespace": cj["metadata"]["namespace"], "ownerReferences": [owner_ref(cj)]}
    if jmeta.get("labels"):
        meta["labels"] = dict(jmeta["labels"])
    meta["annotations"] = {**(jmeta.get("annotations") or {}), SCHEDULED_ANNOTATION: stamp}
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta, "spec": copy.deepcopy(jt.get("spec") or {})}


def _wake(cluster, cj: dict, due: float) -> None:
    uid = cj["metadata"]["uid"]
    if not any(t[2] == TIMER and t[3].get("uid") == uid and abs(t[0] - due) < 1e-6 for t in cluster.timers):
        cluster.schedule(due, TIMER, {"uid": uid})
