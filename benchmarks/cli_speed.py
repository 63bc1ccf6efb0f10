"""How fast minikctl starts and how it scales; prints figures (no assertions).

1. `minikctl get svc,po -o wide` on the flagship lab state, beside the bare import of minikctl's own
   dependencies (typer, rich, yaml, dnslib): wall time (median of N runs) and peak memory.
2. The scale run, on the `large` profile (30 workers; a node holds 110 pods, as a kubelet's
   default max-pods): `apply -f` of 1,000 Deployments x 3 replicas and 1,000 Services, then
   `get po -A` over the 3,000 pods once they run, with time and peak memory.

Usage: python benchmarks/cli_speed.py [--runs 15] [--scale 1000]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "tests" / "data" / "three-services"  # the flagship spec's manifests

MEASURE = ("import resource, runpy, sys\n"
           "sys.argv = ['minikctl'] + sys.argv[1:]\n"
           "try:\n    runpy.run_module('minikctl', run_name='__main__')\n"
           "except SystemExit:\n    pass\n"
           "finally:\n    sys.stderr.write('\\nMAXRSS %d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")
BARE = ("import resource, sys, typer, rich, yaml, dnslib\n"
        "sys.stderr.write('\\nMAXRSS %d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")


def timed(args: list[str], env: dict, stdin: str | None = None) -> tuple[float, float, subprocess.CompletedProcess]:
    t = time.perf_counter()
    p = subprocess.run(args, env=env, capture_output=True, text=True, input=stdin, cwd=ROOT)
    dt = time.perf_counter() - t
    rss = 0.0
    for line in p.stderr.splitlines():
        if line.startswith("MAXRSS "):
            rss = int(line.split()[1]) / 1024
    if p.returncode not in (0,):
        sys.stderr.write(p.stderr[-2000:])
    return dt, rss, p


def minikctl(*argv: str, env: dict, stdin: str | None = None):
    return timed([sys.executable, "-c", MEASURE, *argv], env, stdin)


def median_of(n: int, fn):
    times, rss = [], []
    for _ in range(n):
        dt, r, _p = fn()
        times.append(dt)
        rss.append(r)
    return statistics.median(times), max(rss)


def scale_manifest(n: int) -> str:
    docs = []
    for i in range(n):
        docs.append(f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: scale
spec:
  replicas: 3
  selector:
    matchLabels: {{app: app-{i}}}
  template:
    metadata:
      labels: {{app: app-{i}}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: app-{i}
  namespace: scale
spec:
  selector: {{app: app-{i}}}
  ports:
  - port: 80""")
    return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: scale\n---\n" + "\n---\n".join(docs) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--scale", type=int, default=1000)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, MINIKCTL_HOME=home, NO_COLOR="1", MINIKCTL_SEED="1")
        for f in ("test-headless-server", "web-server", "headless-web-server", "busybox"):
            minikctl("apply", "-f", str(SPEC / f"{f}.yaml"), env=env)
        time.sleep(3)
        bare_t, bare_m = median_of(a.runs, lambda: timed([sys.executable, "-c", BARE], env))
        get_t, get_m = median_of(a.runs, lambda: minikctl("get", "svc,po", "-o", "wide", env=env))
        print("== start-up: `minikctl get svc,po -o wide` on the lab state ==")
        print(f"{'bare import of typer, rich, yaml, dnslib':<46} {bare_t * 1000:8.1f} ms  {bare_m:6.1f} MiB")
        print(f"{'minikctl get svc,po -o wide':<46} {get_t * 1000:8.1f} ms  {get_m:6.1f} MiB")
        print(f"{'ratio (target <= 1.25x)':<46} {get_t / bare_t:8.2f} x   (memory target < 60 MiB)")
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, MINIKCTL_HOME=home, NO_COLOR="1", MINIKCTL_SEED="1")
        minikctl("cluster", "init", "--profile", "large", env=env)  # 30 workers: room for 3,000 pods
        dt, rss, p = minikctl("apply", "-f", "-", env=env, stdin=scale_manifest(a.scale))
        ok = p.stdout.count(" created")
        print(f"\n== scale: {a.scale} Deployments x 3 replicas + {a.scale} Services ==")
        print(f"{'apply -f (one file, ' + str(ok) + ' objects created)':<46} {dt:8.2f} s   {rss:6.1f} MiB  (target < 10 s)")
        time.sleep(2)
        dt, rss, p = minikctl("get", "po", "-A", env=env)  # fires the pods' start events
        running = p.stdout.count(" Running ")
        print(f"{'first get po -A (pods start: ' + str(running) + ' Running)':<46} {dt:8.2f} s   {rss:6.1f} MiB")
        t, m = median_of(3, lambda: minikctl("get", "po", "-A", env=env))
        print(f"{'get po -A (steady state)':<46} {t:8.2f} s   {m:6.1f} MiB  (targets < 1 s, < 300 MiB)")


if __name__ == "__main__":
    main()
