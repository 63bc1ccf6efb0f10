"""What a container has mounted, and the two applets that show it: `mount` (/proc/mounts as
`SOURCE on TARGET type FSTYPE (OPTIONS)`) and `df` (the mounts with blocks, busybox's fixed
columns or GNU's computed widths).

One list for both (`mounts`), derived as containerd and the kubelet build a pod's container:
the overlay root, the runtime's /proc, /dev, /sys mounts, the kubelet's /etc/hosts,
/etc/hostname, /etc/resolv.conf and /dev/termination-log (files on the node's disk), the
service-account token (tmpfs), then each volumeMount by its volume's kind (emptyDir and
hostPath on the node's disk, secret and projected on tmpfs, configMap and downwardAPI on the
node's disk, a claim on its volume's storage), then the paths the runtime masks. Sizes come from
the node's capacity; used blocks are a stable share of them (values, not layout, are simulated).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
import math
from minikctl import lazy

amount = lazy.function("minikctl.api.resources", "amount")
fs_of = lazy.function("minikctl.images.applets.common", "fs")
path = lazy.function("minikctl.images.applets.common", "path")

NODE_DISK = "/dev/sda1"
SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
PSEUDO = {"proc", "sysfs", "devpts", "mqueue", "cgroup2"}


@dataclass
class Mount:
    source: str
    target: str
    fstype: str
    options: str
    blocks: int = 0            # 1K blocks; 0 for the pseudo file systems (df leaves them out)
    used: int = 0


def _node(view, pod: dict) -> dict:
    name = (pod.get("spec") or {}).get("nodeName")
    return (view.get("Node", None, name) if name else None) or {}


def _kib(quantity: str | None, default: int) -> int:
    if not quantity:
        return default
    try:
        return int(amount(quantity)) // 1024
    except Exception:
        return default


def node_disk(view, pod: dict) -> tuple[int, int]:
    """(1K blocks, used) of the node's root disk: its ephemeral-storage capacity, a stable share used."""
    cap = ((_node(view, pod).get("status") or {}).get("capacity") or {})
    total = _kib(cap.get("ephemeral-storage"), 102626232)
    share = 8 + int(hashlib.sha256(str(total).encode()).digest()[0]) % 10      # 8-17 %
    return total, total * share // 100


def node_memory_kib(view, pod: dict) -> int:
    cap = ((_node(view, pod).get("status") or {}).get("capacity") or {})
    return _kib(cap.get("memory"), 4015996)


def _snapshot(pod: dict, name: str) -> tuple[int, int]:
    h = hashlib.sha256(f"{pod['metadata'].get('uid')}/{name}".encode()).digest()
    low = 20 + h[0] % 60
    return low, low + 40 + h[1] % 40


def mounts(view, pod: dict, container: dict) -> list[Mount]:
    spec = pod.get("spec") or {}
    disk, used = node_disk(view, pod)
    mem = node_memory_kib(view, pod)
    low, up = _snapshot(pod, container.get("name") or "")
    snap = "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots"
    out = [Mount("overlay", "/", "overlay",
                 f"rw,relatime,lowerdir={snap}/{low}/fs,upperdir={snap}/{up}/fs,workdir={snap}/{up}/work",
                 disk, used),
           Mount("proc", "/proc", "proc", "rw,nosuid,nodev,noexec,relatime"),
           Mount("tmpfs", "/dev", "tmpfs", "rw,nosuid,size=65536k,mode=755", 65536, 0),
           Mount("devpts", "/dev/pts", "devpts", "rw,nosuid,noexec,relatime,gid=5,mode=620,ptmxmode=666"),
           Mount("mqueue", "/dev/mqueue", "mqueue", "rw,nosuid,nodev,noexec,relatime"),
           Mount("sysfs", "/sys", "sysfs", "ro,nosuid,nodev,noexec,relatime"),
           Mount("cgroup", "/sys/fs/cgroup", "cgroup2", "ro,nosuid,nodev,noexec,relatime")]
    vols = {v.get("name"): v for v in spec.get("volumes") or []}
    vm = list(container.get("volumeMounts") or [])
    for target in ("/etc/hosts", "/dev/termination-log", "/etc/hostname", "/etc/resolv.conf"):
        out.append(Mount(NODE_DISK, target, "ext4", "rw,relatime", disk, used))
    out.append(Mount("shm", "/dev/shm", "tmpfs", "rw,nosuid,nodev,noexec,relatime,size=65536k", 65536, 0))
    limit = _kib(((container.get("resources") or {}).get("limits") or {}).get("memory"), mem)
    for m in vm:
        vol = vols.get(m.get("name")) or {}
        target = m.get("mountPath") or "/"
        ro = "ro" if m.get("readOnly") or any(k in vol for k in ("configMap", "secret", "projected",
                                                                   "downwardAPI")) else "rw"
        if "secret" in vol or "projected" in vol or (vol.get("emptyDir") or {}).get("medium") == "Memory":
            size = _kib((vol.get("emptyDir") or {}).get("sizeLimit"), limit)
            out.append(Mount("tmpfs", target, "tmpfs", f"{ro},relatime,size={size}k", size, 12))
        elif "persistentVolumeClaim" in vol:
            out.append(_claim_mount(view, pod, vol, target, ro, disk, used))
        else:
            out.append(Mount(NODE_DISK, target, "ext4", f"{ro},relatime", disk, used))
    if spec.get("automountServiceAccountToken", True) is not False and not any(
            m.get("mountPath") == SA_DIR for m in vm):
        out.append(Mount("tmpfs", SA_DIR, "tmpfs", f"ro,relatime,size={limit}k", limit, 12))
    for p in ("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"):
        out.append(Mount("proc", p, "proc", "ro,nosuid,nodev,noexec,relatime"))
    for p in ("/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
              "/proc/scsi", "/sys/firmware"):
        out.append(Mount("tmpfs", p, "tmpfs", "ro,relatime"))
    return out


def node_mounts(view, node_name: str) -> list[Mount]:
    """A kubeadm node's own mounts (its root disk, /run, /dev/shm, the EFI partition)."""
    node = view.get("Node", None, node_name) or {}
    cap = ((node.get("status") or {}).get("capacity") or {})
    disk = _kib(cap.get("ephemeral-storage"), 102626232)
    used = disk * (8 + int(hashlib.sha256(str(disk).encode()).digest()[0]) % 10) // 100
    mem = _kib(cap.get("memory"), 4015996)
    return [Mount("sysfs", "/sys", "sysfs", "rw,nosuid,nodev,noexec,relatime"),
            Mount("proc", "/proc", "proc", "rw,nosuid,nodev,noexec,relatime"),
            Mount("udev", "/dev", "devtmpfs", f"rw,nosuid,relatime,size={mem // 2}k,mode=755", mem // 2, 0),
            Mount("tmpfs", "/run", "tmpfs", f"rw,nosuid,nodev,noexec,relatime,size={mem // 10}k,mode=755",
                  mem // 10, 1680),
            Mount(NODE_DISK, "/", "ext4", "rw,relatime,discard,errors=remount-ro", disk, used),
            Mount("tmpfs", "/dev/shm", "tmpfs", "rw,nosuid,nodev", mem // 2, 0),
            Mount("/dev/sda15", "/boot/efi", "vfat", "rw,relatime,fmask=0077,dmask=0077", 106832, 6186)]


def _table(ctx) -> list[Mount] | None:
    if ctx.pod is not None and _container(ctx) is not None:
        return mounts(ctx.view, ctx.pod, _container(ctx))
    if ctx.node:
        return node_mounts(ctx.view, ctx.node)
    return None


def _claim_mount(view, pod, vol, target, ro, disk, used) -> Mount:
    ns = pod["metadata"].get("namespace") or "default"
    pvc = view.get("PersistentVolumeClaim", ns, (vol.get("persistentVolumeClaim") or {}).get("claimName")) or {}
    pv = view.get("PersistentVolume", None, (pvc.get("spec") or {}).get("volumeName") or "") or {}
    nfs = (pv.get("spec") or {}).get("nfs")
    if nfs:
        size = _kib(((pv.get("spec") or {}).get("capacity") or {}).get("storage"), disk)
        return Mount(f"{nfs.get('server')}:{nfs.get('path')}", target, "nfs4",
                     f"{ro},relatime,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,"
                     "retrans=2,sec=sys", size, size // 50)
    return Mount(NODE_DISK, target, "ext4", f"{ro},relatime", disk, used)


def _container(ctx) -> dict | None:
    pod = ctx.pod or {}
    cs = (pod.get("spec") or {}).get("containers") or []
    return next((c for c in cs if c.get("name") == ctx.container), cs[0] if cs else None)


def mount(ctx, argv, style):
    """mount with no arguments: the mount table. Mounting anything needs privileges a container lacks."""
    table = _table(ctx)
    if table is None:
        return "", "minikctl: mount here is not simulated\n", 126
    if len(argv) > 1 and not all(a in ("-v",) for a in argv[1:]):
        if argv[1] == "-t" and len(argv) == 3:
            rows = [m for m in table if m.fstype == argv[2]]
            return "".join(f"{m.source} on {m.target} type {m.fstype} ({m.options})\n" for m in rows), "", 0
        return "", ("mount: permission denied (are you root?)\n" if style == "busybox"
                    else "mount: only root can do that (effective UID is 0)\n"), 255 if style == "busybox" else 1
    return "".join(f"{m.source} on {m.target} type {m.fstype} ({m.options})\n" for m in table), "", 0


# --- df ------------------------------------------------------------------------------------------

def bb_human(kib: int) -> str:
    """busybox's make_human_readable_str over 1K blocks: 0, else one decimal and a unit."""
    if kib == 0:
        return "0"
    v, units = float(kib), "KMGTPE"
    u = 0
    while v >= 1024 and u < len(units) - 1:
        v /= 1024
        u += 1
    return f"{v:.1f}{units[u]}"


def gnu_human(kib: int) -> str:
    """coreutils' -h (human_ceiling, powers of 1024): one decimal below 10, rounded up."""
    if kib == 0:
        return "0"
    v, units = float(kib), "KMGTPE"
    u = 0
    while v >= 1024 and u < len(units) - 1:
        v /= 1024
        u += 1
    if v < 10:
        t = math.ceil(v * 10) / 10
        if t >= 10:
            return f"{math.ceil(v)}{units[u]}"
        return f"{t:.1f}{units[u]}"
    n = math.ceil(v)
    if n >= 1024 and u < len(units) - 1:
        return f"1.0{units[u + 1]}"
    return f"{n}{units[u]}"


def _avail(m: Mount) -> int:
    """Free blocks an unprivileged writer gets: ext4 (and the overlay on it) keep 5% for root."""
    reserve = m.blocks * 5 // 100 if m.fstype in ("ext4", "overlay") else 0
    return max(0, m.blocks - m.used - reserve)


def _pct(used: int, avail: int, style: str) -> str:
    """Use%: busybox rounds to nearest, coreutils rounds up."""
    total = used + avail
    if not total:
        return "-" if style == "gnu" else "0%"
    if style == "busybox":
        return f"{(used * 100 + total // 2) // total}%"
    return f"{math.ceil(used * 100 / total)}%"


def df(ctx, argv, style):
    """df [-h] [-k] [PATH...]: the mounts with blocks (one per target, as /proc/mounts lists them)."""
    args = [a for a in argv[1:] if not a.startswith("-")]
    human = any(a.startswith("-") and "h" in a for a in argv[1:])
    table = _table(ctx)
    if table is None:
        return "", "minikctl: df here is not simulated\n", 126
    table = [m for m in table if m.blocks]
    if args:
        f = fs_of(ctx)
        picked, err = [], ""
        for a in args:
            p = path(ctx, a)
            mounted = any(p == m.target or p.startswith(m.target + "/") for m in table if m.target != "/")
            if f is not None and f.kind(p) is None and not mounted:
                err += (f"df: {a}: No such file or directory\n" if style == "busybox"
                        else f"df: {a}: No such file or directory\n")
                continue
            best = max((m for m in table if p == m.target or p.startswith(m.target.rstrip("/") + "/")),
                       key=lambda m: len(m.target), default=table[0])
            picked.append(best)
        if not picked:
            return "", err, 1
        table = picked
    else:
        err = ""
    rows = [(m.source, m.blocks, m.used, _avail(m), _pct(m.used, _avail(m), style), m.target) for m in table]
    if style == "busybox":
        head = ("Filesystem                Size      Used Available Use% Mounted on\n" if human else
                "Filesystem           1K-blocks      Used Available Use% Mounted on\n")
        out = [head]
        for src, b, u, a, p, t in rows:
            vals = (bb_human(b), bb_human(u), bb_human(a)) if human else (b, u, a)
            lead = f"{src}\n{'':20}" if len(src) > 20 else f"{src:<20}"
            out.append(f"{lead}{vals[0]:>10}{vals[1]:>10}{vals[2]:>10}{p:>5} {t}\n")
        return "".join(out), err, 1 if err else 0
    heads = ["Filesystem", "Size" if human else "1K-blocks", "Used", "Avail" if human else "Available", "Use%",
             "Mounted on"]
    cells = [[src, *((gnu_human(b), gnu_human(u), gnu_human(a)) if human else (str(b), str(u), str(a))), p, t]
             for src, b, u, a, p, t in rows]
    mins = [14, 5, 5, 5, 4, 0]              # coreutils' df field_data widths
    widths = [max([mins[i], len(heads[i])] + [len(c[i]) for c in cells]) for i in range(6)]

    def line(vals):
        return " ".join([f"{vals[0]:<{widths[0]}}"] + [f"{vals[i]:>{widths[i]}}" for i in range(1, 5)]
                        + [vals[5]]) + "\n"
    return line(heads) + "".join(line(c) for c in cells), err, 1 if err else 0


TABLE = {"mount": mount, "df": df}
