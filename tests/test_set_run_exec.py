"""`set resources|serviceaccount|selector`, `run --expose` (against the real kubectl through
`minikctl serve`: kubectl needs a server for --expose even in a client dry run), and `exec` on a
controller (`exec deploy/web`: its first pod, as kubectl's AttachablePodForObject picks it)."""
from __future__ import annotations

import json
import subprocess

import pytest

from tests.test_serve_kubectl import KUBECTL, Served


def _web(mk):
    assert mk("create", "deploy", "web", "--image=nginx:1.25", "--replicas=2").code == 0
    mk("sim", "advance", "10s")


def test_set_resources(mk):
    _web(mk)
    r = mk("set", "resources", "deploy", "web", "-c=nginx", "--limits=cpu=200m,memory=512Mi", "--requests=cpu=100m")
    assert (r.code, r.out) == (0, "deployment.apps/web resource requirements updated\n")
    d = json.loads(mk("get", "deploy", "web", "-o", "json").out)
    assert d["spec"]["template"]["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "200m", "memory": "512Mi"}, "requests": {"cpu": "100m"}}
    r = mk("set", "resources", "deploy", "web")
    assert r.err == "error: you must specify an update to requests or limits (in the form of --requests/--limits)\n"
    mk("sim", "advance", "1m")    # the template changed: a rollout
    assert all(p["spec"]["containers"][0]["resources"]["limits"]["cpu"] == "200m"
               for p in json.loads(mk("get", "po", "-l", "app=web", "-o", "json").out)["items"]
               if not p["metadata"].get("deletionTimestamp"))


def test_set_serviceaccount_and_selector(mk):
    _web(mk)
    assert mk("set", "serviceaccount", "deployment", "web", "builder").out == "deployment.apps/web serviceaccount updated\n"
    d = json.loads(mk("get", "deploy", "web", "-o", "json").out)
    assert d["spec"]["template"]["spec"]["serviceAccountName"] == "builder"
    assert mk("expose", "deploy", "web", "--port=80").code == 0
    assert mk("set", "selector", "svc", "web", "app=other,tier=fe").out == "service/web selector updated\n"
    assert json.loads(mk("get", "svc", "web", "-o", "json").out)["spec"]["selector"] == {"app": "other", "tier": "fe"}


def test_exec_into_a_deployment(mk):
    _web(mk)
    pods = sorted(json.loads(mk("get", "po", "-l", "app=web", "-o", "json").out)["items"],
                  key=lambda p: p["metadata"]["name"])
    r = mk("exec", "deploy/web", "--", "hostname")
    assert r.code == 0 and r.out.strip() in [p["metadata"]["name"] for p in pods]
    assert mk("exec", "deploy/nope", "--", "hostname").err == \
        'Error from server (NotFound): deployments.apps "nope" not found\n'


def test_run_expose_creates_service_and_pod(mk):
    r = mk("run", "nginx", "--image=nginx", "--port=80", "--expose")
    assert (r.code, r.out) == (0, "service/nginx created\npod/nginx created\n")
    mk("sim", "advance", "10s")
    assert mk("get", "ep", "nginx").out.splitlines()[1].split()[1].endswith(":80")
    r = mk("run", "x", "--image=nginx", "--expose")
    assert r.err == "error: --port must be set when exposing a service\nSee 'kubectl run -h' for help and examples\n"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    if KUBECTL is None:
        pytest.skip("no kubectl")
    s = Served(tmp_path_factory.mktemp("runexpose"))
    yield s
    s.close()


@pytest.mark.parametrize("extra", [["-o", "yaml"], ["-o", "json"], [], ["-l", "app=x,tier=y", "-o", "yaml"]])
def test_run_expose_dry_run_matches_kubectl(served, extra):
    args = ["run", "nginx", "--image=nginx", "--port=80", "--expose", "--dry-run=client", *extra]
    k = served.kubectl(*args)
    assert k.returncode == 0, k.stderr
    assert served.mk(*args).out == k.stdout


def test_logs_follow_until_the_container_ends(mk, monkeypatch):
    from minikctl.cli import logs_cmd
    assert mk("run", "t", "--image=busybox:1.36", "--restart=Never", "--", "sh", "-c", "echo started; sleep 20").code == 0
    mk("sim", "advance", "3s")
    polls = []

    def sleep(secs):          # the follow loop's second passes on the virtual clock
        polls.append(secs)
        mk.advance(secs)
    monkeypatch.setattr(logs_cmd, "SLEEP", sleep)
    monkeypatch.setattr(logs_cmd, "MAX_POLLS", 100)
    r = mk("logs", "-f", "t")
    assert (r.code, r.out) == (0, "started\n")
    assert 15 <= len(polls) <= 25            # it followed until the container exited, then returned


def test_logs_follow_a_server_until_interrupted(mk, monkeypatch):
    from minikctl.cli import logs_cmd
    assert mk("run", "web", "--image=nginx:1.25").code == 0
    mk("sim", "advance", "3s")
    calls = []

    def sleep(secs):
        calls.append(secs)
        if len(calls) == 5:
            raise KeyboardInterrupt
        mk.advance(secs)
    monkeypatch.setattr(logs_cmd, "SLEEP", sleep)
    r = mk("logs", "-f", "web")
    assert r.code == 130 and len(calls) == 5
    assert "start worker processes" in r.out
