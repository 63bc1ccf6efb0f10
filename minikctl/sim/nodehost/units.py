"""The systemd units a kubeadm node runs that the CKA touches: kubelet.service and
containerd.service. Their state (active or not, enabled or not, since when, main PID) is kept in
the cluster meta `nodeUnits` per node; a node never touched has both enabled and running since
its boot.
"""
from __future__ import annotations

META = "nodeUnits"
UNITS = ("kubelet", "containerd")


def _boot(view) -> float:
    from minikctl.sim.nodehost.pki import boot_time
    return boot_time(view)


def state(view, node: str, unit: str) -> dict:
    """{"active": "active"|"inactive"|"failed"|"activating", "enabled": bool, "since": t, "pid": n}"""
    meta = getattr(view, "meta", None) or {}
    got = ((meta.get(META) or {}).get(node) or {}).get(unit)
    if got is not None:
        return got
    base = 1000 + sum(map(ord, node + unit)) % 9000
    return {"active": "active", "enabled": True, "since": _boot(view), "pid": base}


def put(cluster, node: str, unit: str, st: dict) -> None:
    cluster.meta.setdefault(META, {}).setdefault(node, {})[unit] = st


def runtime_down_error(view, node: str) -> str | None:
    """crictl's error when containerd is not running (its socket is gone)."""
    if state(view, node, "containerd")["active"] == "active":
        return None
    sock = "/run/containerd/containerd.sock"
    return (f'time="{_iso(view.now)}" level=fatal msg="validate service connection: validate CRI v1 runtime API '
            f'for endpoint \\"unix://{sock}\\": rpc error: code = Unavailable desc = connection error: desc = '
            f'\\"transport: Error while dialing: dial unix {sock}: connect: no such file or directory\\""\n')


def _iso(t: float) -> str:
    import datetime
    return datetime.datetime.fromtimestamp(t, tz=datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
