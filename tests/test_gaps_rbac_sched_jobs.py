"""The system:controller:* bootstrap ClusterRoles and bindings (the apiserver's bootstrap policy
data), `auth reconcile -f` (pkg/registry/rbac/reconciliation: create, missing rules and subjects
added, roleRef changes recreate, autoupdate=false protects; kubectl's printResults lines), the
PodTopologySpread score for ScheduleAnyway constraints, and the kubernetes.io Job page's pi."""
from __future__ import annotations

import json

import pytest

ROLE = """apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader
  namespace: team
rules:
- apiGroups: [""]
  resources: ["pods"]
  verbs: [%s]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: reader-jane
  namespace: team
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: %s
  name: reader
subjects:
- kind: User
  name: jane
  apiGroup: rbac.authorization.k8s.io
"""


def test_controller_roles_are_bootstrapped(mk):
    names = mk("get", "clusterroles", "-o", "name").out.split()
    ctl = [n for n in names if n.startswith("clusterrole.rbac.authorization.k8s.io/system:controller:")]
    assert len(ctl) == 33
    binding = json.loads(mk("get", "clusterrolebinding", "system:controller:job-controller", "-o", "json").out)
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "job-controller", "namespace": "kube-system"}]
    assert binding["metadata"]["labels"] == {"kubernetes.io/bootstrapping": "rbac-defaults"}
    sa = "--as=system:serviceaccount:kube-system:"
    assert mk("auth", "can-i", "create", "pods", sa + "replicaset-controller", "-n", "x").out == "yes\n"
    assert mk("auth", "can-i", "create", "deployments", sa + "replicaset-controller").out == "no\n"
    assert mk("auth", "can-i", "update", "jobs", "--subresource=status", sa + "job-controller", "-A").out == "yes\n"
    assert mk("auth", "can-i", "get", "deployments", "--subresource=scale", sa + "horizontal-pod-autoscaler",
              "-A").out == "yes\n"
    assert mk("auth", "can-i", "delete", "deployments", sa + "horizontal-pod-autoscaler", "-A").out == "no\n"
    assert mk("auth", "can-i", "deletecollection", "secrets", sa + "namespace-controller", "-A").out == "yes\n"


def test_auth_reconcile(mk, tmp_path):
    f = tmp_path / "rbac.yaml"
    f.write_text(ROLE % ('"get", "list"', "Role"))
    r = mk("auth", "reconcile", "-f", str(f))
    assert r.out == ("role.rbac.authorization.k8s.io/reader reconciled\n"
                     "rolebinding.rbac.authorization.k8s.io/reader-jane reconciled\n")
    assert r.err == ("\treconciliation required create\n\tmissing rules added:\n"
                     "\t\t{Verbs:[get list] APIGroups:[] Resources:[pods] ResourceNames:[] NonResourceURLs:[]}\n"
                     "\treconciliation required create\n\tmissing subjects added:\n"
                     "\t\t{Kind:User APIGroup:rbac.authorization.k8s.io Name:jane Namespace:}\n")
    assert mk("get", "ns", "team", "-o", "name").out == "namespace/team\n"     # made for the Role
    assert mk("auth", "can-i", "list", "pods", "--as=jane", "-n", "team").out == "yes\n"
    # again: nothing to do
    r = mk("auth", "reconcile", "-f", str(f))
    assert r.err == "" and r.out.count("reconciled") == 2
    # more verbs: the uncovered ones are added, broken down; nothing is removed
    f.write_text(ROLE % ('"get", "watch", "delete"', "Role"))
    r = mk("auth", "reconcile", "-f", str(f))
    assert r.err == ("\treconciliation required update\n\tmissing rules added:\n"
                     "\t\t{Verbs:[watch] APIGroups:[] Resources:[pods] ResourceNames:[] NonResourceURLs:[]}\n"
                     "\t\t{Verbs:[delete] APIGroups:[] Resources:[pods] ResourceNames:[] NonResourceURLs:[]}\n")
    rules = json.loads(mk("get", "role", "reader", "-n", "team", "-o", "json").out)["rules"]
    assert [r["verbs"] for r in rules] == [["get", "list"], ["watch"], ["delete"]]
    r = mk("auth", "reconcile", "-f", str(f), "--remove-extra-permissions")
    assert r.err == ("\treconciliation required update\n\textra rules removed:\n"
                     "\t\t{Verbs:[list] APIGroups:[] Resources:[pods] ResourceNames:[] NonResourceURLs:[]}\n")
    assert json.loads(mk("get", "role", "reader", "-n", "team", "-o", "json").out)["rules"][0]["verbs"] == \
        ["get", "watch", "delete"]
    # a binding to another roleRef is recreated
    assert mk("create", "clusterrole", "reader", "--verb=get", "--resource=pods").code == 0
    f.write_text(ROLE % ('"get", "watch", "delete"', "ClusterRole"))
    r = mk("auth", "reconcile", "-f", str(f))
    assert r.err == "\treconciliation required recreate\n"
    rb = json.loads(mk("get", "rolebinding", "reader-jane", "-n", "team", "-o", "json").out)
    assert rb["roleRef"]["kind"] == "ClusterRole"


def test_auth_reconcile_protected_and_dry_run(mk, tmp_path):
    f = tmp_path / "rbac.yaml"
    f.write_text(ROLE % ('"get"', "Role"))
    assert mk("auth", "reconcile", "-f", str(f)).code == 0
    assert mk("annotate", "role", "reader", "-n", "team", "rbac.authorization.kubernetes.io/autoupdate=false").code == 0
    f.write_text(ROLE % ('"get", "list"', "Role"))
    r = mk("auth", "reconcile", "-f", str(f))
    assert r.err.startswith("\treconciliation required update, but object opted out "
                            "(rbac.authorization.kubernetes.io/autoupdate: false)\n")
    assert json.loads(mk("get", "role", "reader", "-n", "team", "-o", "json").out)["rules"][0]["verbs"] == ["get"]
    assert mk("auth", "reconcile", "-f", str(f), "--dry-run=client").out.startswith(
        "role.rbac.authorization.k8s.io/reader reconciled (dry run)\n")


def _spread_pods(n: int) -> str:
    docs = []
    for i in range(n):
        docs.append(json.dumps({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{i}", "labels": {"app": "s"}},
            "spec": {"containers": [{"name": "c", "image": "nginx"}],
                     "affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                         {"weight": 1, "preference": {"matchExpressions": [
                             {"key": "kubernetes.io/hostname", "operator": "In", "values": ["k8s-worker-01"]}]}}]}},
                     "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
                                                    "whenUnsatisfiable": "ScheduleAnyway",
                                                    "labelSelector": {"matchLabels": {"app": "s"}}}]}}))
    return "\n---\n".join(docs)


def test_soft_topology_spread_is_scored(mk):
    """A weight-1 preference for one node against a ScheduleAnyway spread constraint: the
    preference wins the first pod, the spread score (PodTopologySpread, weight 2: count x
    log(domains + 2), normalised so the emptiest domain scores 100) sends the others elsewhere."""
    assert mk("apply", "-f", "-", stdin=_spread_pods(6)).code == 0
    nodes = [l.split()[6] for l in mk("get", "pods", "-o", "wide", "--no-headers").out.splitlines()]
    counts = {n: nodes.count(n) for n in set(nodes)}
    assert set(counts) == {"k8s-worker-01", "k8s-worker-02", "k8s-worker-03"}
    assert counts["k8s-worker-01"] >= max(counts["k8s-worker-02"], counts["k8s-worker-03"])
    from minikctl.sim.scheduling import scores
    assert hasattr(scores, "soft_spread")


JOB = """apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  template:
    spec:
      containers:
      - name: pi
        image: perl:5.34.0
        command: ["perl",  "-Mbignum=bpi", "-wle", "print bpi(2000)"]
      restartPolicy: Never
  backoffLimit: 4
"""


def test_job_page_pi(mk):
    """kubernetes.io/docs/concepts/workloads/controllers/job: the pi Job completes and its pod's
    log is pi to 2000 digits, computed (the page prints 3.14159... 2000 digits ending 4780275901)."""
    assert mk("apply", "-f", "-", stdin=JOB).out == "job.batch/pi created\n"
    mk("sim", "advance", "60s")
    assert mk("get", "job", "pi", "-o", "jsonpath={.status.succeeded}").out == "1"
    pods = mk("get", "pods", "--selector=batch.kubernetes.io/job-name=pi", "--output=jsonpath={.items[*].metadata.name}").out
    log = mk("logs", pods).out
    assert log.startswith("3.14159265358979323846264338327950288419716939937510582097494459230781640628620899")
    assert log.endswith("4780275901\n") and len(log) == 2002
    from minikctl.images.perl import pi_digits
    assert pi_digits(10) == "3.141592654" and pi_digits(1) == "3"


def test_other_perl_programs_are_not_simulated(mk):
    r = mk("run", "p", "--image=perl", "--restart=Never", "--", "perl", "-e", "print 1")
    assert r.code == 0
    mk("sim", "advance", "30s")
    assert "minikctl: perl is not simulated" in mk("logs", "p").out
