"""Is each control-plane component up? Read from the static pod manifests on the control-plane
node the way the components themselves would fail on them.

A component is down when its manifest is gone or does not decode (the kubelet runs nothing), when
its image does not exist, when a flag is a misspelling of one of its flags (`Error: unknown flag`),
when a file a flag names is missing on the node or outside the pod's hostPath mounts (`open
...: no such file or directory`), when the API server's --etcd-servers do not reach a running
etcd, or when it serves on another port than the one every kubeconfig names. A flag we do not
know that is no near miss of a known one is taken as valid (never a made-up failure).

The result is kept in meta `controlPlane` {component: why it is down}: the CLI refuses every
kubectl-like command while kube-apiserver (or the etcd under it) is down, the controllers of a
down kube-controller-manager and the scheduler stop (sim/controllers/__init__.settle).
"""
from __future__ import annotations
from minikctl import lazy

apiserver_url = lazy.function("minikctl.sim.profile", "apiserver_url")
control_plane = lazy.function("minikctl.sim.profile", "control_plane")
edit_distance = lazy.function("minikctl.sim.registry", "edit_distance")
klog = lazy.function("minikctl.sim.nodehost.units", "klog")
kubelet_host = lazy.module("minikctl.sim.nodehost.kubelet_host")
nodehost = lazy.module("minikctl.sim.nodehost")
resolve = lazy.function("minikctl.sim.registry", "resolve")
static_pods = lazy.module("minikctl.sim.nodehost.static_pods")
sim_profile = lazy.module("minikctl.sim.profile")

META = "controlPlane"
SINCE = "controlPlaneSince"     # {component: when it went down}, for crictl's attempts and logs
COMPONENTS = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler")

APISERVER_FLAGS = """advertise-address allow-privileged authorization-mode client-ca-file enable-admission-plugins
disable-admission-plugins enable-bootstrap-token-auth etcd-cafile etcd-certfile etcd-keyfile etcd-servers
kubelet-client-certificate kubelet-client-key kubelet-preferred-address-types proxy-client-cert-file
proxy-client-key-file requestheader-allowed-names requestheader-client-ca-file requestheader-extra-headers-prefix
requestheader-group-headers requestheader-username-headers secure-port service-account-issuer
service-account-key-file service-account-signing-key-file service-cluster-ip-range tls-cert-file
tls-private-key-file bind-address audit-log-path audit-policy-file audit-log-maxage audit-log-maxbackup
audit-log-maxsize encryption-provider-config runtime-config feature-gates v anonymous-auth
service-node-port-range authorization-config authentication-config oidc-issuer-url oidc-client-id
token-auth-file enable-aggregator-routing kubelet-certificate-authority profiling audit-webhook-config-file
egress-selector-config-file event-ttl max-requests-inflight max-mutating-requests-inflight
endpoint-reconciler-type apiserver-count tls-min-version tls-cipher-suites""".split()
KCM_FLAGS = """allocate-node-cidrs authentication-kubeconfig authorization-kubeconfig bind-address client-ca-file
cluster-cidr cluster-name cluster-signing-cert-file cluster-signing-key-file controllers kubeconfig leader-elect
requestheader-client-ca-file root-ca-file service-account-private-key-file service-cluster-ip-range
use-service-account-credentials node-monitor-grace-period node-monitor-period pod-eviction-timeout
terminated-pod-gc-threshold node-cidr-mask-size feature-gates v cluster-signing-duration
horizontal-pod-autoscaler-sync-period concurrent-deployment-syncs secure-port profiling""".split()
SCHEDULER_FLAGS = """authentication-kubeconfig authorization-kubeconfig bind-address kubeconfig leader-elect config
feature-gates v secure-port profiling""".split()
ETCD_FLAGS = """advertise-client-urls cert-file client-cert-auth data-dir experimental-initial-corrupt-check
experimental-watch-progress-notify-interval initial-advertise-peer-urls initial-cluster key-file
listen-client-urls listen-metrics-urls listen-peer-urls name peer-cert-file peer-client-cert-auth peer-key-file
peer-trusted-ca-file snapshot-count trusted-ca-file initial-cluster-state initial-cluster-token
quota-backend-bytes auto-compaction-retention heartbeat-interval election-timeout""".split()
FLAGS = {"kube-apiserver": APISERVER_FLAGS, "kube-controller-manager": KCM_FLAGS,
         "kube-scheduler": SCHEDULER_FLAGS, "etcd": ETCD_FLAGS}
FILE_FLAGS = {
    "kube-apiserver": ("client-ca-file", "etcd-cafile", "etcd-certfile", "etcd-keyfile", "kubelet-client-certificate",
                       "kubelet-client-key", "proxy-client-cert-file", "proxy-client-key-file",
                       "requestheader-client-ca-file", "service-account-key-file", "service-account-signing-key-file",
                       "tls-cert-file", "tls-private-key-file", "audit-policy-file", "encryption-provider-config"),
    "kube-controller-manager": ("authentication-kubeconfig", "authorization-kubeconfig", "client-ca-file",
                                "cluster-signing-cert-file", "cluster-signing-key-file", "kubeconfig",
                                "requestheader-client-ca-file", "root-ca-file", "service-account-private-key-file"),
    "kube-scheduler": ("authentication-kubeconfig", "authorization-kubeconfig", "kubeconfig", "config"),
    "etcd": ("cert-file", "key-file", "peer-cert-file", "peer-key-file", "peer-trusted-ca-file", "trusted-ca-file"),
}


def _flags(command: list) -> dict:
    out = {}
    for a in command[1:]:
        if isinstance(a, str) and a.startswith("--"):
            k, _, v = a[2:].partition("=")
            out[k] = v
    return out


def _near_miss(flag: str, known: list[str]) -> bool:
    return any(edit_distance(flag, k) <= 2 for k in known)


def _mounted(pod: dict, path: str) -> bool:
    spec = pod.get("spec") or {}
    c = (spec.get("containers") or [{}])[0]
    vols = {v.get("name"): v for v in spec.get("volumes") or []}
    for m in c.get("volumeMounts") or []:
        mp = (m.get("mountPath") or "").rstrip("/")
        v = vols.get(m.get("name")) or {}
        if "hostPath" in v and (path == mp or path.startswith(mp + "/")):
            return True
    return False


def _host_path(pod: dict, path: str) -> str:
    """The node path behind a container path (through the hostPath mount that holds it)."""
    spec = pod.get("spec") or {}
    c = (spec.get("containers") or [{}])[0]
    vols = {v.get("name"): v for v in spec.get("volumes") or []}
    best = None
    for m in c.get("volumeMounts") or []:
        mp = (m.get("mountPath") or "").rstrip("/")
        v = vols.get(m.get("name")) or {}
        if "hostPath" in v and (path == mp or path.startswith(mp + "/")) and (best is None or len(mp) > len(best[0])):
            best = (mp, (v["hostPath"].get("path") or "").rstrip("/"))
    if best is None:
        return path
    return best[1] + path[len(best[0]):]


def component_problem(view, node: str, comp: str, pod: dict | None) -> str | None:
    """Why `comp` does not run from this manifest (the line it logs), or None."""
    if pod is None:
        return "no manifest"
    c = ((pod.get("spec") or {}).get("containers") or [{}])[0]
    image = c.get("image") or ""
    ok, why = resolve(image)
    if not ok:
        return f"Back-off pulling image \"{image}\": {why}"
    command = list(c.get("command") or []) + list(c.get("args") or [])
    flags = _flags(command)
    known = FLAGS[comp]
    for f in flags:
        if f not in known and _near_miss(f, known):
            return f"Error: unknown flag: --{f}"
    f = nodehost.fs(view, node)
    for fl in FILE_FLAGS[comp]:
        p = flags.get(fl)
        if not p:
            continue
        if not _mounted(pod, p) or f.kind(_host_path(pod, p)) != "file":
            return f"open {p}: no such file or directory"
    return None


def refresh(cluster) -> None:
    """Recompute which control-plane components are down, from the control-plane node's files."""
    node = control_plane(cluster.profile or {}).get("name")
    if not node or static_pods.META not in cluster.meta or node not in cluster.meta[static_pods.META]:
        return
    good, _bad = static_pods.read_dir(cluster, node)
    by_comp = {}
    for pod in good.values():
        name = (pod.get("metadata") or {}).get("name")
        if name in COMPONENTS:
            by_comp[name] = pod
    down: dict = {}
    for comp in COMPONENTS:
        why = component_problem(cluster, node, comp, by_comp.get(comp))
        if why:
            down[comp] = why
    api = by_comp.get("kube-apiserver")
    if "kube-apiserver" not in down and api is not None:
        flags = _flags(((api.get("spec") or {}).get("containers") or [{}])[0].get("command") or [])
        etcd = by_comp.get("etcd")
        listen = _flags(((etcd or {}).get("spec") or {}).get("containers", [{}])[0].get("command") or []) \
            .get("listen-client-urls", "") if etcd else ""
        servers = [s for s in flags.get("etcd-servers", "").split(",") if s]
        if "etcd" in down or not any(s in listen.split(",") for s in servers):
            down["kube-apiserver"] = ('"Error creating leases" err="error creating storage factory: context '
                                      'deadline exceeded"')
        else:
            port = str((cluster.profile or {}).get("apiServerPort") or sim_profile.KUBEADM_API_PORT)
            if flags.get("secure-port", "6443") != port:
                down["kube-apiserver"] = f"serving on port {flags.get('secure-port')}: the liveness probe on {port} fails"
    if not kubelet_host.running(cluster, node) and cluster.meta.get(META):
        return      # a stopped kubelet changes nothing that runs
    if down != (cluster.meta.get(META) or {}):
        since = dict(cluster.meta.get(SINCE) or {})
        for comp in COMPONENTS:
            if comp not in down:
                since.pop(comp, None)
            elif down[comp] != (cluster.meta.get(META) or {}).get(comp):
                since[comp] = cluster.now
        if down:
            cluster.meta[META] = down
            cluster.meta[SINCE] = since
        else:
            cluster.meta.pop(META, None)
            cluster.meta.pop(SINCE, None)
        cluster.settled = False


def down(view, comp: str) -> str | None:
    meta = getattr(view, "meta", None) or {}
    return (meta.get(META) or {}).get(comp)


def apiserver_down(view) -> bool:
    meta = getattr(view, "meta", None) or {}
    got = meta.get(META) or {}
    return bool(got.get("kube-apiserver") or got.get("etcd"))


def refused_message(view) -> str:
    """kubectl's words when nothing listens on the apiserver's address (cmdutil.CheckErr)."""
    host = apiserver_url(getattr(view, "profile", None) or {}).split("://", 1)[-1]
    return f"The connection to the server {host} was refused - did you specify the right host or port?"


def crash_attempts(view, comp: str) -> tuple[int, float] | None:
    """(restart count, when the last attempt started) of a component crash-looping since it went
    down: the kubelet's CrashLoopBackOff, 10 s doubling to 5 min."""
    why = down(view, comp)
    if not why:
        return None
    t0 = ((getattr(view, "meta", None) or {}).get(SINCE) or {}).get(comp, view.now)
    n, t, delay = 0, t0, 10.0
    while t + delay <= view.now:
        t += delay
        n += 1
        delay = min(delay * 2, 300.0)
    return n, t


def crash_log(view, comp: str, started: float) -> str:
    """What the component printed before it exited, for `crictl logs`."""
    why = down(view, comp) or ""
    ver = (getattr(view, "profile", None) or {}).get("kubernetesVersion", "v1.32.0")
    if why.startswith("Error: unknown flag"):
        return why + "\n"
    if why.startswith("Back-off pulling image"):
        return ""
    if comp == "etcd":
        return klog(started, 1, "E", "etcdmain/etcd.go:204", f'"failed to start etcd" err="{why}"') + "\n"
    lines = []
    if comp == "kube-apiserver":
        lines.append(klog(started + 0.1, 1, "I", "options.go:238", "external host was not specified, using " +
                          str(((getattr(view, "profile", None) or {}).get("nodes") or [{}])[0].get("internalIP", ""))))
    lines.append(klog(started + 0.2, 1, "I", "server.go:143", f"Version: {ver}"))
    if why.startswith('"Error creating leases"'):
        lines.append(klog(started + 20.2, 1, "F", "instance.go:226", why))
    elif why.startswith("serving on port"):
        lines.append(klog(started + 1.0, 1, "I", "secure_serving.go:213", "Serving securely on [::]:" +
                          why.split()[3].rstrip(":")))
    else:
        e = why.replace('"', '\\"')
        lines.append(klog(started + 0.3, 1, "E", "run.go:72", f'"command failed" err="{e}"'))
    return "\n".join(lines) + "\n"
