"""The kubelet's prober: liveness, readiness and startup probes of every kind (exec, httpGet,
tcpSocket, grpc), run on a timer per container and evaluated against what the container's process
really does (images/behaviours for what listens and answers, the image's shell for exec).

What the real kubelet does (pkg/kubelet/prober: worker.go, prober.go; kuberuntime_manager.go):
* one worker per probe, first run after initialDelaySeconds, then every periodSeconds (10);
  timeoutSeconds 1, successThreshold 1, failureThreshold 3;
* an exec probe whose command runs longer than timeoutSeconds (its `sleep`s on the simulated
  clock) fails with `command "sh -c sleep 5" timed out` (ExecProbeTimeout, on by default);
* while a startup probe has not succeeded, liveness and readiness do not run;
* each failed run records Warning Unhealthy `<Liveness|Readiness|Startup> probe failed: <output>`
  (errors: `... probe errored: <err>`); outputs: `HTTP probe failed with statuscode: 404`,
  `Get "http://IP:PORT/PATH": dial tcp IP:PORT: connect: connection refused`,
  `dial tcp IP:PORT: connect: connection refused`, an exec command's combined output;
* failureThreshold consecutive liveness (or startup) failures kill the container: Normal Killing
  `Container NAME failed liveness probe, will be restarted`; it restarts under the restart
  policy with the usual back-off (kubelet.on_exit);
* a container with a readiness probe is not Ready until a probe succeeds, and stops being Ready
  after failureThreshold failures.
Honest limits: an httpGet/tcpSocket probe to a process minikctl does not model, or an exec probe
running a program the image's simulated tools lack, is counted as a success (we cannot know
better, and must not invent a failure); gRPC probes succeed when something listens on the port.
"""
from __future__ import annotations

from minikctl.api import server
import re
from minikctl import lazy

ExecContext = lazy.function("minikctl.images.context", "ExecContext")
SimClock = lazy.function("minikctl.sh.interp", "SimClock")
behaviours = lazy.module("minikctl.images.behaviours")
kube_version = lazy.function("minikctl.sim.profile", "kube_version")
kubelet = lazy.module("minikctl.sim.controllers.kubelet")
registry = lazy.module("minikctl.images.registry")
traffic = lazy.module("minikctl.net.proxy.traffic")
base = lazy.module("minikctl.images.base")
interp = lazy.module("minikctl.sh.interp")

TIMER = "probe"
STATE = "probes"            # cluster.meta: {"<uid>/<container>": {type: {"ok": n, "fail": n}, "started": bool,
                            #                 "ready": bool, "cid": containerID}}
KINDS = (("startupProbe", "Startup"), ("livenessProbe", "Liveness"), ("readinessProbe", "Readiness"))


def _key(pod, cname):
    return f"{pod['metadata']['uid']}/{cname}"


def _cs(pod, cname):
    return next((c for c in (pod.get("status") or {}).get("containerStatuses") or [] if c.get("name") == cname), None)


def start(cluster, pod: dict, c: dict, cid: str) -> None:
    """A container (instance cid) started: its probe workers begin."""
    state = cluster.meta.setdefault(STATE, {})
    key = _key(pod, c["name"])
    has = {field for field, _ in KINDS if c.get(field)}
    if not has:
        state.pop(key, None)
        return
    state[key] = {"cid": cid, "started": "startupProbe" not in has, "ready": False}
    for field, _ in KINDS:
        probe = c.get(field)
        if probe:
            delay = float(probe.get("initialDelaySeconds") or 0)
            cluster.schedule(cluster.now + delay + 0.05, TIMER, {"namespace": pod["metadata"]["namespace"],
                                                                 "name": pod["metadata"]["name"],
                                                                 "uid": pod["metadata"]["uid"],
                                                                 "container": c["name"], "probe": field, "cid": cid})


def ready(cluster, pod: dict, c: dict) -> bool:
    """Readiness as the prober last saw it (no readiness probe: ready once started)."""
    st = (getattr(cluster, "meta", None) or {}).get(STATE, {}).get(_key(pod, c["name"]))
    if not c.get("readinessProbe"):
        return True if st is None else bool(st.get("started", True))
    return bool(st and st.get("started") and st.get("ready"))


def _port(c: dict, port) -> int | None:
    if isinstance(port, int) or (isinstance(port, str) and port.isdigit()):
        return int(port)
    return next((p.get("containerPort") for p in c.get("ports") or [] if p.get("name") == port), None)


def run_probe(cluster, pod: dict, c: dict, probe: dict) -> tuple[str, str]:
    """('success' | 'failure', output) of one probe run against the container's process."""
    ip = (pod.get("status") or {}).get("podIP") or ""
    if probe.get("exec"):
        argv = [str(a) for a in (probe["exec"].get("command") or [])]
        # the CRI's ExecSync deadline is timeoutSeconds of the command's own (simulated) time
        clock = SimClock(cluster.now, deadline=float(probe.get("timeoutSeconds") or 1), quiet=True)
        ctx = ExecContext(view=cluster, pod=pod, container=c["name"], node=pod["spec"].get("nodeName"), clock=clock)
        try:
            out, err, code = registry.run(ctx, argv)
            if clock.stopped:
                raise interp.StopScript("deadline")
        except interp.StopScript:
            return "failure", f'command "{" ".join(argv)}" timed out'
        except base.ExecutableNotFound:
            return "success", ""        # a program we do not model: assumed to succeed (module docstring)
        except Exception:
            return "success", ""
        if code == 127 and _unmodelled_program(c, err):
            return "success", ""        # the image has that program; we do not run it (docstring)
        return ("success" if code == 0 else "failure"), (out + err).rstrip("\n")
    if probe.get("httpGet"):
        hg = probe["httpGet"]
        port = _port(c, hg.get("port"))
        path = hg.get("path") or "/"
        scheme = (hg.get("scheme") or "HTTP").lower()
        host = hg.get("host") or ip
        url = f"{scheme}://{host}:{port}{path}"
        resp = traffic.serve(cluster, pod, port or 0, path, host, client_ip=_node_ip(cluster, pod),
                             client_port=0, headers={"host": f"{host}:{port}", "user-agent": _probe_agent(cluster),
                                                     "accept": "*/*", "connection": "close"})
        if resp is None:
            return "failure", f'Get "{url}": dial tcp {host}:{port}: connect: connection refused'
        if isinstance(resp, traffic.NotSimulated):
            return "success", ""
        if resp == traffic.NOT_HTTP:
            return "failure", f'Get "{url}": EOF'
        if 200 <= resp.code < 400:
            return "success", ""
        return "failure", f"HTTP probe failed with statuscode: {resp.code}"
    if probe.get("tcpSocket") or probe.get("grpc"):
        spec = probe.get("tcpSocket") or probe.get("grpc")
        port = _port(c, spec.get("port"))
        host = spec.get("host") or ip
        resp = traffic.serve(cluster, pod, port or 0, "/", host)
        if resp is None:
            if probe.get("grpc"):
                return "failure", f'timeout: failed to connect service "{host}:{port}" within 1s: context deadline exceeded'
            return "failure", f"dial tcp {host}:{port}: connect: connection refused"
        return "success", ""
    return "success", ""


def _unmodelled_program(c: dict, err: str) -> bool:
    """Did the shell fail only because a program the image really ships (data `has`) is not run
    by the simulation (`sh: zookeeper-ready: not found`)?"""
    entry = behaviours._image_entry(c.get("image") or "") or {}
    has = set(entry.get("has") or [])
    missing = re.findall(r"(?:^|\n)[^\n:]*: (?:\d+: |line \d+: )?([^\s:]+): (?:command )?not found", err)
    return bool(missing) and all(m.rsplit("/", 1)[-1] in has for m in missing)


def _node_ip(cluster, pod) -> str:
    return (pod.get("status") or {}).get("hostIP") or "-"


def _probe_agent(cluster) -> str:
    major, minor = kube_version(cluster.profile)[:2]
    return f"kube-probe/{major}.{minor}"


def on_probe(cluster, ref: dict) -> None:
    pod = kubelet._find(cluster, ref)
    if pod is None:
        return
    key = _key(pod, ref["container"])
    st = cluster.meta.get(STATE, {}).get(key)
    cs = _cs(pod, ref["container"])
    if st is None or st.get("cid") != ref.get("cid") or cs is None or cs.get("containerID") != ref.get("cid") \
            or "running" not in (cs.get("state") or {}):
        return                                      # that container instance is gone: the worker stops
    c = next(x for x in pod["spec"]["containers"] if x["name"] == ref["container"])
    field = ref["probe"]
    probe = c.get(field) or {}
    period = float(probe.get("periodSeconds") or 10)
    label = dict(KINDS)[field]
    if field != "startupProbe" and not st.get("started"):
        cluster.schedule(cluster.now + period, TIMER, ref)     # waits for the startup probe
        return
    result, output = run_probe(cluster, pod, c, probe)
    counts = st.setdefault(field, {"ok": 0, "fail": 0})
    node = pod["spec"].get("nodeName")
    if result == "success":
        counts["ok"], counts["fail"] = counts["ok"] + 1, 0
        if field == "startupProbe":
            st["started"] = True
            return                                   # a startup probe stops once it succeeded
        if field == "readinessProbe" and counts["ok"] >= int(probe.get("successThreshold") or 1) \
                and not st.get("ready"):
            st["ready"] = True
            kubelet._readiness(cluster, pod)
    else:
        counts["ok"], counts["fail"] = 0, counts["fail"] + 1
        cluster.record_event(pod, "Warning", "Unhealthy", f"{label} probe failed: {output}", "kubelet", node,
                             stored=True)
        threshold = int(probe.get("failureThreshold") or 3)
        if counts["fail"] >= threshold:
            if field == "readinessProbe":
                if st.get("ready"):
                    st["ready"] = False
                    kubelet._readiness(cluster, pod)
            else:
                cluster.record_event(pod, "Normal", "Killing",
                                     f"Container {c['name']} failed {label.lower()} probe, will be restarted",
                                     "kubelet", node, stored=True)
                cluster.meta[STATE].pop(key, None)
                kubelet.on_exit(cluster, {**ref, "container": c["name"]}, code=_killed_code(c, pod))
                return
    cluster.schedule(cluster.now + period, TIMER, ref)


def _killed_code(c: dict, pod: dict) -> int:
    """A server stops on SIGTERM (exit 0); a shell or sleep as PID 1 ignores it and is SIGKILLed
    after the grace period (137)."""
    return 0 if behaviours.process(c).kind == "server" else 137
