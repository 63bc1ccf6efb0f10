"""The kubelet: a scheduled pod's life over time.

Pending/ContainerCreating -> (image pull + start, a few simulated seconds) -> Running and Ready;
a container whose command ends (busybox `sleep 3600`, or no command at all) exits, and then
restartPolicy decides: Completed, or a restart with CrashLoopBackOff's doubling back-off.
A pull that fails (image_pull.py, against the simulated registry sim/registry.py) keeps the pod
Pending with ErrImagePull / ImagePullBackOff until a retry finds the image.
Terminating pods are removed after their grace period (a shell ignoring SIGTERM waits it out).
"""
from __future__ import annotations

from minikctl.api import server
from minikctl.sim.controllers import kubelet_admit


from minikctl.api.conditions import condition
from minikctl.sim import names
from minikctl.sim.controllers import image_pull, pod_config, probes
from minikctl.sim.controllers.common import guard
from minikctl.sim.profile import kube_version
import json
from minikctl import lazy

ExecContext = lazy.function("minikctl.images.context", "ExecContext")
behaviours = lazy.module("minikctl.images.behaviours")
image_registry = lazy.module("minikctl.images.registry")
images_base = lazy.module("minikctl.images.base")
ipam = lazy.module("minikctl.sim.alloc.ipam")
record_start = lazy.function("minikctl.net.proxy.mode", "record_start")
sim_registry = lazy.module("minikctl.sim.registry")
static_pods = lazy.module("minikctl.sim.nodehost.static_pods")
volumes_ready = lazy.function("minikctl.sim.controllers.volume_binding", "volumes_ready")

def process_lifetime(container: dict) -> float | None:
    """Seconds until the container's main process exits by itself; None if it serves forever
    (the process model of images/behaviours: ENTRYPOINT/CMD, overrides, servers, shells)."""
    return behaviours.lifetime(container)


def _node(cluster, name):
    return cluster.get("Node", None, name)


def _node_ip(node) -> str:
    for a in (node or {}).get("status", {}).get("addresses", []):
        if a["type"] == "InternalIP":
            return a["address"]
    return ""


def reconcile(cluster) -> None:
    if isinstance(getattr(cluster, "meta", None), dict):
        static_pods.reconcile(cluster)       # mirror pods deleted through the API come back
    down = _down_nodes(cluster)
    for pod in cluster.list("Pod"):
        if down and pod["spec"].get("nodeName") in down:
            continue        # no kubelet runs there: nothing on that node moves (sim/nodehost)
        guard(cluster, "kubelet", pod, _sync_pod, cluster, pod)


def _down_nodes(cluster) -> set:
    units = cluster.meta.get("nodeUnits") if isinstance(getattr(cluster, "meta", None), dict) else None
    if not units:
        return set()
    return {n for n, u in units.items() if (u.get("kubelet") or {}).get("active", "active") != "active"}


def _sync_pod(cluster, pod: dict) -> None:
    spec = pod["spec"]
    if not spec.get("nodeName"):
        return
    st = pod.setdefault("status", {})
    if pod["metadata"].get("deletionTimestamp"):
        if not _removal_pending(cluster, pod["metadata"]["uid"]):
            _schedule_removal(cluster, pod)
        return
    if "containerStatuses" not in st:
        if st.get("phase") != "Failed" and kubelet_admit.admit(cluster, pod) and _claims_bound(cluster, pod):
            _create_sandbox(cluster, pod)
    elif st.get("phase") == "Running":
        _readiness(cluster, pod)
    elif image_pull.pulling_blocked(pod):
        image_pull.on_spec_change(cluster, pod)


def _claims_bound(cluster, pod) -> bool:
    """The volume manager waits for every persistentVolumeClaim volume to be bound."""
    if not any("persistentVolumeClaim" in v for v in pod["spec"].get("volumes") or []):
        return True
    return volumes_ready(cluster, pod)


def _conditions(cluster, pod, ready: bool, reason: str | None = None, running: bool = True) -> list[dict]:
    now = cluster.timestamp()
    unready = [cs["name"] for cs in (pod.get("status") or {}).get("containerStatuses") or [] if not cs.get("ready")]
    names_ = [] if ready else (unready or [c["name"] for c in pod["spec"]["containers"]])

    def c(ctype, ok, r=None, msg=None):
        prev = condition(pod, ctype)
        status = "True" if ok else "False"
        out = {"type": ctype, "status": status, "lastProbeTime": None,
               "lastTransitionTime": prev["lastTransitionTime"] if prev and prev["status"] == status else now}
        if not ok and r:
            out["reason"] = r
            if msg:
                out["message"] = msg
        return out
    msg = f"containers with unready status: [{' '.join(names_)}]"
    conds = []
    if kube_version(cluster.profile) >= (1, 29):
        conds.append(c("PodReadyToStartContainers", running))
    conds += [c("Initialized", True), c("Ready", ready, reason or "ContainersNotReady", msg),
              c("ContainersReady", ready, reason or "ContainersNotReady", msg), c("PodScheduled", True)]
    return conds


def _create_sandbox(cluster, pod) -> None:
    spec, st = pod["spec"], pod["status"]
    node = _node(cluster, spec["nodeName"])
    now = cluster.timestamp()
    st["phase"] = "Pending"
    st["hostIP"] = _node_ip(node)
    st["hostIPs"] = [{"ip": st["hostIP"]}]
    st["startTime"] = now
    st["conditions"] = _conditions(cluster, pod, False, running=False)
    st["containerStatuses"] = [{"name": c["name"], "image": c["image"], "imageID": "", "ready": False,
                                "restartCount": 0, "started": False, "lastState": {},
                                "state": {"waiting": {"reason": "ContainerCreating"}}}
                               for c in spec["containers"]]
    st["qosClass"] = st.get("qosClass", "BestEffort")
    server.update_internal(cluster, pod)
    lo, hi = cluster.profile.get("podStartSeconds", [0.6, 1.2])
    pulled = cluster.meta.setdefault("pulled", {}).setdefault(spec["nodeName"], [])
    delay = cluster.rng.uniform(lo, hi)
    image = spec["containers"][0]["image"]
    if image not in pulled and not pod["metadata"].get("annotations", {}).get("kubernetes.io/config.mirror"):
        delay += cluster.rng.uniform(0.1, 0.3)
    cluster.schedule(cluster.now + delay, "pod-start", _ref(pod))


def _ref(pod) -> dict:
    m = pod["metadata"]
    return {"namespace": m["namespace"], "name": m["name"], "uid": m["uid"]}


def _find(cluster, ref) -> dict | None:
    pod = cluster.get("Pod", ref["namespace"], ref["name"])
    if pod is None or pod["metadata"]["uid"] != ref["uid"] or pod["metadata"].get("deletionTimestamp"):
        return None
    return pod


def _image_id(image: str) -> str:
    """The repo digest containerd reports, stable per reference (sim/registry.py)."""
    return sim_registry.image_id(image)


def _full_image(image: str) -> str:
    return sim_registry.full_ref(image)


def on_start(cluster, ref: dict) -> None:
    pod = _find(cluster, ref)
    if pod is None:
        return
    spec, st = pod["spec"], pod["status"]
    node = spec["nodeName"]
    mirror = pod["metadata"].get("annotations", {}).get("kubernetes.io/config.mirror")
    if not mirror and not pod_config.volumes_ready(cluster, pod):
        return      # no sandbox (and no IP) until the volumes are mounted
    if not st.get("podIP"):
        ip = st["hostIP"] if spec.get("hostNetwork") else ipam.allocate(cluster, node)
        st["podIP"] = ip
        st["podIPs"] = [{"ip": ip}]
    if not mirror:
        failed = image_pull.ensure_images(cluster, pod)
        if failed:
            image_pull.hold(cluster, pod, failed)
            return
        image_pull.started(cluster, pod["metadata"]["uid"])
        config_failed = pod_config.config_errors(cluster, pod)
        if config_failed:
            pod_config.hold(cluster, pod, config_failed)
            return
        for c in spec["containers"]:
            cluster.record_event(pod, "Normal", "Created", f"Created container: {c['name']}", "kubelet", node)
            cluster.record_event(pod, "Normal", "Started", f"Started container {c['name']}", "kubelet", node)
    _run_containers(cluster, pod)
    record_start(cluster, pod)


def _run_containers(cluster, pod) -> None:
    st = pod["status"]
    now = cluster.timestamp()
    statuses = []
    for c, old in zip(pod["spec"]["containers"], st["containerStatuses"]):
        cs = {"name": c["name"], "image": _full_image(c["image"]), "imageID": _image_id(c["image"]),
              "containerID": "containerd://" + names.short_id(pod["metadata"]["uid"] + c["name"] + str(old.get("restartCount", 0))),
              "ready": True, "restartCount": old.get("restartCount", 0), "started": True,
              "lastState": old.get("lastState", {}), "state": {"running": {"startedAt": now}}}
        statuses.append(cs)
        life = process_lifetime(c)
        if life is not None:
            cluster.schedule(cluster.now + life, "container-exit",
                             {**_ref(pod), "container": c["name"], "cid": cs["containerID"]})
        probes.start(cluster, pod, c, cs["containerID"])
    st["containerStatuses"] = statuses
    st["phase"] = "Running"
    st["conditions"] = _conditions(cluster, pod, True)
    server.update_internal(cluster, pod)
    _readiness(cluster, pod)


def _listens(container: dict) -> set:
    proc = behaviours.process(container)
    return {int(p) for role, p in proc.ports.items() if role != "udp"} if proc.kind == "server" else set()


def _readiness(cluster, pod) -> None:
    """Ready per container from the prober (probes.ready: no readiness probe, or its last verdict),
    and not at all while the drill knob (annotation sim.minikctl.io/ready=false) holds."""
    st = pod["status"]
    if st.get("phase") != "Running":
        return
    knob = (pod["metadata"].get("annotations") or {}).get("sim.minikctl.io/ready") == "false"
    specs = {c["name"]: c for c in pod["spec"]["containers"]}
    changed = False
    for cs in st["containerStatuses"]:
        r = "running" in cs.get("state", {}) and not knob and probes.ready(cluster, pod, specs.get(cs["name"], {}))
        if cs.get("ready") != r:
            cs["ready"] = r
            changed = True
    ready = all(cs.get("ready") for cs in st["containerStatuses"])
    want = "True" if ready else "False"
    if not changed and [c.get("status") for c in st.get("conditions") or [] if c.get("type") in ("Ready", "ContainersReady")] \
            == [want, want]:
        return  # nothing moved: the conditions as computed last time stand
    conds = _conditions(cluster, pod, ready)
    if conds != st.get("conditions"):
        st["conditions"] = conds
        changed = True
    if changed:
        server.update_internal(cluster, pod)


def exit_code(cluster, pod: dict, c: dict) -> int:
    """The main process's exit status: its command run once through the image's simulated tools
    (busybox `sh -c 'echo hi; exit 3'` -> 3, `false` -> 1, no command -> 0). A command the image
    lacks is the shell's 127."""
    argv = [str(a) for a in (c.get("command") or []) + (c.get("args") or [])]
    if not argv:
        return 0
    # A CronJob runs the same command every minute: within one command line, the same image,
    # argv and environment over the same Services and configuration exit alike, so the
    # simulated shell (which builds the container's file system) runs once for them.
    env_key = json.dumps([c.get("env"), c.get("envFrom"), pod["metadata"].get("annotations")], sort_keys=True)
    key = (c.get("image"), tuple(argv), env_key, pod["metadata"].get("namespace"),
           tuple(cluster.kind_version.get(k, 0) for k in ("Service", "Endpoints", "ConfigMap", "Secret")))
    cache = cluster.__dict__.setdefault("_exit_codes", {})
    if key not in cache:
        cache[key] = _run_for_exit(cluster, pod, c, argv)
    return cache[key]


def _run_for_exit(cluster, pod: dict, c: dict, argv: list[str]) -> int:
    ctx = ExecContext(view=cluster, pod=pod, container=c["name"], node=pod["spec"].get("nodeName"))
    try:
        return int(image_registry.run(ctx, argv)[2]) & 0xFF
    except images_base.ExecutableNotFound:
        return 127
    except Exception:  # a tool the simulation cannot follow: treat the run as a plain success
        return 0


def on_exit(cluster, ref: dict, code: int | None = None) -> None:
    """The container's process ended: by itself (its exit status computed from its command), or
    killed (`code` given: a failed liveness/startup probe)."""
    pod = _find(cluster, ref)
    if pod is None:
        return
    st = pod["status"]
    now = cluster.timestamp()
    cs = next((c for c in st["containerStatuses"] if c["name"] == ref.get("container")), None)
    if cs is None or "running" not in cs["state"]:
        return
    if ref.get("cid") and ref["cid"] != cs.get("containerID"):
        return                     # an exit timer of an instance a probe already killed
    c = next(c for c in pod["spec"]["containers"] if c["name"] == cs["name"])
    if code is None:
        code = ref.get("exitCode")      # the process asked to exit with this code (agnhost's /exit)
    if code is None:
        code = exit_code(cluster, pod, c)
    term = {"exitCode": code, "reason": "Completed" if code == 0 else "Error",
            "startedAt": cs["state"]["running"]["startedAt"], "finishedAt": now, "containerID": cs.get("containerID")}
    policy = pod["spec"].get("restartPolicy", "Always")
    if policy == "Never" or (policy == "OnFailure" and code == 0):
        cs["state"] = {"terminated": term}
        cs["ready"] = False
        cs["started"] = False
        if all("terminated" in c["state"] for c in st["containerStatuses"]):
            ok = all(c["state"]["terminated"].get("exitCode", 0) == 0 for c in st["containerStatuses"])
            st["phase"] = "Succeeded" if ok else "Failed"
            st["conditions"] = _conditions(cluster, pod, False, reason="PodCompleted" if ok else "PodFailed",
                                           running=False)
        server.update_internal(cluster, pod)
        return
    cs["restartCount"] = cs.get("restartCount", 0) + 1
    cs["lastState"] = {"terminated": term}
    backoff = min(300, 10 * 2 ** (cs["restartCount"] - 1)) if cs["restartCount"] > 1 else 0
    if backoff:
        cs["state"] = {"waiting": {"reason": "CrashLoopBackOff",
                                   "message": f"back-off {backoff}s restarting failed container={cs['name']} pod={pod['metadata']['name']}_{pod['metadata']['namespace']}({pod['metadata']['uid']})"}}
        cs["ready"] = False
        cs["started"] = False
        st["conditions"] = _conditions(cluster, pod, False)
        cluster.record_event(pod, "Warning", "BackOff", "Back-off restarting failed container "
                             f"{cs['name']} in pod {pod['metadata']['name']}_{pod['metadata']['namespace']}({pod['metadata']['uid']})",
                             "kubelet", pod["spec"]["nodeName"])
        server.update_internal(cluster, pod)
        cluster.schedule(cluster.now + backoff, "container-restart",
                         {k: v for k, v in ref.items() if k not in ("cid", "probe")})
    else:
        server.update_internal(cluster, pod)
        _restart(cluster, pod, c, cs)


def _restart(cluster, pod, c, cs) -> None:
    cs["state"] = {"running": {"startedAt": cluster.timestamp()}}
    cs["ready"] = True
    cs["started"] = True
    cs["containerID"] = "containerd://" + names.short_id(pod["metadata"]["uid"] + c["name"] + str(cs["restartCount"]))
    pod["status"]["conditions"] = _conditions(cluster, pod, True)
    cluster.record_event(pod, "Normal", "Pulled", f'Container image "{c["image"]}" already present on machine', "kubelet", pod["spec"]["nodeName"])
    server.update_internal(cluster, pod)
    life = process_lifetime(c)
    if life is not None:
        cluster.schedule(cluster.now + life, "container-exit",
                         {**_ref(pod), "container": c["name"], "cid": cs["containerID"]})
    probes.start(cluster, pod, c, cs["containerID"])
    _readiness(cluster, pod)


def on_restart(cluster, ref: dict) -> None:
    pod = _find(cluster, ref)
    if pod is None:
        return
    for c, cs in zip(pod["spec"]["containers"], pod["status"]["containerStatuses"]):
        if "waiting" in cs["state"]:
            _restart(cluster, pod, c, cs)


def _removal_pending(cluster, uid: str) -> bool:
    return any(t[2] == "pod-remove" and t[3].get("uid") == uid for t in cluster.timers)


def _schedule_removal(cluster, pod) -> None:
    """A terminating pod goes away after its processes stop: fast for servers, the whole grace
    period for a shell that ignores SIGTERM (busybox `sleep`)."""
    grace = pod["metadata"].get("deletionGracePeriodSeconds", 30)
    st = pod.get("status") or {}
    running = any("running" in cs.get("state", {}) for cs in st.get("containerStatuses") or [])
    if not running or not pod["spec"].get("nodeName"):
        delay = 0.0
    elif any(process_lifetime(c) is not None for c in pod["spec"]["containers"]):
        delay = float(grace)
    else:
        delay = min(float(grace), cluster.rng.uniform(0.3, 1.0))
    if running:
        for c in pod["spec"]["containers"]:
            cluster.record_event(pod, "Normal", "Killing", f"Stopping container {c['name']}", "kubelet", pod["spec"]["nodeName"])
    cluster.schedule(cluster.now + delay, "pod-remove", {**_ref(pod)})


FINALIZER_WAIT = "finalizerWait"   # cluster.meta: uids of stopped pods kept only by their finalizers


def on_remove(cluster, ref: dict) -> None:
    pod = cluster.get("Pod", ref["namespace"], ref["name"])
    if pod is not None and pod["metadata"]["uid"] == ref["uid"]:
        if pod["metadata"].get("finalizers"):
            # stopped, but the apiserver keeps it until its finalizers are removed
            wait = cluster.meta.setdefault(FINALIZER_WAIT, [])
            if ref["uid"] not in wait:
                wait.append(ref["uid"])
            return
        server.remove_internal(cluster, pod)


def finalizers_removed(cluster, pod: dict) -> None:
    """A controller took a pod's last finalizer off: a pod already stopped goes now."""
    wait = cluster.meta.get(FINALIZER_WAIT) or []
    uid = pod["metadata"].get("uid")
    if uid in wait and not pod["metadata"].get("finalizers"):
        wait.remove(uid)
        server.remove_internal(cluster, pod)
