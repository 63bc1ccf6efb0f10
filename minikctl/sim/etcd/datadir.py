"""Which data directory the etcd static pod serves, and what changes when it moves.

kubeadm's etcd runs with --data-dir=/var/lib/etcd, a hostPath volume `etcd-data` mounted there.
The directory on the control-plane node that etcd really uses is that volume's hostPath (plus
what of --data-dir lies below the mount). The store is that directory's database while etcd
serves it; `cluster.meta["etcdDataDir"]` remembers which directory that is.

When the manifest points somewhere else (the Operating-etcd restore: hostPath
/var/lib/etcd-from-backup), the kubelet restarts etcd there: the live objects are written out
to the old directory's member/snap/db (so pointing back brings them back), and the new
directory's database becomes the store. A directory with no database would make etcd start a
new, empty cluster: that is not simulated (the objects stay, and the caller says so).
"""
from __future__ import annotations
from minikctl import lazy

nodehost = lazy.module("minikctl.sim.nodehost")
snapshot = lazy.module("minikctl.sim.etcd.snapshot")
yaml = lazy.module("yaml")

DEFAULT = "/var/lib/etcd"
MANIFEST = "/etc/kubernetes/manifests/etcd.yaml"


def live(view) -> str:
    return (getattr(view, "meta", None) or {}).get("etcdDataDir") or DEFAULT


def db_path(data_dir: str) -> str:
    return data_dir.rstrip("/") + "/member/snap/db"


def from_manifest(text: str | None) -> str | None:
    """The host directory etcd's --data-dir is on, per the manifest; None: no etcd pod there."""
    if not text:
        return None
    try:
        pod = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None
    if not isinstance(pod, dict):
        return None
    spec = pod.get("spec") or {}
    ctrs = [c for c in spec.get("containers") or [] if isinstance(c, dict)]
    if not ctrs:
        return None
    c = next((c for c in ctrs if c.get("name") == "etcd"), ctrs[0])
    data_dir = "default.etcd"
    for a in list(c.get("command") or []) + list(c.get("args") or []):
        if isinstance(a, str) and a.startswith("--data-dir="):
            data_dir = a.split("=", 1)[1]
    vols = {v.get("name"): v for v in spec.get("volumes") or [] if isinstance(v, dict)}
    best = None
    for m in c.get("volumeMounts") or []:
        mp = str(m.get("mountPath") or "").rstrip("/")
        if mp and (data_dir == mp or data_dir.startswith(mp + "/")) and (best is None or len(mp) > len(best[0])):
            best = (mp, m)
    if best is None:
        return None  # inside the container's own layer: gone with the container
    hp = ((vols.get(best[1].get("name")) or {}).get("hostPath") or {}).get("path")
    if not hp:
        return None
    return (str(hp).rstrip("/") + data_dir[len(best[0]):]) or "/"


def write_db(fs, data_dir: str, db_text: str, snap_index: int) -> None:
    """A data directory as etcd (or etcdutl restore) leaves it in the node's file system `fs`
    (images/fs.FileSystem): member/snap/db, a raft snapshot and a WAL beside it."""
    base = data_dir.rstrip("/")
    for d in (f"{base}/member/snap", f"{base}/member/wal"):
        fs.mkdir(d, parents=True)
    fs.write(db_path(base), db_text)
    fs.write(f"{base}/member/snap/{1:016x}-{snap_index:016x}.snap", f"raft snapshot: term 1, index {snap_index}\n")
    fs.write(f"{base}/member/wal/{0:016x}-{0:016x}.wal", "raft write-ahead log\n")


def sync(cluster, node: str) -> str | None:
    """Follow the etcd manifest to its data directory; a note for the learner when minikctl
    cannot (a directory without a database), else None."""
    fs = nodehost.fs(cluster, node)
    wanted = from_manifest(fs.read(MANIFEST))
    current = live(cluster)
    if wanted is None or wanted.rstrip("/") == current.rstrip("/"):
        return None
    text = fs.read(db_path(wanted))
    if text is None:
        return (f"minikctl: etcd starting on {wanted}, a data directory without a database (a new, empty "
                f"cluster), is not simulated; etcd keeps serving {current}")
    try:
        snap = snapshot.Snapshot(text)
    except snapshot.SnapshotError:
        return (f"minikctl: etcd starting on {wanted}, whose member/snap/db is not a database minikctl wrote, "
                f"is not simulated; etcd keeps serving {current}")
    # the directory etcd leaves keeps what it served, for a later switch back
    write_db(fs, current, snapshot.payload(cluster), cluster.revision)
    cluster.replace_objects(snap.objects(), snap.revision)
    cluster.meta["etcdDataDir"] = wanted.rstrip("/") or "/"
    _kubelets_resume(cluster)
    return None


def _kubelets_resume(cluster) -> None:
    """Pods the snapshot caught while their containers were being created: the kubelet on their
    node picks them up again (their start timers belonged to the state etcd left)."""
    pending = {p.get("uid") for _, _, what, p in cluster.timers if what == "pod-start"}
    for pod in cluster.list("Pod"):
        m, st = pod["metadata"], pod.get("status") or {}
        waiting = [c for c in st.get("containerStatuses") or []
                   if ((c.get("state") or {}).get("waiting") or {}).get("reason") == "ContainerCreating"]
        if waiting and len(waiting) == len(st["containerStatuses"]) and m.get("uid") not in pending:
            cluster.schedule(cluster.now + 0.5, "pod-start",
                             {"namespace": m.get("namespace", ""), "name": m["name"], "uid": m.get("uid")})
