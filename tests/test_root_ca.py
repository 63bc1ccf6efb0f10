"""kube-root-ca.crt: kube-controller-manager publishes the cluster CA's certificate into every
namespace. It is the certificate the control plane's files hold (/etc/kubernetes/pki/ca.crt),
one that openssl reads, in a new namespace as in the first ones."""
from __future__ import annotations

import shutil
import subprocess

import pytest


def _bundle(mk, ns: str) -> str:
    r = mk("get", "cm", "kube-root-ca.crt", "-n", ns, "-o", "jsonpath={.data.ca\\.crt}")
    assert r.code == 0, r.err
    return r.out


def test_every_namespace_holds_the_cluster_ca(mk):
    assert mk("create", "ns", "team-a").code == 0
    bundles = {ns: _bundle(mk, ns) for ns in ("default", "kube-system", "kube-public", "team-a")}
    assert len(set(bundles.values())) == 1
    pem = bundles["default"]
    assert pem.startswith("-----BEGIN CERTIFICATE-----\n") and pem.endswith("-----END CERTIFICATE-----\n")
    on_node = mk("ssh", "k8s-master", "--", "cat /etc/kubernetes/pki/ca.crt")
    assert on_node.code == 0, on_node.err
    assert on_node.out == pem


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_openssl_reads_it_as_the_kubernetes_ca(mk):
    p = subprocess.run(["openssl", "x509", "-noout", "-subject", "-issuer"], input=_bundle(mk, "default"),
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "subject=CN = kubernetes\nissuer=CN = kubernetes\n"
