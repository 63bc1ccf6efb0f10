"""kubeadm on the nodes: the kubernetes.io kubeadm-upgrade page's commands (apt repository
switch, unhold/install/hold, upgrade plan/apply, kubelet upgrade and restart, upgrade node on a
worker) and what each step changes; tokens and certificate expiry read from the real files."""
from __future__ import annotations

import hashlib


def ssh(mk, cmd, node="k8s-master"):
    return mk("ssh", node, "--", cmd)


def version_of(mk, node):
    return mk("get", "node", node, "-o", "jsonpath={.status.nodeInfo.kubeletVersion}").out


def image_of(mk, pod):
    return mk("get", "po", "-n", "kube-system", pod, "-o", "jsonpath={.spec.containers[0].image}").out


REPO = "sed -i 's#/v1.32/#/v1.33/#' /etc/apt/sources.list.d/kubernetes.list"
KUBEADM = "apt-mark unhold kubeadm && apt-get update && apt-get install -y kubeadm='1.33.1-*' && apt-mark hold kubeadm"
KUBELET = ("apt-mark unhold kubelet kubectl && apt-get update && apt-get install -y kubelet='1.33.1-*' "
           "kubectl='1.33.1-*' && apt-mark hold kubelet kubectl")


def test_kubeadm_upgrade_page_replays(mk):
    mk("get", "no")
    assert ssh(mk, "kubeadm version -o short").out == "v1.32.0\n"
    # the packages of the cluster's minor, held; the v1.33 repository once the source names it
    assert ssh(mk, "apt-mark showhold").out == "kubeadm\nkubectl\nkubelet\n"
    assert ssh(mk, "apt-cache madison kubeadm").out.splitlines()[0] == \
        "   kubeadm | 1.32.10-1.1 | https://pkgs.k8s.io/core:/stable:/v1.32/deb  Packages"
    r = ssh(mk, f"{REPO} && apt-get update && apt-cache madison kubeadm")
    assert r.code == 0
    assert "   kubeadm | 1.33.1-1.1 | https://pkgs.k8s.io/core:/stable:/v1.33/deb  Packages" in r.out.splitlines()
    # order matters: the cluster cannot be upgraded past the kubeadm that is installed
    r = ssh(mk, "kubeadm upgrade apply v1.33.1 -y")
    assert r.code == 1 and 'is higher than the kubeadm version "v1.32.0"' in r.err
    # a held package is not changed by -y
    r = ssh(mk, "apt-get install -y kubeadm='1.33.1-*'")
    assert r.code == 100
    assert r.err == "E: Held packages were changed and -y was used without --allow-change-held-packages.\n"
    r = ssh(mk, KUBEADM)
    assert r.code == 0, r.err
    assert "Unpacking kubeadm (1.33.1-1.1) over (1.32.0-1.1) ...\n" in r.out and r.out.endswith("kubeadm set on hold.\n")
    assert ssh(mk, "kubeadm version -o short").out == "v1.33.1\n"
    plan = ssh(mk, "kubeadm upgrade plan").out
    assert "[upgrade/versions] Cluster version: 1.32.0\n[upgrade/versions] kubeadm version: v1.33.1\n" in plan
    assert "\tkubeadm upgrade apply v1.33.6\n" in plan
    assert "etcd                      k8s-master   3.5.16-0   3.5.21-0\n" in plan
    assert mk("drain", "k8s-master", "--ignore-daemonsets").code == 0
    r = ssh(mk, "kubeadm upgrade apply v1.33.1 -y")
    assert r.code == 0, r.err
    assert r.out.endswith('[upgrade] SUCCESS! A control plane node of your cluster was upgraded to "v1.33.1".\n\n'
                          "[upgrade] Now please proceed with upgrading the rest of the nodes by following the right order.\n")
    # the control plane's static pods run the new images; the kubelets still report the old version
    assert image_of(mk, "kube-apiserver-k8s-master") == "registry.k8s.io/kube-apiserver:v1.33.1"
    assert image_of(mk, "etcd-k8s-master") == "registry.k8s.io/etcd:3.5.21-0"
    assert "Server Version: v1.33.1" in mk("version").out
    assert version_of(mk, "k8s-master") == "v1.32.0"
    assert ssh(mk, KUBELET).code == 0
    assert version_of(mk, "k8s-master") == "v1.32.0"          # until the kubelet restarts
    assert ssh(mk, "systemctl daemon-reload && systemctl restart kubelet").code == 0
    assert version_of(mk, "k8s-master") == "v1.33.1"
    assert "SchedulingDisabled" in mk("get", "node", "k8s-master").out
    assert mk("uncordon", "k8s-master").code == 0
    # a worker: drain, kubeadm, upgrade node, kubelet, restart, uncordon
    assert mk("drain", "k8s-worker-01", "--ignore-daemonsets").code == 0
    assert ssh(mk, f"{REPO} && {KUBEADM}", node="k8s-worker-01").code == 0
    r = ssh(mk, "kubeadm upgrade node", node="k8s-worker-01")
    assert r.code == 0 and "[upgrade/kubelet-config] The kubelet configuration for this node was successfully upgraded!" in r.out
    assert ssh(mk, f"{KUBELET} && systemctl daemon-reload && systemctl restart kubelet", node="k8s-worker-01").code == 0
    assert mk("uncordon", "k8s-worker-01").code == 0
    rows = {line.split()[0]: line.split() for line in mk("get", "no").out.splitlines()[1:]}
    assert rows["k8s-worker-01"][1:] == ["Ready", "<none>"] + rows["k8s-worker-01"][3:4] + ["v1.33.1"]
    assert rows["k8s-worker-02"][-1] == "v1.32.0"


def test_plan_and_apply_need_the_control_plane(mk):
    r = ssh(mk, "kubeadm upgrade plan", node="k8s-worker-01")
    assert r.code == 1 and "open /etc/kubernetes/admin.conf: no such file or directory" in r.err
    r = ssh(mk, "kubeadm upgrade apply v1.34.0 -y")
    assert r.code == 1 and "too high" in r.err or "higher than the kubeadm version" in r.err


def test_token_join_command_hash_is_the_ca_public_key(mk):
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    r = ssh(mk, "kubeadm token create --print-join-command")
    assert r.code == 0, r.err
    words = r.out.split()
    assert words[:3] == ["kubeadm", "join", "192.168.1.10:6443"]
    ca = x509.load_pem_x509_certificate(ssh(mk, "cat /etc/kubernetes/pki/ca.crt").out.encode())
    spki = ca.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert words[words.index("--discovery-token-ca-cert-hash") + 1] == "sha256:" + hashlib.sha256(spki).hexdigest()
    token = words[words.index("--token") + 1]
    mk.advance(5)
    listing = ssh(mk, "kubeadm token list").out
    # kubeadm's formatBootstrapToken pads TTL to 9, USAGES to 22, DESCRIPTION to 56 before its tabwriter
    assert listing.splitlines()[0] == ("TOKEN                     TTL         EXPIRES                USAGES                   "
                                       "DESCRIPTION" + " " * 48 + "EXTRA GROUPS")
    assert listing.splitlines()[1].split() == [token, "23h", listing.split()[9], "authentication,signing", "<none>",
                                               "system:bootstrappers:kubeadm:default-node-token"]
    secret = f"bootstrap-token-{token.split('.')[0]}"
    assert mk("get", "secret", "-n", "kube-system", secret, "-o", "jsonpath={.type}").out == \
        "bootstrap.kubernetes.io/token"
    assert ssh(mk, "kubeadm token delete " + token).out == f'bootstrap token "{token[:6]}" deleted\n'
    assert ssh(mk, "kubeadm token list").out == ""          # no token: not even the header


def test_certs_check_expiration_reads_the_files(mk):
    r = ssh(mk, "kubeadm certs check-expiration")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[3].split() == ["CERTIFICATE", "EXPIRES", "RESIDUAL", "TIME", "CERTIFICATE", "AUTHORITY",
                                "EXTERNALLY", "MANAGED"]
    apiserver = next(line for line in lines if line.startswith("apiserver "))
    assert apiserver.split()[-3:] == ["364d", "ca", "no"] or apiserver.split()[-3:] == ["365d", "ca", "no"]
