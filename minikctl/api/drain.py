"""kubectl drain's rules (k8s.io/kubectl/pkg/drain): which pods on a node may go, and the eviction.

Why here: the filter chain decides what `drain` evicts and what it refuses, with kubectl's own
texts; the verb only prints. The filters run in kubectl's order (skip deleted, DaemonSet, mirror,
local storage, unreplicated), a pod stops at the first filter that keeps it, and a pod that
passes them all carries the last filter's status (so only the last warning survives, as in Go).
Eviction is the pods/eviction subresource: a PodDisruptionBudget may refuse it (429, which drain
retries every 5 s); otherwise a graceful delete, which the kubelet finishes after the grace period.
"""
from __future__ import annotations

from dataclasses import dataclass
from minikctl import lazy

disruption = lazy.module("minikctl.sim.controllers.disruption")
selectors = lazy.module("minikctl.api.selectors")
server = lazy.module("minikctl.api.server")
timeutil = lazy.module("minikctl.timeutil")

DS_FATAL = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)"
DS_WARNING = "ignoring DaemonSet-managed Pods"
LOCAL_FATAL = "Pods with local storage (use --delete-emptydir-data to override)"
LOCAL_WARNING = "deleting Pods with local storage"
UNMANAGED_FATAL = "cannot delete Pods that declare no controller (use --force to override)"
UNMANAGED_WARNING = "deleting Pods that declare no controller"
MIRROR = "kubernetes.io/config.mirror"


@dataclass
class Options:
    force: bool = False
    ignore_daemonsets: bool = False
    delete_emptydir_data: bool = False
    pod_selector: str = ""
    skip_wait_for_delete_timeout: int = 0


@dataclass
class Status:
    delete: bool
    reason: str = "Okay"        # Okay | Skip | Warning | Error
    message: str = ""


OKAY = Status(True)
SKIP = Status(False, "Skip")


def _finished(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def _controller(pod: dict) -> dict | None:
    return next((r for r in pod["metadata"].get("ownerReferences") or [] if r.get("controller")), None)


def _skip_deleted(view, pod, o: Options) -> Status:
    ts = pod["metadata"].get("deletionTimestamp")
    if o.skip_wait_for_delete_timeout > 0 and ts and view.now - timeutil.parse(ts) > o.skip_wait_for_delete_timeout:
        return SKIP
    return OKAY


def _daemonset(view, pod, o: Options) -> Status:
    ref = _controller(pod)
    if ref is None or ref.get("kind") != "DaemonSet" or _finished(pod):
        return OKAY
    if view.get("DaemonSet", pod["metadata"]["namespace"], ref["name"]) is None:
        msg = f'daemonsets.apps "{ref["name"]}" not found'
        return Status(True, "Warning", msg) if o.force else Status(False, "Error", msg)
    if not o.ignore_daemonsets:
        return Status(False, "Error", DS_FATAL)
    return Status(False, "Warning", DS_WARNING)


def _mirror(view, pod, o: Options) -> Status:
    return SKIP if MIRROR in (pod["metadata"].get("annotations") or {}) else OKAY


def _local_storage(view, pod, o: Options) -> Status:
    if not any("emptyDir" in v for v in pod["spec"].get("volumes") or []) or _finished(pod):
        return OKAY
    if not o.delete_emptydir_data:
        return Status(False, "Error", LOCAL_FATAL)
    return Status(True, "Warning", LOCAL_WARNING)


def _unreplicated(view, pod, o: Options) -> Status:
    if _finished(pod) or _controller(pod) is not None:
        return OKAY
    if o.force:
        return Status(True, "Warning", UNMANAGED_WARNING)
    return Status(False, "Error", UNMANAGED_FATAL)


FILTERS = (_skip_deleted, _daemonset, _mirror, _local_storage, _unreplicated)


@dataclass
class DeleteList:
    items: list[tuple[dict, Status]]

    def pods(self) -> list[dict]:
        return [p for p, s in self.items if s.delete]

    def warnings(self) -> str:
        """'message: ns/a, ns/b; other: ns/c' (PodDeleteList.Warnings)."""
        by: dict[str, list[str]] = {}
        for p, s in self.items:
            if s.reason == "Warning":
                by.setdefault(s.message, []).append(_nsname(p))
        return "; ".join(f"{m}: {', '.join(ps)}" for m, ps in by.items())

    def errors(self) -> list[str]:
        by: dict[str, list[str]] = {}
        for p, s in self.items:
            if s.reason == "Error":
                by.setdefault(s.message or "unexpected error", []).append(_nsname(p))
        # kubectl prefixes every message, unmanagedFatal's own "cannot delete" included, so it
        # prints "cannot delete cannot delete Pods that declare no controller" (drain/filters.go)
        return [f"cannot delete {m}: {', '.join(ps)}" for m, ps in by.items()]


def _nsname(pod: dict) -> str:
    return f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"


def pods_for_deletion(view, node: str, o: Options) -> DeleteList:
    """The pods on `node` (matching --pod-selector), each with the status the filter chain gives it,
    in the apiserver's list order (namespace, name)."""
    sel = selectors.parse_selector(o.pod_selector) if o.pod_selector else None
    items = []
    for pod in view.list("Pod"):
        if pod["spec"].get("nodeName") != node:
            continue
        if sel is not None and not selectors.matches(sel, pod["metadata"].get("labels")):
            continue
        status = OKAY
        for f in FILTERS:
            status = f(view, pod, o)
            if not status.delete:
                break
        items.append((pod, status))
    return DeleteList(items)


def evict(cluster, pod: dict, grace: int | None = None) -> None:
    """The eviction (or, with --disable-eviction, the delete): a graceful delete with the pod's own
    terminationGracePeriodSeconds unless --grace-period gave one (negative = the pod's)."""
    if pod["metadata"].get("deletionTimestamp"):
        return  # already terminating: the kubelet is finishing it
    server.delete_internal(cluster, pod, grace if grace is not None and grace >= 0 else None)


def evict_subresource(cluster, pod: dict, grace: int | None = None) -> None:
    """POST pods/NAME/eviction: PodDisruptionBudgets decide (sim/controllers/disruption.evict);
    raises the apiserver's 429 when a budget forbids it."""
    disruption.evict(cluster, pod, grace)


def gone(view, pod: dict) -> bool:
    """kubectl's waitForDelete test: NotFound, or a new pod with the same name (another UID)."""
    cur = view.get("Pod", pod["metadata"]["namespace"], pod["metadata"]["name"])
    return cur is None or cur["metadata"].get("uid") != pod["metadata"].get("uid")


def go_duration(secs: float) -> str:
    """Go's time.Duration String() for whole and fractional seconds: 10s, 1m0s, 1h2m3s, 500ms."""
    if secs == 0:
        return "0s"
    if secs < 1:
        return f"{secs * 1000:g}ms"
    h, rem = divmod(secs, 3600)
    m, s = divmod(rem, 60)
    out = f"{int(h)}h" if h else ""
    if h or m:
        out += f"{int(m)}m"
    return out + f"{s:g}s"
