"""The Job controller (pkg/controller/job, 1.32) and the TTL-after-finished controller.

A Job runs pods until enough succeed. Each pass, per Job:
* terminal pods still carrying the `batch.kubernetes.io/job-tracking` finalizer are counted into
  status.succeeded / status.failed (the pod failure policy may Ignore a failure, fail the Job or
  an index), then the finalizer comes off, as the real controller's tracking does;
* the Job fails on backoffLimit (failed pods > limit, or restarts under OnFailure),
  activeDeadlineSeconds, a FailJob rule, failed indexes; it completes when completions succeeded
  (Indexed: every index) - conditions FailureTarget/SuccessCriteriaMet first, then Failed/Complete
  once no pod is left terminating;
* suspend deletes the active pods, resume restarts the clock;
* otherwise it creates pods up to parallelism, after the exponential back-off following
  failures (10s, 20s, 40s ... capped at 6m), Indexed pods with their completion index
  (annotation, label, hostname, JOB_COMPLETION_INDEX);
* a finished Job with ttlSecondsAfterFinished is deleted that long after it finished.
Timers wake the cluster when a deadline, a back-off or a TTL falls due.
"""
from __future__ import annotations

from minikctl.api import server
from minikctl.api.conditions import is_ready
from minikctl.sim.controllers.common import (controller_ref, create_pod_or_report, is_terminating, new_pod,
                                             pod_room)
import copy
from minikctl import lazy

finalizers_removed = lazy.function("minikctl.sim.controllers.kubelet", "finalizers_removed")
parse = lazy.function("minikctl.timeutil", "parse")

FINALIZER = "batch.kubernetes.io/job-tracking"
INDEX_KEY = "batch.kubernetes.io/job-completion-index"
INDEX_FAILURES = "batch.kubernetes.io/job-index-failure-count"
TIMER = "job-sync"
BACKOFF_BASE = 10.0
BACKOFF_MAX = 360.0
COMPONENT = "job-controller"
META = "jobBackoff"   # cluster.meta: job uid -> [failures since the last success, time of the last failure]


def on_timer(cluster, payload: dict) -> None:
    """A Job's deadline, back-off or TTL fell due: the settle that follows does the work."""


def _cond(job: dict, ctype: str) -> dict | None:
    return next((c for c in (job.get("status") or {}).get("conditions") or [] if c.get("type") == ctype), None)


def _true(job: dict, ctype: str) -> bool:
    c = _cond(job, ctype)
    return bool(c and c.get("status") == "True")


def finished(job: dict) -> bool:
    return _true(job, "Complete") or _true(job, "Failed")


def _set_cond(cluster, st: dict, ctype: str, status: str, reason: str, message: str) -> None:
    conds = st.setdefault("conditions", [])
    now = cluster.timestamp()
    for c in conds:
        if c["type"] == ctype:
            if c["status"] != status:
                c.update(status=status, lastTransitionTime=now)
            c.update(reason=reason, message=message, lastProbeTime=now)
            return
    conds.append({"type": ctype, "status": status, "lastProbeTime": now, "lastTransitionTime": now,
                  "reason": reason, "message": message})


def _finish_time(job: dict) -> float | None:
    for ctype in ("Complete", "Failed"):
        c = _cond(job, ctype)
        if c and c.get("status") == "True":
            return parse(c.get("lastTransitionTime"))
    return None


def reconcile(cluster) -> None:
    jobs = cluster.list("Job")
    pods_by_job: dict[str, list[dict]] = {}
    tracked_orphans = []
    live = {j["metadata"]["uid"] for j in jobs}
    for p in cluster.list("Pod"):
        ref = controller_ref(p)
        if ref and ref.get("kind") == "Job":
            pods_by_job.setdefault(ref["uid"], []).append(p)
            if ref["uid"] not in live and FINALIZER in (p["metadata"].get("finalizers") or []):
                tracked_orphans.append(p)
    for p in tracked_orphans:  # the Job is gone: nothing left to count them into
        _drop_finalizer(cluster, p)
    for job in jobs:
        pods = pods_by_job.get(job["metadata"]["uid"], [])
        if job["metadata"].get("deletionTimestamp"):
            for p in pods:
                _drop_finalizer(cluster, p)
            continue
        _sync(cluster, job, pods)


def _drop_finalizer(cluster, pod: dict) -> None:
    fins = pod["metadata"].get("finalizers") or []
    if FINALIZER in fins:
        rest = [f for f in fins if f != FINALIZER]
        if rest:
            pod["metadata"]["finalizers"] = rest
        else:
            pod["metadata"].pop("finalizers", None)
        server.update_internal(cluster, pod)
        finalizers_removed(cluster, pod)


def _index(pod: dict) -> int | None:
    v = (pod["metadata"].get("annotations") or {}).get(INDEX_KEY)
    return int(v) if v is not None and str(v).isdigit() else None


def _phase(pod: dict) -> str:
    return (pod.get("status") or {}).get("phase") or "Pending"


def _ttl(cluster, job: dict) -> None:
    ttl = (job.get("spec") or {}).get("ttlSecondsAfterFinished")
    done = _finish_time(job)
    if ttl is None or done is None:
        return
    due = done + int(ttl)
    if cluster.now + 1e-6 >= due:
        # the TTL-after-finished controller deletes with Foreground propagation: pods first
        server.delete_internal(cluster, job)
        return
    _wake(cluster, job, due)


def _wake(cluster, job: dict, due: float) -> None:
    uid = job["metadata"]["uid"]
    if not any(t[2] == TIMER and t[3].get("uid") == uid and abs(t[0] - due) < 1e-6 for t in cluster.timers):
        cluster.schedule(due, TIMER, {"uid": uid})


def _compress(indexes: set[int]) -> str:
    """status.completedIndexes: '0-2,4,6-7'."""
    out, run = [], []
    for i in sorted(indexes):
        if run and i == run[-1] + 1:
            run.append(i)
            continue
        if run:
            out.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
        run = [i]
    if run:
        out.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
    return ",".join(out)


def _parse_indexes(text: str | None) -> set[int]:
    out: set[int] = set()
    for part in (text or "").split(","):
        if not part:
            continue
        if "-" in part:
            a, b = part.split("-")
            out.update(range(int(a), int(b) + 1))
        else:
            out.add(int(part))
    return out


def _failure_rule(job: dict, pod: dict) -> tuple[str, str] | None:
    """podFailurePolicy: the first rule a failed pod matches -> (action, message), else None."""
    rules = ((job.get("spec") or {}).get("podFailurePolicy") or {}).get("rules") or []
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    pconds = {(c.get("type"), c.get("status")) for c in (pod.get("status") or {}).get("conditions") or []}
    m = pod["metadata"]
    for i, rule in enumerate(rules):
        codes = rule.get("onExitCodes")
        if codes is not None:
            for cs in statuses:
                if codes.get("containerName") and cs.get("name") != codes["containerName"]:
                    continue
                term = (cs.get("state") or {}).get("terminated") or {}
                code = term.get("exitCode")
                if code in (None, 0):
                    continue
                hit = code in (codes.get("values") or [])
                if hit == (codes.get("operator") == "In"):
                    return rule["action"], (f"Container {cs.get('name')} for pod {m['namespace']}/{m['name']} failed "
                                            f"with exit code {code} matching {rule['action']} rule at index {i}")
        for pat in rule.get("onPodConditions") or []:
            if (pat.get("type"), pat.get("status", "True")) in pconds:
                return rule["action"], (f"Pod {m['namespace']}/{m['name']} has condition {pat.get('type')} matching "
                                        f"{rule['action']} rule at index {i}")
    return None


def _sync(cluster, job: dict, pods: list[dict]) -> None:
    spec = job.get("spec") or {}
    st = job.setdefault("status", {})
    before = repr(st)
    if finished(job):
        for p in pods:
            _drop_finalizer(cluster, p)
        _ttl(cluster, job)
        return
    indexed = spec.get("completionMode") == "Indexed"
    completions = spec.get("completions")
    parallelism = int(spec.get("parallelism") if spec.get("parallelism") is not None else 1)
    backoff_limit = int(spec.get("backoffLimit") if spec.get("backoffLimit") is not None else 6)
    per_index = spec.get("backoffLimitPerIndex")
    book = cluster.meta.setdefault(META, {}).setdefault(job["metadata"]["uid"], [0, 0.0])
    done_idx = _parse_indexes(st.get("completedIndexes"))
    failed_idx = _parse_indexes(st.get("failedIndexes"))
    fail_now: tuple[str, str] | None = None
    # -- count terminal (or deleted) pods that still carry the tracking finalizer -------------
    for p in pods:
        if FINALIZER not in (p["metadata"].get("finalizers") or []):
            continue
        phase = _phase(p)
        if phase == "Succeeded":
            st["succeeded"] = int(st.get("succeeded") or 0) + 1
            if indexed and _index(p) is not None:
                done_idx.add(_index(p))
            book[0] = 0
        elif phase == "Failed" or is_terminating(p):
            rule = _failure_rule(job, p) if phase == "Failed" else None
            action = rule[0] if rule else "Count"
            if action != "Ignore":
                st["failed"] = int(st.get("failed") or 0) + 1
                book[0] += 1
                book[1] = cluster.now
            if action == "FailJob" and fail_now is None:
                fail_now = ("PodFailurePolicy", rule[1])
            if indexed and per_index is not None and _index(p) is not None and action != "Ignore":
                count = int((p["metadata"].get("annotations") or {}).get(INDEX_FAILURES, "0") or 0) + 1
                if action == "FailIndex" or count > int(per_index):
                    failed_idx.add(_index(p))
        else:
            continue
        _drop_finalizer(cluster, p)
    if indexed:
        st["completedIndexes"] = _compress(done_idx)
        if per_index is not None:
            st["failedIndexes"] = _compress(failed_idx - done_idx)
    active = [p for p in pods if not is_terminating(p) and _phase(p) not in ("Succeeded", "Failed")]
    terminating = [p for p in pods if is_terminating(p) and _phase(p) not in ("Succeeded", "Failed")]
    succeeded = int(st.get("succeeded") or 0)
    failed = int(st.get("failed") or 0)
    # -- suspend / resume -----------------------------------------------------------------------
    if spec.get("suspend"):
        if active:
            _delete_pods(cluster, job, active)
            active = []
        if not _true(job, "Suspended"):
            _set_cond(cluster, st, "Suspended", "True", "JobSuspended", "Job suspended")
            cluster.record_event(job, "Normal", "Suspended", "Job suspended", COMPONENT)
            st.pop("startTime", None)
        _status(cluster, job, st, active, terminating, before)
        return
    if _cond(job, "Suspended") and _true(job, "Suspended"):
        _set_cond(cluster, st, "Suspended", "False", "JobResumed", "Job resumed")
        cluster.record_event(job, "Normal", "Resumed", "Job resumed", COMPONENT)
    if not st.get("startTime"):
        st["startTime"] = cluster.timestamp()
        ads = spec.get("activeDeadlineSeconds")
        if ads is not None:
            _wake(cluster, job, cluster.now + int(ads))
    # -- terminal decisions -------------------------------------------------------------------
    ads = spec.get("activeDeadlineSeconds")
    restarts = sum(int(cs.get("restartCount") or 0) for p in active
                   for cs in (p.get("status") or {}).get("containerStatuses") or [])
    on_failure = ((spec.get("template") or {}).get("spec") or {}).get("restartPolicy") == "OnFailure"
    complete = False
    if indexed:
        total = int(completions or 0)
        complete = len(done_idx) >= total and not (failed_idx - done_idx)
    elif completions is not None:
        complete = succeeded >= int(completions)
    else:
        complete = succeeded > 0 and not active
    if _true(job, "FailureTarget") or _true(job, "SuccessCriteriaMet"):
        pass  # decided already: waiting for pods to terminate
    elif fail_now:
        _fail(cluster, st, *fail_now)
    elif complete:
        _set_cond(cluster, st, "SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods")
    elif ads is not None and st.get("startTime") and cluster.now + 1e-6 >= parse(st["startTime"]) + int(ads):
        _fail(cluster, st, "DeadlineExceeded", "Job was active longer than specified deadline")
    elif (failed > backoff_limit and per_index is None) or \
            (on_failure and (restarts > 0 if backoff_limit == 0 else restarts >= backoff_limit)):
        _fail(cluster, st, "BackoffLimitExceeded", "Job has reached the specified backoff limit")
    elif indexed and per_index is not None and spec.get("maxFailedIndexes") is not None \
            and len(failed_idx - done_idx) > int(spec["maxFailedIndexes"]):
        _fail(cluster, st, "MaxFailedIndexesExceeded", "Job has exceeded the specified maximal number of failed indexes")
    elif indexed and per_index is not None and failed_idx and len(done_idx | failed_idx) >= int(completions or 0):
        _fail(cluster, st, "FailedIndexes", "Job has failed indexes")
    if _true(job, "FailureTarget") or _true(job, "SuccessCriteriaMet"):
        if active:
            _delete_pods(cluster, job, active)
            terminating += active
            active = []
        if not terminating:
            _finish(cluster, job, st)
            _status(cluster, job, st, [], [], before)
            _ttl(cluster, job)
            return
        _status(cluster, job, st, active, terminating, before)
        return
    # -- create or trim pods --------------------------------------------------------------------
    if active and len(active) > parallelism:
        extra = sorted(active, key=lambda p: (bool(p["spec"].get("nodeName")), is_ready(p)))[: len(active) - parallelism]
        _delete_pods(cluster, job, extra)
        active = [p for p in active if p not in extra]
    wait = 0.0
    if book[0] > 0:
        wait = book[1] + min(BACKOFF_BASE * 2 ** (book[0] - 1), BACKOFF_MAX) - cluster.now
    if wait > 1e-6:
        _wake(cluster, job, cluster.now + wait)
    elif terminating and spec.get("podReplacementPolicy") == "Failed":
        pass  # replacements only once the old pods are fully gone
    elif indexed:
        busy = {_index(p) for p in active}
        todo = [i for i in range(int(completions or 0)) if i not in done_idx and i not in failed_idx and i not in busy]
        for i in todo[: max(0, parallelism - len(active))]:
            if not pod_room(cluster, job):
                break
            pod = _create(cluster, job, i, pods)
            if pod is None:
                break
            active.append(pod)
    else:
        if completions is not None:
            want = min(parallelism, int(completions) - succeeded)
        else:
            want = parallelism if succeeded == 0 else 0
        for _ in range(max(0, want - len(active))):
            if not pod_room(cluster, job):
                break
            pod = _create(cluster, job, None, pods)
            if pod is None:
                break
            active.append(pod)
    _status(cluster, job, st, active, terminating, before)


def _fail(cluster, st: dict, reason: str, message: str) -> None:
    _set_cond(cluster, st, "FailureTarget", "True", reason, message)


def _finish(cluster, job: dict, st: dict) -> None:
    """Both decisions become terminal conditions once no pod is left terminating."""
    if _true(job, "SuccessCriteriaMet"):
        c = _cond(job, "SuccessCriteriaMet")
        _set_cond(cluster, st, "Complete", "True", c["reason"], c["message"])
        st["completionTime"] = cluster.timestamp()
        cluster.record_event(job, "Normal", "Completed", "Job completed", COMPONENT)
    else:
        c = _cond(job, "FailureTarget")
        _set_cond(cluster, st, "Failed", "True", c["reason"], c["message"])
        cluster.record_event(job, "Warning", c["reason"], c["message"], COMPONENT)


def _status(cluster, job: dict, st: dict, active: list, terminating: list, before: str) -> None:
    st["active"] = len(active)
    if not st["active"]:
        st.pop("active")
    st["ready"] = sum(1 for p in active if is_ready(p))
    st["terminating"] = len(terminating)
    st.setdefault("uncountedTerminatedPods", {})
    for k in ("succeeded", "failed"):
        if not st.get(k):
            st.pop(k, None)
    if repr(st) != before:
        server.update_internal(cluster, job)


def _delete_pods(cluster, job: dict, pods: list[dict]) -> None:
    for p in pods:
        _drop_finalizer(cluster, p)   # removed by the controller: not a failure to count
        server.delete_internal(cluster, p)
        cluster.record_event(job, "Normal", "SuccessfulDelete", f"Deleted pod: {p['metadata']['name']}", COMPONENT)


def _create(cluster, job: dict, index: int | None, pods: list[dict]) -> dict | None:
    tmpl = job["spec"]["template"]
    name = job["metadata"]["name"]
    extra_labels = {}
    if index is not None:
        extra_labels[INDEX_KEY] = str(index)
        tmpl = _indexed_template(tmpl, job, index, pods)
    pod_tmpl = dict(tmpl)
    pod = create_pod_or_report(cluster, COMPONENT, pod_tmpl, job, extra_labels=extra_labels,
                               generate_name=f"{name}-{index}-" if index is not None else None,
                               finalizers=[FINALIZER])
    if pod is None:               # refused by admission: the FailedCreate event is recorded
        return None
    cluster.record_event(job, "Normal", "SuccessfulCreate", f"Created pod: {pod['metadata']['name']}", COMPONENT)
    return pod


def _indexed_template(tmpl: dict, job: dict, index: int, pods: list[dict]) -> dict:
    t = copy.deepcopy(tmpl)
    meta = t.setdefault("metadata", {})
    ann = meta.setdefault("annotations", {})
    ann[INDEX_KEY] = str(index)
    if job["spec"].get("backoffLimitPerIndex") is not None:
        fails = sum(1 for p in pods if _index(p) == index and _phase(p) == "Failed")
        ann[INDEX_FAILURES] = str(fails)
    spec = t.setdefault("spec", {})
    spec["hostname"] = f"{job['metadata']['name']}-{index}"
    env = {"name": "JOB_COMPLETION_INDEX", "valueFrom": {"fieldRef": {
        "apiVersion": "v1", "fieldPath": f"metadata.annotations['{INDEX_KEY}']"}}}
    for c in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        if not any(e.get("name") == "JOB_COMPLETION_INDEX" for e in c.get("env") or []):
            c.setdefault("env", []).append(dict(env))
    return t
