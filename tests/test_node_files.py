"""A node's persistent file system as kubeadm left it (sim/nodehost), read and edited over ssh."""
from __future__ import annotations

import shutil
import subprocess

import pytest


def ssh(mk, node, line):
    return mk("ssh", node, "--", line)


def test_control_plane_has_kubeadms_files(mk):
    r = ssh(mk, "k8s-master", "ls /etc/kubernetes /etc/kubernetes/manifests")
    assert r.code == 0, r.err
    assert r.out == ("/etc/kubernetes:\nadmin.conf\ncontroller-manager.conf\nkubelet.conf\nmanifests\npki\n"
                     "scheduler.conf\nsuper-admin.conf\n\n/etc/kubernetes/manifests:\netcd.yaml\n"
                     "kube-apiserver.yaml\nkube-controller-manager.yaml\nkube-scheduler.yaml\n")
    r = ssh(mk, "k8s-worker-01", "ls /etc/kubernetes/manifests /var/lib/kubelet; cat /var/lib/kubelet/config.yaml")
    assert r.out.startswith("/etc/kubernetes/manifests:\n\n/var/lib/kubelet:\nconfig.yaml\nkubeadm-flags.env\npki\n")
    assert "staticPodPath: /etc/kubernetes/manifests\n" in r.out
    assert "clientCAFile: /etc/kubernetes/pki/ca.crt\n" in r.out
    r = ssh(mk, "k8s-worker-01", "cat /etc/systemd/system/kubelet.service.d/10-kubeadm.conf")
    assert 'KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml' in r.out


def test_manifests_parse_and_match_the_profile(mk, tmp_path):
    import yaml
    r = ssh(mk, "k8s-master", "cat /etc/kubernetes/manifests/kube-apiserver.yaml")
    pod = yaml.safe_load(r.out)
    cmd = pod["spec"]["containers"][0]["command"]
    assert cmd[0] == "kube-apiserver" and "--advertise-address=192.168.1.10" in cmd and "--secure-port=6443" in cmd
    assert pod["spec"]["containers"][0]["image"] == "registry.k8s.io/kube-apiserver:v1.32.0"
    # the apiserver's strict decoding accepts them as Pods (every field is a real one)
    for name in ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"):
        text = ssh(mk, "k8s-master", f"cat /etc/kubernetes/manifests/{name}.yaml").out
        (tmp_path / f"{name}.yaml").write_text(text)
        r = mk("create", "--dry-run=server", "-o", "name", "-f", str(tmp_path / f"{name}.yaml"))
        assert r.code == 0 and r.out.startswith(f"pod/{name}"), r.err


def test_edits_persist_between_commands(mk):
    assert ssh(mk, "k8s-master", "sed -i 's/--secure-port=6443/--secure-port=6444/' "
                                 "/etc/kubernetes/manifests/kube-scheduler.yaml; echo x").code == 0
    r = ssh(mk, "k8s-worker-02", "cat > /etc/sysconfig/kubelet <<EOF\nKUBELET_EXTRA_ARGS=--v=4\nEOF")
    assert r.code == 0, r.err
    assert ssh(mk, "k8s-worker-02", "cat /etc/sysconfig/kubelet").out == "KUBELET_EXTRA_ARGS=--v=4\n"
    assert ssh(mk, "k8s-worker-01", "cat /etc/sysconfig/kubelet").out == "KUBELET_EXTRA_ARGS=\n"


def _pem(mk, node, path):
    r = ssh(mk, node, f"cat {path}")
    assert r.code == 0, r.err
    return r.out


def test_certificates_are_real_and_signed_by_the_cluster_ca(mk):
    from cryptography import x509
    ca = x509.load_pem_x509_certificate(_pem(mk, "k8s-master", "/etc/kubernetes/pki/ca.crt").encode())
    api = x509.load_pem_x509_certificate(_pem(mk, "k8s-master", "/etc/kubernetes/pki/apiserver.crt").encode())
    api.verify_directly_issued_by(ca)
    sans = api.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "kubernetes.default.svc.cluster.local" in sans.get_values_for_type(x509.DNSName)
    etcd_ca = x509.load_pem_x509_certificate(_pem(mk, "k8s-master", "/etc/kubernetes/pki/etcd/ca.crt").encode())
    x509.load_pem_x509_certificate(
        _pem(mk, "k8s-master", "/etc/kubernetes/pki/apiserver-etcd-client.crt").encode()).verify_directly_issued_by(etcd_ca)
    # the worker trusts the same CA, and the cluster's kube-root-ca.crt publishes it
    assert _pem(mk, "k8s-worker-01", "/etc/kubernetes/pki/ca.crt") == _pem(mk, "k8s-master", "/etc/kubernetes/pki/ca.crt")
    import json
    cm = json.loads(mk("get", "cm", "kube-root-ca.crt", "-o", "json").out)
    assert cm["data"]["ca.crt"] == _pem(mk, "k8s-master", "/etc/kubernetes/pki/ca.crt")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="the real openssl is the oracle")
@pytest.mark.parametrize("path", ["/etc/kubernetes/pki/apiserver.crt", "/etc/kubernetes/pki/ca.crt",
                                  "/etc/kubernetes/pki/etcd/server.crt", "/etc/kubernetes/pki/front-proxy-client.crt"])
def test_openssl_x509_text_is_what_the_real_openssl_prints(mk, path, tmp_path):
    pem = _pem(mk, "k8s-master", path)
    (tmp_path / "c.crt").write_text(pem)
    for flags in (["-noout", "-text"], ["-noout", "-subject", "-issuer", "-dates"], ["-noout", "-serial"],
                  ["-noout", "-ext", "subjectAltName"]):
        real = subprocess.run(["openssl", "x509", "-in", str(tmp_path / "c.crt"), *flags], capture_output=True, text=True)
        ours = ssh(mk, "k8s-master", f"openssl x509 -in {path} " + " ".join(flags))
        assert ours.out == real.stdout, flags
    real = subprocess.run(["openssl", "x509", "-in", "/nonexistent.crt", "-noout"], capture_output=True, text=True)
    ours = ssh(mk, "k8s-master", "openssl x509 -in /nonexistent.crt -noout")
    assert ours.code == real.returncode == 1
    assert [ln.split(":", 1)[-1] for ln in ours.err.splitlines()] == [ln.split(":", 1)[-1] for ln in real.stderr.splitlines()]


def test_kubeconfigs_name_the_apiserver_and_a_cluster_signed_user(mk):
    import base64
    import yaml
    from cryptography import x509
    conf = yaml.safe_load(_pem(mk, "k8s-master", "/etc/kubernetes/admin.conf"))
    assert conf["clusters"][0]["cluster"]["server"] == "https://192.168.1.10:6443"
    assert conf["current-context"] == "kubernetes-admin@kubernetes"
    cert = x509.load_pem_x509_certificate(base64.b64decode(conf["users"][0]["user"]["client-certificate-data"]))
    assert cert.subject.rfc4514_string() == "CN=kubernetes-admin,O=kubeadm:cluster-admins"
    kubelet = yaml.safe_load(_pem(mk, "k8s-worker-03", "/etc/kubernetes/kubelet.conf"))
    assert kubelet["users"][0]["user"]["client-certificate"] == "/var/lib/kubelet/pki/kubelet-client-current.pem"
    pem = _pem(mk, "k8s-worker-03", "/var/lib/kubelet/pki/kubelet-client-current.pem")
    assert x509.load_pem_x509_certificate(pem.encode()).subject.rfc4514_string() == \
        "CN=system:node:k8s-worker-03,O=system:nodes"


def test_crictl_pods_and_images_on_the_control_plane(mk):
    r = ssh(mk, "k8s-master", "crictl pods")
    lines = r.out.splitlines()
    assert lines[0].split() == ["POD", "ID", "CREATED", "STATE", "NAME", "NAMESPACE", "ATTEMPT", "RUNTIME"]
    names = {ln.split()[-4] for ln in lines[1:]}
    assert {"etcd-k8s-master", "kube-apiserver-k8s-master", "kube-scheduler-k8s-master"} <= names
    r = ssh(mk, "k8s-master", "crictl images")
    assert "registry.k8s.io/pause " in r.out and "registry.k8s.io/etcd " in r.out
    r = ssh(mk, "k8s-master", "crictl inspect nope")
    assert r.code == 1 and "not found" in r.err


def test_editors_and_unbuilt_tools_say_not_simulated(mk):
    r = ssh(mk, "k8s-master", "vi /etc/kubernetes/manifests/etcd.yaml")
    assert r.code == 126 and r.err.startswith("minikctl: vi is not simulated")
    r = ssh(mk, "k8s-master", "crictl stats")
    assert r.code == 126 and r.err == "minikctl: crictl stats is not simulated\n"


def test_sleep_on_a_node_lets_the_cluster_time_pass(mk):
    r = mk("ssh", "k8s-worker-01", "--", "date +%s; sleep 90; date +%s")
    first, second = (int(x) for x in r.out.split())
    assert second - first == 90
    # the next command sees the moved clock too; a script stops after an hour of sleeping
    assert int(mk("ssh", "k8s-worker-01", "--", "date +%s").out) >= second
    r = mk("ssh", "k8s-worker-01", "--", "sleep 2h; echo never")
    assert r.code == 124 and "never" not in r.out
    assert r.err == "minikctl: a script running longer than 3600 s of simulated time is not simulated (stopped)\n"
