"""Where a pod volume's data lives, so that it lasts exactly as long as on a real cluster.

The container file system (images/fs.py on the `shell` branch) keeps each writable layer under
a store key; this module answers for the volumes backed by storage objects:

* a persistentVolumeClaim volume -> its bound PersistentVolume's backing: a hostPath or local
  volume is a directory on the node the pod runs on (`node/<node>`, the path: what `ssh NODE`
  and every other pod mounting it see, e.g. the task's /mnt/data/index.html, or the local-path
  provisioner's /opt/local-path-provisioner/pvc-..._ns_claim); an NFS volume is the server's
  export (`nfs/<server>`, the path: the same files from every node); anything else is the
  volume itself (`pv/<name>`). The key follows the PV, not the pod or the claim's name, so a
  file written through the mount is there after the pod is deleted and re-created on the same
  claim, and a StatefulSet pod gets its own data back after a scale-down and up.
* a hostPath volume -> the node's directory; an emptyDir -> the pod's own (gone with the pod).

An unbound or missing claim has no data yet: None.
"""
from __future__ import annotations
import posixpath


def _node_path(path: str) -> str:
    p = posixpath.normpath("/" + (path or "/").lstrip("/"))
    return "/" if p in ("//", "") else p


def pv_location(pv: dict, node: str | None) -> tuple[str, str]:
    spec = pv.get("spec") or {}
    for src in ("hostPath", "local"):
        if spec.get(src) is not None:
            owner = node or _affinity_node(pv) or "node"
            return f"node/{owner}", _node_path(spec[src].get("path") or "/")
    if spec.get("nfs") is not None:
        return f"nfs/{spec['nfs'].get('server') or ''}", _node_path(spec["nfs"].get("path") or "/")
    return f"pv/{pv['metadata']['name']}", "/"


def _affinity_node(pv: dict) -> str | None:
    for term in (((pv.get("spec") or {}).get("nodeAffinity") or {}).get("required") or {}).get("nodeSelectorTerms") or []:
        for e in term.get("matchExpressions") or []:
            if e.get("key") == "kubernetes.io/hostname" and e.get("operator") == "In" and e.get("values"):
                return e["values"][0]
    return None


def volume_location(view, pod: dict, volume: dict) -> tuple[str, str] | None:
    """(store key, path inside it) of a pod volume's data; None for computed or unbound volumes."""
    meta, spec = pod.get("metadata") or {}, pod.get("spec") or {}
    if "persistentVolumeClaim" in volume:
        claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
        pvc = view.get("PersistentVolumeClaim", meta.get("namespace", "default"), claim) if claim else None
        name = ((pvc or {}).get("spec") or {}).get("volumeName")
        pv = view.get("PersistentVolume", None, name) if name else None
        if pv is None:
            return None
        return pv_location(pv, spec.get("nodeName"))
    if "hostPath" in volume:
        return f"node/{spec.get('nodeName') or 'node'}", _node_path((volume.get("hostPath") or {}).get("path"))
    if "emptyDir" in volume:
        return f"vol/{meta.get('uid') or meta.get('name')}/{volume.get('name')}", "/"
    return None
