"""The apiextensions-apiserver's CRD controllers in one pass: naming (acceptedNames,
NamesAccepted), establishing (Established), and finalizing (a deleted CRD's custom objects are
deleted, then its customresourcecleanup finalizer removed, and the CRD is gone).

What is served follows: the Established CRDs' entries (api/crd.served) are kept in the
cluster's meta and handed to api/kinds.py, so the next command resolves the new names.
"""
from __future__ import annotations

from minikctl.api import crd as crds
from minikctl.api import kinds, server

KIND = "CustomResourceDefinition"


def reconcile(cluster) -> None:
    items = cluster.list(KIND)
    if not items and not cluster.meta.get(crds.META_KEY):
        return
    for c in items:
        m = c["metadata"]
        if m.get("deletionTimestamp"):
            _finalize(cluster, c)
            continue
        st = c.setdefault("status", {})
        if not crds._established(c) or st.get("acceptedNames") != crds.accepted_names(c):
            st["acceptedNames"] = crds.accepted_names(c)
            if not crds._established(c):
                st["conditions"] = crds.established_conditions(c, cluster.timestamp())
            server.update_internal(cluster, c)
    publish(cluster)


def _finalize(cluster, c: dict) -> None:
    names = (c.get("spec") or {}).get("names") or {}
    kind = names.get("kind")
    if kind and kind not in kinds.BY_KIND:     # (the Gateway API kinds stay: minikctl serves them itself)
        for obj in list(cluster.list(kind)):
            server.delete_internal(cluster, obj)
    fins = [f for f in c["metadata"].get("finalizers") or [] if f != crds.CLEANUP_FINALIZER]
    if fins != (c["metadata"].get("finalizers") or []):
        c["metadata"]["finalizers"] = fins
        server.update_internal(cluster, c)


def publish(cluster) -> None:
    """The served entries into the meta (and api/kinds.py) when they changed."""
    entries = crds.served([c for c in cluster.list(KIND) if not c["metadata"].get("deletionTimestamp")])
    if entries != (cluster.meta.get(crds.META_KEY) or []):
        if entries:
            cluster.meta[crds.META_KEY] = entries
        else:
            cluster.meta.pop(crds.META_KEY, None)
        kinds.set_dynamic(entries)
