"""The systemd units a kubeadm node runs that the CKA touches: kubelet.service and
containerd.service, and the node's journal.

State per node and unit lives in the cluster meta `nodeUnits`: active ("active", "inactive", or
"failing" - systemd restarting a kubelet that exits, Restart=always / RestartSec=10), enabled,
since when, main PID, the kubelet's exit reason, and the unit files as systemd last loaded them
(daemon-reload). A node never touched has both units enabled and running since its boot.
The journal (meta `journal`, per node, the last MAX_JOURNAL entries) holds what systemd and the
kubelet logged; a failing kubelet's restart loop is computed from when it began, not stored.
"""
from __future__ import annotations
import datetime
import math
from minikctl import lazy

boot_time = lazy.function("minikctl.sim.nodehost.pki", "boot_time")
configs = lazy.module("minikctl.sim.nodehost.configs")
kubelet_host = lazy.module("minikctl.sim.nodehost.kubelet_host")
nodehost = lazy.module("minikctl.sim.nodehost")
spare = lazy.module("minikctl.sim.nodehost.spare")

META = "nodeUnits"
JOURNAL = "journal"
MAX_JOURNAL = 400
UNITS = ("kubelet", "containerd")
RESTART = {"kubelet": 10.0, "containerd": 5.0}


def _boot(view) -> float:
    return boot_time(view)


def _default_pid(node: str, unit: str) -> int:
    return 700 + sum(map(ord, node + unit)) % 400


def state(view, node: str, unit: str) -> dict:
    """{"active", "enabled", "since", "pid", "error"?, "loaded"?}"""
    meta = getattr(view, "meta", None) or {}
    got = ((meta.get(META) or {}).get(node) or {}).get(unit)
    if got is not None:
        return got
    if unit == "kubelet":
        if spare.is_spare(view, node):
            # installed and enabled, never configured: it exits at every start until kubeadm join
            return {"active": "failing", "enabled": True, "since": _boot(view), "pid": _default_pid(node, unit),
                    "error": kubelet_host.config_missing("/var/lib/kubelet/config.yaml")}
    return {"active": "active", "enabled": True, "since": _boot(view), "pid": _default_pid(node, unit)}


def put(cluster, node: str, unit: str, st: dict) -> None:
    cluster.meta.setdefault(META, {}).setdefault(node, {})[unit] = st
    cluster.settled = False


def unit_paths(view, node: str, unit: str) -> list[str]:
    """The unit file and its drop-ins (sorted by name, /etc before /usr/lib as systemd merges)."""
    f = nodehost.fs(view, node)
    paths = [f"/usr/lib/systemd/system/{unit}.service"]
    drop = {}
    for d in (f"/usr/lib/systemd/system/{unit}.service.d", f"/etc/systemd/system/{unit}.service.d"):
        for name in f.listdir(d) or []:
            if name.endswith(".conf"):
                drop[name] = f"{d}/{name}"
    return paths + [drop[n] for n in sorted(drop)]


def on_disk(view, node: str, unit: str) -> dict:
    f = nodehost.fs(view, node)
    return {p: f.read(p) for p in unit_paths(view, node, unit) if f.read(p) is not None}


def _seeded(unit: str) -> dict:
    if unit == "kubelet":
        return {configs.KUBELET_UNIT: configs.KUBELET_SERVICE, configs.KUBELET_DROPIN: configs.DROPIN}
    return {configs.CONTAINERD_UNIT: configs.CONTAINERD_SERVICE}


def loaded_files(view, node: str, unit: str) -> dict:
    return state(view, node, unit).get("loaded") or _seeded(unit)


def loaded(view, node: str, unit: str) -> list[str]:
    """The unit's texts as systemd holds them: unit file first, then drop-ins."""
    files = loaded_files(view, node, unit)
    return [files[p] for p in sorted(files, key=lambda p: (not p.endswith(".service"), p.rsplit("/", 1)[-1]))]


def changed_on_disk(view, node: str, unit: str) -> bool:
    return on_disk(view, node, unit) != loaded_files(view, node, unit)


def daemon_reload(cluster, node: str) -> None:
    for unit in UNITS:
        st = dict(state(cluster, node, unit))
        st["loaded"] = on_disk(cluster, node, unit)
        put(cluster, node, unit, st)


# -- the journal ------------------------------------------------------------------------------------

def log(cluster, node: str, t: float, ident: str, pid: int, msg: str) -> None:
    j = cluster.meta.setdefault(JOURNAL, {}).setdefault(node, [])
    j.append([t, ident, pid, msg])
    del j[:-MAX_JOURNAL]


def entries(view, node: str) -> list[list]:
    """[t, ident, pid, message] in time order: the stored ones and a failing kubelet's loop."""
    meta = getattr(view, "meta", None) or {}
    out = boot_entries(view, node) + [list(e) for e in (meta.get(JOURNAL) or {}).get(node) or []]
    st = state(view, node, "kubelet")
    if st["active"] == "failing":
        out += failing_loop(view, node, st)
    out.sort(key=lambda e: e[0])
    return out


def boot_entries(view, node: str) -> list[list]:
    """What the node logged when it booted: containerd, then the kubelet, started by systemd."""
    t = _boot(view) - 30.0
    cpid, kpid = _default_pid(node, "containerd"), _default_pid(node, "kubelet")
    out = [[t, "systemd", 1, "Starting containerd container runtime..."],
           [t + 0.2, "containerd", cpid, f'time="{_iso(t + 0.2)}" level=info msg="containerd successfully booted in 0.041s"'],
           [t + 0.21, "systemd", 1, "Started containerd container runtime."]]
    if _spare_machine(view, node):
        return out          # a spare host's kubelet never ran at boot: its restart loop is its story
    out.append([t + 1, "systemd", 1, "Started kubelet: The Kubernetes Node Agent."])
    out += [[t + 1 + 0.01 * (i + 1), "kubelet", kpid, line]
            for i, line in enumerate(kubelet_host.startup_lines(view, node, t + 1, kpid, boot=True))]
    return out


def _spare_machine(view, node: str) -> bool:
    """One of the profile's spare hosts (joined since or not): its kubelet did not start at boot."""
    e = spare.entry(view, node)
    return e is not None and e.get("name") == node


def failing_loop(view, node: str, st: dict, limit: int = 60) -> list[list]:
    """systemd 219 restarting a kubelet that exits with status 1, from `since` to now."""
    out = []
    t0 = st["since"]
    n = int((view.now - t0) // RESTART["kubelet"]) + 1
    first = max(0, n - limit)
    for k in range(first, n):
        t = t0 + k * RESTART["kubelet"]
        pid = st["pid"] + k * 17
        if k > 0:
            out += [[t - 0.001, "systemd", 1, "kubelet.service holdoff time over, scheduling restart."],
                    [t - 0.0005, "systemd", 1, "Stopped kubelet: The Kubernetes Node Agent."]]
        out.append([t, "systemd", 1, "Started kubelet: The Kubernetes Node Agent."])
        if t + 0.05 <= view.now:
            out += _kubelet_exit(t, pid, st.get("error") or "")
    return out


def klog(t: float, pid: int, level: str, where: str, msg: str) -> str:
    d = datetime.datetime.fromtimestamp(t, tz=datetime.timezone.utc)
    return f"{level}{d:%m%d %H:%M:%S}.{d.microsecond:06d} {pid:7d} {where}] {msg}"


def _kubelet_exit(t: float, pid: int, error: str) -> list[list]:
    err = error.replace("\\", "\\\\").replace('"', '\\"')
    return [[t + 0.05, "kubelet", pid, klog(t + 0.05, pid, "E", "run.go:72", f'"command failed" err="{err}"')],
            [t + 0.06, "systemd", 1, "kubelet.service: main process exited, code=exited, status=1/FAILURE"],
            [t + 0.061, "systemd", 1, "Unit kubelet.service entered failed state."],
            [t + 0.062, "systemd", 1, "kubelet.service failed."]]


def last_pid(view, node: str, unit: str) -> int:
    st = state(view, node, unit)
    if st["active"] == "failing":
        n = int((view.now - st["since"]) // RESTART["kubelet"])
        return st["pid"] + n * 17
    return st["pid"]


def runtime_down_error(view, node: str) -> str | None:
    """crictl's error when containerd is not running (its socket is gone)."""
    if state(view, node, "containerd")["active"] == "active":
        return None
    sock = "/run/containerd/containerd.sock"
    return (f'time="{_iso(view.now)}" level=fatal msg="validate service connection: validate CRI v1 runtime API '
            f'for endpoint \\"unix://{sock}\\": rpc error: code = Unavailable desc = connection error: desc = '
            f'\\"transport: Error while dialing: dial unix {sock}: connect: no such file or directory\\""\n')


def _iso(t: float) -> str:
    return datetime.datetime.fromtimestamp(t, tz=datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- starting and stopping ------------------------------------------------------------------------------

DESCRIPTION = {"kubelet": "kubelet: The Kubernetes Node Agent", "containerd": "containerd container runtime"}


def _new_pid(cluster, node: str, unit: str) -> int:
    old = last_pid(cluster, node, unit)
    return old + 1 + cluster.rng.randrange(40, 400)


def start(cluster, node: str, unit: str, t: float | None = None) -> None:
    """Start the unit's main process now (or at `t`, a restart timer): the kubelet reads its
    configuration and either runs or exits (then systemd restarts it every RestartSec)."""
    t = cluster.now if t is None else t
    st = dict(state(cluster, node, unit))
    pid = _new_pid(cluster, node, unit)
    if unit == "containerd":
        st.update(active="active", since=t, pid=pid)
        st.pop("error", None)
        put(cluster, node, unit, st)
        log(cluster, node, t, "systemd", 1, "Starting containerd container runtime...")
        log(cluster, node, t + 0.2, "containerd", pid,
            f'time="{_iso(t + 0.2)}" level=info msg="containerd successfully booted in 0.0{pid % 90 + 10}s"')
        log(cluster, node, t + 0.21, "systemd", 1, "Started containerd container runtime.")
        _kick_kubelet(cluster, node)
        return
    problem = kubelet_host.start_problem(cluster, node)
    if problem:
        st.update(active="failing", since=t, pid=pid, error=problem)
        put(cluster, node, unit, st)
        return
    st.update(active="active", since=t, pid=pid)
    st.pop("error", None)
    put(cluster, node, unit, st)
    log(cluster, node, t, "systemd", 1, "Started kubelet: The Kubernetes Node Agent.")
    for i, line in enumerate(kubelet_host.startup_lines(cluster, node, t, pid)):
        log(cluster, node, t + 0.01 * (i + 1), "kubelet", pid, line)
    kubelet_host.started(cluster, node)


def _freeze_failing(cluster, node: str, unit: str, t: float) -> None:
    """A failing kubelet's computed restart loop becomes stored history before its state changes."""
    st = state(cluster, node, unit)
    if st["active"] == "failing":
        for e in failing_loop(cluster, node, st):
            if e[0] < t:
                log(cluster, node, *e)


def stop(cluster, node: str, unit: str) -> None:
    t = cluster.now
    st = dict(state(cluster, node, unit))
    if st["active"] == "inactive":
        return
    _freeze_failing(cluster, node, unit, t)
    was = st["active"]
    st["pid"] = last_pid(cluster, node, unit)
    st.update(active="inactive", since=t)
    st.pop("error", None)
    put(cluster, node, unit, st)
    desc = DESCRIPTION[unit]
    if was == "active":
        log(cluster, node, t, "systemd", 1, f"Stopping {desc}...")
    log(cluster, node, t + 0.05, "systemd", 1, f"Stopped {desc}.")
    if unit == "containerd":
        if kubelet_host.running(cluster, node):
            kp = state(cluster, node, "kubelet")["pid"]
            log(cluster, node, t + 1, "kubelet", kp, klog(
                t + 1, kp, "E", "remote_runtime.go:277",
                '"ListPodSandbox with filter from runtime service failed" err="rpc error: code = Unavailable desc = '
                'connection error: desc = \\"transport: Error while dialing: dial unix '
                '/var/run/containerd/containerd.sock: connect: no such file or directory\\"" filter="nil"'))
            log(cluster, node, t + 5, "kubelet", kp, klog(
                t + 5, kp, "E", "kubelet.go:2412",
                '"Skipping pod synchronization" err="container runtime is down"'))


def restart(cluster, node: str, unit: str) -> None:
    if state(cluster, node, unit)["active"] != "inactive":
        stop(cluster, node, unit)
    start(cluster, node, unit, cluster.now + 0.1)


def set_enabled(cluster, node: str, unit: str, on: bool) -> bool:
    st = dict(state(cluster, node, unit))
    if st["enabled"] == on:
        return False
    st["enabled"] = on
    put(cluster, node, unit, st)
    return True


def _kick_kubelet(cluster, node: str) -> None:
    """A failing kubelet retries at its next RestartSec boundary: schedule that restart."""
    st = state(cluster, node, "kubelet")
    if st["active"] != "failing":
        return
    k = max(1, math.ceil((cluster.now - st["since"]) / RESTART["kubelet"]))
    due = st["since"] + k * RESTART["kubelet"]
    if not any(w == TIMER and p.get("node") == node for _d, _s, w, p in cluster.timers):
        cluster.schedule(due, TIMER, {"node": node})


TIMER = "kubelet-restart"


def tick(cluster, node: str) -> None:
    """After anything changed on the node: a failing kubelet will try again at its next restart."""
    _kick_kubelet(cluster, node)


def on_restart_timer(cluster, ref: dict) -> None:
    """systemd's Restart=always fired for a failing kubelet: it starts again and reads its files."""
    node = ref.get("node")
    st = state(cluster, node, "kubelet")
    if st["active"] != "failing":
        return
    if kubelet_host.start_problem(cluster, node):
        return      # it fails again: the computed loop goes on
    _freeze_failing(cluster, node, "kubelet", cluster.now)
    start(cluster, node, "kubelet")
