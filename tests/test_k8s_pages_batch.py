"""The kubernetes.io CronJob task page ("Running Automated Tasks with a CronJob") replayed: the
manifest, `get cronjob hello` before and after the first run, the job it created (named for its
scheduled minute), the pod's log lines, and the delete."""
from __future__ import annotations

CRONJOB_YAML = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: hello
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: hello
            image: busybox:1.28
            imagePullPolicy: IfNotPresent
            command:
            - /bin/sh
            - -c
            - date; echo Hello from the Kubernetes cluster
          restartPolicy: OnFailure
"""


def test_cronjob_page(mk):
    r = mk("create", "-f", "-", stdin=CRONJOB_YAML)
    assert r.out == "cronjob.batch/hello created\n"
    mk.advance(10)
    assert mk("get", "cronjob", "hello").out == (
        "NAME    SCHEDULE    TIMEZONE   SUSPEND   ACTIVE   LAST SCHEDULE   AGE\n"
        "hello   * * * * *   <none>     False     0        <none>          10s\n")
    mk("sim", "advance", "1m")
    row = mk("get", "cronjob", "hello").out.splitlines()[1].split()
    assert row[:9] == ["hello", "*", "*", "*", "*", "*", "<none>", "False", "0"]
    jobs = mk("get", "jobs", "-o", "jsonpath={.items[*].metadata.name}").out.split()
    assert len(jobs) == 1 and jobs[0].startswith("hello-") and int(jobs[0].split("-")[1]) > 29_000_000
    pods = mk("get", "pods", f"--selector=job-name={jobs[0]}", "--output=jsonpath={.items[*].metadata.name}").out
    out = mk("logs", pods).out.splitlines()
    assert len(out) == 2 and out[1] == "Hello from the Kubernetes cluster" and out[0].endswith(" UTC 2025")
    assert mk("delete", "cronjob", "hello").out == 'cronjob.batch "hello" deleted\n'
    mk("sim", "advance", "1m")
    assert mk("get", "jobs").err == "No resources found in default namespace.\n"
