"""The cluster facts kubeadm keeps in the cluster: the kubeadm-config ConfigMap
(ClusterConfiguration, its kubernetesVersion) and the component versions it reads back from
the running cluster (static pod images per control-plane node, kube-proxy's DaemonSet, CoreDNS's
Deployment, the kubelets' reported versions)."""
from __future__ import annotations

from minikctl.sim.kubeadm import packages as pk
import copy
import re
import uuid
from minikctl import lazy

apiserver_url = lazy.function("minikctl.sim.profile", "apiserver_url")
server = lazy.module("minikctl.api.server")

CM = ("kube-system", "kubeadm-config")


def cluster_configuration(view, version: str) -> str:
    prof = getattr(view, "profile", None) or {}
    ep = apiserver_url(prof).split("://", 1)[-1]
    return f"""apiServer: {{}}
apiVersion: kubeadm.k8s.io/v1beta4
caCertificateValidityPeriod: 87600h0m0s
certificateValidityPeriod: 8760h0m0s
certificatesDir: /etc/kubernetes/pki
clusterName: kubernetes
controlPlaneEndpoint: {ep}
controllerManager: {{}}
dns: {{}}
encryptionAlgorithm: RSA-2048
etcd:
  local:
    dataDir: /var/lib/etcd
imageRepository: registry.k8s.io
kind: ClusterConfiguration
kubernetesVersion: {version}
networking:
  dnsDomain: {prof.get('clusterDomain', 'cluster.local')}
  podSubnet: {prof.get('podCIDR', '10.100.0.0/16')}
  serviceSubnet: {prof.get('serviceCIDR', '10.96.0.0/12')}
proxy: {{}}
scheduler: {{}}
"""


def ensure(cluster) -> dict:
    """kubeadm init uploads it; clusters made before minikctl modelled it get it on first use."""
    cm = cluster.get("ConfigMap", *CM)
    if cm is None:
        uid = str(uuid.uuid5(uuid.NAMESPACE_URL, "kubeadm-config/" + str(cluster.meta.get("seed"))))
        server.create_internal(cluster, {"apiVersion": "v1", "kind": "ConfigMap",
                                         "metadata": {"name": CM[1], "namespace": CM[0], "uid": uid},
                                         "data": {"ClusterConfiguration": cluster_configuration(
                                             cluster, pk.cluster_version(cluster))}}, keep_uid=True)
        cm = cluster.get("ConfigMap", *CM)
    return cm


def configured_version(view) -> str:
    cm = view.get("ConfigMap", *CM)
    text = ((cm or {}).get("data") or {}).get("ClusterConfiguration") or ""
    m = re.search(r"^kubernetesVersion: (\S+)$", text, re.M)
    return m.group(1) if m else pk.cluster_version(view)


def set_version(cluster, version: str) -> None:
    cm = copy.deepcopy(ensure(cluster))
    text = cm["data"]["ClusterConfiguration"]
    cm["data"]["ClusterConfiguration"] = re.sub(r"^kubernetesVersion: \S+$", f"kubernetesVersion: {version}", text,
                                                flags=re.M)
    server.update_internal(cluster, cm)


def _tag(image: str) -> str:
    return image.rsplit(":", 1)[-1] if ":" in image.rsplit("/", 1)[-1] else ""


def static_pod_versions(view, component: str) -> list[tuple[str, str]]:
    """(node, image tag) of a control-plane component's mirror pods."""
    out = []
    for p in view.list("Pod", "kube-system"):
        if (p["metadata"].get("labels") or {}).get("component") == component:
            c = (p.get("spec") or {}).get("containers") or [{}]
            out.append((p["spec"].get("nodeName", ""), _tag(c[0].get("image", ""))))
    return sorted(out)


def workload_tag(view, kind: str, name: str) -> str:
    obj = view.get(kind, "kube-system", name) or {}
    c = (((obj.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or [{}]
    return _tag(c[0].get("image", ""))


def kubelet_versions(view) -> list[tuple[str, str]]:
    out = []
    for n in view.list("Node"):
        v = ((n.get("status") or {}).get("nodeInfo") or {}).get("kubeletVersion") or ""
        out.append((n["metadata"]["name"], v))
    return out
