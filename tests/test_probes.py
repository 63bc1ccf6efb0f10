"""Issue 10 part 2: liveness / readiness / startup probes evaluated against what the container
really serves, with the kubelet's Unhealthy and Killing events in its own words
(pkg/kubelet/prober/prober.go: `%s probe failed: %s`; http.go: `HTTP probe failed with
statuscode: %d`; kuberuntime: `Container %s failed %s probe, will be restarted`).
The liveness-http manifest is the kubernetes.io "Configure Liveness, Readiness and Startup Probes"
example (registry.k8s.io/liveness: /healthz answers 200 for 10 s, then 500)."""
from __future__ import annotations

import json

POD = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
  - name: {cname}
    image: {image}
{extra}"""

LIVENESS_HTTP = """apiVersion: v1
kind: Pod
metadata:
  labels:
    test: liveness
  name: liveness-http
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/liveness
    args:
    - /server
    livenessProbe:
      httpGet:
        path: /healthz
        port: 8080
        httpHeaders:
        - name: Custom-Header
          value: Awesome
      initialDelaySeconds: 3
      periodSeconds: 3
"""


def _apply(mk, tmp_path, text, name="p.yaml"):
    f = tmp_path / name
    f.write_text(text)
    r = mk("apply", "-f", str(f))
    assert r.code == 0, r.err


def _events(mk, pod):
    return [(e["type"], e["reason"], e["message"], e.get("count", 1))
            for e in json.loads(mk("get", "events", "-o", "json").out)["items"] if e["involvedObject"]["name"] == pod]


def _cs(mk, pod):
    return json.loads(mk("get", "po", pod, "-o", "json").out)["status"]["containerStatuses"][0]


def test_nginx_healthz_is_a_404_and_liveness_restarts_it(mk, tmp_path):
    _apply(mk, tmp_path, POD.format(name="web", cname="web", image="nginx:1.27", extra="""\
    livenessProbe:
      httpGet: {path: /healthz, port: 80}
      periodSeconds: 5
"""))
    mk.advance(16)
    evs = _events(mk, "web")
    assert ("Warning", "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 404") in \
        [e[:3] for e in evs]
    assert ("Normal", "Killing", "Container web failed liveness probe, will be restarted") in [e[:3] for e in evs]
    cs = _cs(mk, "web")
    assert cs["restartCount"] == 1
    assert cs["lastState"]["terminated"]["exitCode"] == 0         # nginx stops cleanly on SIGTERM


def test_liveness_http_example_of_kubernetes_io(mk, tmp_path):
    _apply(mk, tmp_path, LIVENESS_HTTP)
    mk.advance(9)
    assert _cs(mk, "liveness-http")["restartCount"] == 0
    assert not [e for e in _events(mk, "liveness-http") if e[1] == "Unhealthy"]
    mk.advance(12)        # /healthz fails from 10 s on; three failures 3 s apart kill it
    msgs = [e[2] for e in _events(mk, "liveness-http")]
    assert "Liveness probe failed: HTTP probe failed with statuscode: 500" in msgs
    assert "Container liveness failed liveness probe, will be restarted" in msgs
    assert _cs(mk, "liveness-http")["restartCount"] >= 1


def test_readiness_on_a_port_nothing_serves(mk, tmp_path):
    _apply(mk, tmp_path, POD.format(name="web", cname="web", image="nginx", extra="""\
    readinessProbe:
      tcpSocket: {port: 8080}
      periodSeconds: 5
"""))
    mk.advance(20)
    ip = json.loads(mk("get", "po", "web", "-o", "json").out)["status"]["podIP"]
    assert ("Warning", "Unhealthy", f"Readiness probe failed: dial tcp {ip}:8080: connect: connection refused") in \
        [e[:3] for e in _events(mk, "web")]
    cs = _cs(mk, "web")
    assert cs["ready"] is False and cs["restartCount"] == 0 and "running" in cs["state"]
    assert mk("get", "po", "web").out.splitlines()[1].split()[1:3] == ["0/1", "Running"]


def test_readiness_succeeds_on_what_is_served(mk, tmp_path):
    _apply(mk, tmp_path, POD.format(name="web", cname="web", image="nginx", extra="""\
    readinessProbe:
      httpGet: {path: /, port: 80}
      initialDelaySeconds: 5
"""))
    mk.advance(3)
    assert _cs(mk, "web")["ready"] is False            # not ready before the first probe
    mk.advance(5)
    assert _cs(mk, "web")["ready"] is True
    assert not [e for e in _events(mk, "web") if e[1] == "Unhealthy"]


def test_exec_probe_failing_and_startup_probe(mk, tmp_path):
    _apply(mk, tmp_path, POD.format(name="bb", cname="bb", image="busybox:1.36", extra="""\
    command: [sh, -c, "sleep 3600"]
    startupProbe:
      exec: {command: [sh, -c, "echo not yet; exit 1"]}
      periodSeconds: 2
      failureThreshold: 2
    livenessProbe:
      exec: {command: ["true"]}
"""))
    mk.advance(10)
    evs = [e[:3] for e in _events(mk, "bb")]
    assert ("Warning", "Unhealthy", "Startup probe failed: not yet") in evs
    assert ("Normal", "Killing", "Container bb failed startup probe, will be restarted") in evs
    cs = _cs(mk, "bb")
    assert cs["restartCount"] >= 1 and cs["lastState"]["terminated"]["exitCode"] == 137   # sleep ignores SIGTERM
    assert not any(e[2].startswith("Liveness") for e in evs)   # liveness waits for the startup probe


def test_exec_probe_timeout_seconds(mk, tmp_path):
    """ExecProbeTimeout: a command running past timeoutSeconds fails the probe with the CRI's
    `command %q timed out` (remote_runtime.go); one that finishes in time succeeds."""
    _apply(mk, tmp_path, POD.format(name="slow", cname="c", image="busybox:1.36", extra="""\
    command: [sh, -c, "sleep 3600"]
    livenessProbe:
      exec: {command: [sh, -c, "sleep 5"]}
      timeoutSeconds: 2
      periodSeconds: 5
    readinessProbe:
      exec: {command: [sleep, "1"]}
      timeoutSeconds: 2
"""))
    mk.advance(12)
    evs = [e[:3] for e in _events(mk, "slow")]
    assert ("Warning", "Unhealthy", 'Liveness probe failed: command "sh -c sleep 5" timed out') in evs
    assert not any(e[2].startswith("Readiness") for e in evs)
    assert _cs(mk, "slow")["ready"] is True
    mk.advance(20)
    assert ("Normal", "Killing", "Container c failed liveness probe, will be restarted") in \
        [e[:3] for e in _events(mk, "slow")]
