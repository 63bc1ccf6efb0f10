"""The scheduler's VolumeBinding plugin: a pod's claims decide where (and whether) it can run.

PreFilter (the whole pod): a claim that does not exist -> `persistentvolumeclaim "x" not found`,
one being deleted -> `... is being deleted`, an unbound claim of an Immediate class ->
`pod has unbound immediate PersistentVolumeClaims` (the PV controller binds those, not the
scheduler). Filter (each node): a bound volume whose node affinity excludes the node -> `node(s)
had volume node affinity conflict`; an unbound WaitForFirstConsumer claim with no volume for the
node and no provisioner -> `node(s) didn't find available persistent volumes to bind`.
Once a node is chosen (Reserve/PreBind): each WaitForFirstConsumer claim either gets the best
volume for that node (the volume's claimRef is written, the PV controller completes the bind) or
is annotated volume.kubernetes.io/selected-node for its provisioner.
"""
from __future__ import annotations

from minikctl.api import server
from minikctl.sim.controllers import volume_match as vm
from minikctl.sim.scheduling import filters
from minikctl.sim.controllers.persistentvolume import SELECTED_NODE, delay_binding, storage_class

NO_PROVISIONER = "kubernetes.io/no-provisioner"


def claim_names(pod: dict) -> list[str]:
    return [v["persistentVolumeClaim"].get("claimName") for v in pod["spec"].get("volumes") or []
            if isinstance(v.get("persistentVolumeClaim"), dict)]


def _claims(cluster, pod: dict) -> list[tuple[str, dict | None]]:
    ns = pod["metadata"]["namespace"]
    return [(n, cluster.get("PersistentVolumeClaim", ns, n)) for n in claim_names(pod)]


def prefilter(cluster, pod: dict) -> str | None:
    unbound_immediate = False
    for name, pvc in _claims(cluster, pod):
        if pvc is None:
            return f'persistentvolumeclaim "{name}" not found'
        if pvc["metadata"].get("deletionTimestamp"):
            return f'persistentvolumeclaim "{name}" is being deleted'
        if not pvc["spec"].get("volumeName") and not delay_binding(cluster, pvc):
            unbound_immediate = True
    if unbound_immediate:
        return "pod has unbound immediate PersistentVolumeClaims"
    return None


def filter_node(cluster, pod: dict, node: dict) -> str | None:
    for _, pvc in _claims(cluster, pod):
        if pvc is None:
            continue
        name = pvc["spec"].get("volumeName")
        if name:
            pv = cluster.get("PersistentVolume", None, name)
            if pv is not None and not vm.node_affinity_ok(pv, node):
                return "node(s) had volume node affinity conflict"
            continue
        if vm.find_match(pvc, cluster.list("PersistentVolume"), node=node) is not None:
            continue
        sc = storage_class(cluster, pvc)
        if sc is None or sc.get("provisioner") == NO_PROVISIONER:
            return "node(s) didn't find available persistent volumes to bind"
    return None


def assume(cluster, pod: dict, node: dict) -> None:
    """Bind or mark for provisioning each delayed claim of the pod, for the chosen node."""
    taken: set[str] = set()
    for _, pvc in _claims(cluster, pod):
        if pvc is None or pvc["spec"].get("volumeName") or not delay_binding(cluster, pvc):
            continue
        free = [pv for pv in cluster.list("PersistentVolume") if pv["metadata"]["name"] not in taken]
        pv = vm.find_match(pvc, free, node=node)
        if pv is not None:
            taken.add(pv["metadata"]["name"])
            if not vm.bound_to_claim(pv, pvc):
                m = pvc["metadata"]
                pv["spec"]["claimRef"] = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": m["name"],
                                          "namespace": m["namespace"], "resourceVersion": m.get("resourceVersion", ""),
                                          "uid": m["uid"]}
                pv["metadata"].setdefault("annotations", {})["pv.kubernetes.io/bound-by-controller"] = "yes"
                server.update_internal(cluster, pv)
            continue
        ann = pvc["metadata"].setdefault("annotations", {})
        if ann.get(SELECTED_NODE) != node["metadata"]["name"]:
            ann[SELECTED_NODE] = node["metadata"]["name"]
            server.update_internal(cluster, pvc)


def prepare(cluster, cy) -> str | None:
    """PreFilter for the scheduling cycle `cy`: the whole-pod verdict, or None after arming the
    per-node Filter (which needs the cluster's claims and volumes) on the cycle."""
    why = prefilter(cluster, cy.pod)
    if why is None:
        cy.volume_check = lambda info: filter_node(cluster, cy.pod, info.node)
    return why


def filter_plugin(cy, info):
    """VolumeBinding's Filter in the default profile's order: UnschedulableAndUnresolvable."""
    check = getattr(cy, "volume_check", None)
    reason = check(info) if check else None
    return filters.Status((reason,), True) if reason else None


if filter_plugin not in filters.VOLUME_FILTERS:
    filters.VOLUME_FILTERS.append(filter_plugin)


def volumes_ready(cluster, pod: dict) -> bool:
    """The kubelet starts a pod only once every claim it mounts is bound."""
    return all(pvc is not None and (pvc.get("status") or {}).get("phase") == "Bound" for _, pvc in _claims(cluster, pod))
