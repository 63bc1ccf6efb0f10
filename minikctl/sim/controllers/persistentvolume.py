"""The PersistentVolume controller (kube-controller-manager's persistentvolume-binder), the
external provisioner the cluster's classes name (Rancher's local-path), the expander, and the
pvc-protection / pv-protection controllers.

Claims: a claim naming a volume (spec.volumeName) binds to it if the volume satisfies it, else
a VolumeMismatch event; other claims get the best match (volume_match.find_match). No match:
a WaitForFirstConsumer class waits for the scheduler (which picks the node and annotates the
claim volume.kubernetes.io/selected-node); a class with a provisioner provisions (ExternalProvisioning,
then the provisioner's Provisioning / ProvisioningSucceeded and a PV named pvc-<claim uid>); a
claim with no class gets FailedBinding; a class that does not exist ProvisioningFailed.
Volumes: Available, Bound, Released when their claim is gone; then the reclaim policy: Retain
keeps the volume Released (an admin clears spec.claimRef to reuse it), Delete deletes what a
provisioner made (a static volume cannot be deleted: Failed with VolumeFailedDelete).
"""
from __future__ import annotations

import copy

from minikctl.api import quantity, server
from minikctl.api.storage_admission import PV_FINALIZER, PVC_FINALIZER
from minikctl.sim.controllers import volume_match as vm

COMPONENT = "persistentvolume-controller"
SELECTED_NODE = "volume.kubernetes.io/selected-node"
PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"
BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller"
BIND_COMPLETED = "pv.kubernetes.io/bind-completed"
STORAGE_PROVISIONER = ("volume.beta.kubernetes.io/storage-provisioner", "volume.kubernetes.io/storage-provisioner")
LOCAL_PATH = "rancher.io/local-path"
LOCAL_PATH_DIR = "/opt/local-path-provisioner"


def reconcile(cluster) -> None:
    pvcs = cluster.list("PersistentVolumeClaim")
    pvs = cluster.list("PersistentVolume")
    if not pvcs and not pvs:
        return
    for pv in list(pvs):  # a new volume is Available before any claim looks for one
        if not pv["spec"].get("claimRef") and (pv.get("status") or {}).get("phase") in (None, "Pending"):
            _set_volume_phase(cluster, pv, "Available")
    for pvc in list(pvcs):
        _sync_claim(cluster, pvc)
    for pv in list(cluster.list("PersistentVolume")):
        _sync_volume(cluster, pv)
    _protect_claims(cluster)
    _protect_volumes(cluster)
    told = cluster.meta.get("pv-events")
    if told:
        live = {o["metadata"]["uid"] for k in ("PersistentVolumeClaim", "PersistentVolume") for o in cluster.list(k)}
        for uid in [u for u in told if u not in live]:
            del told[uid]


# ---------------------------------------------------------------------------------------------
# claims


def storage_class(cluster, pvc: dict) -> dict | None:
    cls = vm.claim_class(pvc)
    return cluster.get("StorageClass", None, cls) if cls else None


def delay_binding(cluster, pvc: dict) -> bool:
    sc = storage_class(cluster, pvc)
    return bool(sc) and sc.get("volumeBindingMode") == "WaitForFirstConsumer"


def _event(cluster, obj, etype, reason, msg, component=COMPONENT) -> None:
    """Record an event once per object state: the controllers run to a fixed point many times a
    command, where the real ones re-sync every 15 s; an event already told is not repeated."""
    told = cluster.meta.setdefault("pv-events", {}).setdefault(obj["metadata"]["uid"], [])
    key = f"{reason}\n{msg}"
    if key in told:
        return
    told.append(key)
    cluster.record_event(obj, etype, reason, msg, component)


def _forget(cluster, obj) -> None:
    cluster.meta.get("pv-events", {}).pop(obj["metadata"]["uid"], None)


def _sync_claim(cluster, pvc: dict) -> None:
    spec = pvc.setdefault("spec", {})
    if spec.get("volumeName"):
        pv = cluster.get("PersistentVolume", None, spec["volumeName"])
        if (pvc.get("status") or {}).get("phase") == "Bound":
            if pv is None or (pv["spec"].get("claimRef") or {}).get("uid") not in (None, pvc["metadata"]["uid"]):
                _set_claim_phase(cluster, pvc, "Lost")
                _event(cluster, pvc, "Warning", "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!")
            else:
                _expand(cluster, pvc, pv)
            return
        if pv is None:
            _set_claim_phase(cluster, pvc, "Pending")
            return
        ref = pv["spec"].get("claimRef")
        if ref and not vm.bound_to_claim(pv, pvc):
            _set_claim_phase(cluster, pvc, "Pending")  # the volume belongs to another claim
            return
        why = vm.why_not(pv, pvc)
        if why:
            _event(cluster, pvc, "Warning", "VolumeMismatch", f'Cannot bind to requested volume "{pv["metadata"]["name"]}": {why}')
            _set_claim_phase(cluster, pvc, "Pending")
            return
        _bind(cluster, pv, pvc, by_controller=not ref)
        return
    if pvc["metadata"].get("deletionTimestamp"):
        return
    delayed = delay_binding(cluster, pvc)
    pv = vm.find_match(pvc, cluster.list("PersistentVolume"), delay_binding=delayed)
    if pv is not None:
        _bind(cluster, pv, pvc, by_controller=True)
        return
    ann = pvc["metadata"].get("annotations") or {}
    if delayed and SELECTED_NODE not in ann:
        _wait_for_consumer(cluster, pvc)
    elif vm.claim_class(pvc):
        _provision(cluster, pvc)
    else:
        _event(cluster, pvc, "Normal", "FailedBinding", "no persistent volumes available for this claim and no storage class is set")
    _set_claim_phase(cluster, pvc, "Pending")


def _wait_for_consumer(cluster, pvc: dict) -> None:
    ns, name = pvc["metadata"]["namespace"], pvc["metadata"]["name"]
    # a pod that was there before the claim (a StatefulSet makes the claim first, then the pod)
    born = pvc["metadata"].get("creationTimestamp") or ""
    users = [p for p in cluster.list("Pod", ns) if any((v.get("persistentVolumeClaim") or {}).get("claimName") == name
                                                       for v in p["spec"].get("volumes") or [])
             and (p["metadata"].get("creationTimestamp") or "") < born and not p["spec"].get("nodeName")]
    if users:
        _event(cluster, pvc, "Normal", "WaitForPodScheduled", f"waiting for pod {users[0]['metadata']['name']} to be scheduled")
    else:
        _event(cluster, pvc, "Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding")


def _set_claim_phase(cluster, pvc: dict, phase: str) -> None:
    st = pvc.setdefault("status", {})
    if st.get("phase") != phase:
        st["phase"] = phase
        server.update_internal(cluster, pvc)


def _bind(cluster, pv: dict, pvc: dict, by_controller: bool) -> None:
    """bindVolumeToClaim + bindClaimToVolume: claimRef on the volume, volumeName on the claim,
    both phases Bound, the claim's status from the volume."""
    pm = pvc["metadata"]
    ref = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": pm["name"], "namespace": pm["namespace"],
           "resourceVersion": pm.get("resourceVersion", ""), "uid": pm["uid"]}
    if pv["spec"].get("claimRef") != ref:
        if not pv["spec"].get("claimRef"):
            pv["metadata"].setdefault("annotations", {})[BOUND_BY_CONTROLLER] = "yes"
        pv["spec"]["claimRef"] = ref
    pv.setdefault("status", {})["phase"] = "Bound"
    pv["status"].pop("reason", None)
    pv["status"].pop("message", None)
    server.update_internal(cluster, pv)
    ann = pm.setdefault("annotations", {})
    ann[BIND_COMPLETED] = "yes"
    if by_controller and not pvc["spec"].get("volumeName"):
        ann[BOUND_BY_CONTROLLER] = "yes"
    pvc["spec"]["volumeName"] = pv["metadata"]["name"]
    _forget(cluster, pvc)
    st = pvc.setdefault("status", {})
    st["phase"] = "Bound"
    st["accessModes"] = list(pv["spec"].get("accessModes") or [])
    st["capacity"] = dict(pv["spec"].get("capacity") or {})
    server.update_internal(cluster, pvc)


# ---------------------------------------------------------------------------------------------
# provisioning (the external provisioner named by the class)


def provisioner_identity(cluster, provisioner: str) -> str:
    """The provisioner's event source: '<name>_<pod>_<uuid>' as external provisioners sign."""
    ids = cluster.meta.setdefault("provisioners", {})
    if provisioner not in ids:
        alphabet = "bcdfghjklmnpqrstvwxz2456789"
        rs = "".join(cluster.rng.choice(alphabet) for _ in range(10))
        pod = "".join(cluster.rng.choice(alphabet) for _ in range(5))
        short = provisioner.rsplit("/", 1)[-1]
        ids[provisioner] = f"{provisioner}_{short}-provisioner-{rs}-{pod}_{cluster.new_uid()}"
    return ids[provisioner]


def _provision(cluster, pvc: dict) -> None:
    sc = storage_class(cluster, pvc)
    if sc is None:
        _event(cluster, pvc, "Warning", "ProvisioningFailed",
               f'storageclass.storage.k8s.io "{vm.claim_class(pvc)}" not found')
        return
    prov = sc.get("provisioner") or ""
    ann = pvc["metadata"].setdefault("annotations", {})
    if any(ann.get(k) != prov for k in STORAGE_PROVISIONER):
        for k in STORAGE_PROVISIONER:
            ann[k] = prov
        server.update_internal(cluster, pvc)
    _event(cluster, pvc, "Normal", "ExternalProvisioning",
           f"Waiting for a volume to be created either by the external provisioner '{prov}' or manually by the "
           "system administrator. If volume creation is delayed, please verify that the provisioner is running "
           "and correctly registered.")
    if prov != LOCAL_PATH:
        return  # no such provisioner runs in this cluster: the claim waits, as it would
    node = ann.get(SELECTED_NODE)
    if node is None:
        nodes = [n["metadata"]["name"] for n in cluster.list("Node") if not n["spec"].get("taints")]
        node = cluster.rng.choice(nodes or [n["metadata"]["name"] for n in cluster.list("Node")])
    ident = provisioner_identity(cluster, prov)
    ns, name = pvc["metadata"]["namespace"], pvc["metadata"]["name"]
    _event(cluster, pvc, "Normal", "Provisioning", f'External provisioner is provisioning volume for claim "{ns}/{name}"', ident)
    modes = list(pvc["spec"].get("accessModes") or [])
    if any(m != "ReadWriteOnce" and m != "ReadWriteOncePod" for m in modes):
        _event(cluster, pvc, "Warning", "ProvisioningFailed",
               f"failed to provision volume with StorageClass \"{sc['metadata']['name']}\": Only support ReadWriteOnce, "
               "ReadWriteOncePod access mode", ident)
        return
    pv_name = f"pvc-{pvc['metadata']['uid']}"
    pv = {"apiVersion": "v1", "kind": "PersistentVolume",
          "metadata": {"name": pv_name, "annotations": {PROVISIONED_BY: prov, "local.path.provisioner/selected-node": node}},
          "spec": {"accessModes": modes,
                   "capacity": {"storage": pvc["spec"]["resources"]["requests"]["storage"]},
                   "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": name, "namespace": ns,
                                "resourceVersion": pvc["metadata"].get("resourceVersion", ""), "uid": pvc["metadata"]["uid"]},
                   "hostPath": {"path": f"{LOCAL_PATH_DIR}/{pv_name}_{ns}_{name}", "type": "DirectoryOrCreate"},
                   "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                       {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}},
                   "persistentVolumeReclaimPolicy": sc.get("reclaimPolicy") or "Delete",
                   "storageClassName": sc["metadata"]["name"],
                   "volumeMode": pvc["spec"].get("volumeMode") or "Filesystem"},
          "status": {"phase": "Pending"}}
    if cluster.get("PersistentVolume", None, pv_name) is None:
        server.create_internal(cluster, pv)
    _event(cluster, pvc, "Normal", "ProvisioningSucceeded", f"Successfully provisioned volume {pv_name}", ident)


# ---------------------------------------------------------------------------------------------
# expansion (the external resizer and the kubelet's file system resize)


def _expand(cluster, pvc: dict, pv: dict) -> None:
    """A bound claim asking for more than its capacity: the expand controller hands it to the
    driver's external resizer, which grows the volume (the PV's capacity); the file system is
    grown by the kubelet of a node where a pod mounts the claim - at once if one runs (online
    expansion), else the claim waits with FileSystemResizePending until a pod starts."""
    try:
        want = quantity.value(pvc["spec"]["resources"]["requests"]["storage"])
        have = quantity.value((pvc.get("status") or {}).get("capacity", {}).get("storage", 0))
        pv_size = quantity.value((pv["spec"].get("capacity") or {}).get("storage", 0))
    except (quantity.QuantityError, KeyError):
        return
    if want <= have:
        return
    prov = (pv["metadata"].get("annotations") or {}).get(PROVISIONED_BY, "")
    if not prov:
        return  # a statically provisioned volume: no resizer (admission refuses most of these)
    pv_name = pv["metadata"]["name"]
    new = pvc["spec"]["resources"]["requests"]["storage"]
    st = pvc["status"]
    if pv_size < want:
        _event(cluster, pvc, "Normal", "ExternalExpanding", "waiting for an external controller to expand this PVC",
               "volume_expand")
        _event(cluster, pvc, "Normal", "Resizing", f"External resizer is resizing volume {pv_name}",
               f"external-resizer {prov}")
        pv["spec"]["capacity"] = {"storage": new}
        server.update_internal(cluster, pv)
        _event(cluster, pvc, "Normal", "FileSystemResizeRequired", "Require file system resize of volume on node",
               f"external-resizer {prov}")
    users = [p for p in claim_users(cluster, pvc) if (p.get("status") or {}).get("phase") == "Running"]
    if users:
        node = users[0]["spec"]["nodeName"]
        _event(cluster, pvc, "Normal", "FileSystemResizeSuccessful",
               f'MountVolume.NodeExpandVolume succeeded for volume "{pv_name}" {node}', "kubelet")
        st["capacity"] = {"storage": new}
        st.pop("conditions", None)
        server.update_internal(cluster, pvc)
        _forget(cluster, pvc)  # a later expansion tells its events again
        return
    if not any(c.get("type") == "FileSystemResizePending" for c in st.get("conditions") or []):
        st["conditions"] = [{"type": "FileSystemResizePending", "status": "True", "lastProbeTime": None,
                             "lastTransitionTime": cluster.timestamp(),
                             "message": "Waiting for user to (re-)start a pod to finish file system resize of "
                                        "volume on node."}]
        server.update_internal(cluster, pvc)


# ---------------------------------------------------------------------------------------------
# volumes


def _sync_volume(cluster, pv: dict) -> None:
    spec, st = pv["spec"], pv.setdefault("status", {})
    ref = spec.get("claimRef")
    if not ref:
        _set_volume_phase(cluster, pv, "Available")
        return
    pvc = cluster.get("PersistentVolumeClaim", ref.get("namespace"), ref.get("name") or "")
    if pvc is not None and ref.get("uid") and pvc["metadata"]["uid"] != ref["uid"]:
        pvc = None  # a new claim with the old name is not this volume's claim
    if pvc is None:
        if not ref.get("uid"):
            _set_volume_phase(cluster, pv, "Available")  # pre-bound to a claim not yet created
            return
        if st.get("phase") in ("Released", "Failed"):
            return
        _set_volume_phase(cluster, pv, "Released")
        _reclaim(cluster, pv)
        return
    if pvc["spec"].get("volumeName") == pv["metadata"]["name"]:
        _set_volume_phase(cluster, pv, "Bound")
        return
    if not pvc["spec"].get("volumeName"):
        # the claim has not caught up yet (the scheduler pre-bound the volume): the claim sync binds it
        if st.get("phase") != "Bound":
            _set_volume_phase(cluster, pv, "Available")
        return
    # the claim is bound to another volume
    if (pv["metadata"].get("annotations") or {}).get(BOUND_BY_CONTROLLER) == "yes":
        del spec["claimRef"]
        pv["metadata"]["annotations"].pop(BOUND_BY_CONTROLLER, None)
        st["phase"] = "Available"
        server.update_internal(cluster, pv)
    else:
        _set_volume_phase(cluster, pv, "Released")


def _set_volume_phase(cluster, pv: dict, phase: str, message: str | None = None) -> None:
    st = pv.setdefault("status", {})
    if st.get("phase") == phase and st.get("message") == message:
        return
    st["phase"] = phase
    st["lastPhaseTransitionTime"] = cluster.timestamp()
    if message:
        st["message"] = message
    else:
        st.pop("message", None)
    server.update_internal(cluster, pv)


def _reclaim(cluster, pv: dict) -> None:
    policy = pv["spec"].get("persistentVolumeReclaimPolicy") or "Retain"
    if policy == "Retain":
        return
    name = pv["metadata"]["name"]
    prov = (pv["metadata"].get("annotations") or {}).get(PROVISIONED_BY)
    if policy == "Delete" and prov:
        # the provisioner deletes the volume's storage, then the object
        server.delete(cluster, "PersistentVolume", None, name)
        return
    if policy == "Delete":
        if pv["spec"].get("hostPath") is not None:
            path = pv["spec"]["hostPath"].get("path") or ""
            msg = (f"host_path deleter only supports /tmp/.+ but received provided {path}"
                   if not path.startswith("/tmp/") else None)
            if msg is None:
                server.delete(cluster, "PersistentVolume", None, name)
                return
        else:
            msg = f'error getting deleter volume plugin for volume "{name}": no deletable volume plugin matched'
        _set_volume_phase(cluster, pv, "Failed", msg)
        _event(cluster, pv, "Warning", "VolumeFailedDelete", msg)
        return
    msg = f"minikctl: the Recycle reclaim policy is not simulated (volume \"{name}\")"
    _set_volume_phase(cluster, pv, "Failed", msg)
    _event(cluster, pv, "Warning", "VolumeFailedRecycle", msg)


# ---------------------------------------------------------------------------------------------
# protection


def claim_users(cluster, pvc: dict) -> list[dict]:
    """Pods that keep a claim in use: scheduled, not terminated, with a volume on the claim."""
    ns, name = pvc["metadata"]["namespace"], pvc["metadata"]["name"]
    return [p for p in cluster.list("Pod", ns) if p["spec"].get("nodeName")
            and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
            and any((v.get("persistentVolumeClaim") or {}).get("claimName") == name for v in p["spec"].get("volumes") or [])]


def _protect_claims(cluster) -> None:
    for pvc in list(cluster.list("PersistentVolumeClaim")):
        m = pvc["metadata"]
        if m.get("deletionTimestamp") and PVC_FINALIZER in (m.get("finalizers") or []) and not claim_users(cluster, pvc):
            m["finalizers"] = [f for f in m["finalizers"] if f != PVC_FINALIZER]
            server.update_internal(cluster, pvc)


def _protect_volumes(cluster) -> None:
    for pv in list(cluster.list("PersistentVolume")):
        m = pv["metadata"]
        if m.get("deletionTimestamp") and PV_FINALIZER in (m.get("finalizers") or []) \
                and (pv.get("status") or {}).get("phase") != "Bound":
            m["finalizers"] = [f for f in m["finalizers"] if f != PV_FINALIZER]
            server.update_internal(cluster, pv)


def copy_claim(template: dict) -> dict:
    return copy.deepcopy(template)
