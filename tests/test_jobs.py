"""Jobs: `create job` against kubectl's own dry run, the Job controller against the rules of
pkg/controller/job (completions, parallelism, Indexed, backoffLimit with its back-off,
activeDeadlineSeconds, podFailurePolicy, suspend, ttlSecondsAfterFinished), the apiserver's
validation texts, and `get`/`describe job` against the real kubectl through `minikctl serve`."""
from __future__ import annotations

import json
import subprocess
import time

import pytest

from tests.test_serve_kubectl import KUBECTL, real_second, served_near_now

JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: {name}
spec:
{spec}
  template:
    spec:
      containers:
      - name: main
        image: busybox:1.36
        command: ["sh", "-c", {script!r}]
      restartPolicy: {restart}
"""


def _apply(mk, name="work", script="echo done; sleep 5", restart="Never", **spec):
    body = "\n".join(f"  {k}: {json.dumps(v)}" for k, v in spec.items()) or "  {}"
    text = JOB.format(name=name, spec=body, script=script, restart=restart).replace("spec:\n  {}\n", "spec:\n")
    r = mk("apply", "-f", "-", stdin=text)
    assert r.code == 0, r.err
    return r


def _job(mk, name="work") -> dict:
    r = mk("get", "job", name, "-o", "json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def _pods(mk, name="work") -> list[dict]:
    r = mk("get", "pods", "-l", f"job-name={name}", "-o", "json")
    return json.loads(r.out)["items"]


def _conds(job: dict) -> list[tuple[str, str]]:
    return [(c["type"], c["reason"]) for c in job["status"].get("conditions") or []]


# ---- kubectl create job / --dry-run=client --------------------------------------------------

DRY = [
    ["create", "job", "pi", "--image=perl:5.34.0", "--", "perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"],
    ["create", "job", "x", "--image=busybox"],
    ["create", "job", "x", "--image=busybox", "-n", "team", "--", "echo", "a b"],
    ["create", "job", "x"],
    ["create", "job", "--image=busybox"],
]


@pytest.mark.skipif(KUBECTL is None, reason="no kubectl")
@pytest.mark.parametrize("argv", DRY)
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_create_job_dry_run_matches_kubectl(mk, argv, fmt):
    args = [*argv[:3], "--dry-run=client", "-o", fmt, *argv[3:]] if "--" in argv else [*argv, "--dry-run=client", "-o", fmt]
    want = subprocess.run([KUBECTL, *args], capture_output=True, text=True)
    got = mk(*args)
    assert got.out == want.stdout
    assert (got.code != 0) == (want.returncode != 0)
    if want.returncode:
        assert got.err.strip().splitlines()[0] == want.stderr.strip().splitlines()[-2 if "See" in want.stderr else -1]


def test_create_job_runs_and_completes(mk):
    r = mk("create", "job", "hello", "--image=busybox:1.36", "--", "sh", "-c", "echo hello from a job")
    assert (r.code, r.out) == (0, "job.batch/hello created\n")
    mk("sim", "advance", "10s")
    job = _job(mk, "hello")
    assert job["status"]["succeeded"] == 1
    assert _conds(job) == [("SuccessCriteriaMet", "CompletionsReached"), ("Complete", "CompletionsReached")]
    pod = _pods(mk, "hello")[0]
    uid = job["metadata"]["uid"]
    assert pod["metadata"]["labels"] == {"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": "hello",
                                         "controller-uid": uid, "job-name": "hello"}
    assert pod["metadata"]["ownerReferences"][0]["kind"] == "Job"
    assert "finalizers" not in pod["metadata"]          # counted: the tracking finalizer is off
    assert mk("logs", "job/hello" if False else pod["metadata"]["name"]).out == "hello from a job\n"


# ---- the controller ---------------------------------------------------------------------------


def test_completions_and_parallelism(mk):
    _apply(mk, completions=5, parallelism=2)
    mk("sim", "advance", "3s")
    assert len([p for p in _pods(mk) if p["status"]["phase"] in ("Pending", "Running")]) == 2
    out = mk("get", "jobs").out.splitlines()
    assert out[0].split() == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
    assert out[1].split()[:3] == ["work", "Running", "0/5"]
    mk("sim", "advance", "1m")
    job = _job(mk)
    assert job["status"]["succeeded"] == 5 and len(_pods(mk)) == 5
    assert mk("get", "jobs").out.splitlines()[1].split()[:3] == ["work", "Complete", "5/5"]
    # never more than parallelism at a time: each pod's run overlaps at most one other
    spans = sorted((p["status"]["startTime"], p["status"]["containerStatuses"][0]["state"]["terminated"]["finishedAt"])
                   for p in _pods(mk))
    for i, (s, _) in enumerate(spans):
        assert sum(1 for s2, e2 in spans if s2 <= s < e2) <= 2, spans


def test_indexed_job(mk):
    _apply(mk, script="echo index=$JOB_COMPLETION_INDEX", completions=3, parallelism=3, completionMode="Indexed")
    mk("sim", "advance", "10s")
    pods = sorted(_pods(mk), key=lambda p: p["metadata"]["name"])
    assert [p["metadata"]["name"].rsplit("-", 1)[0] for p in pods] == ["work-0", "work-1", "work-2"]
    for i, p in enumerate(pods):
        assert p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"] == str(i)
        assert p["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] == str(i)
        assert p["spec"]["hostname"] == f"work-{i}"
        assert mk("logs", p["metadata"]["name"]).out == f"index={i}\n"
    job = _job(mk)
    assert job["status"]["completedIndexes"] == "0-2"
    assert "Completed Indexes:  0-2" in mk("describe", "job", "work").out


def test_backoff_limit_exceeded_with_exponential_backoff(mk):
    _apply(mk, script="echo failing; exit 3", backoffLimit=2)
    mk("sim", "advance", "10m")
    job = _job(mk)
    assert job["status"]["failed"] == 3
    assert _conds(job) == [("FailureTarget", "BackoffLimitExceeded"), ("Failed", "BackoffLimitExceeded")]
    assert job["status"]["conditions"][1]["message"] == "Job has reached the specified backoff limit"
    starts = sorted(conftest_ts(p["status"]["startTime"]) for p in _pods(mk))
    gaps = [round(b - a) for a, b in zip(starts, starts[1:])]
    # the second pod waits 10s after the first failure, the third 20s after the second
    assert [10 <= gaps[0] <= 13, 20 <= gaps[1] <= 23] == [True, True], gaps
    ev = mk("get", "events", "--field-selector", "involvedObject.kind=Job").out
    assert "BackoffLimitExceeded" in ev and "Job has reached the specified backoff limit" in ev
    assert mk("get", "jobs").out.splitlines()[1].split()[:3] == ["work", "Failed", "0/1"]


def conftest_ts(s: str) -> float:
    from minikctl.timeutil import parse
    return parse(s)


def test_active_deadline(mk):
    _apply(mk, script="sleep 600", activeDeadlineSeconds=30)
    mk("sim", "advance", "29s")
    assert _job(mk)["status"].get("active") == 1
    mk("sim", "advance", "45s")
    job = _job(mk)
    assert ("Failed", "DeadlineExceeded") in _conds(job)
    assert job["status"]["conditions"][-1]["message"] == "Job was active longer than specified deadline"
    assert job["status"].get("active") is None


def test_pod_failure_policy_fail_job_and_ignore(mk):
    text = JOB.format(name="pfp", spec="  backoffLimit: 6\n  podFailurePolicy:\n    rules:\n    - action: FailJob\n"
                      "      onExitCodes:\n        containerName: main\n        operator: In\n        values: [42]",
                      script="exit 42", restart="Never")
    assert mk("apply", "-f", "-", stdin=text).code == 0
    mk("sim", "advance", "30s")
    job = _job(mk, "pfp")
    pod = _pods(mk, "pfp")[0]["metadata"]["name"]
    assert ("Failed", "PodFailurePolicy") in _conds(job)
    assert job["status"]["conditions"][-1]["message"] == \
        f"Container main for pod default/{pod} failed with exit code 42 matching FailJob rule at index 0"
    text = text.replace("pfp", "ign").replace("FailJob", "Ignore").replace("exit 42", "exit 0")
    text = text.replace("values: [42]", "values: [1]")
    assert mk("apply", "-f", "-", stdin=text).code == 0


def test_suspend_and_resume(mk):
    _apply(mk, script="sleep 60", suspend=True)
    mk("sim", "advance", "5s")
    job = _job(mk)
    assert ("Suspended", "JobSuspended") in _conds(job) and not _pods(mk)
    assert mk("get", "jobs").out.splitlines()[1].split()[:2] == ["work", "Suspended"]
    r = mk("patch", "job", "work", "--type=merge", "-p", '{"spec":{"suspend":false}}')
    assert r.code == 0, r.err
    mk("sim", "advance", "5s")
    job = _job(mk)
    assert job["status"]["conditions"][0]["status"] == "False" and job["status"]["conditions"][0]["reason"] == "JobResumed"
    assert job["status"]["active"] == 1


def test_ttl_after_finished_deletes_job_and_pods(mk):
    _apply(mk, script="echo hi", ttlSecondsAfterFinished=60)
    mk("sim", "advance", "30s")
    assert _job(mk)["status"]["succeeded"] == 1
    mk("sim", "advance", "1m")
    assert mk("get", "job", "work").code == 1
    mk("sim", "advance", "5s")
    assert _pods(mk) == []


def test_delete_job_deletes_its_pods(mk):
    _apply(mk, script="sleep 600")
    mk("sim", "advance", "5s")
    assert mk("delete", "job", "work").out == 'job.batch "work" deleted\n'
    mk("sim", "advance", "40s")
    assert _pods(mk) == []


# ---- validation -------------------------------------------------------------------------------

def test_restart_policy_always_is_refused(mk):
    r = _apply_raw(mk, JOB.format(name="bad", spec="  completions: 1", script="true", restart="Always"))
    assert r.code == 1
    assert r.err == ('The Job "bad" is invalid: spec.template.spec.restartPolicy: Required value: '
                     'valid values: "OnFailure", "Never"\n')


def test_indexed_without_completions_is_refused(mk):
    r = _apply_raw(mk, JOB.format(name="bad", spec="  completionMode: Indexed\n  parallelism: 2", script="true",
                                  restart="Never"))
    assert r.code == 1
    assert "spec.completions: Required value: when completion mode is Indexed" in r.err
    assert mk("get", "jobs").err == "No resources found in default namespace.\n"


def _apply_raw(mk, text):
    return mk("apply", "-f", "-", stdin=text)


# ---- against the real kubectl through minikctl serve -------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    yield from served_near_now(tmp_path_factory, "jobs")


def test_kubectl_get_and_describe_job(served):
    # kubectl's typed `create job` sends protobuf, which serve does not decode: create it here
    r = served.mk("create", "job", "pi", "--image=busybox:1.36", "--", "sh", "-c", "echo 3.14159; sleep 4")
    assert r.code == 0, r.err
    text = JOB.format(name="idx", spec="  completions: 4\n  parallelism: 2\n  completionMode: Indexed\n  backoffLimit: 3\n"
                      "  activeDeadlineSeconds: 600\n  ttlSecondsAfterFinished: 3600", script="sleep 2", restart="Never")
    r = served.kubectl("apply", "-f", "-", stdin=text)
    assert r.returncode == 0, r.stderr
    for _ in range(4):
        served.mk.advance(5)
        served.mk("get", "ns")
    r = served.mk("create", "job", "later", "--image=busybox:1.36", "--", "sleep", "600")
    assert r.code == 0, r.err
    served.mk.advance(5)
    served.mk("get", "ns")
    for args in (("get", "jobs"), ("get", "jobs", "-o", "wide"), ("describe", "job", "pi"), ("describe", "job", "idx"),
                 ("describe", "job", "later")):
        for _ in range(3):
            pinned = served.mk.clock = max(served.mk.clock, real_second())
            k = served.kubectl(*args)
            late = time.time() - pinned >= 1.0
            m = served.mk(*args)
            if m.out == k.stdout or not late:
                break
        assert k.returncode == 0, k.stderr
        assert m.out == k.stdout, args
