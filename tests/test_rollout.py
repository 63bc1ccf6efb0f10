"""rollout status|history|undo|restart|pause|resume and wait: kubectl's texts
(kubectl-formats.md section 5, rollout_status.go, rollout_history.go), driven on the virtual clock."""
from __future__ import annotations

import re

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
"""

WAIT_LINE = re.compile(
    r'^(Waiting for deployment "web" rollout to finish: ('
    r"\d+ out of 3 new replicas have been updated|\d+ old replicas are pending termination|"
    r"\d+ of \d+ updated replicas are available)\.\.\.|deployment \"web\" successfully rolled out)$")


def _deploy(mk, settle=True):
    r = mk("apply", "-f", "-", stdin=DEPLOY)
    assert r.code == 0, r.err
    if settle:
        assert mk("rollout", "status", "deploy/web").code == 0


def test_status_of_a_new_deployment_ends_rolled_out(mk):
    _deploy(mk, settle=False)
    r = mk("rollout", "status", "deployment/web")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[-1] == 'deployment "web" successfully rolled out'
    assert all(WAIT_LINE.match(l) for l in lines), lines
    assert len(lines) == len(set(lines))  # each distinct line once
    assert "3/3" in mk("get", "deploy", "web").out


def test_restart_rolls_a_new_replicaset_and_status_walks_the_rollout(mk):
    _deploy(mk)
    r = mk("rollout", "restart", "deploy/web")
    assert (r.code, r.out) == (0, "deployment.apps/web restarted\n")
    tmpl = mk("get", "deploy", "web", "-o", "jsonpath={.spec.template.metadata.annotations}").out
    assert "kubectl.kubernetes.io/restartedAt" in tmpl
    s = mk("rollout", "status", "deploy/web")
    lines = s.out.splitlines()
    assert any("new replicas have been updated" in l or "pending termination" in l for l in lines), lines
    assert lines[-1] == 'deployment "web" successfully rolled out'
    rs = mk("get", "rs", "-o", "name").out.split()
    assert len(rs) == 2


def test_history_table_and_revision_template(mk):
    _deploy(mk)
    mk("rollout", "restart", "deploy/web")
    mk("rollout", "status", "deploy/web")
    r = mk("rollout", "history", "deploy/web")
    # the name printer with operation "\n<table>": trailing space after the name, blank line at the end
    assert r.out == "deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n"
    r = mk("rollout", "history", "deploy/web", "--revision=2")
    # printTemplate writes through a bare prefixWriter: tabs, not tabwriter columns (checked
    # against kubectl in test_kubectl_differences.py); the ReplicaSet's template keeps its hash label
    assert r.out.startswith("deployment.apps/web with revision #2\nPod Template:\n  Labels:\tapp=web\n")
    assert "kubectl.kubernetes.io/restartedAt" in r.out and "\tpod-template-hash=" in r.out
    assert r.out.endswith("  Tolerations:\t<none>\n\n")
    r = mk("rollout", "history", "deploy/web", "--revision=9")
    assert (r.code, r.err) == (1, "error: unable to find the specified revision\n")


def test_undo_rolls_back_and_renumbers(mk):
    _deploy(mk)
    r = mk("rollout", "undo", "deploy/web")
    assert (r.code, r.err) == (1, 'error: no rollout history found for deployment "web"\n')
    mk("rollout", "restart", "deploy/web")
    mk("rollout", "status", "deploy/web")
    r = mk("rollout", "undo", "deploy/web")
    assert (r.code, r.out) == (0, "deployment.apps/web rolled back\n")
    mk("rollout", "status", "deploy/web")
    assert "restartedAt" not in mk("get", "deploy", "web", "-o", "yaml").out
    hist = mk("rollout", "history", "deploy/web").out.splitlines()
    assert [l.split()[0] for l in hist[2:] if l] == ["2", "3"]  # revision 1 came back as 3
    r = mk("rollout", "undo", "deploy/web", "--to-revision=3")
    assert r.out == "deployment.apps/web skipped rollback (current template already matches revision 3)\n"
    r = mk("rollout", "undo", "deploy/web", "--to-revision=7")
    assert r.err == "error: unable to find specified revision 7 in history\n"


def test_pause_resume_and_the_controller_honours_paused(mk):
    _deploy(mk)
    assert mk("rollout", "pause", "deploy/web").out == "deployment.apps/web paused\n"
    assert mk("rollout", "pause", "deploy/web").out == "deployment.apps/web already paused\n"
    r = mk("rollout", "restart", "deploy/web")
    assert (r.code, r.err) == (1, "error: can't restart paused deployment (run rollout resume first)\n")
    r = mk("rollout", "undo", "deploy/web")
    assert r.err == ("error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume "
                     "deployment/web' and try again\n")
    mk("apply", "-f", "-", stdin=DEPLOY.replace("nginx:1.27", "nginx:1.26"))
    mk.advance(30)
    assert len(mk("get", "rs", "-o", "name").out.split()) == 1  # paused: no new ReplicaSet
    assert mk("rollout", "resume", "deploy/web").out == "deployment.apps/web resumed\n"
    assert mk("rollout", "resume", "deploy/web").out == "deployment.apps/web already resumed\n"
    mk("rollout", "status", "deploy/web")
    assert len(mk("get", "rs", "-o", "name").out.split()) == 2


def test_status_timeout_and_errors(mk):
    r = mk("rollout", "status", "deploy/nope")
    assert (r.code, r.err) == (1, 'Error from server (NotFound): deployments.apps "nope" not found\n')
    _deploy(mk, settle=False)
    r = mk("rollout", "status", "deploy/web", "--timeout=1ms")
    assert r.code == 1 and r.err == "error: timed out waiting for the condition\n"
    assert r.out.startswith('Waiting for deployment "web" rollout to finish')
    r = mk("rollout", "status", "deploy/web", "--watch=false")
    assert r.code == 0 and len(r.out.splitlines()) == 1
    r = mk("rollout", "pause", "pod/x")
    assert r.code == 1
    mk("run", "x", "--image=nginx")
    r = mk("rollout", "status", "po/x")
    assert r.err == "error: no status viewer has been implemented for Pod\n"


def test_statefulset_status_history_restart_undo(mk):
    from conftest import SPEC
    assert mk("apply", "-f", str(SPEC / "headless-web-server.yaml")).code == 0
    r = mk("rollout", "status", "sts/web-server")
    lines = r.out.splitlines()
    assert lines[0].startswith("Waiting for ") and lines[0].endswith(" pods to be ready...")
    # the apiserver defaults updateStrategy.rollingUpdate.partition to 0, and kubectl's status viewer
    # calls any RollingUpdate with rollingUpdate set a partitioned roll out
    assert lines[-1] == "partitioned roll out complete: 3 new pods have been updated..."
    rev = mk("get", "sts", "web-server", "-o", "jsonpath={.status.currentRevision}").out
    assert re.fullmatch(r"web-server-[0-9a-z]{10}", rev)
    assert mk("rollout", "restart", "sts/web-server").out == "statefulset.apps/web-server restarted\n"
    mk("rollout", "status", "sts/web-server")
    assert mk("rollout", "history", "sts/web-server").out.splitlines()[1:4] == ["REVISION  CHANGE-CAUSE", "1         <none>", "2         <none>"]
    assert mk("rollout", "undo", "sts/web-server").out == "statefulset.apps/web-server rolled back\n"
    r = mk("rollout", "pause", "sts/web-server")
    assert r.err == 'error: statefulsets.apps "web-server" pausing is not supported\n'


def test_wait_condition_jsonpath_delete_and_timeout(mk):
    _deploy(mk, settle=False)
    r = mk("wait", "--for=condition=Available", "deploy/web")
    assert (r.code, r.out) == (0, "deployment.apps/web condition met\n")
    mk("run", "x", "--image=busybox", "--", "sleep", "3600")
    r = mk("wait", "--for=condition=Ready", "pod/x", "--timeout=60s")
    assert (r.code, r.out) == (0, "pod/x condition met\n")
    assert "1/1" in mk("get", "po", "x").out
    r = mk("wait", "--for=jsonpath={.status.phase}=Running", "pod/x")
    assert r.out == "pod/x condition met\n"
    r = mk("wait", "--for=jsonpath={.status.phase}=Failed", "pod/x", "--timeout=2s")
    assert (r.code, r.err) == (1, "error: timed out waiting for the condition on pods/x\n")
    r = mk("wait", "--for=condition=Ready", "pod/nope")
    assert r.err == 'Error from server (NotFound): pods "nope" not found\n'
    mk("delete", "pod", "x")
    # already gone: kubectl prints nothing and succeeds (tests/test_serve_parity_verbs.py)
    assert (lambda r: (r.code, r.out, r.err))(mk("wait", "--for=delete", "pod/x")) == (0, "", "")
    r = mk("wait", "--for=condition=Ready", "pod", "-l", "app=web")
    assert r.code == 0 and r.out.count("condition met") == 3


def test_parse_duration():
    import pytest
    from minikctl.api.errors import CliError
    from minikctl.cli.rollout_cmd import parse_duration
    assert parse_duration("1m30s") == 90 and parse_duration("500ms") == 0.5 and parse_duration("0") == 0
    with pytest.raises(CliError, match="missing unit"):
        parse_duration("30")
