"""ResourceQuota: `create quota` byte for byte against the real kubectl (canonical quantities),
the quota controller's status (hard, used), the admission's exceeded-quota and must-specify
texts, and the get table. describe quota / namespace are compared with kubectl in
test_describe_parity."""
from __future__ import annotations

import json
import shlex
import shutil
import subprocess

import pytest
from tests.conftest import GO_SPEED

KUBECTL = shutil.which("kubectl")

LINES = [
    "create quota q --hard=cpu=1,memory=1G,pods=2,requests.cpu=500m",
    "create quota q --hard=memory=1024Mi,cpu=2000m,a=1000,b=1.5Gi,c=1e3,d=1500,e=0.5,f=0.1Ki,g=12e2",
    "create quota q --hard=pods=2 --scopes=BestEffort,NotTerminating -n team",
    "create quota q",
]
ERRORS = ["create quota q --hard=foo", "create quota q --hard=cpu=abc"]


def _both(mk, tmp_path, line):
    argv = shlex.split(line)
    real = subprocess.run([KUBECTL, *argv], capture_output=True, text=True, timeout=60,
                          env={**GO_SPEED, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "KUBECONFIG": str(tmp_path / "none")})
    return real, mk(*argv)


@pytest.mark.skipif(KUBECTL is None, reason="real kubectl is not installed")
@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("line", LINES)
def test_create_quota_matches_kubectl(mk, tmp_path, line, fmt):
    real, ours = _both(mk, tmp_path, f"{line} --dry-run=client -o {fmt}")
    assert real.returncode == 0, real.stderr
    assert (ours.code, ours.out) == (0, real.stdout), ours.err


@pytest.mark.skipif(KUBECTL is None, reason="real kubectl is not installed")
@pytest.mark.parametrize("line", ERRORS)
def test_create_quota_errors_match_kubectl(mk, tmp_path, line):
    real, ours = _both(mk, tmp_path, f"{line} --dry-run=client")
    assert (ours.code, ours.err) == (real.returncode, real.stderr)


def _pod(name, cpu=None, mem=None, lcpu=None, lmem=None):
    res = {}
    if cpu or mem:
        res["requests"] = {k: v for k, v in (("cpu", cpu), ("memory", mem)) if v}
    if lcpu or lmem:
        res["limits"] = {k: v for k, v in (("cpu", lcpu), ("memory", lmem)) if v}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "app", "image": "nginx", "resources": res}]}}


def _create(mk, doc):
    return mk("create", "-f", "-", stdin=json.dumps(doc))


def test_quota_usage_and_admission(mk):
    assert mk("create", "quota", "q", "--hard=pods=2,requests.cpu=1,requests.memory=1Gi,limits.cpu=2,"
              "limits.memory=2Gi,configmaps=3").code == 0
    status = json.loads(mk("get", "quota", "q", "-o", "json").out)["status"]
    assert status["hard"]["limits.memory"] == "2Gi" and status["used"]["pods"] == "0"
    assert status["used"]["configmaps"] == "1"          # kube-root-ca.crt counts
    r = _create(mk, _pod("bare"))
    assert r.err == ('Error from server (Forbidden): error when creating "STDIN": pods "bare" is forbidden: failed '
                     "quota: q: must specify limits.cpu for: app; limits.memory for: app; requests.cpu for: app; "
                     "requests.memory for: app\n")
    assert _create(mk, _pod("p1", "500m", "256Mi", "1", "512Mi")).code == 0
    assert _create(mk, _pod("p2", "250m", "256Mi", "500m", "512Mi")).code == 0
    used = json.loads(mk("get", "quota", "q", "-o", "json").out)["status"]["used"]
    assert used == {"configmaps": "1", "limits.cpu": "1500m", "limits.memory": "1Gi", "pods": "2",
                    "requests.cpu": "750m", "requests.memory": "512Mi"}
    r = _create(mk, _pod("p3", "100m", "64Mi", "100m", "64Mi"))
    assert r.err == ('Error from server (Forbidden): error when creating "STDIN": pods "p3" is forbidden: exceeded '
                     "quota: q, requested: pods=1, used: pods=2, limited: pods=2\n")
    out = mk("get", "quota").out.splitlines()
    assert out[0].split() == ["NAME", "AGE", "REQUEST", "LIMIT"]
    assert "pods: 2/2, requests.cpu: 750m/1, requests.memory: 512Mi/1Gi" in out[1]
    assert out[1].endswith("limits.cpu: 1500m/2, limits.memory: 1Gi/2Gi")
    assert mk("create", "cm", "a", "--from-literal=x=1").code == 0
    assert mk("create", "cm", "b", "--from-literal=x=1").code == 0
    r = mk("create", "cm", "c", "--from-literal=x=1")
    assert r.err == ('error: failed to create configmap: configmaps "c" is forbidden: exceeded quota: q, requested: '
                     "configmaps=1, used: configmaps=3, limited: configmaps=3\n")
    assert mk("delete", "pod", "p1").code == 0
    assert _create(mk, _pod("p3", "100m", "64Mi", "100m", "64Mi")).code == 0


def test_scoped_quota_counts_only_its_pods(mk):
    assert mk("create", "quota", "be", "--hard=pods=1", "--scopes=BestEffort").code == 0
    assert _create(mk, _pod("guaranteed", "100m", "64Mi", "100m", "64Mi")).code == 0
    assert _create(mk, _pod("besteffort")).code == 0
    r = _create(mk, _pod("besteffort2"))
    assert "exceeded quota: be, requested: pods=1, used: pods=1, limited: pods=1" in r.err


# ------------------------------------------------------------------- LimitRange

LR = {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "limits"},
      "spec": {"limits": [{"type": "Container", "max": {"cpu": "1", "memory": "1Gi"}, "min": {"cpu": "100m"},
                           "default": {"cpu": "500m"}},
                          {"type": "Pod", "max": {"memory": "1536Mi"}}]}}


def test_limit_range_defaults_and_annotation(mk):
    assert _create(mk, LR).code == 0
    stored = json.loads(mk("get", "limits", "limits", "-o", "json").out)["spec"]["limits"][0]
    # SetDefaults_LimitRangeItem: default limit from max, default request from the default limit
    assert stored["default"] == {"cpu": "500m", "memory": "1Gi"}
    assert stored["defaultRequest"] == {"cpu": "500m", "memory": "1Gi"}
    assert _create(mk, _pod("p")).code == 0
    pod = json.loads(mk("get", "pod", "p", "-o", "json").out)
    assert pod["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == \
        "LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app"
    assert pod["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "500m", "memory": "1Gi"},
                                                         "requests": {"cpu": "500m", "memory": "1Gi"}}
    assert pod["status"]["qosClass"] == "Guaranteed"


@pytest.mark.parametrize("pod,msg", [
    (_pod("p", lcpu="2"), "maximum cpu usage per Container is 1, but limit is 2"),
    (_pod("p", cpu="50m"), "minimum cpu usage per Container is 100m, but request is 50m"),
    (_pod("p", cpu="50m", lcpu="2"), "[minimum cpu usage per Container is 100m, but request is 50m, maximum cpu "
                                     "usage per Container is 1, but limit is 2]"),
])
def test_limit_range_min_max(mk, pod, msg):
    assert _create(mk, LR).code == 0
    r = _create(mk, pod)
    assert (r.code, r.err) == (1, f'Error from server (Forbidden): error when creating "STDIN": pods "p" is '
                                  f"forbidden: {msg}\n")


# ------------------------------------------------------------------- PriorityClass

@pytest.mark.skipif(KUBECTL is None, reason="real kubectl is not installed")
@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("line", ["create priorityclass high --value=1000 --description=high-priority",
                                  "create pc low --value=10 --global-default --preemption-policy=Never",
                                  "create priorityclass x", "create pc y --value=5"])
def test_create_priorityclass_matches_kubectl(mk, tmp_path, line, fmt):
    real, ours = _both(mk, tmp_path, f"{line} --dry-run=client -o {fmt}")
    assert real.returncode == 0, real.stderr
    assert (ours.code, ours.out) == (0, real.stdout), ours.err


def test_priority_admission_and_classes(mk):
    out = mk("get", "pc").out.splitlines()
    assert out[0].split() == ["NAME", "VALUE", "GLOBAL-DEFAULT", "AGE", "PREEMPTIONPOLICY"]
    assert [line.split()[:3] for line in out[1:]] == [["system-cluster-critical", "2000000000", "false"],
                                                      ["system-node-critical", "2000001000", "false"]]
    assert mk("create", "pc", "high", "--value=1000", "--preemption-policy=Never").code == 0
    doc = _pod("p", "100m")
    doc["spec"]["priorityClassName"] = "high"
    assert _create(mk, doc).code == 0
    spec = json.loads(mk("get", "pod", "p", "-o", "json").out)["spec"]
    assert (spec["priority"], spec["preemptionPolicy"]) == (1000, "Never")
    doc["metadata"]["name"], doc["spec"]["priorityClassName"] = "q", "ghost"
    r = _create(mk, doc)
    assert r.err == ('Error from server (Forbidden): error when creating "STDIN": pods "q" is forbidden: no '
                     "PriorityClass with name ghost was found\n")
    assert mk("create", "pc", "default", "--value=7", "--global-default").code == 0
    assert _create(mk, _pod("r", "100m")).code == 0
    spec = json.loads(mk("get", "pod", "r", "-o", "json").out)["spec"]
    assert (spec["priorityClassName"], spec["priority"]) == ("default", 7)
    r = mk("create", "pc", "huge", "--value=2000000000")
    assert r.err == ('error: failed to create priorityclass: PriorityClass.scheduling.k8s.io "huge" is invalid: '
                     "value: Forbidden: maximum allowed value of a user defined priority is 1000000000\n")
    r = mk("create", "pc", "system-mine", "--value=1")
    assert "priority class names with 'system-' prefix are reserved for system use only. error: system-mine is " \
           "not a known system priority class" in r.err
