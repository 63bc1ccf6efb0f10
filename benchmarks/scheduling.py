"""What scheduling rules cost: the scale run of cli_speed.py (1,000 Deployments x 3 replicas on the
`large` profile, 30 workers) applied twice in fresh clusters - once plain, once with every pod
carrying cpu/memory requests, a required pod anti-affinity on kubernetes.io/hostname, a preferred
node affinity and a hard topology spread constraint - and the time of each `apply -f` (the
scheduler places all 3,000 pods inside it). Prints figures, asserts nothing.

Target (issue 12): the rules' run stays under 2x the plain one.
Usage: python benchmarks/scheduling.py [--scale 1000]
"""
from __future__ import annotations

import argparse
import os
import tempfile

from cli_speed import minikctl, scale_manifest

RULES = """      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {{matchLabels: {{app: app-{i}}}}}
            topologyKey: kubernetes.io/hostname
        nodeAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 10
            preference:
              matchExpressions:
              - {{key: kubernetes.io/os, operator: In, values: [linux]}}
      topologySpreadConstraints:
      - maxSkew: 2
        topologyKey: kubernetes.io/hostname
        whenUnsatisfiable: DoNotSchedule
        nodeTaintsPolicy: Honor
        labelSelector: {{matchLabels: {{app: app-{i}}}}}
      containers:
      - name: web
        image: nginx:1.25
        resources: {{requests: {{cpu: 10m, memory: 32Mi}}}}
"""


def with_rules(text: str) -> str:
    out = []
    for i, doc in enumerate(text.split("\n---\n")):
        if "kind: Deployment" in doc:
            i = int(doc.split("name: app-", 1)[1].split("\n", 1)[0])
            doc = doc.replace("      containers:\n      - name: web\n        image: nginx:1.25\n", RULES.format(i=i))
        out.append(doc)
    return "\n---\n".join(out)


def run(manifest: str) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, MINIKCTL_HOME=home, NO_COLOR="1", MINIKCTL_SEED="1")
        minikctl("cluster", "init", "--profile", "large", env=env)
        dt, rss, _p = minikctl("apply", "-f", "-", env=env, stdin=manifest)
        _t, _r, p = minikctl("get", "po", "-A", "-o", "wide", env=env)
        placed = sum(1 for line in p.stdout.splitlines()[1:] if line.split()[0] == "scale" and "<none>" not in line.split()[7])
        return dt, rss, placed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=1000)
    a = ap.parse_args()
    plain = scale_manifest(a.scale)
    t0, m0, n0 = run(plain)
    t1, m1, n1 = run(with_rules(plain))
    print(f"== scheduling {a.scale * 3} pods on 30 workers ==")
    print(f"{'plain apply -f (' + str(n0) + ' pods placed)':<52} {t0:8.2f} s  {m0:6.1f} MiB")
    print(f"{'with requests + affinity + spread (' + str(n1) + ' placed)':<52} {t1:8.2f} s  {m1:6.1f} MiB")
    print(f"{'ratio (target < 2x)':<52} {t1 / t0:8.2f} x")


if __name__ == "__main__":
    main()
