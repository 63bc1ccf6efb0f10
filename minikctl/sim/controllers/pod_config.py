"""The kubelet's failures before a container can run, when a pod's Secrets or ConfigMaps are not
there: FailedMount for a Secret / ConfigMap volume, CreateContainerConfigError for env.

What the real kubelet does (volumemanager, kuberuntime_container.go startContainer), simulated:
* a volume whose Secret / ConfigMap is missing (and not optional), or lacks an `items` key, fails
  `MountVolume.SetUp failed for volume "v" : secret "s" not found` (Warning FailedMount); the
  volume manager retries with its exponential back-off (0.5 s doubling, capped at 2m2s); the pod
  stays ContainerCreating, with no sandbox and no IP, and nothing is pulled until it mounts;
* a container whose env / envFrom names a missing Secret / ConfigMap or key fails after its image
  is there: Warning Failed `Error: secret "s" not found` (or `couldn't find key k in Secret
  ns/s`), the container waits with reason CreateContainerConfigError; the pod worker re-syncs
  10-15 s later (10 s, jitter 0.5), and the container starts once the object is there.
A pod with several containers starts none of them while one has a config error (a
simplification: the real kubelet starts the others).
"""
from __future__ import annotations

from minikctl.api import server
from minikctl.sim import podenv
from minikctl import lazy

_conditions = lazy.function("minikctl.sim.controllers.kubelet", "_conditions")
kubelet = lazy.module("minikctl.sim.controllers.kubelet")

MOUNT_KEY = "volumeMountBackOff"   # cluster.meta: {uid: {"n": failures, "due": time of the live retry}}
SYNC_KEY = "configSync"            # cluster.meta: {uid: due time of the pod's live re-sync timer}
CONFIG_WAIT = "CreateContainerConfigError"
MOUNT_INITIAL, MOUNT_MAX = 0.5, 122.0


def _ref(pod: dict, due: float) -> dict:
    m = pod["metadata"]
    return {"namespace": m["namespace"], "name": m["name"], "uid": m["uid"], "due": due}


def volumes_ready(cluster, pod: dict) -> bool:
    """True when every Secret / ConfigMap volume can be set up; else the FailedMount events and
    the volume manager's next retry."""
    uid = pod["metadata"]["uid"]
    errors = podenv.volume_errors(cluster, pod)
    book = cluster.meta.setdefault(MOUNT_KEY, {})
    if not errors:
        book.pop(uid, None)
        return True
    node = pod["spec"]["nodeName"]
    for vol, msg in errors:
        cluster.record_event(pod, "Warning", "FailedMount", f'MountVolume.SetUp failed for volume "{vol}" : {msg}',
                             "kubelet", node, stored=True)
    entry = book.setdefault(uid, {"n": 0})
    entry["n"] += 1
    due = cluster.now + min(MOUNT_MAX, MOUNT_INITIAL * 2 ** (entry["n"] - 1))
    entry["due"] = due
    cluster.schedule(due, "volume-retry", _ref(pod, due))
    return False


def on_volume_retry(cluster, ref: dict) -> None:
    entry = cluster.meta.get(MOUNT_KEY, {}).get(ref["uid"])
    if not entry or entry.get("due") != ref.get("due"):
        return
    if kubelet._find(cluster, ref) is None:
        cluster.meta[MOUNT_KEY].pop(ref["uid"], None)
        return
    kubelet.on_start(cluster, ref)


def blocked(pod: dict) -> bool:
    return any((cs.get("state", {}).get("waiting") or {}).get("reason") == CONFIG_WAIT
               for cs in (pod.get("status") or {}).get("containerStatuses") or [])


def config_errors(cluster, pod: dict) -> dict[str, str]:
    """{container: error} for the containers whose environment cannot be made, with the kubelet's
    `Error: ...` events."""
    failed = {}
    for c in pod["spec"]["containers"]:
        _, err = podenv.container_env(cluster, pod, c)
        if err:
            failed[c["name"]] = err
            cluster.record_event(pod, "Warning", "Failed", f"Error: {err}", "kubelet", pod["spec"]["nodeName"],
                                 stored=True)
    return failed


def hold(cluster, pod: dict, failed: dict[str, str]) -> None:
    """The pod stays Pending; a failed container waits with CreateContainerConfigError and its
    message, the others stay ContainerCreating; the pod worker re-syncs in 10-15 s."""
    st = pod["status"]
    old = {cs["name"]: cs for cs in st.get("containerStatuses") or []}
    statuses = []
    for c in pod["spec"]["containers"]:
        prev = old.get(c["name"], {})
        cs = {"name": c["name"], "image": c["image"], "imageID": "", "ready": False,
              "restartCount": prev.get("restartCount", 0), "started": False, "lastState": prev.get("lastState", {}),
              "state": {"waiting": {"reason": "ContainerCreating"}}}
        if c["name"] in failed:
            cs["state"] = {"waiting": {"reason": CONFIG_WAIT, "message": failed[c["name"]]}}
        statuses.append(cs)
    st["containerStatuses"] = statuses
    st["phase"] = "Pending"
    st["conditions"] = _conditions(cluster, pod, False, running=True)
    server.update_internal(cluster, pod)
    due = cluster.now + cluster.rng.uniform(10.0, 15.0)
    cluster.meta.setdefault(SYNC_KEY, {})[pod["metadata"]["uid"]] = due
    cluster.schedule(due, "config-sync", _ref(pod, due))


def on_sync(cluster, ref: dict) -> None:
    """The pod worker's re-sync of a pod whose container config failed."""
    syncs = cluster.meta.get(SYNC_KEY, {})
    if syncs.get(ref["uid"]) != ref.get("due"):
        return
    syncs.pop(ref["uid"], None)
    pod = kubelet._find(cluster, ref)
    if pod is None or not blocked(pod):
        return
    kubelet.on_start(cluster, ref)
