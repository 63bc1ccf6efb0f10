"""The kubelet as a process on its node: how systemd starts it, what it reads when it starts,
why it exits, and whether it is posting the node's status.

A start (systemctl start/restart, or systemd's Restart=always every RestartSec=10s after a crash)
reads what the kubelet reads: the unit and its drop-ins as systemd last loaded them
(daemon-reload), the EnvironmentFiles, the flags, the --config file (KubeletConfiguration), the
client CA file it names, the kubeconfig (or the bootstrap kubeconfig) and the container runtime's
socket. The first thing wrong is what the kubelet logs before it exits with status 1 (the
messages of kubelet v1.32's run.go / server.go); systemd then restarts it every 10 s for ever.

The node lifecycle controller (sim/controllers/nodelifecycle.py) asks `not_posting_since`: from
when on this node's kubelet has not renewed its Lease / posted status.
"""
from __future__ import annotations

import shlex

from minikctl.sim.nodehost import units
from minikctl import lazy

configs = lazy.module("minikctl.sim.nodehost.configs")
edit_distance = lazy.function("minikctl.sim.registry", "edit_distance")
klog = lazy.function("minikctl.sim.nodehost.units", "klog")
kube_version = lazy.function("minikctl.sim.profile", "kube_version")
nodehost = lazy.module("minikctl.sim.nodehost")
packages = lazy.module("minikctl.sim.kubeadm.packages")
static_pods = lazy.module("minikctl.sim.nodehost.static_pods")
yaml = lazy.module("yaml")

RESTART_SEC = 10.0
CRI_SOCKET_FILES = {"unix:///var/run/containerd/containerd.sock", "unix:///run/containerd/containerd.sock"}

# the kubelet's own flags that kubeadm nodes carry or the CKA uses (a near miss of one of these
# is "unknown flag"; anything else is taken as one of the many we do not list)
KNOWN_FLAGS = {
    "bootstrap-kubeconfig", "kubeconfig", "config", "container-runtime-endpoint", "pod-infra-container-image",
    "node-ip", "hostname-override", "v", "cgroup-driver", "fail-swap-on", "node-labels", "register-node",
    "register-with-taints", "max-pods", "cluster-dns", "cluster-domain", "pod-manifest-path", "root-dir",
    "cert-dir", "client-ca-file", "rotate-certificates", "resolv-conf", "runtime-request-timeout",
    "image-service-endpoint", "eviction-hard", "kube-reserved", "system-reserved", "cgroup-root",
    "provider-id", "cloud-provider", "feature-gates", "read-only-port", "port", "address", "tls-cert-file",
    "tls-private-key-file", "authentication-token-webhook", "authorization-mode", "anonymous-auth",
    "serialize-image-pulls", "logging-format", "vmodule", "log-flush-frequency", "housekeeping-interval",
    "node-status-update-frequency", "sync-frequency", "file-check-frequency", "enforce-node-allocatable",
    "healthz-port", "healthz-bind-address", "network-plugin", "cni-bin-dir", "cni-conf-dir",
}


def _g(view, node: str, path: str) -> str | None:
    return nodehost.read(view, node, path)


def _env_file(text: str) -> dict:
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        k, v = line.split("=", 1)
        try:
            parts = shlex.split(v)
            v = parts[0] if len(parts) == 1 else " ".join(parts)
        except ValueError:
            pass
        out[k.strip()] = v
    return out


def command_line(view, node: str) -> list[str]:
    """The kubelet's argv as systemd would start it: ExecStart with Environment= and
    EnvironmentFile= variables expanded (the unit as last loaded by daemon-reload)."""
    unit = units.loaded(view, node, "kubelet")
    env: dict[str, str] = {}
    exec_start = ""
    for text in unit:
        for raw in text.splitlines():
            line = raw.strip()
            if line.startswith("Environment="):
                val = line[len("Environment="):]
                for item in shlex.split(val):
                    if "=" in item:
                        k, v = item.split("=", 1)
                        env[k] = v
            elif line.startswith("EnvironmentFile="):
                p = line[len("EnvironmentFile="):]
                optional = p.startswith("-")
                got = _g(view, node, p.lstrip("-"))
                if got is not None:
                    env.update(_env_file(got))
                elif not optional:
                    env.setdefault("__missing_envfile__", p)
            elif line.startswith("ExecStart="):
                exec_start = line[len("ExecStart="):]
    words = []
    for w in exec_start.split():
        if w.startswith("$"):
            words += env.get(w[1:].strip("{}"), "").split()
        else:
            words.append(w)
    return words or ["/usr/bin/kubelet"] + configs.DROPIN.split()[:0]


def _near_miss(name: str) -> bool:
    return any(edit_distance(name, k) <= 2 for k in KNOWN_FLAGS)


def _flags(argv: list[str]) -> tuple[dict, str | None]:
    flags, i = {}, 1
    while i < len(argv):
        a = argv[i]
        if a.startswith("--"):
            name, eq, val = a[2:].partition("=")
            if name not in KNOWN_FLAGS and _near_miss(name):
                # a misspelling of one of its flags; a flag we do not list that is no near miss
                # is taken as valid (never a made-up failure)
                return flags, f"failed to parse kubelet flag: unknown flag: --{name}"
            if not eq:
                if i + 1 < len(argv) and not argv[i + 1].startswith("-"):
                    val, i = argv[i + 1], i + 1
                else:
                    val = "true"
            flags[name] = val
        i += 1
    return flags, None


def _loader(yaml):
    """libyaml's safe loader when PyYAML has it: the kubelet's files are read on every command."""
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def config_missing(cfg_path: str) -> str:
    return (f"failed to load kubelet config file, path: {cfg_path}, error: failed to load Kubelet config "
            f"file {cfg_path}, error failed to read kubelet config file \"{cfg_path}\", error: open "
            f"{cfg_path}: no such file or directory")


def start_problem(view, node: str) -> str | None:
    """Why a kubelet started now would exit: the err= text of its `"command failed"` line."""
    flags, bad = _flags(command_line(view, node))
    if bad:
        return bad
    cfg_path = flags.get("config")
    cfg: dict = {}
    if cfg_path:
        text = _g(view, node, cfg_path)
        if text is None:
            return config_missing(cfg_path)
        try:
            cfg = yaml.load(text, Loader=_loader(yaml)) or {}
            if not isinstance(cfg, dict):
                raise ValueError("not a mapping")
        except (yaml.YAMLError, ValueError) as e:
            line = getattr(getattr(e, "problem_mark", None), "line", 0) + 1
            return (f"failed to load kubelet config file, path: {cfg_path}, error: failed to load Kubelet config "
                    f"file {cfg_path}, error failed to decode: yaml: line {line}: could not find expected ':'")
        if cfg.get("kind") != "KubeletConfiguration":
            return (f"failed to load kubelet config file, path: {cfg_path}, error: failed to load Kubelet config "
                    f"file {cfg_path}, error failed to decode: no kind \"{cfg.get('kind')}\" is registered for "
                    f"version \"{cfg.get('apiVersion')}\" in scheme \"pkg/kubelet/apis/config/scheme/scheme.go:33\"")
    ca = ((cfg.get("authentication") or {}).get("x509") or {}).get("clientCAFile") or flags.get("client-ca-file")
    if ca and _g(view, node, ca) is None:
        return f"failed to construct kubelet dependencies: unable to load client CA file {ca}: open {ca}: no such file or directory"
    kubeconfig = flags.get("kubeconfig")
    if kubeconfig and _g(view, node, kubeconfig) is None:
        boot = flags.get("bootstrap-kubeconfig")
        if not boot or _g(view, node, boot) is None:
            return f"failed to run Kubelet: unable to load bootstrap kubeconfig: stat {boot}: no such file or directory"
    endpoint = flags.get("container-runtime-endpoint") or cfg.get("containerRuntimeEndpoint") or \
        "unix:///run/containerd/containerd.sock"
    if endpoint not in CRI_SOCKET_FILES or units.state(view, node, "containerd")["active"] != "active":
        sock = endpoint.split("://", 1)[-1]
        return (f"failed to run Kubelet: validate service connection: validate CRI v1 runtime API for endpoint "
                f"\"{endpoint}\": rpc error: code = Unavailable desc = connection error: desc = \"transport: "
                f"Error while dialing: dial unix {sock}: connect: no such file or directory\"")
    return None


def static_pod_path(view, node: str) -> str | None:
    flags, _ = _flags(command_line(view, node))
    if flags.get("pod-manifest-path"):
        return flags["pod-manifest-path"]
    text = _g(view, node, flags.get("config") or "/var/lib/kubelet/config.yaml")
    try:
        cfg = yaml.load(text or "", Loader=_loader(yaml)) or {}
    except yaml.YAMLError:
        return None
    return cfg.get("staticPodPath") if isinstance(cfg, dict) else None


def apiserver_of(view, node: str) -> str | None:
    """The server URL in the kubelet's kubeconfig."""
    flags, _ = _flags(command_line(view, node))
    text = _g(view, node, flags.get("kubeconfig") or "/etc/kubernetes/kubelet.conf")
    try:
        conf = yaml.load(text or "", Loader=_loader(yaml)) or {}
        return conf["clusters"][0]["cluster"]["server"]
    except (yaml.YAMLError, KeyError, IndexError, TypeError):
        return None


def running(view, node: str) -> bool:
    return units.state(view, node, "kubelet")["active"] == "active"


def not_posting_since(view, node: str) -> float | None:
    """When this node's kubelet last renewed its Lease, if it stopped doing so; None if it posts."""
    st = units.state(view, node, "kubelet")
    if st["active"] != "active":
        return st["since"]
    return None


def runtime_down(view, node: str) -> bool:
    return units.state(view, node, "containerd")["active"] != "active"


def files_changed(cluster, node: str) -> None:
    """After a command line on the node: a crash-looping kubelet will retry at its next restart;
    a running one syncs its static pods with the manifests."""
    units.tick(cluster, node)
    if not running(cluster, node):
        return
    static_pods.sync(cluster, node)


def startup_lines(view, node: str, t: float, pid: int, boot: bool = False) -> list[str]:
    """What a kubelet v1.32 logs when it starts cleanly (klog lines, the interesting few); at the
    node's boot, as kubeadm left it (no file read: the seeded configuration)."""
    if boot:
        flags = {"pod-infra-container-image": configs.PAUSE_IMAGE}
    else:
        flags, _ = _flags(command_line(view, node))
    ver = packages.binary_version(view, node, "kubelet") or \
        (getattr(view, "profile", None) or {}).get("kubernetesVersion", "v1.32.0")
    lines = []
    if "pod-infra-container-image" in flags and kube_version(getattr(view, "profile", None) or {}) >= (1, 27):
        lines.append("Flag --pod-infra-container-image has been deprecated, will be removed in 1.35. Image garbage "
                     "collector will get sandbox image information from CRI.")
    ca = "/etc/kubernetes/pki/ca.crt"
    pod_path = "/etc/kubernetes/manifests" if boot else (static_pod_path(view, node) or "/etc/kubernetes/manifests")
    k = [("I", "server.go:520", f'"Kubelet version" kubeletVersion="{ver}"'),
         ("I", "server.go:522", '"Golang settings" GOGC="" GOMAXPROCS="" GOTRACEBACK=""'),
         ("I", "server.go:954", '"Client rotation is on, will bootstrap in background"'),
         ("I", "certificate_store.go:130", 'Loading cert/key pair from "/var/lib/kubelet/pki/kubelet-client-current.pem".'),
         ("I", "dynamic_cafile_content.go:161", f'"Starting controller" name="client-ca-bundle::{ca}"'),
         ("I", "kubelet.go:408", '"Attempting to sync node with API server"'),
         ("I", "kubelet.go:303", f'"Adding static pod path" path="{pod_path}"'),
         ("I", "kuberuntime_manager.go:262", '"Container runtime initialized" containerRuntime="containerd" '
                                               'version="1.6.8" apiVersion="v1"'),
         ("I", "server.go:1264", '"Started kubelet"'),
         ("I", "kubelet_node_status.go:76", f'"Attempting to register node" node="{node}"'),
         ("I", "kubelet_node_status.go:79", f'"Successfully registered node" node="{node}"')]
    for i, (lvl, where, msg) in enumerate(k):
        lines.append(klog(t + 0.01 * (i + 1), pid, lvl, where, msg))
    return lines


DEFERRED = "kubeletDeferred"


def started(cluster, node: str) -> None:
    """The kubelet is back: the pod work that waited for it (timers about its pods) goes on now,
    and it syncs the static pods in its manifest directory."""
    waiting = (cluster.meta.get(DEFERRED) or {}).pop(node, None) or []
    for what, payload in waiting:
        cluster.schedule(cluster.now, what, payload)
    static_pods.sync(cluster, node)
    # the binary it runs: the installed kubelet package
    packages.kubelet_started(cluster, node)
    cluster.settled = False


def defer(cluster, node: str, what: str, payload: dict) -> None:
    """A kubelet timer about a pod on a node whose kubelet is not running: kept until it runs."""
    cluster.meta.setdefault(DEFERRED, {}).setdefault(node, []).append([what, payload])


def kubelet_down(view, node: str | None) -> bool:
    """Whether the node's kubelet is not running (stopped or crash-looping). Cheap: meta only."""
    if not node:
        return False
    meta = getattr(view, "meta", None) or {}
    st = ((meta.get(units.META) or {}).get(node) or {}).get("kubelet")
    return st is not None and st.get("active") != "active"
