"""`kubeadm init` + `kubeadm join`, simulated: what a fresh cluster of the profile holds.

Nodes, the four namespaces, the `kubernetes` Service and its Endpoints, the control-plane static
pods, kube-proxy (DaemonSet), CoreDNS (Deployment, `kube-dns` Service, `coredns` ConfigMap with
kubeadm's Corefile) and `kube-root-ca.crt` in every namespace. The cluster is created ten minutes
in the past and then advanced to now, so the system pods are up when the learner first looks.
"""
from __future__ import annotations

import random
from pathlib import Path

from minikctl.sim.profile import kube_version, load_profile
import ipaddress
from minikctl.sim.profile import KUBEADM_API_PORT, control_plane
import secrets
from minikctl import lazy

amount = lazy.function("minikctl.api.resources", "amount")
ca = lazy.module("minikctl.sim.ca")
clusters = lazy.module("minikctl.clusters")
fmt = lazy.function("minikctl.timeutil", "fmt")
gateway_addon = lazy.module("minikctl.sim.gateway_addon")
ingress_nginx_addon = lazy.module("minikctl.sim.ingress_nginx_addon")
priority = lazy.module("minikctl.sim.priority")
rbac_bootstrap = lazy.module("minikctl.sim.rbac_bootstrap")
server = lazy.module("minikctl.api.server")
serviceaccount = lazy.module("minikctl.sim.controllers.serviceaccount")

BOOT_AGE = 600.0
COREDNS_IMAGE = {(1, 25): "registry.k8s.io/coredns/coredns:v1.9.3", (1, 28): "registry.k8s.io/coredns/coredns:v1.10.1",
                 (1, 29): "registry.k8s.io/coredns/coredns:v1.11.1", (1, 31): "registry.k8s.io/coredns/coredns:v1.11.3",
                 (1, 33): "registry.k8s.io/coredns/coredns:v1.12.0"}
ETCD_IMAGE = "registry.k8s.io/etcd:3.5.16-0"


def _pick(table, ver):
    return table[max(k for k in table if k <= ver)] if any(k <= ver for k in table) else table[min(table)]


def init_cluster(cluster, env, profile_name: str = "default", seed: int | None = None,
                 profile: dict | None = None) -> None:
    """profile: an already adjusted profile (a named cluster's, minikctl/clusters.py)."""
    if profile is None:  # a named cluster's state file made afresh: its own nodes again
        profile = clusters.profile_for(env, profile_name)
    seed = seed if seed is not None else env.seed
    if seed is None:
        seed = random.SystemRandom().randrange(2 ** 63)
    cluster.rng = random.Random(seed)
    cluster.profile = profile
    # The serve token comes from the OS, never from the seed (which `cluster info` shows and a
    # lab shares with everyone); the seeded generator still makes its draw so that seeded
    # replays keep every name and uid they had.
    cluster.rng.getrandbits(128)
    cluster.meta = {"profile": profile, "seed": seed, "token": secrets.token_hex(16)}
    cluster.now = env.clock() - BOOT_AGE
    ver = kube_version(profile)
    for ns in ("default", "kube-node-lease", "kube-public", "kube-system"):
        server.create_internal(cluster, {"apiVersion": "v1", "kind": "Namespace", "metadata": {
            "name": ns, "labels": {"kubernetes.io/metadata.name": ns}}, "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"}})
    for n in profile["nodes"]:
        server.create_internal(cluster, _node(profile, n, cluster.now))
    master = profile["nodes"][0]
    apiserver_service(cluster, profile)
    for ns in ("default", "kube-node-lease", "kube-public", "kube-system"):
        root_ca_configmap(cluster, ns)
    serviceaccount.reconcile(cluster)
    rbac_bootstrap.ensure(cluster)
    priority.ensure(cluster)
    corefile = (Path(__file__).resolve().parent.parent / "data" / "Corefile").read_text()
    corefile = corefile.replace("cluster.local", profile["clusterDomain"])
    if ver < (1, 32):
        corefile = corefile.replace("    cache 30 {\n       disable success cluster.local\n       disable denial cluster.local\n    }\n", "    cache 30\n")
    server.create_internal(cluster, {"apiVersion": "v1", "kind": "ConfigMap",
                                     "metadata": {"name": "coredns", "namespace": "kube-system"},
                                     "data": {"Corefile": corefile}})
    server.create_internal(cluster, {"apiVersion": "v1", "kind": "ConfigMap",
                                     "metadata": {"name": "kube-proxy", "namespace": "kube-system",
                                                  "labels": {"app": "kube-proxy"}},
                                     "data": {"config.conf": f"apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nclusterCIDR: {profile['podCIDR']}\nmode: \"{'' if profile.get('kubeProxyMode', 'iptables') == 'iptables' else profile['kubeProxyMode']}\"\n",
                                              "kubeconfig.conf": "apiVersion: v1\nkind: Config\n"}})
    _static_pods(cluster, profile, master, ver)
    _kube_proxy(cluster, profile, ver)
    _coredns(cluster, profile, ver)
    if "ingress-nginx" in (profile.get("addons") or []):
        ingress_nginx_addon.install(cluster)
    if "gateway-api" in (profile.get("addons") or []):
        gateway_addon.install(cluster)
    _storage_classes(cluster, profile)


# The classes a kubeadm cluster with Rancher's local-path provisioner has: `local-path`, the
# default (WaitForFirstConsumer: the volume is made on the node the pod lands on), and `standard`
# (Immediate binding, expandable). A profile may list its own under `storageClasses`.
DEFAULT_STORAGE_CLASSES = [
    {"name": "local-path", "default": True, "provisioner": "rancher.io/local-path",
     "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer"},
    {"name": "standard", "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete",
     "volumeBindingMode": "Immediate", "allowVolumeExpansion": True},
]


def _storage_classes(cluster, profile: dict) -> None:
    """The classes draw their uids from their own generator, so that adding them left every
    other seeded name and uid of a cluster (pods, tokens) as it was."""
    main_rng = cluster.rng
    cluster.rng = random.Random(f"{cluster.meta.get('seed')}/storageclasses")
    try:
        _create_classes(cluster, profile, server)
    finally:
        cluster.rng = main_rng


def _create_classes(cluster, profile: dict, server) -> None:
    for c in profile.get("storageClasses", DEFAULT_STORAGE_CLASSES):
        sc = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": c["name"]},
              "provisioner": c["provisioner"]}
        if c.get("default"):
            sc["metadata"]["annotations"] = {"storageclass.kubernetes.io/is-default-class": "true"}
        for k in ("reclaimPolicy", "volumeBindingMode", "allowVolumeExpansion", "parameters"):
            if k in c:
                sc[k] = c[k]
        server.create_internal(cluster, sc)


def apiserver_service(cluster, profile: dict) -> list[dict]:
    """The `kubernetes` Service (first IP of the service CIDR, https 443 -> 6443), its Endpoints and
    EndpointSlice naming the control-plane node: each created if missing. kubeadm init makes them,
    and the apiserver's endpoint reconciler puts back any that is deleted
    (sim/controllers/apiserver_endpoints.py). Returns the objects created."""
    master = control_plane(profile)
    port = int(profile.get("apiServerPort") or KUBEADM_API_PORT)
    objs = [{
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kubernetes", "namespace": "default",
                     "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"clusterIP": _nth_ip(profile["serviceCIDR"], 1), "type": "ClusterIP", "sessionAffinity": "None",
                 "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": port}]}}, {
        "apiVersion": "v1", "kind": "Endpoints",
        "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
        "subsets": [{"addresses": [{"ip": master["internalIP"]}],
                     "ports": [{"name": "https", "port": port, "protocol": "TCP"}]}]}, {
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"kubernetes.io/service-name": "kubernetes"}},
        "addressType": "IPv4",
        "endpoints": [{"addresses": [master["internalIP"]], "conditions": {"ready": True}}],
        "ports": [{"name": "https", "port": port, "protocol": "TCP"}]}]
    return [server.create_internal(cluster, o) for o in objs
            if cluster.get(o["kind"], "default", "kubernetes") is None]


def _nth_ip(cidr: str, n: int) -> str:
    return str(ipaddress.ip_network(cidr).network_address + n)


def root_ca_configmap(cluster, ns: str) -> None:
    """kube-root-ca.crt, as kube-controller-manager's root-ca-cert-publisher writes it into every
    namespace: the cluster CA's certificate, made at the first namespace (sim/ca.py)."""
    if cluster.get("ConfigMap", ns, "kube-root-ca.crt") is not None:
        return
    stored = cluster.meta.get(ca.META)
    if not (isinstance(stored, dict) and isinstance(stored.get("cert"), str)):
        ca.ensure(cluster)
        stored = cluster.meta[ca.META]
    pem = stored["cert"]
    server.create_internal(cluster, {"apiVersion": "v1", "kind": "ConfigMap",
                                     "metadata": {"name": "kube-root-ca.crt", "namespace": ns,
                                                  "annotations": {"kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}},
                                     "data": {"ca.crt": pem}})


def _node(profile: dict, n: dict, now: float) -> dict:
    info = profile["nodeInfo"]
    labels = {"beta.kubernetes.io/arch": info["architecture"], "beta.kubernetes.io/os": info["operatingSystem"],
              "kubernetes.io/arch": info["architecture"], "kubernetes.io/hostname": n["name"],
              "kubernetes.io/os": info["operatingSystem"]}
    for r in n.get("roles") or []:
        labels[f"node-role.kubernetes.io/{r}"] = ""
    if "control-plane" in (n.get("roles") or []):
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
    spec: dict = {}
    if n.get("taints"):
        spec["taints"] = [dict(t) for t in n["taints"]]
    cap = dict(info["capacity"])
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": n["name"], "labels": labels,
                         "annotations": {"kubeadm.alpha.kubernetes.io/cri-socket": "unix:///var/run/containerd/containerd.sock",
                                         "node.alpha.kubernetes.io/ttl": "0",
                                         "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
            "spec": spec,
            "status": {"addresses": [{"address": n["internalIP"], "type": "InternalIP"},
                                     {"address": n["name"], "type": "Hostname"}],
                       "capacity": cap, "allocatable": _allocatable(cap),
                       "conditions": _node_conditions(now),
                       "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                       "nodeInfo": {"architecture": info["architecture"], "bootID": "", "containerRuntimeVersion": info["containerRuntimeVersion"],
                                    "kernelVersion": info["kernelVersion"], "kubeProxyVersion": profile["kubernetesVersion"],
                                    "kubeletVersion": profile["kubernetesVersion"], "machineID": "",
                                    "operatingSystem": info["operatingSystem"], "osImage": info["osImage"], "systemUUID": ""}}}


def _allocatable(cap: dict) -> dict:
    """Capacity minus the kubelet's default hard eviction thresholds (kubeadm reserves nothing
    else): memory.available<100Mi, nodefs.available<10% (the remainder printed in bytes, as a
    kubelet reports it)."""
    out = dict(cap)
    if "memory" in cap:
        mem = amount(cap["memory"]) - 100 * 2**20
        out["memory"] = f"{int(mem) // 2**20}Mi" if mem % 2**20 == 0 else f"{int(mem) // 1024}Ki"
    if "ephemeral-storage" in cap:
        eph = int(amount(cap["ephemeral-storage"]))
        out["ephemeral-storage"] = str(eph - int(eph * 0.1))
    return out


def _node_conditions(now: float) -> list[dict]:
    """The kubelet's four conditions as it first reports them at registration: heartbeat and
    transition both at that moment (the simulation does not rewrite the heartbeat every 5
    minutes, nodeStatusReportFrequency; the node Lease is what shows the kubelet alive)."""
    at = fmt(now)
    rows = [("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            ("Ready", "True", "KubeletReady", "kubelet is posting ready status")]
    return [{"type": t, "status": s, "lastHeartbeatTime": at, "lastTransitionTime": at, "reason": r, "message": m}
            for t, s, r, m in rows]


def _static_pods(cluster, profile, master, ver) -> None:
    node = master["name"]
    tag = profile["kubernetesVersion"]
    for comp, image in (("etcd", ETCD_IMAGE),
                        ("kube-apiserver", f"registry.k8s.io/kube-apiserver:{tag}"),
                        ("kube-controller-manager", f"registry.k8s.io/kube-controller-manager:{tag}"),
                        ("kube-scheduler", f"registry.k8s.io/kube-scheduler:{tag}")):
        server.create_internal(cluster, {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"{comp}-{node}", "namespace": "kube-system",
                         "labels": {"component": comp, "tier": "control-plane"},
                         "annotations": {"kubernetes.io/config.mirror": "%032x" % cluster.rng.getrandbits(128),
                                         "kubernetes.io/config.source": "file"},
                         "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": node,
                                              "uid": cluster.get("Node", None, node)["metadata"]["uid"], "controller": True}]},
            "spec": {"nodeName": node, "hostNetwork": True, "priorityClassName": "system-node-critical", "priority": 2000001000,
                     "tolerations": [{"effect": "NoExecute", "operator": "Exists"}],
                     "containers": [{"name": comp, "image": image, "command": [comp]}]}})


def _kube_proxy(cluster, profile, ver) -> None:
    server.create_internal(cluster, {
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "kube-proxy", "namespace": "kube-system", "labels": {"k8s-app": "kube-proxy"}},
        "spec": {"selector": {"matchLabels": {"k8s-app": "kube-proxy"}},
                 "template": {"metadata": {"labels": {"k8s-app": "kube-proxy"}},
                              "spec": {"hostNetwork": True, "priorityClassName": "system-node-critical",
                                       "serviceAccountName": "kube-proxy", "nodeSelector": {"kubernetes.io/os": "linux"},
                                       "tolerations": [{"operator": "Exists"}],
                                       "containers": [{"name": "kube-proxy",
                                                       "image": f"registry.k8s.io/kube-proxy:{profile['kubernetesVersion']}",
                                                       "command": ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf",
                                                                   "--hostname-override=$(NODE_NAME)"]}]}}}})


def _coredns(cluster, profile, ver) -> None:
    image = _pick(COREDNS_IMAGE, ver)
    labels = {"k8s-app": "kube-dns"}
    server.create_internal(cluster, {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "coredns", "namespace": "kube-system", "labels": dict(labels)},
        "spec": {"replicas": 2, "selector": {"matchLabels": dict(labels)},
                 "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
                 "template": {"metadata": {"labels": dict(labels)},
                              "spec": {"dnsPolicy": "Default", "priorityClassName": "system-cluster-critical",
                                       "serviceAccountName": "coredns", "nodeSelector": {"kubernetes.io/os": "linux"},
                                       "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"},
                                                       {"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"}],
                                       "containers": [{"name": "coredns", "image": image, "args": ["-conf", "/etc/coredns/Corefile"],
                                                       "ports": [{"containerPort": 53, "name": "dns", "protocol": "UDP"},
                                                                 {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                                                                 {"containerPort": 9153, "name": "metrics", "protocol": "TCP"}]}]}}}})
    server.create_internal(cluster, {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kube-dns", "namespace": "kube-system",
                     "labels": {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"},
                     "annotations": {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"}},
        "spec": {"clusterIP": profile["dnsServiceIP"], "selector": dict(labels),
                 "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                           {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                           {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}]}})
