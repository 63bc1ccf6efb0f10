"""What `kubeadm init` (the control plane) or `kubeadm join` (a worker) wrote on a node, and what
the kubelet, containerd and the CNI packages installed beside it: path -> text (None: a directory).
A spare host (nodehost/spare.py) has only what the packages installed; `join_files` is what
`kubeadm join` adds there.
"""
from __future__ import annotations

from minikctl.sim.nodehost import configs, manifests, pki
from minikctl import lazy

apiserver_url = lazy.function("minikctl.sim.profile", "apiserver_url")
control_plane = lazy.function("minikctl.sim.profile", "control_plane")
spare = lazy.module("minikctl.sim.nodehost.spare")

DIRS = ("/etc/kubernetes/manifests", "/etc/kubernetes/pki", "/var/lib/kubelet/pki", "/var/log/pods",
        "/var/log/containers", "/etc/cni/net.d", "/opt/cni/bin", "/etc/containerd", "/var/lib/containerd",
        "/run/containerd", "/usr/libexec/kubernetes/kubelet-plugins/volume/exec", "/etc/ssl/certs", "/etc/pki")


def _ip(view, node: str) -> str:
    n = view.get("Node", None, node) or {}
    for a in (n.get("status") or {}).get("addresses") or []:
        if a.get("type") == "InternalIP":
            return a["address"]
    e = spare.entry(view, node)
    return (e or {}).get("internalIP") or "127.0.0.1"


def package_files(profile: dict) -> dict[str, str | None]:
    """What the kubelet, containerd and kubeadm packages install: directories, units, the
    kubeadm drop-in, containerd's configuration."""
    out: dict[str, str | None] = {d: None for d in DIRS}
    out[configs.KUBELET_DROPIN] = configs.DROPIN
    out[configs.KUBELET_UNIT] = configs.KUBELET_SERVICE
    out[configs.CONTAINERD_UNIT] = configs.CONTAINERD_SERVICE
    out["/etc/sysconfig/kubelet"] = "KUBELET_EXTRA_ARGS=\n"
    out["/etc/containerd/config.toml"] = configs.containerd_config()
    return out


def join_files(cluster, node: str) -> dict[str, str]:
    """What `kubeadm join` and the kubelet's TLS bootstrap leave on a worker: the cluster CA,
    the kubelet's configuration and flags, its client certificate and kubelet.conf."""
    profile = cluster.profile or {}
    ca_cert, _ = pki.cluster_ca(cluster)
    ca_pem = pki._pem_cert(ca_cert)
    out = {"/etc/kubernetes/pki/ca.crt": ca_pem}
    cert, key = pki.client_pair(cluster, f"system:node:{node}", ("system:nodes",))
    out["/var/lib/kubelet/pki/kubelet-client-current.pem"] = cert + key
    scert, skey = pki.kubelet_serving(cluster, node)
    out["/var/lib/kubelet/pki/kubelet.crt"] = scert
    out["/var/lib/kubelet/pki/kubelet.key"] = skey
    out["/etc/kubernetes/kubelet.conf"] = configs.kubeconfig(
        apiserver_url(profile), ca_pem, f"system:node:{node}", cert_file="/var/lib/kubelet/pki/kubelet-client-current.pem")
    out["/var/lib/kubelet/config.yaml"] = configs.kubelet_config(profile)
    out["/var/lib/kubelet/kubeadm-flags.env"] = configs.kubeadm_flags()
    return out


def files(cluster, node: str, role: str) -> dict[str, str | None]:
    profile = cluster.profile or {}
    server = apiserver_url(profile)
    ip = _ip(cluster, node)
    if role == "spare":
        return package_files(profile)
    out: dict[str, str | None] = {d: None for d in DIRS}
    ca_cert, _ = pki.cluster_ca(cluster)
    ca_pem = pki._pem_cert(ca_cert)
    if role == "control-plane":
        out.update(pki.control_plane_files(cluster, node, ip, profile))
        out.update(manifests.files(profile, node, ip))
        for fname, cn, orgs in (("admin.conf", "kubernetes-admin", ("kubeadm:cluster-admins",)),
                                ("super-admin.conf", "kubernetes-super-admin", ("system:masters",)),
                                ("controller-manager.conf", "system:kube-controller-manager", ()),
                                ("scheduler.conf", "system:kube-scheduler", ())):
            cert, key = pki.client_pair(cluster, cn, orgs)
            # the control plane's own components talk to their local apiserver
            url = server if fname in ("admin.conf", "super-admin.conf") else \
                f"https://{ip}:{server.rsplit(':', 1)[-1]}"
            out[f"/etc/kubernetes/{fname}"] = configs.kubeconfig(url, ca_pem, cn, cert, key)
        out["/var/lib/etcd"] = None
        out["/var/lib/etcd/member"] = None
        out["/var/lib/etcd/member/snap"] = None
        out["/var/lib/etcd/member/wal"] = None
    else:
        out["/etc/kubernetes/pki/ca.crt"] = ca_pem
    cert, key = pki.client_pair(cluster, f"system:node:{node}", ("system:nodes",))
    out["/var/lib/kubelet/pki/kubelet-client-current.pem"] = cert + key
    scert, skey = pki.kubelet_serving(cluster, node)
    out["/var/lib/kubelet/pki/kubelet.crt"] = scert
    out["/var/lib/kubelet/pki/kubelet.key"] = skey
    cp = control_plane(profile).get("name")
    kubelet_server = server if role != "control-plane" or cp != node else f"https://{ip}:{server.rsplit(':', 1)[-1]}"
    out["/etc/kubernetes/kubelet.conf"] = configs.kubeconfig(
        kubelet_server, ca_pem, f"system:node:{node}", cert_file="/var/lib/kubelet/pki/kubelet-client-current.pem")
    out["/var/lib/kubelet/config.yaml"] = configs.kubelet_config(profile)
    out["/var/lib/kubelet/kubeadm-flags.env"] = configs.kubeadm_flags()
    out[configs.KUBELET_DROPIN] = configs.DROPIN
    out[configs.KUBELET_UNIT] = configs.KUBELET_SERVICE
    out[configs.CONTAINERD_UNIT] = configs.CONTAINERD_SERVICE
    out["/etc/sysconfig/kubelet"] = "KUBELET_EXTRA_ARGS=\n"
    out["/etc/containerd/config.toml"] = configs.containerd_config()
    out["/etc/cni/net.d/10-calico.conflist"] = configs.calico_conflist(profile)
    return out
