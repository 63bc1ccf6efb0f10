"""CronJobs: the cron parser (robfig/cron's texts and next times), the apiserver's validation,
`create cronjob` against kubectl's dry run, the CronJob controller's rules (job names, the
concurrency policies, startingDeadlineSeconds, suspend, history limits, time zones) on the
simulated clock, and `get`/`describe cronjob` against the real kubectl through `minikctl serve`."""
from __future__ import annotations

import json
import subprocess
import time

import pytest

from minikctl import timeutil
from minikctl.api import cron
from tests.test_serve_kubectl import KUBECTL, real_second, served_near_now

T = timeutil.parse("2025-11-24T16:00:30Z")   # a Monday


@pytest.mark.parametrize("spec,after,want", [
    ("*/5 * * * *", T, "2025-11-24T16:05:00Z"),
    ("0 9 * * mon-fri", T, "2025-11-25T09:00:00Z"),
    ("0 0 * * SUN", T, "2025-11-30T00:00:00Z"),
    ("@hourly", T, "2025-11-24T17:00:00Z"),
    ("@daily", T, "2025-11-25T00:00:00Z"),
    ("30 2 1 * *", T, "2025-12-01T02:30:00Z"),
    ("0 0 29 2 *", T, "2028-02-29T00:00:00Z"),
    ("0 12 1 * 1", T, "2025-12-01T12:00:00Z"),          # dom OR dow when neither is *
    ("15,45 */6 * JAN,jul *", T, "2026-01-01T00:15:00Z"),
    ("5/20 * * * *", T, "2025-11-24T16:05:00Z"),
])
def test_next_schedule_times(spec, after, want):
    assert timeutil.fmt(cron.parse(spec).next_after(after)) == want


def test_time_zone_schedules_on_the_zone_wall_clock():
    # 09:00 in New York is 14:00 UTC in November (EST), 13:00 in July (EDT)
    assert timeutil.fmt(cron.parse("0 9 * * *").next_after(T, "America/New_York")) == "2025-11-25T14:00:00Z"
    july = timeutil.parse("2025-07-01T00:00:00Z")
    assert timeutil.fmt(cron.parse("0 9 * * *").next_after(july, "America/New_York")) == "2025-07-01T13:00:00Z"


@pytest.mark.parametrize("spec,msg", [
    ("bad", "expected exactly 5 fields, found 1: [bad]"),
    ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
    ("0-60 * * * *", "end of range (60) above maximum (59): 0-60"),
    ("* * 0 * *", "beginning of range (0) below minimum (1): 0"),
    ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
    ("x * * * *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'),
    ("*/0 * * * *", "step of range should be a positive number: */0"),
    ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
    ("1/2/3 * * * *", "too many slashes: 1/2/3"),
    ("@fortnightly", "unrecognized descriptor: @fortnightly"),
    ("0 0 * * 7", "end of range (7) above maximum (6): 7"),
])
def test_parser_errors(spec, msg):
    with pytest.raises(cron.CronError) as e:
        cron.parse(spec)
    assert str(e.value) == msg


CJ = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: {name}
spec:
  schedule: {schedule!r}
{extra}
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: hello
            image: busybox:1.36
            command: ["sh", "-c", {script!r}]
          restartPolicy: OnFailure
"""


def _cj(mk, name="hello", schedule="*/1 * * * *", script="date; echo Hello", **extra):
    body = "\n".join(f"  {k}: {json.dumps(v)}" for k, v in extra.items())
    return mk("apply", "-f", "-", stdin=CJ.format(name=name, schedule=schedule, script=script, extra=body))


def _jobs(mk) -> list[dict]:
    return json.loads(mk("get", "jobs", "-o", "json").out)["items"]


@pytest.mark.parametrize("schedule,err", [
    ("bad", 'spec.schedule: Invalid value: "bad": expected exactly 5 fields, found 1: [bad]'),
    ("61 * * * *", 'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61'),
    ("TZ=UTC 0 * * * *", 'spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, '
                         'use timeZone field instead'),
])
def test_bad_schedules_are_refused(mk, schedule, err):
    r = _cj(mk, schedule=schedule)
    assert (r.code, r.err) == (1, f'The CronJob "hello" is invalid: {err}\n')
    assert mk("get", "cronjobs").err == "No resources found in default namespace.\n"


def test_bad_time_zone_and_policy(mk):
    r = _cj(mk, timeZone="Mars/Olympus")
    assert r.err == 'The CronJob "hello" is invalid: spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus\n'
    r = _cj(mk, concurrencyPolicy="Sometimes")
    assert r.err == ('The CronJob "hello" is invalid: spec.concurrencyPolicy: Unsupported value: "Sometimes": '
                     'supported values: "Allow", "Forbid", "Replace"\n')
    r = _cj(mk, name="a" * 53)
    assert "must be no more than 52 characters" in r.err


@pytest.mark.skipif(KUBECTL is None, reason="no kubectl")
@pytest.mark.parametrize("argv", [
    ["create", "cronjob", "hello", "--image=busybox", "--schedule=*/1 * * * *", "--", "date"],
    ["create", "cronjob", "c", "--image=busybox", "--schedule=0 0 * * *", "--restart=Never", "-n", "x"],
    ["create", "cronjob", "c", "--image=busybox"],
])
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_create_cronjob_dry_run_matches_kubectl(mk, argv, fmt):
    cut = argv.index("--") if "--" in argv else len(argv)
    args = [*argv[:cut], "--dry-run=client", "-o", fmt, *argv[cut:]]
    want = subprocess.run([KUBECTL, *args], capture_output=True, text=True)
    got = mk(*args)
    assert got.out == want.stdout
    assert (got.code != 0) == (want.returncode != 0)


def test_every_minute_with_history_limits(mk):
    assert _cj(mk).code == 0
    out = mk("sim", "advance", "5m30s").out
    now = timeutil.parse(out.split(" to ")[1].split(": ")[0])
    jobs = _jobs(mk)
    names = sorted(j["metadata"]["name"] for j in jobs)
    assert len(names) == 3                       # successfulJobsHistoryLimit 3
    # named after the scheduled minute since the epoch; the last three of the five runs remain
    minutes = sorted(int(n.rsplit("-", 1)[1]) for n in names)
    assert minutes == list(range(minutes[0], minutes[0] + 3))
    assert minutes[-1] * 60 <= now < minutes[-1] * 60 + 60
    j = jobs[0]
    assert j["metadata"]["ownerReferences"][0]["kind"] == "CronJob"
    sched = j["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"]
    assert timeutil.parse(sched) == int(j["metadata"]["name"].rsplit("-", 1)[1]) * 60
    cj = json.loads(mk("get", "cj", "hello", "-o", "json").out)
    assert timeutil.parse(cj["status"]["lastScheduleTime"]) == minutes[-1] * 60
    assert "lastSuccessfulTime" in cj["status"]


def test_forbid_skips_while_running_and_replace_replaces(mk):
    assert _cj(mk, name="slow", script="sleep 150", concurrencyPolicy="Forbid").code == 0
    mk("sim", "advance", "3m50s")
    jobs = _jobs(mk)
    assert len(jobs) == 2                       # one ran 150s; the runs due meanwhile were skipped
    ev = mk("get", "events", "--field-selector", "involvedObject.name=slow").out
    assert "JobAlreadyActive" in ev
    assert "Not starting job because prior execution is running and concurrency policy is Forbid" in ev
    assert mk("delete", "cj", "slow").code == 0
    mk("sim", "advance", "1m")
    assert _cj(mk, name="rep", script="sleep 150", concurrencyPolicy="Replace").code == 0
    mk("sim", "advance", "2m")
    cj = json.loads(mk("get", "cj", "rep", "-o", "json").out)
    assert len(cj["status"]["active"]) == 1
    ev = mk("get", "events", "--field-selector", "involvedObject.name=rep").out
    assert "SuccessfulDelete" in ev and "Deleted job rep-" in ev


def test_suspend_and_starting_deadline(mk):
    assert _cj(mk, suspend=True, startingDeadlineSeconds=10).code == 0
    mk("sim", "advance", "3m30s")
    assert _jobs(mk) == []
    assert mk("get", "cj").out.splitlines()[1].split()[-4] == "True"
    assert mk("patch", "cj", "hello", "-p", '{"spec":{"suspend":false}}').code == 0
    mk("sim", "advance", "5s")
    # the missed runs are more than 10s late (mostRecentScheduleTime looks back startingDeadlineSeconds
    # only): none starts until the next schedule time
    assert _jobs(mk) == []
    mk("sim", "advance", "30s")
    assert len(_jobs(mk)) == 1


def test_create_job_from_cronjob(mk):
    assert _cj(mk, schedule="0 0 1 1 *").code == 0
    r = mk("create", "job", "manual", "--from=cronjob/hello")
    assert (r.code, r.out) == (0, "job.batch/manual created\n")
    job = json.loads(mk("get", "job", "manual", "-o", "json").out)
    assert job["metadata"]["annotations"] == {"cronjob.kubernetes.io/instantiate": "manual"}
    ref = job["metadata"]["ownerReferences"][0]
    assert (ref["kind"], ref["name"], ref["controller"], "blockOwnerDeletion" in ref) == ("CronJob", "hello", True, False)
    r = mk("create", "job", "m2", "--from=cronjob/nope")
    assert r.code == 1 and 'cronjobs.batch "nope" not found' in r.err
    r = mk("create", "job", "m3", "--from=cronjob/hello", "--", "date")
    assert r.err == "error: cannot specify --from and command\n"


# ---- against the real kubectl -------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    yield from served_near_now(tmp_path_factory, "cronjobs")


def test_kubectl_get_and_describe_cronjob(served):
    r = served.kubectl("apply", "-f", "-", stdin=CJ.format(name="hello", schedule="*/1 * * * *", script="date",
                                                         extra='  timeZone: "Europe/Paris"\n  startingDeadlineSeconds: 100'))
    assert r.returncode == 0, r.stderr
    r = served.kubectl("apply", "-f", "-", stdin=CJ.format(name="nightly", schedule="@daily", script="date",
                                                         extra="  suspend: true"))
    assert r.returncode == 0, r.stderr
    for _ in range(8):
        served.mk.advance(20)
        served.mk("get", "ns")
    for args in (("get", "cronjobs"), ("get", "cj", "-o", "wide"), ("describe", "cronjob", "hello"),
                 ("describe", "cj", "nightly"), ("get", "jobs")):
        for _ in range(3):
            pinned = served.mk.clock = max(served.mk.clock, real_second())
            k = served.kubectl(*args)
            late = time.time() - pinned >= 1.0
            m = served.mk(*args)
            if m.out == k.stdout or not late:
                break
        assert k.returncode == 0, k.stderr
        assert m.out == k.stdout, args
