"""PriorityClasses: the two every cluster has (system-cluster-critical, system-node-critical),
made at init like the apiserver's bootstrap, and the Priority admission plugin that gives a pod
the value and preemption policy of its class (or of the global default class)."""
from __future__ import annotations
from minikctl import lazy

_uid = lazy.function("minikctl.sim.controllers.serviceaccount", "_uid")
server = lazy.module("minikctl.api.server")

SYSTEM = (
    ("system-node-critical", 2000001000, "Used for system critical pods that must not be moved from their current node."),
    ("system-cluster-critical", 2000000000, "Used for system critical pods that must run in the cluster, but can be "
                                            "moved to another node if necessary."),
)
MAX_USER = 1_000_000_000


def ensure(cluster) -> None:
    for name, value, desc in SYSTEM:
        if cluster.get("PriorityClass", None, name) is None:
            server.create_internal(cluster, {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
                                             "metadata": {"name": name, "uid": _uid(cluster, "", f"pc/{name}")},
                                             "value": value, "description": desc,
                                             "preemptionPolicy": "PreemptLowerPriority"}, keep_uid=True)


def admit(view, pod: dict) -> str | None:
    """Set spec.priority / preemptionPolicy from the pod's class; the refusal text, or None."""
    spec = pod.setdefault("spec", {})
    name = spec.get("priorityClassName")
    if name:
        pc = view.get("PriorityClass", None, name)
        if pc is None:
            return f"no PriorityClass with name {name} was found"
    else:
        pc = next((c for c in view.list("PriorityClass") if c.get("globalDefault")), None)
        if pc is None:
            return None
        spec["priorityClassName"] = pc["metadata"]["name"]
    value = int(pc.get("value") or 0)
    if spec.get("priority") is not None and spec["priority"] != value and name:
        return (f"the integer value of priority ({spec['priority']}) must not be provided in pod spec; priority "
                f"admission controller computed {value} from the given PriorityClass name")
    spec["priority"] = value
    spec["preemptionPolicy"] = pc.get("preemptionPolicy") or "PreemptLowerPriority"
    return None
