"""logs: per-image output (nginx entrypoint and notices, coredns banner, commands), pod and
container choice, and kubectl's error texts."""
from __future__ import annotations

import re

from test_rollout import DEPLOY

TWO = """apiVersion: v1
kind: Pod
metadata: {name: two}
spec:
  initContainers:
  - {name: init, image: busybox, command: [sh, -c, echo init done]}
  containers:
  - {name: app, image: busybox, command: [sh, -c, "echo hello; sleep 3600"]}
  - {name: sidecar, image: busybox, command: [sleep, "3600"]}
"""


def _settle(mk, stdin):
    assert mk("apply", "-f", "-", stdin=stdin).code == 0
    mk.advance(30)


def test_nginx_startup_lines(mk):
    _settle(mk, DEPLOY)
    r = mk("logs", "deploy/web")
    assert r.code == 0
    pods = mk("get", "po", "-o", "name").out.split()
    assert re.fullmatch(r"Found 3 pods, using pod/web-[0-9a-z]+-[0-9a-z]{5}\n", r.err)
    assert r.err.split("using ")[1].strip() in pods
    lines = r.out.splitlines()
    assert lines[0] == "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration"
    assert "/docker-entrypoint.sh: Configuration complete; ready for start up" in lines
    assert "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh" in lines  # nginx >= 1.25.3
    notices = [l for l in lines if "[notice]" in l]
    assert all(re.match(r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[notice\] 1#1: ", l) for l in notices)
    assert any(l.endswith("nginx/1.27.3") for l in notices)
    node = mk("get", r.err.split("using ")[1].strip(), "-o", "jsonpath={.spec.nodeName}").out
    cpus = int(mk("get", "node", node, "-o", "jsonpath={.status.capacity.cpu}").out)
    kernel = mk("get", "node", node, "-o", "jsonpath={.status.nodeInfo.kernelVersion}").out
    assert sum("start worker process " in l for l in notices) == cpus
    assert any(l.endswith(f"OS: Linux {kernel}") for l in notices)


def test_old_nginx_has_no_local_resolvers_script(mk):
    _settle(mk, DEPLOY.replace("nginx:1.27", "nginx:1.23"))
    out = mk("logs", "deploy/web").out
    assert "15-local-resolvers" not in out and "nginx/1.23.4" in out


def test_access_log_hook(mk):
    from minikctl.images import logs
    from minikctl.sim.cluster import open_cluster
    _settle(mk, DEPLOY)
    pod = mk("logs", "deploy/web").err.split("pod/")[1].strip()
    from minikctl.env import Env
    env = Env(home=mk.home, clock=lambda: mk.clock, seed=mk.seed)
    with open_cluster(env) as c:
        logs.record_access(c, c.get("Pod", "default", pod), "10.244.1.7", path="/index.html", agent="Wget")
    out = mk("logs", pod, "--tail=1").out
    assert re.fullmatch(r'10\.244\.1\.7 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET /index\.html HTTP/1\.1" '
                        r'200 615 "-" "Wget" "-"\n', out)


def test_commands_busybox_and_coredns(mk):
    mk("run", "bb", "--image=busybox", "--", "sleep", "3600")
    mk("run", "hello", "--image=busybox", "--", "sh", "-c", "echo hello; sleep 3600")
    mk.advance(30)
    assert mk("logs", "bb").out == ""
    assert mk("logs", "hello").out == "hello\n"
    ts = mk("logs", "hello", "--timestamps").out
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z hello\n", ts)
    started = mk("get", "po", "hello", "-o", "jsonpath={.status.containerStatuses[0].state.running.startedAt}").out
    assert ts.startswith(started[:-1])
    r = mk("logs", "-n", "kube-system", "deploy/coredns")
    corefile = mk("get", "cm", "coredns", "-n", "kube-system", "-o", "jsonpath={.data.Corefile}").out
    import hashlib
    image = mk("get", "deploy", "coredns", "-n", "kube-system", "-o", "jsonpath={.spec.template.spec.containers[0].image}").out
    version = image.rsplit(":v", 1)[1]
    assert r.out.splitlines()[:3] == [".:53", "[INFO] plugin/reload: Running configuration SHA512 = "
                                      + hashlib.sha512(corefile.encode()).hexdigest(), f"CoreDNS-{version}"]
    if version == "1.11.3":
        assert r.out.splitlines()[3] == "linux/amd64, go1.21.11, a6338e9"


def test_containers_tail_and_errors(mk, monkeypatch):
    from minikctl.cli import logs_cmd
    monkeypatch.setattr(logs_cmd, "SLEEP", lambda secs: None)   # -f follows: two polls, then stop
    monkeypatch.setattr(logs_cmd, "MAX_POLLS", 2)
    _settle(mk, TWO)
    r = mk("logs", "two")
    assert (r.out, r.err) == ("hello\n", 'Defaulted container "app" out of: app, sidecar, init (init)\n')
    assert mk("logs", "two", "-c", "sidecar").out == ""
    assert mk("logs", "two", "-c", "init").out == "init done\n"
    r = mk("logs", "two", "-c", "nope")
    assert (r.code, r.err) == (1, "error: container nope is not valid for pod two\n")
    r = mk("logs", "two", "-c", "app", "--previous")
    assert (r.code, r.err) == (1, 'Error from server (BadRequest): previous terminated container "app" in pod "two" not found\n')
    assert mk("logs", "two", "-c", "app", "--tail=0").out == ""
    assert mk("logs", "two", "-c", "app", "-f").out == "hello\n"
    r = mk("logs", "missing")
    # kubectl logs wraps the builder's NotFound itself (checked: real kubectl 1.32 against minikctl serve)
    assert r.err == 'error: error from server (NotFound): pods "missing" not found in namespace "default"\n'
    r = mk("logs")
    assert r.code == 1 and r.err.startswith("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n")


def test_waiting_container(mk):
    mk("run", "fresh", "--image=nginx")
    r = mk("logs", "fresh")
    assert (r.code, r.err) == (1, 'Error from server (BadRequest): container "fresh" in pod "fresh" is waiting to start: '
                                  "ContainerCreating\n")


def test_selector_defaults_to_ten_lines(mk):
    _settle(mk, DEPLOY)
    r = mk("logs", "-l", "app=web", "--prefix")
    lines = r.out.splitlines()
    assert len(lines) == 30 and all(re.match(r"\[pod/web-[^/]+/nginx\] ", l) for l in lines)
