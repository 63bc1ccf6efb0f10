"""describe persistentvolume / persistentvolumeclaim / storageclass (kubectl describe.go).

One module for the three storage kinds: they share access-mode and class rendering with the
`get` columns (printers/table.py)."""
from __future__ import annotations

from minikctl.api.quantity import canonical
from minikctl.printers.describe import (Writer, annotations_multiline, describe_events, events_for, g,
                                        labels_multiline, time_str, translate_timestamp_since)
from minikctl.printers.table import access_modes, volume_class
from minikctl import lazy

is_default = lazy.function("minikctl.api.storage_admission", "is_default")


def _finalizers(meta: dict) -> str:
    """%v of a []string: [a b]."""
    return "[" + " ".join(meta.get("finalizers") or []) + "]"


def _status(obj: dict, view) -> str:
    ts = g(obj, "metadata", "deletionTimestamp")
    if ts is not None:
        return f"Terminating (lasts {translate_timestamp_since(ts, view.now)})"
    return g(obj, "status", "phase") or ""


def _cluster_events(obj: dict, view) -> list[dict]:
    """Events about a cluster-scoped object, whichever namespace the recorder put them in."""
    m = obj["metadata"]
    return [e for e in view.list("Event") if (e.get("involvedObject") or {}).get("kind") == obj["kind"]
            and e["involvedObject"].get("name") == m["name"]
            and e["involvedObject"].get("uid", m.get("uid")) in (m.get("uid"), "")]


def _node_affinity(w: Writer, affinity: dict | None) -> None:
    w.write(0, "Node Affinity:\t")
    req = (affinity or {}).get("required")
    if not req:
        w.line("<none>")
        return
    w.line("")
    w.write(1, "Required Terms:\t")
    terms = req.get("nodeSelectorTerms") or []
    if not terms:
        w.line("<none>")
        return
    w.line("")
    for i, term in enumerate(terms):
        w.write(2, f"Term {i}:\t")
        exprs = term.get("matchExpressions") or []
        if not exprs:
            w.line("<none>")
            continue
        for j, r in enumerate(exprs):
            if j:
                w.write(2, "\t")
            text = f"{r.get('key')} {str(r.get('operator') or '').lower()}"
            if r.get("values"):
                text += f" [{', '.join(r['values'])}]"
            w.write(0, text + "\n")


def _bool(v) -> str:
    return "true" if v else "false"


def _source(w: Writer, spec: dict) -> None:
    if spec.get("hostPath") is not None:
        h = spec["hostPath"]
        w.write(2, f"Type:\tHostPath (bare host directory volume)\n    Path:\t{h.get('path')}\n"
                   f"    HostPathType:\t{h.get('type') or ''}\n")
    elif spec.get("nfs") is not None:
        n = spec["nfs"]
        w.write(2, f"Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t{n.get('server')}\n"
                   f"    Path:\t{n.get('path')}\n    ReadOnly:\t{_bool(n.get('readOnly'))}\n")
    elif spec.get("local") is not None:
        w.write(2, "Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n"
                   f"    Path:\t{spec['local'].get('path')}\n")
    elif spec.get("csi") is not None:
        c = spec["csi"]
        w.write(2, f"Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t{c.get('driver')}\n"
                   f"    FSType:\t{c.get('fsType') or ''}\n    VolumeHandle:\t{c.get('volumeHandle')}\n"
                   f"    ReadOnly:\t{_bool(c.get('readOnly'))}\n")
        attrs = c.get("volumeAttributes") or {}
        w.write(2, "    VolumeAttributes:\t")
        if not attrs:
            w.line("<none>")
        for i, k in enumerate(sorted(attrs)):
            if i:
                w.write(2, "    \t")
            w.write(0, f"{k}={attrs[k]}\n")
    else:
        w.write(1, "<unknown>\n")


def describe_pv(pv: dict, view) -> str:
    meta, spec = pv["metadata"], pv.get("spec") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta['name']}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Finalizers:\t{_finalizers(meta)}\n")
    w.write(0, f"StorageClass:\t{volume_class(pv)}\n")
    w.write(0, f"Status:\t{_status(pv, view)}\n")
    ref = spec.get("claimRef")
    w.write(0, f"Claim:\t{(ref.get('namespace') or '') + '/' + (ref.get('name') or '') if ref else ''}\n")
    w.write(0, f"Reclaim Policy:\t{spec.get('persistentVolumeReclaimPolicy') or ''}\n")
    w.write(0, f"Access Modes:\t{access_modes(spec.get('accessModes'))}\n")
    if spec.get("volumeMode") is not None:
        w.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    w.write(0, f"Capacity:\t{canonical(g(spec, 'capacity', 'storage') or 0)}\n")
    _node_affinity(w, spec.get("nodeAffinity"))
    w.write(0, f"Message:\t{g(pv, 'status', 'message') or ''}\n")
    w.write(0, "Source:\n")
    _source(w, spec)
    describe_events(w, _cluster_events(pv, view), view.now)
    return w.render()


def _used_by(pvc: dict, view) -> list[str]:
    """getPodsForPVC: pods in the namespace with a volume on this claim (in list order)."""
    ns, name = pvc["metadata"].get("namespace"), pvc["metadata"]["name"]
    out = []
    for p in view.list("Pod", ns):
        for v in g(p, "spec", "volumes", default=[]):
            if (v.get("persistentVolumeClaim") or {}).get("claimName") == name:
                out.append(p["metadata"]["name"])
    return out


def describe_pvc(pvc: dict, view) -> str:
    meta, spec = pvc["metadata"], pvc.get("spec") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace') or ''}\n")
    w.write(0, f"StorageClass:\t{volume_class(pvc)}\n")
    w.write(0, f"Status:\t{_status(pvc, view)}\n")
    w.write(0, f"Volume:\t{spec.get('volumeName') or ''}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Finalizers:\t{_finalizers(meta)}\n")
    cap, modes = "", ""
    if spec.get("volumeName"):
        modes = access_modes(g(pvc, "status", "accessModes"))
        cap = canonical(g(pvc, "status", "capacity", "storage") or 0)
    w.write(0, f"Capacity:\t{cap}\n")
    w.write(0, f"Access Modes:\t{modes}\n")
    if spec.get("volumeMode") is not None:
        w.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    ds = spec.get("dataSource")
    if ds:
        w.write(0, "DataSource:\n")
        if ds.get("apiGroup") is not None:
            w.write(1, f"APIGroup:\t{ds['apiGroup']}\n")
        w.write(1, f"Kind:\t{ds.get('kind')}\n")
        w.write(1, f"Name:\t{ds.get('name')}\n")
    pods = _used_by(pvc, view)
    # printPodsMultiline: "Used By:\t<none>" or the names, one per line
    w.write(0, "Used By:\t")
    if not pods:
        w.line("<none>")
    for i, p in enumerate(pods):
        if i:
            w.write(0, "\t")
        w.write(0, p + "\n")
    conds = g(pvc, "status", "conditions", default=[])
    if conds:
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conds:
            w.write(1, f"{c.get('type')} \t{c.get('status')} \t{time_str(c.get('lastProbeTime'))} \t"
                       f"{time_str(c.get('lastTransitionTime'))} \t{c.get('reason') or ''} \t{c.get('message') or ''}\n")
    describe_events(w, events_for(pvc, view), view.now)
    return w.render()


def _format_map(m: dict | None) -> str:
    """labels.FormatLabels: sorted k=v joined by ',', '<none>' when empty."""
    if not m:
        return "<none>"
    return ",".join(f"{k}={m[k]}" for k in sorted(m))


def describe_sc(sc: dict, view) -> str:
    meta = sc["metadata"]
    w = Writer()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"IsDefaultClass:\t{'Yes' if is_default(sc) else 'No'}\n")
    w.write(0, f"Annotations:\t{_format_map(meta.get('annotations'))}\n")
    w.write(0, f"Provisioner:\t{sc.get('provisioner') or ''}\n")
    w.write(0, f"Parameters:\t{_format_map(sc.get('parameters'))}\n")
    ave = sc.get("allowVolumeExpansion")
    w.write(0, f"AllowVolumeExpansion:\t{'<unset>' if ave is None else ('True' if ave else 'False')}\n")
    opts = sc.get("mountOptions") or []
    if not opts:
        w.write(0, "MountOptions:\t<none>\n")
    else:
        w.write(0, "MountOptions:\n")
        for o in opts:
            w.write(1, f"{o}\n")
    if sc.get("reclaimPolicy") is not None:
        w.write(0, f"ReclaimPolicy:\t{sc['reclaimPolicy']}\n")
    if sc.get("volumeBindingMode") is not None:
        w.write(0, f"VolumeBindingMode:\t{sc['volumeBindingMode']}\n")
    describe_events(w, _cluster_events(sc, view), view.now)
    return w.render()


def describe(obj: dict, view) -> str:
    kind = obj.get("kind")
    if kind == "PersistentVolume":
        return describe_pv(obj, view)
    if kind == "PersistentVolumeClaim":
        return describe_pvc(obj, view)
    return describe_sc(obj, view)
