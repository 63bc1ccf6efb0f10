"""The exam's user task end to end: an openssl key and CSR, a CertificateSigningRequest, approve,
the signed certificate (issued by the cluster CA, the CSR's subject), a kubeconfig user and
context, a Role and RoleBinding, `auth can-i` yes and no, and commands as that user allowed and
Forbidden; plus the CSR validation texts, deny, and a certificate the CA did not sign."""
from __future__ import annotations

import base64
import json
import shutil
import subprocess

import pytest

OPENSSL = shutil.which("openssl")
pytestmark = pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")


def _openssl(*args, cwd):
    subprocess.run([OPENSSL, *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def keys(tmp_path):
    _openssl("genrsa", "-out", "jane.key", "2048", cwd=tmp_path)
    _openssl("req", "-new", "-key", "jane.key", "-out", "jane.csr", "-subj", "/CN=jane/O=devs", cwd=tmp_path)
    return tmp_path


def _csr_doc(keys, name="jane", **spec):
    body = {"request": base64.b64encode((keys / "jane.csr").read_bytes()).decode(),
            "signerName": "kubernetes.io/kube-apiserver-client", "expirationSeconds": 86400,
            "usages": ["client auth"], **spec}
    return {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
            "metadata": {"name": name}, "spec": body}


def test_user_task_end_to_end(mk, keys):
    assert mk("apply", "-f", "-", stdin=json.dumps(_csr_doc(keys))).code == 0
    out = mk("get", "csr").out.splitlines()
    assert out[0].split() == ["NAME", "AGE", "SIGNERNAME", "REQUESTOR", "REQUESTEDDURATION", "CONDITION"]
    assert out[1].split()[2:] == ["kubernetes.io/kube-apiserver-client", "kubernetes-admin", "24h", "Pending"]
    assert mk("certificate", "approve", "jane").out == "certificatesigningrequest.certificates.k8s.io/jane approved\n"
    assert mk("get", "csr", "jane").out.split()[-1] == "Approved,Issued"
    csr = json.loads(mk("get", "csr", "jane", "-o", "json").out)
    approved = csr["status"]["conditions"][0]
    assert (approved["type"], approved["reason"], approved["message"]) == (
        "Approved", "KubectlApprove", "This CSR was approved by kubectl certificate approve.")
    (keys / "jane.crt").write_bytes(base64.b64decode(csr["status"]["certificate"]))
    # openssl itself checks the certificate: the subject of the CSR, issued and verified by the cluster CA
    subject = subprocess.run([OPENSSL, "x509", "-in", "jane.crt", "-noout", "-subject", "-issuer"], cwd=keys,
                             capture_output=True, text=True).stdout
    assert "CN = jane, O = devs" in subject and "issuer=CN = kubernetes" in subject
    ca = json.loads(mk("get", "cm", "kube-root-ca.crt", "-o", "json").out)["data"]["ca.crt"]
    (keys / "ca.crt").write_text(ca)
    verify = subprocess.run([OPENSSL, "verify", "-attime", str(int(mk.clock)), "-CAfile", "ca.crt", "jane.crt"], cwd=keys, capture_output=True, text=True)
    assert verify.stdout.strip() == "jane.crt: OK", verify.stderr
    # kubeconfig user and context
    assert mk("config", "set-credentials", "jane", f"--client-key={keys}/jane.key",
              f"--client-certificate={keys}/jane.crt", "--embed-certs").out == 'User "jane" set.\n'
    assert mk("config", "set-context", "jane", "--cluster=kubernetes", "--user=jane").out == 'Context "jane" created.\n'
    assert mk("config", "use-context", "jane").out == 'Switched to context "jane".\n'
    assert mk("auth", "whoami").out == ("ATTRIBUTE   VALUE\nUsername    jane\n"
                                        "Groups      [devs system:authenticated]\n")
    r = mk("get", "pods")
    assert (r.code, r.err) == (1, 'Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource '
                                  '"pods" in API group "" in the namespace "default"\n')
    assert (mk("auth", "can-i", "list", "pods").out) == "no\n"
    # the admin grants a Role in default
    assert mk("config", "use-context", "kubernetes-admin@kubernetes").code == 0
    assert mk("create", "role", "developer", "--verb=create,get,list,update,delete", "--resource=pods").code == 0
    assert mk("create", "rolebinding", "developer-binding-jane", "--role=developer", "--user=jane").code == 0
    assert mk("auth", "can-i", "list", "pods", "--as=jane").out == "yes\n"
    assert mk("auth", "can-i", "list", "secrets", "--as=jane").out == "no\n"
    assert mk("config", "use-context", "jane").code == 0
    assert mk("run", "web", "--image=nginx").out == "pod/web created\n"
    assert mk("get", "pods", "-o", "name").out == "pod/web\n"
    r = mk("get", "secrets")
    assert 'User "jane" cannot list resource "secrets"' in r.err and r.code == 1
    r = mk("get", "pods", "-n", "kube-system")
    assert 'in the namespace "kube-system"' in r.err
    assert mk("auth", "can-i", "delete", "pods").out == "yes\n"
    assert mk("auth", "can-i", "delete", "deployments").out == "no\n"


def test_deny_and_denied_then_approved(mk, keys):
    assert mk("create", "-f", "-", stdin=json.dumps(_csr_doc(keys, "bob"))).code == 0
    assert mk("certificate", "deny", "bob").out == "certificatesigningrequest.certificates.k8s.io/bob denied\n"
    assert mk("get", "csr", "bob").out.split()[-1] == "Denied"
    r = mk("certificate", "approve", "bob")
    assert r.err == ('The CertificateSigningRequest "bob" is invalid: status.conditions[1].type: Invalid value: '
                     '"Approved": Approved and Denied conditions are mutually exclusive\n')
    assert "certificate" not in json.loads(mk("get", "csr", "bob", "-o", "json").out)["status"]
    r = mk("certificate", "approve", "nope")
    assert r.err == 'Error from server (NotFound): certificatesigningrequests.certificates.k8s.io "nope" not found\n'


@pytest.mark.parametrize("spec,message", [
    ({"signerName": "badsigner"}, "spec.signerName: Invalid value: \"badsigner\": must be a fully qualified domain "
                                  "and path of the form 'example.com/signer-name'"),
    ({"usages": []}, "spec.usages: Required value"),
    ({"usages": ["client auth", "flying"]}, 'spec.usages[1]: Unsupported value: "flying": supported values: "any", '
     '"cert sign", "client auth", "code signing", "content commitment", "crl sign", "data encipherment", '
     '"decipher only", "digital signature", "email protection", "encipher only", "ipsec end system", '
     '"ipsec tunnel", "ipsec user", "key agreement", "key encipherment", "microsoft sgc", "netscape sgc", '
     '"ocsp signing", "s/mime", "server auth", "signing", "timestamping"'),
    ({"expirationSeconds": 60}, "spec.expirationSeconds: Invalid value: 60: may not specify a duration less than "
                                "600 seconds (10 minutes)"),
])
def test_csr_validation(mk, keys, spec, message):
    r = mk("create", "-f", "-", stdin=json.dumps(_csr_doc(keys, **spec)))
    assert (r.code, r.err) == (1, f'The CertificateSigningRequest "jane" is invalid: {message}\n')


def test_malformed_pem_request(mk, keys):
    doc = _csr_doc(keys, request=base64.b64encode(b"hello\n").decode())
    r = mk("create", "-f", "-", stdin=json.dumps(doc))
    assert r.err == ('The CertificateSigningRequest "jane" is invalid: spec.request: Invalid value: '
                     "[]byte{0x68, 0x65, 0x6c, 0x6c, 0x6f, 0xa}: PEM block type must be CERTIFICATE REQUEST\n")
    doc = _csr_doc(keys, request="not base64!")
    r = mk("create", "-f", "-", stdin=json.dumps(doc))
    assert "cannot be handled as a CertificateSigningRequest: illegal base64 data at input byte 3" in r.err


def test_a_certificate_the_cluster_did_not_sign_is_unauthorized(mk, keys):
    _openssl("req", "-x509", "-key", "jane.key", "-out", "self.crt", "-subj", "/CN=jane", "-days", "1", cwd=keys)
    assert mk("config", "set-credentials", "mallory", f"--client-certificate={keys}/self.crt",
              f"--client-key={keys}/jane.key").code == 0
    assert mk("config", "set-context", "m", "--cluster=kubernetes", "--user=mallory").code == 0
    assert mk("config", "use-context", "m").code == 0
    r = mk("get", "pods")
    assert (r.code, r.err) == (1, "error: You must be logged in to the server (Unauthorized)\n")


def test_the_real_kubectl_as_that_user_through_serve(tmp_path, keys):
    """The real kubectl authenticates to `minikctl serve` with jane's approved certificate (TLS
    client auth against the cluster CA); RBAC decides, and kubectl prints the Forbidden itself."""
    import os
    from tests.test_serve_kubectl import KUBECTL, Served
    if KUBECTL is None:
        pytest.skip("real kubectl is not installed")
    import time
    s = Served(tmp_path / "srv")
    try:
        mk = s.mk
        mk.clock = time.time()      # TLS checks the certificate's validity against the real clock
        assert mk("create", "-f", "-", stdin=json.dumps(_csr_doc(keys))).code == 0
        assert mk("certificate", "approve", "jane").code == 0
        cert = json.loads(mk("get", "csr", "jane", "-o", "json").out)["status"]["certificate"]
        cfg = tmp_path / "jane.kubeconfig"
        ca = base64.b64encode(s.cert.read_bytes()).decode()
        key = base64.b64encode((keys / "jane.key").read_bytes()).decode()
        cfg.write_text(json.dumps({
            "apiVersion": "v1", "kind": "Config", "current-context": "jane",
            "clusters": [{"name": "kubernetes", "cluster": {"server": f"https://127.0.0.1:{s.port}",
                                                            "certificate-authority-data": ca}}],
            "users": [{"name": "jane", "user": {"client-certificate-data": cert, "client-key-data": key}}],
            "contexts": [{"name": "jane", "context": {"cluster": "kubernetes", "user": "jane",
                                                      "namespace": "default"}}]}))

        def kubectl(*args):
            return subprocess.run([KUBECTL, "--kubeconfig", str(cfg), *args], capture_output=True, text=True,
                                  timeout=60, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                                                   "HOME": str(tmp_path)})
        r = kubectl("get", "pods")
        assert (r.returncode, r.stderr) == (1, 'Error from server (Forbidden): pods is forbidden: User "jane" cannot '
                                               'list resource "pods" in API group "" in the namespace "default"\n')
        assert mk("create", "role", "developer", "--verb=get,list", "--resource=pods").code == 0
        assert mk("create", "rolebinding", "dev-jane", "--role=developer", "--user=jane").code == 0
        assert mk("run", "web", "--image=nginx").code == 0
        r = kubectl("get", "pods", "-o", "name")
        assert (r.returncode, r.stdout) == (0, "pod/web\n"), r.stderr
        r = kubectl("delete", "pod", "web")
        assert r.stderr == ('Error from server (Forbidden): pods "web" is forbidden: User "jane" cannot delete '
                            'resource "pods" in API group "" in the namespace "default"\n')
        r = kubectl("get", "secrets", "-n", "kube-system")
        assert 'User "jane" cannot list resource "secrets" in API group "" in the namespace "kube-system"' in r.stderr
    finally:
        s.close()
