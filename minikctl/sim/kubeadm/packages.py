"""The Kubernetes packages on each node, as dpkg and apt know them: what is installed (kubeadm,
kubelet, kubectl, cri-tools, kubernetes-cni), which are held, and which repository apt's lists
were last fetched from (`apt-get update` reads /etc/apt/sources.list.d/kubernetes.list).

The versions are pkgs.k8s.io's (data/pkgs_k8s_io.yaml). A node starts with the packages of its
cluster's Kubernetes version from the matching minor's repository, held as kubeadm's install
instructions leave them. State lives in cluster.meta["nodePackages"][node].
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
import copy
from minikctl import lazy

server = lazy.module("minikctl.api.server")
yaml = lazy.module("yaml")

KUBE = ("kubeadm", "kubelet", "kubectl")
ALL = ("cri-tools", "kubeadm", "kubectl", "kubelet", "kubernetes-cni")
SOURCES = "/etc/apt/sources.list.d/kubernetes.list"
REPO_RE = re.compile(r"https://pkgs\.k8s\.io/core:/stable:/(v\d+\.\d+)/deb/?")


@lru_cache(maxsize=1)
def data() -> dict:
    path = Path(__file__).resolve().parent.parent.parent / "data" / "pkgs_k8s_io.yaml"
    with open(path) as f:
        return yaml.safe_load(f)


def minor_of(version: str) -> str:
    """'1.33.1-1.1' or 'v1.33.1' -> 'v1.33'."""
    v = version.lstrip("v").split("-")[0].split(".")
    return f"v{v[0]}.{v[1]}"


def deb(version: str) -> str:
    return f"{version}-1.1"


def upstream(deb_version: str) -> str:
    """'1.33.1-1.1' -> 'v1.33.1'."""
    return "v" + deb_version.split("-")[0]


def repo_versions(minor: str, package: str) -> list[str]:
    """A repository's versions of a package, newest first (apt-cache madison's order)."""
    r = (data()["repositories"] or {}).get(minor)
    if not r:
        return []
    plain = r["kube"] if package in KUBE else r.get(package) or []
    return [deb(v) for v in sorted(plain, key=version_key, reverse=True)]


def version_key(v: str) -> tuple:
    return tuple(int(x) if x.isdigit() else 0 for x in re.split(r"[.\-]", v.lstrip("v")))


def cluster_version(view) -> str:
    """v1.32.0: the version the cluster was made at (and upgraded to)."""
    return str((getattr(view, "profile", None) or {}).get("kubernetesVersion") or "v1.32.0")


def state(view, node: str) -> dict:
    """The node's packages, made on first use from its kubelet's version."""
    meta = getattr(view, "meta", None)
    if meta is None:
        meta = {}
    allp = meta.setdefault("nodePackages", {})
    st = allp.get(node)
    if st is None:
        n = view.get("Node", None, node) or {}
        kv = ((n.get("status") or {}).get("nodeInfo") or {}).get("kubeletVersion") or cluster_version(view)
        minor = minor_of(kv)
        r = data()["repositories"].get(minor) or {}
        st = {"installed": {p: deb(kv.lstrip("v")) for p in KUBE},
              "held": list(KUBE), "lists": [minor]}
        for p in ("cri-tools", "kubernetes-cni"):
            if r.get(p):
                st["installed"][p] = deb(r[p][-1])
        allp[node] = st
    return st


def sources(fs) -> list[str]:
    """The minors the node's apt sources name (pkgs.k8s.io core:/stable:/vX.Y/deb)."""
    out = []
    for path in (SOURCES, "/etc/apt/sources.list"):
        text = fs.read(path) or ""
        for line in text.splitlines():
            line = line.strip()
            if not line.startswith("deb ") and not line.startswith("deb\t"):
                continue
            m = REPO_RE.search(line)
            if m and m.group(1) not in out:
                out.append(m.group(1))
    return out


def installed_version(view, node: str, package: str) -> str | None:
    return state(view, node)["installed"].get(package)


def files(cluster, node: str, role: str) -> dict:
    """What installing the packages left (a FILE_PROVIDERS entry of sim/nodehost): the apt
    source of the cluster's minor, as the kubeadm install page writes it."""
    minor = minor_of(cluster_version(cluster))
    return {"/etc/apt/keyrings": None, "/etc/apt/sources.list.d": None,
            SOURCES: f"deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/{minor}/deb/ /\n"}


def binary_version(view, node: str, package: str) -> str | None:
    """v1.33.1: the version of an installed package's binary (None: packages never looked at)."""
    st = ((getattr(view, "meta", None) or {}).get("nodePackages") or {}).get(node)
    v = (st or {}).get("installed", {}).get(package)
    return upstream(v) if v else None


def kubelet_started(cluster, node: str) -> None:
    """A kubelet (re)started runs the installed package's binary: the Node reports its version."""
    v = binary_version(cluster, node, "kubelet")
    n = cluster.get("Node", None, node)
    if v is None or n is None:
        return
    info = (n.get("status") or {}).get("nodeInfo") or {}
    if info.get("kubeletVersion") == v:
        return
    n = copy.deepcopy(n)
    n["status"]["nodeInfo"]["kubeletVersion"] = v
    server.update_internal(cluster, n)
