"""The four control-plane static pod manifests, as `kubeadm init` (v1.32) writes them to
/etc/kubernetes/manifests: sigs.k8s.io/yaml's output of the Pod (keys sorted, lists not indented,
`creationTimestamp: null`, `status: {}`), with the flags kubeadm's controlplane and etcd phases
compute from the ClusterConfiguration (the profile: advertise address, port, CIDRs, version).
"""
from __future__ import annotations

import ipaddress
from minikctl import lazy

sim_profile = lazy.module("minikctl.sim.profile")
yaml = lazy.module("yaml")

ETCD_IMAGE = "registry.k8s.io/etcd:3.5.16-0"
CA_VOLUMES = (("ca-certs", "/etc/ssl/certs"), ("etc-pki", "/etc/pki"))   # CentOS: /etc/pki exists


def _probe(host: str, path: str, port: int, scheme: str, failure: int, period: int = 10,
           delay: int | None = 10) -> dict:
    p = {"failureThreshold": failure, "httpGet": {"host": host, "path": path, "port": port, "scheme": scheme},
         "periodSeconds": period, "timeoutSeconds": 15}
    if delay is not None:
        p["initialDelaySeconds"] = delay
    return p


def _pod(name: str, command: list[str], image: str, probes: dict, cpu: str, mounts: list, volumes: list,
         annotations: dict | None = None, memory: str | None = None) -> dict:
    requests = {"cpu": cpu}
    if memory:
        requests["memory"] = memory
    container = {"command": command, "image": image, "imagePullPolicy": "IfNotPresent", "name": name,
                 "resources": {"requests": requests}, "volumeMounts": mounts}
    container.update(probes)
    meta = {"creationTimestamp": None, "labels": {"component": name, "tier": "control-plane"},
            "name": name, "namespace": "kube-system"}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"containers": [container], "hostNetwork": True, "priority": 2000001000,
                     "priorityClassName": "system-node-critical",
                     "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}, "volumes": volumes},
            "status": {}}


def _vol(name: str, path: str, kind: str = "DirectoryOrCreate") -> dict:
    return {"hostPath": {"path": path, "type": kind}, "name": name}


def _mount(name: str, path: str, ro: bool = True) -> dict:
    m = {"mountPath": path, "name": name}
    if ro:
        m["readOnly"] = True
    return m


def pods(profile: dict, node: str, ip: str) -> dict[str, dict]:
    """file name -> Pod dict, for the control-plane node `node` advertising `ip`."""
    tag = profile.get("kubernetesVersion", "v1.32.0")
    port = int(profile.get("apiServerPort") or sim_profile.KUBEADM_API_PORT)
    svc = profile.get("serviceCIDR", "10.96.0.0/12")
    domain = profile.get("clusterDomain", "cluster.local")
    ipaddress.ip_network(svc)
    pki = "/etc/kubernetes/pki"
    ca_mounts = [_mount(n, p) for n, p in CA_VOLUMES]
    ca_vols = [_vol(n, p) for n, p in CA_VOLUMES]
    out = {}
    out["etcd.yaml"] = _pod("etcd", [
        "etcd", f"--advertise-client-urls=https://{ip}:2379", f"--cert-file={pki}/etcd/server.crt",
        "--client-cert-auth=true", "--data-dir=/var/lib/etcd", "--experimental-initial-corrupt-check=true",
        "--experimental-watch-progress-notify-interval=5s", f"--initial-advertise-peer-urls=https://{ip}:2380",
        f"--initial-cluster={node}=https://{ip}:2380", f"--key-file={pki}/etcd/server.key",
        f"--listen-client-urls=https://127.0.0.1:2379,https://{ip}:2379", "--listen-metrics-urls=http://127.0.0.1:2381",
        f"--listen-peer-urls=https://{ip}:2380", f"--name={node}", f"--peer-cert-file={pki}/etcd/peer.crt",
        "--peer-client-cert-auth=true", f"--peer-key-file={pki}/etcd/peer.key",
        f"--peer-trusted-ca-file={pki}/etcd/ca.crt", "--snapshot-count=10000", f"--trusted-ca-file={pki}/etcd/ca.crt"],
        ETCD_IMAGE,
        {"livenessProbe": _probe("127.0.0.1", "/livez", 2381, "HTTP", 8),
         "readinessProbe": _probe("127.0.0.1", "/readyz", 2381, "HTTP", 3, period=1, delay=None),
         "startupProbe": _probe("127.0.0.1", "/readyz", 2381, "HTTP", 24)},
        "100m", [_mount("etcd-data", "/var/lib/etcd", False), _mount("etcd-certs", f"{pki}/etcd", False)],
        [_vol("etcd-certs", f"{pki}/etcd"), _vol("etcd-data", "/var/lib/etcd")],
        {"kubeadm.kubernetes.io/etcd.advertise-client-urls": f"https://{ip}:2379"}, memory="100Mi")
    out["kube-apiserver.yaml"] = _pod("kube-apiserver", [
        "kube-apiserver", f"--advertise-address={ip}", "--allow-privileged=true", "--authorization-mode=Node,RBAC",
        f"--client-ca-file={pki}/ca.crt", "--enable-admission-plugins=NodeRestriction",
        "--enable-bootstrap-token-auth=true", f"--etcd-cafile={pki}/etcd/ca.crt",
        f"--etcd-certfile={pki}/apiserver-etcd-client.crt", f"--etcd-keyfile={pki}/apiserver-etcd-client.key",
        "--etcd-servers=https://127.0.0.1:2379", f"--kubelet-client-certificate={pki}/apiserver-kubelet-client.crt",
        f"--kubelet-client-key={pki}/apiserver-kubelet-client.key",
        "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
        f"--proxy-client-cert-file={pki}/front-proxy-client.crt", f"--proxy-client-key-file={pki}/front-proxy-client.key",
        "--requestheader-allowed-names=front-proxy-client", f"--requestheader-client-ca-file={pki}/front-proxy-ca.crt",
        "--requestheader-extra-headers-prefix=X-Remote-Extra-", "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-username-headers=X-Remote-User", f"--secure-port={port}",
        f"--service-account-issuer=https://kubernetes.default.svc.{domain}",
        f"--service-account-key-file={pki}/sa.pub", f"--service-account-signing-key-file={pki}/sa.key",
        f"--service-cluster-ip-range={svc}", f"--tls-cert-file={pki}/apiserver.crt",
        f"--tls-private-key-file={pki}/apiserver.key"],
        f"registry.k8s.io/kube-apiserver:{tag}",
        {"livenessProbe": _probe(ip, "/livez", port, "HTTPS", 8),
         "readinessProbe": _probe(ip, "/readyz", port, "HTTPS", 3, period=1, delay=None),
         "startupProbe": _probe(ip, "/livez", port, "HTTPS", 24)},
        "250m", ca_mounts + [_mount("k8s-certs", pki)], ca_vols + [_vol("k8s-certs", pki)],
        {"kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": f"{ip}:{port}"})
    kcm_conf = "/etc/kubernetes/controller-manager.conf"
    flex = "/usr/libexec/kubernetes/kubelet-plugins/volume/exec"
    out["kube-controller-manager.yaml"] = _pod("kube-controller-manager", [
        "kube-controller-manager", "--allocate-node-cidrs=true", f"--authentication-kubeconfig={kcm_conf}",
        f"--authorization-kubeconfig={kcm_conf}", "--bind-address=127.0.0.1", f"--client-ca-file={pki}/ca.crt",
        f"--cluster-cidr={profile.get('podCIDR', '10.244.0.0/16')}", "--cluster-name=kubernetes",
        f"--cluster-signing-cert-file={pki}/ca.crt", f"--cluster-signing-key-file={pki}/ca.key",
        "--controllers=*,bootstrapsigner,tokencleaner", f"--kubeconfig={kcm_conf}", "--leader-elect=true",
        f"--requestheader-client-ca-file={pki}/front-proxy-ca.crt", f"--root-ca-file={pki}/ca.crt",
        f"--service-account-private-key-file={pki}/sa.key", f"--service-cluster-ip-range={svc}",
        "--use-service-account-credentials=true"],
        f"registry.k8s.io/kube-controller-manager:{tag}",
        {"livenessProbe": _probe("127.0.0.1", "/healthz", 10257, "HTTPS", 8),
         "startupProbe": _probe("127.0.0.1", "/healthz", 10257, "HTTPS", 24)},
        "200m", ca_mounts + [_mount("flexvolume-dir", flex, False), _mount("k8s-certs", pki),
                             _mount("kubeconfig", kcm_conf)],
        ca_vols + [_vol("flexvolume-dir", flex), _vol("k8s-certs", pki), _vol("kubeconfig", kcm_conf, "FileOrCreate")])
    sch_conf = "/etc/kubernetes/scheduler.conf"
    out["kube-scheduler.yaml"] = _pod("kube-scheduler", [
        "kube-scheduler", f"--authentication-kubeconfig={sch_conf}", f"--authorization-kubeconfig={sch_conf}",
        "--bind-address=127.0.0.1", f"--kubeconfig={sch_conf}", "--leader-elect=true"],
        f"registry.k8s.io/kube-scheduler:{tag}",
        {"livenessProbe": _probe("127.0.0.1", "/livez", 10259, "HTTPS", 8),
         "readinessProbe": _probe("127.0.0.1", "/readyz", 10259, "HTTPS", 3, period=1, delay=None),
         "startupProbe": _probe("127.0.0.1", "/livez", 10259, "HTTPS", 24)},
        "100m", [_mount("kubeconfig", sch_conf)], [_vol("kubeconfig", sch_conf, "FileOrCreate")])
    return out


def to_yaml(obj: dict) -> str:
    """sigs.k8s.io/yaml's layout: keys sorted, block style, sequences at their key's indent."""
    return yaml.safe_dump(obj, default_flow_style=False, sort_keys=True, width=1 << 20)


def files(profile: dict, node: str, ip: str) -> dict[str, str]:
    return {"/etc/kubernetes/manifests/" + name: to_yaml(pod) for name, pod in pods(profile, node, ip).items()}
