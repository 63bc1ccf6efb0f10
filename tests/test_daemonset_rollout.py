"""DaemonSet updates (pkg/controller/daemon/update.go) and the rollout verbs on DaemonSets:
kubectl's DaemonSetStatusViewer texts, history from the set's revisions, undo, OnDelete."""
from __future__ import annotations

import json

DS = """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
      - name: agent
        image: nginx:1.25
"""


def _pods(mk):
    return [p for p in json.loads(mk("get", "po", "-l", "app=agent", "-o", "json").out)["items"]
            if not p["metadata"].get("deletionTimestamp")]


def test_rolling_update_one_node_at_a_time(mk):
    assert mk("apply", "-f", "-", stdin=DS).code == 0
    r = mk("rollout", "status", "ds/agent")
    assert r.out.splitlines()[-1] == 'daemon set "agent" successfully rolled out'
    old = {p["metadata"]["labels"]["controller-revision-hash"] for p in _pods(mk)}
    assert len(old) == 1 and all(p["metadata"]["labels"]["pod-template-generation"] == "1" for p in _pods(mk))
    assert mk("set", "image", "ds/agent", "agent=nginx:1.26").code == 0
    r = mk("rollout", "status", "daemonset", "agent")
    lines = r.out.splitlines()
    assert 'Waiting for daemon set "agent" rollout to finish: 1 out of 3 new pods have been updated...' in lines
    assert lines[-1] == 'daemon set "agent" successfully rolled out'
    pods = _pods(mk)
    assert len(pods) == 3 and {p["spec"]["containers"][0]["image"] for p in pods} == {"nginx:1.26"}
    ev = mk("get", "events", "--field-selector", "involvedObject.kind=DaemonSet").out
    assert ev.count("SuccessfulDelete") == 3
    r = mk("rollout", "history", "ds/agent")
    assert r.out == "daemonset.apps/agent \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n"
    assert mk("rollout", "undo", "ds/agent").out == "daemonset.apps/agent rolled back\n"
    mk("rollout", "status", "ds/agent")
    assert {p["spec"]["containers"][0]["image"] for p in _pods(mk)} == {"nginx:1.25"}


def test_on_delete_waits_for_deletes(mk):
    assert mk("apply", "-f", "-", stdin=DS).code == 0
    mk("sim", "advance", "10s")
    r = mk("patch", "ds", "agent", "-p", '{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":null}}}')
    assert r.code == 0, r.err
    assert mk("set", "image", "ds/agent", "agent=nginx:1.26").code == 0
    mk("sim", "advance", "30s")
    assert {p["spec"]["containers"][0]["image"] for p in _pods(mk)} == {"nginx:1.25"}
    victim = _pods(mk)[0]["metadata"]["name"]
    assert mk("delete", "po", victim).code == 0
    mk("sim", "advance", "10s")
    assert sorted(p["spec"]["containers"][0]["image"] for p in _pods(mk)) == ["nginx:1.25", "nginx:1.25", "nginx:1.26"]
    r = mk("rollout", "status", "ds/agent")
    assert r.err == "error: rollout status is only available for RollingUpdate strategy type\n"
