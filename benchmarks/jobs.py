"""Jobs and CronJobs on the simulated clock; prints figures (no assertions).

1. A Job with 1,000 completions and parallelism 50 (busybox `echo ok`): `apply`, then one
   `minikctl sim advance 30m`, timed wall clock, until `get job` says Complete 1000/1000.
   Target: under 5 s.
2. A CronJob every minute (successfulJobsHistoryLimit 3, failedJobsHistoryLimit 1) over a simulated
   day: `minikctl sim advance 24h`, timed; then the jobs left and the runs counted from events.
   Target: under 10 s.

Each step runs as its own `python -m minikctl` process on a fresh state directory, as a user
would type it.

Usage: python benchmarks/jobs.py
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: big
spec:
  completions: 1000
  parallelism: 50
  template:
    spec:
      containers:
      - name: c
        image: busybox:1.36
        command: ["sh", "-c", "echo ok"]
      restartPolicy: Never
"""

CRON = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: tick
spec:
  schedule: "*/1 * * * *"
  successfulJobsHistoryLimit: 3
  failedJobsHistoryLimit: 1
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: c
            image: busybox:1.36
            command: ["sh", "-c", "date"]
          restartPolicy: OnFailure
"""


LAST_CPU = [0.0]


def run(env: dict, *argv: str, stdin: str | None = None) -> tuple[float, subprocess.CompletedProcess]:
    """Run one command line; returns its wall time (and leaves its CPU time in LAST_CPU: on a
    shared machine the CPU figure is the one that does not depend on the neighbours)."""
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "minikctl", *argv], env=env, input=stdin, capture_output=True,
                       text=True, cwd=ROOT)
    dt = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    LAST_CPU[0] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode:
        sys.stderr.write(p.stderr[-2000:])
    return dt, p


def fresh_env() -> dict:
    home = tempfile.mkdtemp(prefix="minikctl-bench-")
    return dict(os.environ, MINIKCTL_HOME=home, MINIKCTL_SEED="7", NO_COLOR="1", PYTHONPATH=str(ROOT))


def bench_job() -> None:
    env = fresh_env()
    run(env, "get", "ns")
    run(env, "apply", "-f", "-", stdin=JOB)
    dt, p = run(env, "sim", "advance", "30m")
    cpu = LAST_CPU[0]
    _, g = run(env, "get", "job", "big", "-o", "json")
    st = json.loads(g.stdout)["status"]
    print(f"job 1000 completions / parallelism 50: sim advance 30m took {dt:.2f} s wall, "
          f"{cpu:.2f} s CPU (target < 5 s); succeeded={st.get('succeeded')} "
          f"conditions={[c['type'] for c in st.get('conditions', [])]}")
    print(f"  {p.stdout.strip()}")


def bench_cron() -> None:
    env = fresh_env()
    run(env, "get", "ns")
    run(env, "apply", "-f", "-", stdin=CRON)
    dt, p = run(env, "sim", "advance", "24h")
    cpu = LAST_CPU[0]
    _, g = run(env, "get", "jobs", "-o", "json")
    left = len(json.loads(g.stdout)["items"])
    _, e = run(env, "get", "events", "--field-selector", "involvedObject.kind=CronJob,reason=SuccessfulCreate",
               "-o", "json")
    runs = len(json.loads(e.stdout)["items"])
    print(f"cronjob every minute over 24h: sim advance 24h took {dt:.2f} s wall, {cpu:.2f} s CPU (target < 10 s); "
          f"jobs created={runs}, jobs kept={left} (history limit 3)")
    print(f"  {p.stdout.strip()}")


if __name__ == "__main__":
    bench_job()
    bench_cron()
