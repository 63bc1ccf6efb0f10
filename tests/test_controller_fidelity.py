"""Controller rules from the Kubernetes source that learners trip over: a ReplicaSet releases a pod
relabelled out of its selector and adopts a matching orphan (ClaimPods); the Deployment copies its
annotations (kubernetes.io/change-cause) to its newest ReplicaSet, where rollout history reads
them; delete --cascade=orphan|foreground|background as the garbage collector does it; the
StatefulSet tutorial's switch to OnDelete."""
from __future__ import annotations

import json


def _pods(mk, sel="app=web") -> list[dict]:
    return json.loads(mk("get", "po", "-l", sel, "-o", "json").out)["items"]


def _web(mk, replicas=2):
    assert mk("create", "deploy", "web", "--image=nginx:1.25", f"--replicas={replicas}").code == 0
    mk("sim", "advance", "10s")


def test_relabelled_pod_is_released_and_replaced_then_adopted_back(mk):
    _web(mk)
    name = _pods(mk)[0]["metadata"]["name"]
    assert mk("label", "po", name, "app=debug", "--overwrite").code == 0
    mk("sim", "advance", "10s")
    released = json.loads(mk("get", "po", name, "-o", "json").out)
    assert "ownerReferences" not in released["metadata"]          # an orphan now, still running
    assert released["status"]["phase"] == "Running"
    assert len(_pods(mk)) == 2                                      # and replaced
    assert mk("label", "po", name, "app=web", "--overwrite").code == 0
    mk("sim", "advance", "40s")
    pods = _pods(mk)
    assert len([p for p in pods if not p["metadata"].get("deletionTimestamp")]) == 2   # adopted: one too many went
    adopted = json.loads(mk("get", "po", name, "-o", "json").out) if mk("get", "po", name).code == 0 else None
    if adopted is not None:
        assert adopted["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet"


def test_change_cause_in_rollout_history(mk):
    _web(mk)
    assert mk("annotate", "deploy", "web", "kubernetes.io/change-cause=first release").code == 0
    assert mk("set", "image", "deploy/web", "nginx=nginx:1.26").code == 0
    assert mk("annotate", "deploy", "web", "kubernetes.io/change-cause=image updated to 1.26", "--overwrite").code == 0
    mk("sim", "advance", "1m")
    r = mk("rollout", "history", "deploy/web")
    assert r.out == ("deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         first release\n"
                     "2         image updated to 1.26\n\n")


def test_cascade_orphan_keeps_the_pods(mk):
    _web(mk)
    r = mk("delete", "deploy", "web", "--cascade=orphan")
    assert r.out == 'deployment.apps "web" deleted\n'
    mk("sim", "advance", "1m")
    rs = json.loads(mk("get", "rs", "-o", "json").out)["items"]
    assert len(rs) == 1 and "ownerReferences" not in rs[0]["metadata"]
    assert len(_pods(mk)) == 2


def test_cascade_orphan_statefulset(mk):
    text = """apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: nginx
  replicas: 2
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
"""
    assert mk("apply", "-f", "-", stdin=text).code == 0
    mk("sim", "advance", "30s")
    # the StatefulSet basics tutorial: OnDelete, then a non-cascading delete
    r = mk("patch", "statefulset", "web", "-p", '{"spec":{"updateStrategy":{"type":"OnDelete", "rollingUpdate": null}}}')
    assert (r.code, r.out) == (0, "statefulset.apps/web patched\n"), r.err
    assert mk("delete", "statefulset", "web", "--cascade=orphan").code == 0
    mk("sim", "advance", "1m")
    assert [p["metadata"]["name"] for p in _pods(mk, "app=nginx")] == ["web-0", "web-1"]


def test_cascade_foreground_waits_for_dependents(mk):
    _web(mk)
    r = mk("delete", "deploy", "web", "--cascade=foreground", "--wait=false")
    assert r.code == 0
    d = json.loads(mk("get", "deploy", "web", "-o", "json").out)
    assert d["metadata"]["finalizers"] == ["foregroundDeletion"] and d["metadata"]["deletionTimestamp"]
    mk("sim", "advance", "1m")
    assert mk("get", "deploy", "web").code == 1 and _pods(mk) == []
    assert mk("get", "rs").err == "No resources found in default namespace.\n"


def test_cascade_values(mk):
    r = mk("delete", "deploy", "x", "--cascade=bad")
    assert r.err == 'error: invalid cascade value (bad). Must be "background", "foreground", or "orphan"\n'
    _web(mk)
    r = mk("delete", "deploy", "web", "--cascade=false")
    assert r.err == ("warning: --cascade=false is deprecated (boolean value) and can be replaced with "
                     "--cascade=orphan.\n")
