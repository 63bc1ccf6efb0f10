"""What a container has written to stdout/stderr, as `kubectl logs` shows it, computed per image.

Why computed, not stored: a container's output is a function of its image, its command line, its
start time, the node it runs on and the requests it served, all of which are in the cluster. So:

* nginx (no command override): the official image's entrypoint lines, nginx's startup notices
  (version, compiler and worker count per tag and node), then one access-log line (nginx's
  `main` format) per request that reached the pod;
* coredns: its startup banner (server block, Corefile SHA512, version line);
* kube-proxy: its klog start-up lines (minikctl.images.kube_proxy);
* an explicit command/args (`sh -c 'echo hello; sleep 3600'`): the command run once through the
  simulated image (minikctl.images.registry), its stdout and stderr;
* anything else (busybox `sleep`, the control-plane images): nothing.

Access-log hook (for whoever sends traffic to pods, e.g. minikctl/net/proxy/traffic.py when it
runs inside a writable Cluster): call `record_access(cluster, pod, client_ip, path=..., status=...,
size=..., agent=...)`; it appends to cluster.meta["accesslog"][pod uid], a list of dicts
{"t", "client", "method", "path", "status", "bytes", "agent"} that `logs` reads back. The
traffic module does not call it yet, so access lines appear only where a caller records them.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from urllib.parse import parse_qs, urlsplit

from minikctl import timeutil
from minikctl import lazy

ApiError = lazy.function("minikctl.api.errors", "ApiError")
ExecContext = lazy.function("minikctl.images.context", "ExecContext")
behaviours = lazy.module("minikctl.images.behaviours")
family_of = lazy.function("minikctl.images.registry", "family_of")
go_duration = lazy.function("minikctl.images.behaviours.netexec", "go_duration")
go_duration_text = lazy.function("minikctl.images.behaviours.netexec", "go_duration_text")
image_registry = lazy.module("minikctl.images.registry")
kube_proxy = lazy.module("minikctl.images.kube_proxy")
normalize = lazy.function("minikctl.images.registry", "normalize")
sim_registry = lazy.module("minikctl.sim.registry")

ACCESSLOG = "accesslog"
ACCESSLOG_MAX = 1000  # per pod, oldest dropped

# CoreDNS release -> the version line it prints (linux/amd64, Go version, git commit)
COREDNS_BUILDS = {
    "1.9.3": "go1.18.2, 45b0a11", "1.10.1": "go1.20, 055b2c3", "1.11.1": "go1.20.7, ae2bbc2",
    "1.11.3": "go1.21.11, a6338e9", "1.12.0": "go1.23.3, 51e11f1",
}

# nginx tag -> (version, compiler line, has 15-local-resolvers.envsh)
NGINX_DEBIAN_12 = "gcc 12.2.0 (Debian 12.2.0-14) "
NGINX_DEBIAN_11 = "gcc 10.2.1 20210110 (Debian 10.2.1-6) "
NGINX_ALPINE = "gcc 13.2.1 20240309 (Alpine 13.2.1_git20240309) "
NGINX_MINOR_LATEST = {"1.21": "1.21.6", "1.22": "1.22.1", "1.23": "1.23.4", "1.24": "1.24.0", "1.25": "1.25.5",
                      "1.26": "1.26.2", "1.27": "1.27.3"}
NGINX_LATEST = "1.27.3"


def record_access(cluster, pod: dict, client: str, *, method: str = "GET", path: str = "/", status: int = 200,
                  size: int = 615, agent: str = "-", port: int | None = None, client_port: int | None = None) -> None:
    """Note one HTTP request served by pod (see the module docstring); call with a writable Cluster."""
    logs = cluster.meta.setdefault(ACCESSLOG, {}).setdefault(pod["metadata"]["uid"], [])
    hit = {"t": cluster.now, "client": client, "method": method, "path": path, "status": status,
           "bytes": size, "agent": agent}
    if port is not None:
        hit["port"], hit["cport"] = port, client_port
    logs.append(hit)
    del logs[:-ACCESSLOG_MAX]
    cluster.changed = True


# ---------------------------------------------------------------------------------------------


def container_lines(view, pod: dict, container: str, previous: bool = False) -> list[tuple[float, str]]:
    """container_log, or the apiserver's BadRequest when there is no such instance: what both
    `minikctl logs` and GET pods/NAME/log (minikctl serve) answer."""
    got = container_log(view, pod, container, previous)
    if got is not None:
        return got
    pname = pod["metadata"]["name"]
    if previous:
        raise ApiError("BadRequest", f'previous terminated container "{container}" in pod "{pname}" not found')
    cs = next((s for s in (pod.get("status") or {}).get("containerStatuses") or [] if s.get("name") == container), {})
    reason = ((cs.get("state") or {}).get("waiting") or {}).get("reason") or "ContainerCreating"
    raise ApiError("BadRequest", f'container "{container}" in pod "{pname}" is waiting to start: {reason}')


def container_log(view, pod: dict, container: str, previous: bool = False) -> list[tuple[float, str]] | None:
    """[(time, line)] of the current (or previous) instance of the container, oldest first;
    None when there is no such instance (not started yet / no previous termination)."""
    spec = next((c for c in (pod["spec"].get("containers") or []) + (pod["spec"].get("initContainers") or [])
                 if c["name"] == container), None)
    st = pod.get("status") or {}
    cs = next((s for s in (st.get("containerStatuses") or []) + (st.get("initContainerStatuses") or [])
               if s.get("name") == container), None)
    if cs is None and spec is not None and any(c["name"] == container for c in pod["spec"].get("initContainers") or []) \
            and st.get("phase") in ("Running", "Succeeded"):
        # the kubelet model runs init containers implicitly: each ran to completion at pod start
        cs = {"name": container, "state": {"terminated": {"startedAt": st.get("startTime"), "finishedAt": st.get("startTime")}}}
    if spec is None or cs is None:
        return None
    if previous:
        term = (cs.get("lastState") or {}).get("terminated")
        if not term:
            return None
        start, end = timeutil.parse(term.get("startedAt")), timeutil.parse(term.get("finishedAt"))
    else:
        # the kubelet's validateContainerLogStatus: the running instance, else the terminated one,
        # else the last terminated run (a CrashLoopBackOff container between restarts shows the
        # output of its last run); only a container that never ran is "waiting to start"
        state = cs.get("state") or {}
        last = (cs.get("lastState") or {}).get("terminated")
        inst = state.get("running") or state.get("terminated")
        if inst and state.get("terminated") and not inst.get("containerID") and last and last.get("containerID"):
            inst = last
        elif not inst and last and last.get("containerID"):
            inst = last
        if not inst:
            return None
        start = timeutil.parse(inst.get("startedAt"))
        end = None if inst is state.get("running") else timeutil.parse(inst.get("finishedAt"))
    start = start if start is not None else view.now
    return _startup(view, pod, spec, start) + _access_lines(view, pod, spec, start, end)


def _stamp(pod: dict, start: float, i: int) -> float:
    """Lines of one burst share the second they were written in; sub-second parts are stable per pod."""
    h = int(hashlib.sha256(f"{pod['metadata'].get('uid', '')}/{i}".encode()).hexdigest()[:6], 16)
    return start + (i * 1000 + h % 1000) / 1_000_000


def _startup(view, pod: dict, c: dict, start: float) -> list[tuple[float, str]]:
    image = c.get("image") or ""
    name, tag = normalize(image)
    base = name.rsplit("/", 1)[-1]
    if base == "coredns" and (not c.get("command") or c["command"][0].endswith("coredns")):
        texts = _coredns(view, tag)
    elif base == "kube-proxy" and (c.get("command") or [""])[0].endswith("kube-proxy"):
        stamps = [_stamp(pod, start, i) for i in range(len(kube_proxy.startup_messages(view, pod)))]
        return list(zip(stamps, kube_proxy.startup_lines(view, pod, stamps)))
    elif family_of(image) == "nginx" and _official_nginx(image) and not c.get("command") \
            and (not c.get("args") or c["args"][0] == "nginx"):
        texts = _nginx(view, pod, tag, start)
    elif _go_server(c) is not None:
        texts = [_go_log(start) + line for line in _go_server(c)[1]]
    elif c.get("command") or c.get("args"):
        texts = _run(view, pod, c)
    else:
        texts = []
    return [(_stamp(pod, start, i), t) for i, t in enumerate(texts)]


def _official_nginx(image: str) -> bool:
    """Only the official image (and nginx-unprivileged) runs /docker-entrypoint.sh."""
    try:
        return sim_registry.repository(image) in ("docker.io/library/nginx", "docker.io/nginxinc/nginx-unprivileged")
    except Exception:
        return False


def _go_log(t: float) -> str:
    """Go's log package prefix: `2006/01/02 15:04:05 `."""
    return datetime.fromtimestamp(int(t), timezone.utc).strftime("%Y/%m/%d %H:%M:%S ")


def _go_server(c: dict):
    """(handler, startup lines) of the agnhost / serve_hostname servers, whose logs we know
    (netexec.go, serve_hostname.go); None for others."""
    try:
        proc = behaviours.process(c)
    except Exception:
        return None
    if proc.kind != "server":
        return None
    if proc.server == "netexec":
        return "netexec", [f"Started HTTP server on port {proc.ports.get('http', 8080)}",
                           f"Started UDP server on port  {proc.ports.get('udp', 8081)}"]
    if proc.server == "serve_hostname":
        return "serve_hostname", [f"Serving on port {proc.ports.get('http', 9376)}."]
    return None


def _go_access(kind: str, hit: dict) -> list[str]:
    path = hit.get("path", "/")
    if kind == "serve_hostname":
        return [f"HTTP request from {hit.get('client', '-')}:{hit.get('cport') or 0}"]
    u = urlsplit(path)
    q = parse_qs(u.query, keep_blank_values=True)
    if u.path == "/echo":
        return [f"GET /echo?msg={(q.get('msg') or [''])[0]}&code={(q.get('code') or [''])[0]}"]
    if u.path == "/shell":
        return [f"GET /shell?cmd={(q.get('shellCommand') or q.get('cmd') or [''])[0]}"]
    if u.path in ("/hostname", "/hostName", "/clientip", "/healthz", "/upload", "/shutdown"):
        return [f"GET {u.path}"]

    def g(name):
        return (q.get(name) or [""])[0]
    if u.path == "/dial":
        return [f"GET /dial?host={g('host')}&protocol={g('protocol')}&port={g('port')}&request={g('request')}"
                f"&tries={g('tries')}"]
    if u.path == "/redirect":
        return [f"{hit.get('method') or 'GET'} /redirect?msg={g('location')}&code={g('code')}"]
    if u.path == "/exit":
        lines = [f"GET /exit?code={g('code')}&timeout={g('timeout')}&wait={g('wait')}"]
        wait, timeout = go_duration(g("wait") or "0"), go_duration(g("timeout") or "0")
        if wait is not None and timeout is not None and (g("code") or "0").lstrip("+-").isdigit():
            lines.append(f"Will begin shutdown in {go_duration_text(wait)}, allowing {go_duration_text(timeout)} "
                         f"for connections to close, then will exit with {int(g('code') or 0)}")
        return lines
    return ["GET /"]


def _run(view, pod: dict, c: dict) -> list[str]:
    argv = list(c.get("command") or []) + list(c.get("args") or [])
    ctx = ExecContext(view=view, pod=pod, container=c["name"], node=pod["spec"].get("nodeName"))
    try:
        out, err, _code = image_registry.run(ctx, argv)
    except Exception:  # the image lacks the executable: the container failed before writing anything
        return []
    return (out + err).splitlines()


def _coredns(view, tag: str) -> list[str]:
    version = tag.lstrip("v")
    corefile = ""
    cm = view.get("ConfigMap", "kube-system", "coredns")
    if cm:
        corefile = (cm.get("data") or {}).get("Corefile", "")
    sha = hashlib.sha512(corefile.encode()).hexdigest()
    build = COREDNS_BUILDS.get(version, COREDNS_BUILDS["1.11.3"])
    return [".:53", f"[INFO] plugin/reload: Running configuration SHA512 = {sha}", f"CoreDNS-{version}",
            f"linux/amd64, {build}"]


def _nginx_build(tag: str) -> tuple[str, str, bool]:
    alpine = "alpine" in tag
    num = tag.split("-")[0]
    parts = num.split(".")
    if len(parts) >= 3 and all(p.isdigit() for p in parts[:3]):
        version = ".".join(parts[:3])
    elif len(parts) == 2 and all(p.isdigit() for p in parts):
        version = NGINX_MINOR_LATEST.get(num, num + ".0")
    else:  # latest, stable, mainline, alpine ...
        version = NGINX_LATEST
    vt = tuple(int(p) for p in version.split("."))
    if alpine:
        cc = NGINX_ALPINE
    else:
        cc = NGINX_DEBIAN_12 if vt >= (1, 25, 0) else NGINX_DEBIAN_11
    return version, cc, vt >= (1, 25, 3)


def _nginx(view, pod: dict, tag: str, start: float) -> list[str]:
    version, cc, resolvers = _nginx_build(tag)
    node = view.get("Node", None, pod["spec"].get("nodeName") or "") or {}
    kernel = ((node.get("status") or {}).get("nodeInfo") or {}).get("kernelVersion", "5.15.0-1")
    try:
        cpus = int(((node.get("status") or {}).get("capacity") or {}).get("cpu", "2"))
    except ValueError:
        cpus = 2
    ep = "/docker-entrypoint.sh: "
    lines = [ep + "/docker-entrypoint.d/ is not empty, will attempt to perform configuration",
             ep + "Looking for shell scripts in /docker-entrypoint.d/",
             ep + "Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
             "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
             "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf"]
    if resolvers:
        lines.append(ep + "Sourcing /docker-entrypoint.d/15-local-resolvers.envsh")
    lines += [ep + "Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
              ep + "Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
              ep + "Configuration complete; ready for start up"]
    when = datetime.fromtimestamp(int(start), timezone.utc).strftime("%Y/%m/%d %H:%M:%S")
    notice = f"{when} [notice] 1#1: "
    lines += [notice + 'using the "epoll" event method', notice + f"nginx/{version}", notice + f"built by {cc}",
              notice + f"OS: Linux {kernel}", notice + "getrlimit(RLIMIT_NOFILE): 1048576:1048576",
              notice + "start worker processes"]
    first_pid = 29 if resolvers else 28
    lines += [notice + f"start worker process {first_pid + i}" for i in range(max(cpus, 1))]
    return lines


def _access_lines(view, pod: dict, c: dict, start: float, end: float | None) -> list[tuple[float, str]]:
    go = _go_server(c)
    if go is not None:
        out = []
        for hit in ((getattr(view, "meta", None) or {}).get(ACCESSLOG) or {}).get(pod["metadata"].get("uid"), []):
            t = hit.get("t", 0.0)
            if t >= start and (end is None or t <= end):
                out += [(t, _go_log(t) + line) for line in _go_access(go[0], hit)]
        return out
    if family_of(c.get("image") or "") != "nginx" or c.get("command"):
        return []
    out = []
    for hit in ((getattr(view, "meta", None) or {}).get(ACCESSLOG) or {}).get(pod["metadata"].get("uid"), []):
        t = hit.get("t", 0.0)
        if t < start or (end is not None and t > end):
            continue
        when = datetime.fromtimestamp(int(t), timezone.utc).strftime("%d/%b/%Y:%H:%M:%S +0000")
        out.append((t, f'{hit.get("client", "-")} - - [{when}] "{hit.get("method", "GET")} {hit.get("path", "/")} '
                       f'HTTP/1.1" {hit.get("status", 200)} {hit.get("bytes", 0)} "-" "{hit.get("agent", "-")}" "-"'))
    return out


def rfc3339_nano(t: float) -> str:
    """--timestamps: Go's RFC3339Nano (trailing zeros of the fraction dropped)."""
    whole = int(t)
    nanos = int(round((t - whole) * 1e9))
    base = datetime.fromtimestamp(whole, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    frac = f"{nanos:09d}".rstrip("0")
    return f"{base}.{frac}Z" if frac else f"{base}Z"
