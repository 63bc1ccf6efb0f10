"""The kubelet's file source: static pods from its staticPodPath (/etc/kubernetes/manifests).

Every file there (names starting with "." are skipped, as the kubelet does) is decoded as a Pod;
one that does not decode is logged by the kubelet ("Could not process manifest file") and ignored
- so a pod whose manifest broke stops, as on a real node. For each good one the kubelet runs the
pod and keeps a mirror pod `NAME-NODENAME` in the API (annotations kubernetes.io/config.mirror,
config.hash, config.source: file; owned by the Node), recreating it if someone deletes it. A
changed manifest (another hash) replaces the pod; a removed one stops it.

A mirror pod deleted through the API does not stop the static pod: the kubelet keeps running it
and posts a new mirror pod with the running pod's status (the same containers, RESTARTS as
they were; meta `mirrorPodsDeleted`, written by the API's delete, holds that status).

What the kubelet has synced is kept in meta `staticPods` {node: {file: {hash, ns, name}}}. The
control plane's own four pods feed control-plane health (controlplane.py): a kube-apiserver
that does not start takes the API down for every kubectl-like command.
"""
from __future__ import annotations

import hashlib
import json
import copy
from minikctl import lazy

control_plane = lazy.function("minikctl.sim.profile", "control_plane")
controlplane = lazy.module("minikctl.sim.nodehost.controlplane")
fmt = lazy.function("minikctl.timeutil", "fmt")
kubelet_host = lazy.module("minikctl.sim.nodehost.kubelet_host")
nodehost = lazy.module("minikctl.sim.nodehost")
server = lazy.module("minikctl.api.server")
units = lazy.module("minikctl.sim.nodehost.units")
yaml = lazy.module("yaml")

META = "staticPods"
RUNNING = "mirrorPodsDeleted"      # "ns/name" -> {"hash", "status"}: a static pod whose mirror pod was deleted (api/server.delete)


def _decode(path: str, text: str) -> tuple[dict | None, str | None]:
    """(pod, None) or (None, the kubelet's error text for the file)."""
    try:
        obj = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))     # libyaml: fast
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = (mark.line + 1) if mark is not None else 1
        problem = getattr(e, "problem", None) or "could not parse"
        return None, f"{path}: couldn't parse as pod(yaml: line {line}: {problem}), please check config file"
    if not isinstance(obj, dict) or not obj.get("kind"):
        return None, f"{path}: couldn't parse as pod(Object 'Kind' is missing in '{text.strip()[:60]}'), please check config file"
    if obj.get("kind") != "Pod" or obj.get("apiVersion") != "v1":
        return None, (f"{path}: couldn't parse as pod(no kind \"{obj.get('kind')}\" is registered for version "
                      f"\"{obj.get('apiVersion')}\" in scheme \"pkg/api/legacyscheme/scheme.go:30\"), please check config file")
    meta = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    if not meta.get("name") or not isinstance(spec.get("containers"), list) or not spec["containers"]:
        why = "name or generateName is required" if not meta.get("name") else "spec.containers: Required value"
        return None, f"invalid pod: [metadata.{why}]" if "name" in why else f"invalid pod: [{why}]"
    return obj, None


def manifest_hash(pod: dict) -> str:
    return hashlib.md5(json.dumps(pod, sort_keys=True).encode()).hexdigest()


def read_dir(view, node: str) -> tuple[dict, dict]:
    """({file: pod}, {file: error}) of the node's static pod directory."""
    where = kubelet_host.static_pod_path(view, node)
    good, bad = {}, {}
    if not where:
        return good, bad
    f = nodehost.fs(view, node)
    for name in f.listdir(where) or []:
        path = f"{where.rstrip('/')}/{name}"
        if name.startswith(".") or f.kind(path) != "file":
            continue
        pod, err = _decode(path, f.read(path) or "")
        if err:
            bad[path] = err
        else:
            good[path] = pod
    return good, bad


def _mirror(cluster, node: str, pod: dict, h: str) -> dict:
    m = copy.deepcopy(pod)
    meta = m.setdefault("metadata", {})
    meta.pop("creationTimestamp", None)
    meta.pop("resourceVersion", None)
    meta.pop("uid", None)
    meta["name"] = f"{meta['name']}-{node}"
    meta["namespace"] = meta.get("namespace") or "default"
    ann = meta.setdefault("annotations", {})
    ann.update({"kubernetes.io/config.hash": h, "kubernetes.io/config.mirror": h,
                "kubernetes.io/config.seen": fmt(cluster.now).replace("Z", ".000000000Z"),
                "kubernetes.io/config.source": "file"})
    n = cluster.get("Node", None, node)
    if n is not None:
        meta["ownerReferences"] = [{"apiVersion": "v1", "kind": "Node", "name": node,
                                    "uid": n["metadata"]["uid"], "controller": True}]
    spec = m.setdefault("spec", {})
    spec["nodeName"] = node
    tol = spec.setdefault("tolerations", [])
    if {"effect": "NoExecute", "operator": "Exists"} not in tol:
        tol.append({"effect": "NoExecute", "operator": "Exists"})
    m.pop("status", None)
    return m


def _log_bad(cluster, node: str, path: str, err: str) -> None:
    st = units.state(cluster, node, "kubelet")
    e = err.replace("\\", "\\\\").replace('"', '\\"')
    units.log(cluster, node, cluster.now, "kubelet", st["pid"], units.klog(
        cluster.now, st["pid"], "E", "file.go:187", f'"Could not process manifest file" err="{e}" path="{path}"'))


def sync(cluster, node: str) -> None:
    """The kubelet's file source, once: compare the directory with what it runs."""
    good, bad = read_dir(cluster, node)
    known = cluster.meta.setdefault(META, {}).get(node)
    first = known is None
    known = dict(known or {})
    new: dict = {}
    for path, pod in good.items():
        h = manifest_hash(pod)
        ns = (pod.get("metadata") or {}).get("namespace") or "default"
        name = f"{pod['metadata']['name']}-{node}"
        new[path] = {"hash": h, "ns": ns, "name": name}
        old = known.get(path)
        if first and cluster.get("Pod", ns, name) is not None:
            continue            # kubeadm's pods, running since the node booted: adopted as they are
        if old and old["hash"] == h:
            continue
        if old:
            _remove_mirror(cluster, old)
        _ensure_mirror(cluster, node, pod, h, ns, name, server)
    for path, err in bad.items():
        if known.get(path, {}).get("bad") != err:
            _log_bad(cluster, node, path, err)
        new[path] = {"bad": err}
    for path, old in known.items():
        if path not in new and "name" in old:
            _remove_mirror(cluster, old)
        elif path in bad and "name" in old:
            _remove_mirror(cluster, old)
    if new != cluster.meta[META].get(node):
        cluster.meta[META][node] = new
        cluster.settled = False
    controlplane.refresh(cluster)


def _remove_mirror(cluster, old: dict) -> None:
    (cluster.meta.get(RUNNING) or {}).pop(f"{old['ns']}/{old['name']}", None)     # the pod itself stops
    p = cluster.get("Pod", old["ns"], old["name"])
    if p is not None:
        server.delete_internal(cluster, p, grace=0)


def _ensure_mirror(cluster, node, pod, h, ns, name, server) -> None:
    cur = cluster.get("Pod", ns, name)
    if cur is not None and ((cur["metadata"].get("annotations") or {}).get("kubernetes.io/config.hash") == h
                            or cur["metadata"].get("deletionTimestamp")):
        return
    if cur is not None:
        server.delete_internal(cluster, cur, grace=0)
        return          # the name frees once the old pod is gone; reconcile makes the new one
    if cluster.get("Namespace", None, ns) is None:
        return          # the kubelet keeps retrying; the mirror pod appears once the namespace does
    mirror = _mirror(cluster, node, pod, h)
    kept = (cluster.meta.get(RUNNING) or {}).pop(f"{ns}/{name}", None)
    if kept and kept.get("hash") == h:
        mirror["status"] = kept["status"]          # the static pod never stopped
    try:
        server.create_internal(cluster, mirror)
    except Exception as e:  # noqa: BLE001 - a pod the apiserver rejects: the kubelet logs it
        st = units.state(cluster, node, "kubelet")
        units.log(cluster, node, cluster.now, "kubelet", st["pid"], units.klog(
            cluster.now, st["pid"], "E", "kubelet.go:1915",
            f'"Failed creating a mirror pod for" err="{str(e)}" pod="{ns}/{name}"'))


def reconcile(cluster) -> None:
    """Mirror pods the API lost (kubectl delete) come back while their file is there."""
    recs = cluster.meta.get(META) or {}
    _kubeadm_pods(cluster, recs)
    for node, files in recs.items():
        if not kubelet_host.running(cluster, node):
            continue
        missing = [(p, r) for p, r in files.items() if "name" in r and cluster.get("Pod", r["ns"], r["name"]) is None]
        if not missing:
            continue
        good, _ = read_dir(cluster, node)
        for path, r in missing:
            if path in good:
                _ensure_mirror(cluster, node, good[path], r["hash"], r["ns"], r["name"], server)



KUBEADM_PODS = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler")


def _kubeadm_pods(cluster, recs: dict) -> None:
    """Before the kubelet's first sync of the control plane (nobody has touched its files yet),
    one of kubeadm's mirror pods gone from the API is made again the same way: sync it now."""
    node = control_plane(getattr(cluster, "profile", None) or {}).get("name")
    if not node or node in recs or cluster.get("Node", None, node) is None:
        return
    if all(cluster.get("Pod", "kube-system", f"{c}-{node}") is not None for c in KUBEADM_PODS):
        return
    if kubelet_host.running(cluster, node):
        sync(cluster, node)
