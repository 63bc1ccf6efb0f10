"""The kubelet's image manager: pull (or find cached) each container's image, and when a pull
fails, ErrImagePull then ImagePullBackOff with the kubelet's back-off.

Why a module of its own: the pull decides whether a pod starts at all, and its failure path is a
small state machine over time that the rest of the pod lifecycle (kubelet.py) need not know about.

What the real kubelet does (pkg/kubelet/images/image_manager.go, pod_workers.go), simulated:
* a pull that fails records `Pulling image "x"`, `Failed to pull image "x": <CRI error>` and
  `Error: ErrImagePull`; the container waits with reason ErrImagePull, message the CRI error; the
  image's back-off (key pod UID + image) grows 10 s, 20 s, ... up to 300 s;
* the pod worker re-syncs a pod whose sync failed 10-15 s later (10 s with 0.5 jitter): inside the
  back-off window it records `Back-off pulling image "x"` (Normal BackOff) and `Error:
  ImagePullBackOff`, the container waits with reason ImagePullBackOff; past it, it pulls again;
* a changed image (set image, edit, apply on a bare pod) is a pod update: the worker syncs at once,
  and the new image has no back-off.
Containers are pulled before any starts (a simplification: the real kubelet starts the
containers in order, so a later container's bad image leaves the earlier ones running).
"""
from __future__ import annotations

from minikctl.api import server

from minikctl.sim import registry
import base64
import json
from minikctl import lazy

_conditions = lazy.function("minikctl.sim.controllers.kubelet", "_conditions")
kubelet = lazy.module("minikctl.sim.controllers.kubelet")
pod_config = lazy.module("minikctl.sim.controllers.pod_config")

BACKOFF_KEY = "imagePullBackOff"     # cluster.meta: {"<uid>_<image>": {"n": failures, "until": t}}
SYNC_KEY = "imagePullSync"           # cluster.meta: {uid: due time of the pod's live re-sync timer}
PULL_WAIT = ("ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull", "InvalidImageName")
INITIAL, MAX = 10.0, 300.0


def backoff_seconds(failures: int) -> float:
    """The back-off after the n-th failed pull of one image: 10 s doubling, capped at 300 s."""
    return min(MAX, INITIAL * 2 ** (failures - 1))


def _policy(c: dict) -> str:
    return c.get("imagePullPolicy") or "IfNotPresent"


def pull_secret_hosts(cluster, pod: dict) -> tuple[set[str], list[str]]:
    """(registry hosts the pod's imagePullSecrets hold an auth for, names of secrets not found).

    The kubelet reads each kubernetes.io/dockerconfigjson (`auths`) or kubernetes.io/dockercfg
    secret; a key may be a bare host or a URL (https://index.docker.io/v1/ is docker.io)."""
    ns = pod["metadata"].get("namespace") or "default"
    hosts: set[str] = set()
    missing: list[str] = []
    for ref in pod["spec"].get("imagePullSecrets") or []:
        name = (ref or {}).get("name")
        if not name:
            continue
        try:
            secret = cluster.get("Secret", ns, name)
        except Exception:                      # a store without the Secret kind
            secret = None
        if secret is None:
            missing.append(name)
            continue
        data = secret.get("data") or {}
        for key in (".dockerconfigjson", ".dockercfg"):
            raw = data.get(key)
            if not raw:
                continue
            try:
                doc = json.loads(base64.b64decode(raw))
            except (ValueError, TypeError):
                continue
            auths = doc.get("auths", doc) if isinstance(doc, dict) else {}
            for server in auths if isinstance(auths, dict) else []:
                host = server.split("://")[-1].split("/")[0]
                hosts.add("docker.io" if host in ("index.docker.io", "registry-1.docker.io") else host)
    return hosts, missing


def _present(cluster, node: str, image: str) -> bool:
    return image in cluster.meta.setdefault("pulled", {}).setdefault(node, [])


def ensure_images(cluster, pod: dict) -> dict[str, tuple[str, str]]:
    """Pull what the pod's containers need, recording the kubelet's events (image_manager.go's
    EnsureImageExists). Returns {container name: (reason, message)} for the containers whose image
    is not there (empty: every image is there); reason is ErrImagePull, ErrImageNeverPull or
    InvalidImageName."""
    spec = pod["spec"]
    node = spec["nodeName"]
    pulled = cluster.meta.setdefault("pulled", {}).setdefault(node, [])
    failed: dict[str, tuple[str, str]] = {}
    # a retry aggregates with the events earlier commands stored
    retry = pulling_blocked(pod) or pod_config.blocked(pod)
    auth_hosts, missing = pull_secret_hosts(cluster, pod)
    if missing:
        cluster.record_event(pod, "Warning", "FailedToRetrieveImagePullSecret",
                             f"Unable to retrieve some image pull secrets ({', '.join(missing)}); attempting to pull "
                             "the image may not succeed.", "kubelet", node, stored=retry)
    upstream = (cluster.profile.get("upstream") or {}).get("records") or {}
    for c in spec["containers"]:
        image = c["image"]
        bad = registry.invalid_message(image)
        if bad:
            cluster.record_event(pod, "Warning", "InspectFailed", bad, "kubelet", node, stored=retry)
            cluster.record_event(pod, "Warning", "Failed", "Error: InvalidImageName", "kubelet", node, stored=retry)
            failed[c["name"]] = ("InvalidImageName", bad)
            continue
        if image in pulled and _policy(c) != "Always":
            cluster.record_event(pod, "Normal", "Pulled", f'Container image "{image}" already present on machine',
                                 "kubelet", node, stored=retry)
            continue
        if _policy(c) == "Never":
            msg = f'Container image "{image}" is not present with pull policy of Never'
            cluster.record_event(pod, "Warning", "ErrImageNeverPull", msg, "kubelet", node, stored=retry)
            cluster.record_event(pod, "Warning", "Failed", "Error: ErrImageNeverPull", "kubelet", node, stored=retry)
            failed[c["name"]] = ("ErrImageNeverPull", msg)
            continue
        cluster.record_event(pod, "Normal", "Pulling", f'Pulling image "{image}"', "kubelet", node, stored=retry)
        ok, err = registry.resolve(image, auth_hosts=auth_hosts, upstream=upstream)
        if not ok:
            cluster.record_event(pod, "Warning", "Failed", f'Failed to pull image "{image}": {err}', "kubelet", node,
                                 stored=retry)
            cluster.record_event(pod, "Warning", "Failed", "Error: ErrImagePull", "kubelet", node, stored=retry)
            entry = cluster.meta.setdefault(BACKOFF_KEY, {}).setdefault(f"{pod['metadata']['uid']}_{image}", {"n": 0})
            entry["n"] += 1
            entry["until"] = cluster.now + backoff_seconds(entry["n"])
            failed[c["name"]] = ("ErrImagePull", err)
            continue
        size = registry.size_bytes(image)
        # the download: a first pull at 25-60 MB/s plus the registry round trips; a re-pull
        # (policy Always) only checks the manifest
        secs = (0.4 + size / cluster.rng.uniform(25e6, 60e6)) if image not in pulled \
            else cluster.rng.uniform(0.3, 0.9)
        secs = round(secs, 3)
        cluster.record_event(pod, "Normal", "Pulled",
                             f'Successfully pulled image "{image}" in {_go_duration(secs)} '
                             f"({_go_duration(secs)} including waiting). Image size: {size} bytes.", "kubelet", node)
        if image not in pulled:
            pulled.append(image)
    return failed


def _go_duration(secs: float) -> str:
    """time.Duration.String() of a pull time (1.234s, 812ms) as the kubelet prints it, ms precision."""
    if secs < 1:
        return f"{int(round(secs * 1000))}ms"
    return f"{secs:.3f}".rstrip("0").rstrip(".") + "s"


def _waiting(c: dict, reason: str, message: str, old: dict | None) -> dict:
    return {"name": c["name"], "image": c["image"], "imageID": "", "ready": False,
            "restartCount": (old or {}).get("restartCount", 0), "started": False,
            "lastState": (old or {}).get("lastState", {}), "state": {"waiting": {"reason": reason, "message": message}}}


def hold(cluster, pod: dict, failed: dict[str, tuple[str, str]]) -> None:
    """The pod stays Pending: failed containers wait with their reason (ErrImagePull,
    ErrImageNeverPull, InvalidImageName), the others stay ContainerCreating; the pod worker
    re-syncs in 10-15 s."""
    st = pod["status"]
    old = {cs["name"]: cs for cs in st.get("containerStatuses") or []}
    st["containerStatuses"] = [
        _waiting(c, failed[c["name"]][0], failed[c["name"]][1], old.get(c["name"])) if c["name"] in failed
        else {**old.get(c["name"], {}), "name": c["name"], "image": c["image"]}
        for c in pod["spec"]["containers"]]
    st["phase"] = "Pending"
    st["conditions"] = _conditions(cluster, pod, False, running=True)
    server.update_internal(cluster, pod)
    schedule_sync(cluster, pod, cluster.now + cluster.rng.uniform(10.0, 15.0))


def schedule_sync(cluster, pod: dict, due: float) -> None:
    """One live re-sync timer per pod: a newer one supersedes the older (which then does nothing)."""
    m = pod["metadata"]
    cluster.meta.setdefault(SYNC_KEY, {})[m["uid"]] = due
    cluster.schedule(due, "image-sync", {"namespace": m["namespace"], "name": m["name"], "uid": m["uid"], "due": due})


def pulling_blocked(pod: dict) -> bool:
    return any((cs.get("state", {}).get("waiting") or {}).get("reason") in PULL_WAIT
               for cs in (pod.get("status") or {}).get("containerStatuses") or [])


def on_sync(cluster, ref: dict) -> None:
    """The pod worker's re-sync of a pod whose image pull failed."""
    syncs = cluster.meta.get(SYNC_KEY, {})
    if syncs.get(ref["uid"]) != ref.get("due"):
        return
    pod = kubelet._find(cluster, ref)
    if pod is None or not pulling_blocked(pod):
        syncs.pop(ref["uid"], None)
        _forget(cluster, ref["uid"])
        return
    backoffs = cluster.meta.get(BACKOFF_KEY, {})
    uid, node = ref["uid"], pod["spec"]["nodeName"]
    waiting = [c for c in pod["spec"]["containers"]
               if (backoffs.get(f"{uid}_{c['image']}") or {}).get("until", 0) > cluster.now]
    if not waiting:
        kubelet.on_start(cluster, ref)
        return
    old = {cs["name"]: cs for cs in pod["status"]["containerStatuses"]}
    for c in waiting:
        cluster.record_event(pod, "Normal", "BackOff", f'Back-off pulling image "{c["image"]}"', "kubelet", node,
                             stored=True)
        cluster.record_event(pod, "Warning", "Failed", "Error: ImagePullBackOff", "kubelet", node, stored=True)
    names_ = {c["name"] for c in waiting}
    pod["status"]["containerStatuses"] = [
        _waiting(c, "ImagePullBackOff", f'Back-off pulling image "{c["image"]}"', old.get(c["name"]))
        if c["name"] in names_ else old[c["name"]] for c in pod["spec"]["containers"]]
    server.update_internal(cluster, pod)
    schedule_sync(cluster, pod, cluster.now + cluster.rng.uniform(10.0, 15.0))


def on_spec_change(cluster, pod: dict) -> None:
    """A pod whose image changed while its pull was failing is synced at once (no back-off for
    the new image). Called by the kubelet's reconcile."""
    st = pod.get("status") or {}
    by_name = {c["name"]: c["image"] for c in pod["spec"]["containers"]}
    changed = False
    for cs in st.get("containerStatuses") or []:
        reason = (cs.get("state", {}).get("waiting") or {}).get("reason")
        if reason in PULL_WAIT and by_name.get(cs["name"], cs.get("image")) != cs.get("image"):
            cs["image"] = by_name[cs["name"]]
            changed = True
    if changed:
        server.update_internal(cluster, pod)
        schedule_sync(cluster, pod, cluster.now + cluster.rng.uniform(0.3, 1.0))


def _forget(cluster, uid: str) -> None:
    backoffs = cluster.meta.get(BACKOFF_KEY)
    if backoffs:
        for k in [k for k in backoffs if k.startswith(uid + "_")]:
            del backoffs[k]


def started(cluster, uid: str) -> None:
    """The pod's images are all there: its back-off bookkeeping goes (the kubelet GCs it too)."""
    cluster.meta.get(SYNC_KEY, {}).pop(uid, None)
    _forget(cluster, uid)
