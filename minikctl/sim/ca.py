"""The cluster CA (kubeadm's /etc/kubernetes/pki/ca.crt, CN=kubernetes) and what it signs.

Made on first need (a CSR to sign), kept in the cluster's meta, and published as the
kube-root-ca.crt ConfigMaps' ca.crt from then on. The kube-controller-manager's csrsigning
controller signs with it: certificates for the kubernetes.io/kube-apiserver-client,
kube-apiserver-client-kubelet and kubelet-serving signers, valid for the CSR's
expirationSeconds (default and maximum one year, --cluster-signing-duration), backdated
five minutes as the signer does.
"""
from __future__ import annotations

import datetime
import functools

from minikctl import lazy

hashes = lazy.module("cryptography.hazmat.primitives.hashes")
rsa = lazy.module("cryptography.hazmat.primitives.asymmetric.rsa")
serialization = lazy.module("cryptography.hazmat.primitives.serialization")
server = lazy.module("minikctl.api.server")
x509 = lazy.module("cryptography.x509")
exceptions = lazy.module("cryptography.exceptions")
oid = lazy.module("cryptography.x509.oid")

META = "clusterCA"
ONE_YEAR = 365 * 24 * 3600
BACKDATE = 5 * 60


def new_rsa_key():
    """A new 2048-bit RSA private key, as kubeadm makes for every certificate (and the
    ServiceAccount signer, and ingress-nginx's fake certificate): the one place keys are born,
    about 40 ms each. The OS's randomness, not the cluster's seed: a key cannot be replayed."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.lru_cache(maxsize=64)
def load_own_key(pem: str):
    """A private key this cluster made itself (new_rsa_key) and kept as PEM, parsed.

    Parsing an RSA key checks its maths (p, q, d consistent), ~35 ms for 2048 bits: a key we
    generated needs no such check, so it is skipped, and a process that uses the same key again
    (serve, a test run) parses it once. Keys a learner hands in (a kubeconfig, a TLS secret) are
    parsed with the check where they are read."""
    return serialization.load_pem_private_key(pem.encode(), password=None, unsafe_skip_rsa_key_validation=True)


def _now(cluster) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(int(cluster.now), tz=datetime.timezone.utc)


def ensure(cluster):
    """(certificate, key) of the cluster CA, made and published if this cluster has none yet."""
    stored = cluster.meta.get(META)
    if stored:
        return (x509.load_pem_x509_certificate(stored["cert"].encode()),
                load_own_key(stored["key"]))
    key = new_rsa_key()
    name = x509.Name([x509.NameAttribute(oid.NameOID.COMMON_NAME, "kubernetes")])
    boot = datetime.datetime.fromtimestamp(int(cluster.now) - 600, tz=datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(boot)
            .not_valid_after(boot + datetime.timedelta(days=3650))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("kubernetes")]), critical=False)
            .sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    cluster.meta[META] = {"cert": pem, "key": key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()).decode()}
    for cm in cluster.list("ConfigMap"):
        if cm["metadata"]["name"] == "kube-root-ca.crt":
            cm["data"] = {"ca.crt": pem}
            server.update_internal(cluster, cm)
    return cert, key


_USAGE_EKU = {"client auth": "CLIENT_AUTH", "server auth": "SERVER_AUTH", "code signing": "CODE_SIGNING",
              "email protection": "EMAIL_PROTECTION", "timestamping": "TIME_STAMPING", "ocsp signing": "OCSP_SIGNING"}


def sign(cluster, csr_pem: bytes, usages: list[str], seconds: int | None) -> str:
    """A certificate for the request, signed by the cluster CA (PEM)."""
    ca_cert, ca_key = ensure(cluster)
    req = x509.load_pem_x509_csr(csr_pem)
    life = min(seconds or ONE_YEAR, ONE_YEAR)
    now = _now(cluster)
    not_after = min(now + datetime.timedelta(seconds=life), ca_cert.not_valid_after_utc)
    ekus = [getattr(oid.ExtendedKeyUsageOID, _USAGE_EKU[u]) for u in usages if u in _USAGE_EKU]
    builder = (x509.CertificateBuilder().subject_name(req.subject).issuer_name(ca_cert.subject)
               .public_key(req.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(seconds=BACKDATE)).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False))
    if "digital signature" in usages or "key encipherment" in usages:   # Go leaves out a zero KeyUsage
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature="digital signature" in usages, content_commitment=False,
            key_encipherment="key encipherment" in usages, data_encipherment=False, key_agreement=False,
            key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
    if ekus:
        builder = builder.add_extension(x509.ExtendedKeyUsage(ekus), critical=False)
    try:
        sans = req.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        builder = builder.add_extension(sans.value, critical=False)
    except x509.ExtensionNotFound:
        pass
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()


def identity(cert_pem: bytes) -> tuple[str, list[str]] | None:
    """(user, groups) a client certificate authenticates as: CN and O, if the cluster CA signed it."""
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
    except ValueError:
        return None
    cn = [a.value for a in cert.subject.get_attributes_for_oid(oid.NameOID.COMMON_NAME)]
    orgs = [a.value for a in cert.subject.get_attributes_for_oid(oid.NameOID.ORGANIZATION_NAME)]
    return (cn[0] if cn else "", orgs)


def verify(cluster, cert_pem: bytes) -> bool:
    """Whether the cluster CA signed this certificate and it is valid now."""
    stored = cluster.meta.get(META)
    if not stored:
        return False
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
        ca = x509.load_pem_x509_certificate(stored["cert"].encode())
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, exceptions.InvalidSignature):
        return False
    now = _now(cluster)
    return cert.not_valid_before_utc <= now <= cert.not_valid_after_utc
