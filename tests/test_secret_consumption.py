"""Pods consuming Secrets and ConfigMaps as the kubelet does: env valueFrom / envFrom resolved
(exec env, printenv), CreateContainerConfigError and FailedMount with the kubelet's own texts
while a Secret, ConfigMap or key is missing, and the pod starting once it appears."""
from __future__ import annotations

import json

import pytest

ENV_POD = {
    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app"},
    "spec": {"containers": [{
        "name": "c", "image": "busybox:1.28", "command": ["sleep", "3600"],
        "env": [{"name": "PW", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
                {"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "mode"}}},
                {"name": "MSG", "value": "pw=$(PW) other=$(UNSET) lit=$$(PW)"},
                {"name": "ME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
        "envFrom": [{"secretRef": {"name": "db"}, "prefix": "DB_"}],
    }]},
}


def _create(mk, doc: dict):
    r = mk("apply", "-f", "-", stdin=json.dumps(doc))
    assert r.code == 0, r.err


def _state(mk, name="app") -> dict:
    pod = json.loads(mk("get", "pod", name, "-o", "json").out)
    return pod["status"]["containerStatuses"][0]["state"]


def _events(mk, name="app") -> list[tuple[str, str, str]]:
    out = mk("get", "events", "--field-selector", f"involvedObject.name={name}", "-o", "json").out
    return [(e["type"], e["reason"], e["message"]) for e in json.loads(out)["items"]]


def test_missing_secret_is_create_container_config_error_until_it_appears(mk):
    _create(mk, ENV_POD)
    mk.advance(5)
    assert _state(mk) == {"waiting": {"reason": "CreateContainerConfigError", "message": 'secret "db" not found'}}
    assert ("Warning", "Failed", 'Error: secret "db" not found') in _events(mk)
    assert mk("get", "pod", "app").out.splitlines()[1].split()[2] == "CreateContainerConfigError"
    # the secret without the key: the next re-sync names the key
    assert mk("create", "secret", "generic", "db", "--from-literal=user=root").code == 0
    mk.advance(16)
    assert _state(mk)["waiting"]["message"] == "couldn't find key password in Secret default/db"
    assert mk("delete", "secret", "db").code == 0
    assert mk("create", "secret", "generic", "db", "--from-literal=user=root", "--from-literal=password=hunter2").code == 0
    mk.advance(16)
    assert _state(mk)["waiting"]["message"] == 'configmap "cfg" not found'
    assert mk("create", "configmap", "cfg", "--from-literal=mode=prod").code == 0
    mk.advance(16)
    assert "running" in _state(mk)
    events = _events(mk)
    assert ("Normal", "Started", "Started container c") in events
    env = mk("exec", "app", "--", "env").out.splitlines()
    assert env[:2] == ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=app"]
    for line in ("DB_password=hunter2", "DB_user=root", "PW=hunter2", "MODE=prod",
                 "MSG=pw=hunter2 other=$(UNSET) lit=$(PW)", "ME=app"):
        assert line in env
    r = mk("exec", "app", "--", "printenv", "PW", "MODE")
    assert (r.code, r.out) == (0, "hunter2\nprod\n")
    assert mk("exec", "app", "--", "printenv", "NOPE").code == 1


def test_retries_aggregate_into_one_event(mk):
    _create(mk, ENV_POD)
    for _ in range(4):
        mk.advance(15)
        mk("get", "pods")
    failed = [e for e in json.loads(mk("get", "events", "-o", "json").out)["items"]
              if e["message"] == 'Error: secret "db" not found']
    assert len(failed) == 1 and failed[0]["count"] >= 4
    assert "Error: secret \"db\" not found" in mk("describe", "pod", "app").out


def test_optional_references_do_not_block(mk):
    doc = json.loads(json.dumps(ENV_POD))
    c = doc["spec"]["containers"][0]
    for e in c["env"][:2]:
        next(iter(e["valueFrom"].values()))["optional"] = True
    c["envFrom"][0]["secretRef"]["optional"] = True
    _create(mk, doc)
    mk.advance(5)
    assert "running" in _state(mk)
    env = mk("exec", "app", "--", "env").out
    assert "PW=" not in env and "MSG=pw=$(PW) other=$(UNSET) lit=$(PW)" in env


VOL_POD = {
    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "vol"},
    "spec": {"containers": [{"name": "c", "image": "nginx", "volumeMounts": [{"name": "creds", "mountPath": "/etc/creds"}]}],
             "volumes": [{"name": "creds", "secret": {"secretName": "tls-creds"}}]},
}


def test_missing_secret_volume_is_failed_mount_with_backoff(mk):
    _create(mk, VOL_POD)
    mk.advance(20)
    pod = json.loads(mk("get", "pod", "vol", "-o", "json").out)
    assert pod["status"]["containerStatuses"][0]["state"] == {"waiting": {"reason": "ContainerCreating"}}
    assert "podIP" not in pod["status"]
    mounts = [e for e in json.loads(mk("get", "events", "-o", "json").out)["items"] if e["reason"] == "FailedMount"]
    assert [e["message"] for e in mounts] == ['MountVolume.SetUp failed for volume "creds" : secret "tls-creds" not found']
    assert mounts[0]["type"] == "Warning" and mounts[0]["source"]["component"] == "kubelet"
    assert 5 <= mounts[0]["count"] <= 7    # 0, 0.5, 1.5, 3.5, 7.5, 15.5 s: the volume manager's back-off
    assert not any(e[1] == "Pulling" for e in _events(mk, "vol"))
    assert mk("create", "secret", "generic", "tls-creds", "--from-literal=a=b").code == 0
    mk.advance(40)
    assert "running" in _state(mk, "vol")


def test_missing_items_key_and_configmap_volume(mk):
    doc = json.loads(json.dumps(VOL_POD))
    doc["spec"]["volumes"] = [{"name": "creds", "configMap": {"name": "cfg", "items": [{"key": "k", "path": "p"}]}}]
    _create(mk, doc)
    mk.advance(2)
    assert ("Warning", "FailedMount", 'MountVolume.SetUp failed for volume "creds" : configmap "cfg" not found') \
        in _events(mk, "vol")
    assert mk("create", "configmap", "cfg", "--from-literal=other=1").code == 0
    mk.advance(10)
    assert ("Warning", "FailedMount", 'MountVolume.SetUp failed for volume "creds" : configmap references '
            "non-existent config key: k") in _events(mk, "vol")
