"""A node's own machine: its persistent file system, as `kubeadm init` / `kubeadm join` left it.

Why: the CKA's node tasks (a broken kubelet, a static pod, a control-plane manifest, etcd's
certificates) happen in files on the nodes. Each node's files live in the cluster state (the
node's writable layer `node/NAME`, images/fs.py's Layer, saved with the command's transaction),
so an edit made over `minikctl ssh` is there for the next command, for the kubelet and for a pod
mounting the node's directory by hostPath.

The files kubeadm writes are laid down once per node, on first need (`seed`): real PEM
certificates from the cluster CA (pki.py), the static pod manifests (manifests.py), the kubeconfigs
and the kubelet's, systemd's and containerd's configuration (configs.py). From then on they are
ordinary files: the learner, the kubelet and kubeadm read and write the same copy.

The API for other modules (etcdctl, kubeadm, apt, ... build on these):

  fs(view, node) -> images.fs.FileSystem      the node's merged tree, seeded; .read/.write/
                                             .listdir/.remove/.mkdir persist through the layer
  read(view, node, path) -> str | None
  write(view, node, path, text)              (parents made as `mkdir -p`)
  remove(view, node, path)
  FILE_PROVIDERS                             "module:function" names; function(cluster, node,
                                             role) -> {path: text, or None for a directory},
                                             role "control-plane" or "worker"; called once
                                             when the node's files are first laid down. Append
                                             yours to add node files (e.g. /var/lib/etcd/member).
  changed(cluster, node)                     call after writing a node's files outside `ssh`
                                             (kubeadm upgrade writing manifests): the kubelet
                                             looks at the node again (static pods, config).

Commands on a node are registered in minikctl/images/node/__init__.py (COMMANDS).
"""
from __future__ import annotations
import importlib
import posixpath
from minikctl import lazy

Layer = lazy.function("minikctl.images.fs", "Layer")
_norm = lazy.function("minikctl.images.fs", "_norm")
_save = lazy.function("minikctl.images.fs", "_save")
control_plane = lazy.function("minikctl.sim.profile", "control_plane")
node_fs = lazy.function("minikctl.images.fs", "node_fs")
kubelet_host = lazy.module("minikctl.sim.nodehost.kubelet_host")
spare = lazy.module("minikctl.sim.nodehost.spare")

SEED_VERSION = 1
FILE_PROVIDERS = ["minikctl.sim.nodehost.kubeadm_files:files", "minikctl.sim.kubeadm.packages:files"]


def _call(ref: str):
    mod, fn = ref.split(":")
    return getattr(importlib.import_module(mod), fn)


def role(view, node: str) -> str:
    """"control-plane", "worker", or "spare" (a machine not joined yet: nodehost/spare.py)."""
    if spare.is_spare(view, node):
        return "spare"
    n = view.get("Node", None, node)
    labels = ((n or {}).get("metadata") or {}).get("labels") or {}
    if "node-role.kubernetes.io/control-plane" in labels:
        return "control-plane"
    prof = getattr(view, "profile", None) or {}
    return "control-plane" if n is None and control_plane(prof).get("name") == node else "worker"


def seed(view, node: str) -> None:
    """Lay down the files kubeadm wrote on `node`, once (a view that cannot keep them, a test's
    StaticView without meta, gets none)."""
    if not hasattr(view, "meta"):
        return
    layer = Layer(view, f"node/{node}")
    if layer.data.get("seeded") == SEED_VERSION:
        return
    d = layer.data
    r = role(view, node)
    for ref in FILE_PROVIDERS:
        for path, text in _call(ref)(view, node, r).items():
            path = _norm(path)
            if path in d["gone"] or path in d["files"]:
                continue          # the learner's own file there wins
            if text is None:
                if path not in d["dirs"]:
                    d["dirs"].append(path)
            else:
                d["files"][path] = text
    d["seeded"] = SEED_VERSION
    _save(view, layer.key, d)


def fs(view, node: str):
    """The node's merged file system, kubeadm's files laid down first."""
    return node_fs(view, node)


def read(view, node: str, path: str) -> str | None:
    return fs(view, node).read(path)


def write(view, node: str, path: str, text: str) -> str | None:
    f = fs(view, node)
    f.mkdir(posixpath.dirname(path), parents=True)
    return f.write(path, text)


def remove(view, node: str, path: str) -> str | None:
    return fs(view, node).remove(path, recursive=True)


def changed(cluster, node: str) -> None:
    """The node's files may have changed: the kubelet syncs its static pods and, if it runs,
    keeps running with the configuration it started with (as a real one does)."""
    kubelet_host.files_changed(cluster, node)
