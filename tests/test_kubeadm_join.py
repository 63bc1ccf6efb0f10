"""kubeadm join on the spare machine (k8s-worker-04, not a node yet): the CKA's "join a node"
task - `kubeadm token create --print-join-command` on the control plane, the printed command on
the new machine - and kubeadm's own errors for a wrong token, a wrong CA hash, an unreachable API
server and a machine that already joined."""
from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest

NEW = "k8s-worker-04"


def ssh(mk, cmd, node="k8s-master"):
    return mk("ssh", node, "--", cmd)


def join_command(mk):
    r = ssh(mk, "kubeadm token create --print-join-command")
    assert r.code == 0, r.err
    return r.out.strip()


def test_spare_machine_is_not_a_node_and_its_kubelet_crashloops(mk):
    assert NEW not in mk("get", "no").out
    r = ssh(mk, "ls /etc/kubernetes; ls /var/lib/kubelet; kubeadm version -o short", NEW)
    assert r.out == "manifests\npki\npki\nv1.32.0\n"
    st = ssh(mk, "systemctl status kubelet", NEW).out
    assert "Active: activating (auto-restart) (Result: exit-code)" in st
    log = ssh(mk, "journalctl -u kubelet --no-pager", NEW).out
    assert ('"command failed" err="failed to load kubelet config file, path: /var/lib/kubelet/config.yaml'
            in log)
    assert "Successfully registered node" not in log
    # kubeadm commands that need the control plane's files fail as kubeadm does
    assert ssh(mk, "kubeadm token list", NEW).code == 1


def test_print_join_command_hash_is_the_ca_public_key_sha256(mk, tmp_path):
    cmd = join_command(mk).split()
    assert cmd[:3] == ["kubeadm", "join", "192.168.1.10:6443"]
    ca = ssh(mk, "cat /etc/kubernetes/pki/ca.crt").out
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    spki = x509.load_pem_x509_certificate(ca.encode()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert cmd[cmd.index("--discovery-token-ca-cert-hash") + 1] == "sha256:" + hashlib.sha256(spki).hexdigest()
    if shutil.which("openssl"):     # the kubeadm page's openssl pipeline agrees
        (tmp_path / "ca.crt").write_text(ca)
        pub = subprocess.run(["openssl", "x509", "-pubkey", "-noout", "-in", str(tmp_path / "ca.crt")],
                             capture_output=True, check=True).stdout
        der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=pub,
                             capture_output=True, check=True).stdout
        assert cmd[cmd.index("--discovery-token-ca-cert-hash") + 1] == "sha256:" + hashlib.sha256(der).hexdigest()


def test_join_makes_a_node_notready_until_its_network_runs(mk):
    cmd = join_command(mk)
    r = ssh(mk, cmd, NEW)
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[:8] == [
        "[preflight] Running pre-flight checks",
        '[preflight] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...',
        "[preflight] Use 'kubeadm init phase upload-config --config your-config-file' to re-upload it.",
        '[kubelet-start] Writing kubelet configuration to file "/var/lib/kubelet/config.yaml"',
        '[kubelet-start] Writing kubelet environment file with flags to file "/var/lib/kubelet/kubeadm-flags.env"',
        "[kubelet-start] Starting the kubelet",
        "[kubelet-check] Waiting for a healthy kubelet at http://127.0.0.1:10248/healthz. This can take up to 4m0s",
        lines[7]]
    assert lines[7].startswith("[kubelet-check] The kubelet is healthy after ") and lines[7].endswith("ms")
    assert r.out.endswith("[kubelet-start] Waiting for the kubelet to perform the TLS Bootstrap\n\n"
                          "This node has joined the cluster:\n"
                          "* Certificate signing request was sent to apiserver and a response was received.\n"
                          "* The Kubelet was informed of the new secure connection details.\n\n"
                          "Run 'kubectl get nodes' on the control-plane to see this node join the cluster.\n\n")
    # the node registered NotReady (no CNI configuration yet), tainted not-ready
    row = [ln for ln in mk("get", "no").out.splitlines() if ln.startswith(NEW)][0].split()
    assert row[1] == "NotReady" and row[4] == "v1.32.0"
    taints = mk("get", "no", NEW, "-o", "jsonpath={.spec.taints[*].key}").out.split()
    assert taints == ["node.kubernetes.io/not-ready", "node.kubernetes.io/not-ready"]
    assert "cni plugin not initialized" in mk(
        "get", "no", NEW, "-o", 'jsonpath={.status.conditions[?(@.type=="Ready")].message}').out
    # the kubelet's client CSR, auto-approved and issued
    csr = mk("get", "csr").out.splitlines()[1].split()
    assert csr[2:4] == ["kubernetes.io/kube-apiserver-client-kubelet", "system:bootstrap:" + cmd.split()[4][:6]]
    assert csr[-1] == "Approved,Issued"
    # the kubelet runs with the files kubeadm wrote
    f = ssh(mk, "ls /etc/kubernetes; ls /etc/kubernetes/pki; systemctl is-active kubelet", NEW).out
    assert f == "kubelet.conf\nmanifests\npki\nca.crt\nactive\n"
    # kube-proxy's DaemonSet pod runs there; calico's CNI config follows, and the node is Ready
    assert mk("sim", "advance", "45s").code == 0
    pods = [ln.split() for ln in mk("get", "po", "-n", "kube-system", "-o", "wide").out.splitlines()
            if NEW in ln]
    assert [p[0].startswith("kube-proxy-") and p[2] == "Running" for p in pods] == [True]
    assert [ln for ln in mk("get", "no").out.splitlines() if ln.startswith(NEW)][0].split()[1] == "Ready"
    assert mk("get", "no", NEW, "-o", "jsonpath={.spec.taints}").out == ""
    assert ssh(mk, "ls /etc/cni/net.d", NEW).out == "10-calico.conflist\n"
    # and workloads are scheduled there
    assert mk("create", "deploy", "web", "--image=nginx", "--replicas=8").code == 0
    mk("sim", "advance", "5s")
    assert NEW in mk("get", "po", "-o", "wide").out


PREFIX = "error execution phase preflight: couldn't validate the identity of the API Server: "
HINT = "To see the stack trace of this error execute with --v=5 or higher\n"


def test_join_errors_as_kubeadm_prints_them(mk):
    cmd = join_command(mk).split()
    token, ca_hash = cmd[4], cmd[6]

    def join(endpoint="192.168.1.10:6443", tok=token, h=ca_hash, node=NEW):
        return ssh(mk, f"kubeadm join {endpoint} --token {tok}" + (f" --discovery-token-ca-cert-hash {h}" if h else ""),
                   node)

    r = join(tok="abcdef.0123456789abcdef")
    assert (r.code, r.out) == (1, "[preflight] Running pre-flight checks\n")
    assert r.err == PREFIX + 'could not find a JWS signature in the cluster-info ConfigMap for token ID "abcdef"\n' + HINT
    r = join(tok=token[:7] + "0123456789abcdef")
    assert r.err == PREFIX + ("failed to verify JWS signature of received cluster info object, can't trust this "
                              "API Server\n") + HINT
    wrong = "sha256:" + "0" * 64
    r = join(h=wrong)
    assert r.err == PREFIX + (f'cluster CA found in cluster-info ConfigMap is invalid: none of the public keys '
                              f'"{ca_hash}" are pinned\n') + HINT
    r = join(h=None)
    assert r.err.startswith('discovery.bootstrapToken.caCertHashes: Invalid value: "": using token-based discovery '
                            "without caCertHashes can be unsafe.")
    r = join(endpoint="192.168.1.10:6444")
    assert r.err == PREFIX + ('failed to request the cluster-info ConfigMap: Get "https://192.168.1.10:6444/api/v1/'
                              'namespaces/kube-public/configmaps/cluster-info?timeout=10s": dial tcp 192.168.1.10:6444: '
                              "connect: connection refused\n") + HINT
    # nothing changed on a failed join
    assert NEW not in mk("get", "no").out
    assert ssh(mk, "ls /etc/kubernetes", NEW).out == "manifests\npki\n"
    # the API server down: refused as well
    assert ssh(mk, "sed -i 's/--secure-port=6443/--secure-prt=6443/' /etc/kubernetes/manifests/kube-apiserver.yaml"
               ).code == 0
    assert "connect: connection refused" in join().err
    assert ssh(mk, "sed -i 's/--secure-prt=6443/--secure-port=6443/' /etc/kubernetes/manifests/kube-apiserver.yaml"
               ).code == 0
    # an expired token: the token cleaner has removed it
    r = ssh(mk, "kubeadm token create --ttl 1m")
    short = r.out.strip()
    mk("sim", "advance", "2m")
    assert 'could not find a JWS signature' in join(tok=short).err
    # a machine that is already a node
    r = join(node="k8s-worker-01")
    assert r.err == ("error execution phase preflight: [preflight] Some fatal errors occurred:\n"
                     "\t[ERROR FileAvailable--etc-kubernetes-kubelet.conf]: /etc/kubernetes/kubelet.conf already exists\n"
                     "\t[ERROR Port-10250]: Port 10250 is in use\n"
                     "\t[ERROR FileAvailable--etc-kubernetes-pki-ca.crt]: /etc/kubernetes/pki/ca.crt already exists\n"
                     "[preflight] If you know what you are doing, you can make a check non-fatal with "
                     "`--ignore-preflight-errors=...`\n" + HINT)
    # the right command still works afterwards
    assert join().code == 0


@pytest.mark.parametrize("flag", ["--control-plane", "--config=join.yaml", "--discovery-file=a.conf"])
def test_join_forms_not_simulated(mk, flag):
    r = ssh(mk, f"kubeadm join 192.168.1.10:6443 {flag}", NEW)
    assert r.code == 126 and r.err.startswith("minikctl: ") and "is not simulated" in r.err


def test_join_with_containerd_stopped_says_it_is_not_simulated(mk):
    cmd = join_command(mk)
    assert ssh(mk, "systemctl stop containerd", NEW).code == 0
    r = ssh(mk, cmd, NEW)
    assert r.code == 126 and r.err.startswith("minikctl: kubeadm join with the container runtime stopped is not simulated")
    assert NEW not in mk("get", "no").out
    assert ssh(mk, "systemctl start containerd", NEW).code == 0
    assert ssh(mk, cmd, NEW).code == 0


def test_a_sleep_on_the_node_shows_what_was_written_meanwhile(mk):
    """`sleep` on a node lets the cluster's time pass (calico writes its CNI config meanwhile): the
    rest of the same command line sees those files, and its own writes keep them."""
    r = ssh(mk, join_command(mk) + " >/dev/null; ls /etc/cni/net.d; echo -; sleep 45; ls /etc/cni/net.d; "
                "echo mine > /etc/cni/net.d/99-mine; ls /etc/cni/net.d", NEW)
    assert r.code == 0, r.err
    assert r.out == "-\n10-calico.conflist\n10-calico.conflist\n99-mine\n"
    assert ssh(mk, "ls /etc/cni/net.d", NEW).out == "10-calico.conflist\n99-mine\n"
