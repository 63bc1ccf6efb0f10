"""kubeadm certs renew: kubeadm's output (cmd/certs.go, the renewal manager's long names), new
certificates in the node's files that the real openssl reads - new validity, same subject, SANs
and usages, a new key that matches, signed by the same CA - and check-expiration showing them."""
from __future__ import annotations

import datetime
import shutil
import subprocess

import pytest

READ = ('[renew] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...\n'
        "[renew] Use 'kubeadm init phase upload-config --config your-config-file' to re-upload it.\n\n")
DONE = ("\nDone renewing certificates. You must restart the kube-apiserver, kube-controller-manager, kube-scheduler "
        "and etcd, so that they can use the new certificates.\n")
ALL = """certificate embedded in the kubeconfig file for the admin to use and for kubeadm itself renewed
certificate for serving the Kubernetes API renewed
certificate the apiserver uses to access etcd renewed
certificate for the API server to connect to kubelet renewed
certificate embedded in the kubeconfig file for the controller manager to use renewed
certificate for liveness probes to healthcheck etcd renewed
certificate for etcd nodes to communicate with each other renewed
certificate for serving etcd renewed
certificate for the front proxy client renewed
certificate embedded in the kubeconfig file for the scheduler manager to use renewed
certificate embedded in the kubeconfig file for the super-admin renewed
"""
needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="the real openssl")


def ssh(mk, cmd, node="k8s-master"):
    return mk("ssh", node, "--", cmd)


def openssl(*args, data: str | None = None) -> str:
    return subprocess.run(["openssl", *args], input=data, capture_output=True, text=True, check=True).stdout


@needs_openssl
def test_renew_one_certificate_writes_new_files(mk, tmp_path):
    before = ssh(mk, "cat /etc/kubernetes/pki/apiserver.crt").out
    old_text = openssl("x509", "-noout", "-text", data=before)
    assert mk("sim", "advance", "240h").code == 0          # ten days on
    r = ssh(mk, "kubeadm certs renew apiserver")
    assert (r.code, r.err) == (0, "")
    assert r.out == READ + "certificate for serving the Kubernetes API renewed\n"
    after = ssh(mk, "cat /etc/kubernetes/pki/apiserver.crt").out
    key = ssh(mk, "cat /etc/kubernetes/pki/apiserver.key").out
    assert after != before
    new_text = openssl("x509", "-noout", "-text", data=after)
    # same subject, SANs and usages
    for marker in ("Subject:", "X509v3 Subject Alternative Name:", "X509v3 Extended Key Usage:"):
        pick = (lambda t: t.split(marker, 1)[1].splitlines()[:2])
        assert pick(new_text) == pick(old_text)
    # new validity: from now (kubeadm backdates 5 minutes) for a year
    now = int(ssh(mk, "date +%s").out)
    fmt = "%b %d %H:%M:%S %Y GMT"
    start = openssl("x509", "-noout", "-startdate", data=after).strip().split("=", 1)[1]
    end = openssl("x509", "-noout", "-enddate", data=after).strip().split("=", 1)[1]
    start_t = datetime.datetime.strptime(" ".join(start.split()), fmt).replace(tzinfo=datetime.timezone.utc)
    end_t = datetime.datetime.strptime(" ".join(end.split()), fmt).replace(tzinfo=datetime.timezone.utc)
    assert abs(start_t.timestamp() - (now - 300)) <= 2
    assert abs(end_t.timestamp() - (now + 365 * 86400)) <= 2
    # a new key that matches the certificate, signed by the cluster CA
    assert openssl("x509", "-noout", "-modulus", data=after) == openssl("rsa", "-noout", "-modulus", data=key)
    assert openssl("x509", "-noout", "-modulus", data=after) != openssl("x509", "-noout", "-modulus", data=before)
    (tmp_path / "ca.crt").write_text(ssh(mk, "cat /etc/kubernetes/pki/ca.crt").out)
    (tmp_path / "apiserver.crt").write_text(after)
    assert openssl("verify", "-attime", str(now), "-CAfile", str(tmp_path / "ca.crt"),
                   str(tmp_path / "apiserver.crt")).endswith(": OK\n")
    # check-expiration shows the new date for apiserver only
    rows = {ln.split()[0]: ln for ln in ssh(mk, "kubeadm certs check-expiration").out.splitlines() if ln.strip()}
    assert end_t.strftime("%b %d, %Y %H:%M UTC") in rows["apiserver"]
    assert end_t.strftime("%b %d, %Y %H:%M UTC") not in rows["apiserver-kubelet-client"]
    assert rows["apiserver-kubelet-client"].split()[6] == "354d"   # a year from kubeadm init, ten days on


def test_renew_all_and_check_expiration(mk):
    mk("sim", "advance", "48h")
    r = ssh(mk, "kubeadm certs renew all")
    assert (r.code, r.err) == (0, "")
    assert r.out == READ + ALL + DONE
    mk("sim", "advance", "1s")    # at the renewal's very second the residual is a whole year: 1y
    table = ssh(mk, "kubeadm certs check-expiration").out.splitlines()
    rows = table[4:15]
    assert [ln.split()[0] for ln in rows] == ["admin.conf", "apiserver", "apiserver-etcd-client",
                                             "apiserver-kubelet-client", "controller-manager.conf",
                                             "etcd-healthcheck-client", "etcd-peer", "etcd-server",
                                             "front-proxy-client", "scheduler.conf", "super-admin.conf"]
    # every leaf expires a year from the renewal; the CAs are untouched; kubeadm's %-8v "no"
    assert {ln.split()[6] for ln in rows} == {"364d"}
    assert all(ln.endswith("no      ") for ln in rows)
    # the renewed kubeconfig still works for etcdctl's and the components' peers: etcd answers
    # with the renewed server certificate and the renewed apiserver-etcd-client pair
    r = ssh(mk, "ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt "
                "--cert=/etc/kubernetes/pki/apiserver-etcd-client.crt --key=/etc/kubernetes/pki/apiserver-etcd-client.key "
                "endpoint health")
    assert r.code == 0 and "is healthy" in r.out + r.err


def test_renew_bad_input(mk):
    r = ssh(mk, "kubeadm certs renew apisrver")
    assert (r.code, r.err) == (1, 'invalid subcommand: "apisrver"\n'
                                  "To see the stack trace of this error execute with --v=5 or higher\n")
    r = ssh(mk, "kubeadm certs renew")
    assert r.code == 1 and r.err.startswith('missing subcommand; "renew" is not meant to be run on its own\n')
    # a worker has none of the control plane's certificates: kubeadm says MISSING! for each
    r = ssh(mk, "kubeadm certs renew apiserver", "k8s-worker-01")
    assert (r.code, r.out) == (0, "MISSING! certificate for serving the Kubernetes API\n")
    # the cluster CA's key gone: an external CA, nothing renewed
    before = ssh(mk, "cat /etc/kubernetes/pki/apiserver.crt").out
    assert ssh(mk, "mv /etc/kubernetes/pki/ca.key /root/ca.key").code == 0
    r = ssh(mk, "kubeadm certs renew apiserver")
    assert r.out.endswith("Detected external ca, certificate for serving the Kubernetes API can't be renewed\n")
    assert ssh(mk, "cat /etc/kubernetes/pki/apiserver.crt").out == before
