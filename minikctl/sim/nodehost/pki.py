"""kubeadm's certificates (`kubeadm init phase certs all`): real PEM files signed by real keys.

The cluster CA is sim/ca.py's (CN=kubernetes, kept in the cluster meta, the same one that signs
CSRs); etcd and the front proxy have CAs of their own, as kubeadm makes them; sa.key is the
service-account key sim/tokens.py signs tokens with. Leaf certificates are valid one year from
`kubeadm init` (the cluster's boot), CAs ten years, as kubeadm's defaults.

Everything here is made once, when a node's files are first written (nodehost.seed), and from
then on lives only in the node's files: `openssl x509 -noout -text` and `kubeadm certs` read them
there.
"""
from __future__ import annotations

import datetime
import ipaddress
import ipaddress as ipa
from minikctl import lazy

ca = lazy.module("minikctl.sim.ca")
hashes = lazy.module("cryptography.hazmat.primitives.hashes")
parse = lazy.function("minikctl.timeutil", "parse")
rsa = lazy.module("cryptography.hazmat.primitives.asymmetric.rsa")
serialization = lazy.module("cryptography.hazmat.primitives.serialization")
tokens = lazy.module("minikctl.sim.tokens")
x509 = lazy.module("cryptography.x509")
oid = lazy.module("cryptography.x509.oid")

ONE_YEAR = datetime.timedelta(days=365)
TEN_YEARS = datetime.timedelta(days=3650)


def _pem_key(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


def _pem_cert(cert) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _new_key(cluster):
    return ca.new_rsa_key()


def _name(cn: str, orgs: tuple[str, ...] = ()):
    attrs = [x509.NameAttribute(oid.NameOID.ORGANIZATION_NAME, o) for o in orgs]
    return x509.Name(attrs + [x509.NameAttribute(oid.NameOID.COMMON_NAME, cn)])


def boot_time(cluster) -> float:
    """kubeadm init's moment: when the first Node registered (bootstrap.init_cluster), else now."""
    nodes = cluster.list("Node")
    times = [parse(n["metadata"].get("creationTimestamp")) for n in nodes]
    times = [t for t in times if t]
    return min(times) if times else cluster.now


def _boot(cluster) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(int(boot_time(cluster)), tz=datetime.timezone.utc)


def _serial(cluster) -> int:
    return cluster.rng.getrandbits(63) | 1 if hasattr(cluster, "rng") else 1


def make_ca(cluster, cn: str):
    """A self-signed CA as kubeadm's pkiutil.NewCertificateAuthority: KeyUsage digitalSignature,
    keyEncipherment, certSign (critical), CA:TRUE, SAN DNS:cn."""
    key = _new_key(cluster)
    start = _boot(cluster) - datetime.timedelta(minutes=5)
    name = _name(cn)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(_serial(cluster)).not_valid_before(start).not_valid_after(start + TEN_YEARS)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(cn)]), critical=False)
            .sign(key, hashes.SHA256()))
    return cert, key


def sign_leaf(cluster, ca_cert, ca_key, cn: str, orgs=(), server=False, client=False,
              dns=(), ips=(), key=None, not_before=None, not_after=None):
    """A leaf certificate as kubeadm's pkiutil.NewCertAndKey: KeyUsage digitalSignature,
    keyEncipherment (critical), the extended usages asked for, CA:FALSE, the issuer's key id."""
    key = key or _new_key(cluster)
    start = not_before or (_boot(cluster) - datetime.timedelta(minutes=5))
    end = min(not_after or start + ONE_YEAR, ca_cert.not_valid_after_utc)
    ekus = ([oid.ExtendedKeyUsageOID.SERVER_AUTH] if server else []) + ([oid.ExtendedKeyUsageOID.CLIENT_AUTH] if client else [])
    b = (x509.CertificateBuilder().subject_name(_name(cn, tuple(orgs))).issuer_name(ca_cert.subject)
         .public_key(key.public_key()).serial_number(_serial(cluster)).not_valid_before(start).not_valid_after(end)
         .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                                      data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                      crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
         .add_extension(x509.ExtendedKeyUsage(ekus), critical=False)
         .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False))
    sans = [x509.DNSName(d) for d in dns] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    if sans:
        b = b.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return b.sign(ca_key, hashes.SHA256()), key


def _load(cert_pem: str, key_pem: str):
    return (x509.load_pem_x509_certificate(cert_pem.encode()),
            serialization.load_pem_private_key(key_pem.encode(), password=None))


def cluster_ca(cluster):
    """(cert, key) of the cluster CA (sim/ca.py: made on first need, kept in meta)."""
    return ca.ensure(cluster)


def control_plane_files(cluster, node: str, ip: str, profile: dict) -> dict[str, str]:
    """/etc/kubernetes/pki/* on the control-plane node, path -> PEM text."""
    ca_cert, ca_key = cluster_ca(cluster)
    domain = profile.get("clusterDomain", "cluster.local")
    svc_ip = str(ipa.ip_network(profile.get("serviceCIDR", "10.96.0.0/12")).network_address + 1)
    out: dict[str, str] = {"ca.crt": _pem_cert(ca_cert), "ca.key": _pem_key(ca_key)}

    def put(name, pair):
        out[name + ".crt"], out[name + ".key"] = _pem_cert(pair[0]), _pem_key(pair[1])

    put("apiserver", sign_leaf(cluster, ca_cert, ca_key, "kube-apiserver", server=True,
                               dns=(node, "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                                    f"kubernetes.default.svc.{domain}"), ips=(svc_ip, ip)))
    put("apiserver-kubelet-client", sign_leaf(cluster, ca_cert, ca_key, "kube-apiserver-kubelet-client",
                                              orgs=("kubeadm:cluster-admins",), client=True))
    fp = make_ca(cluster, "front-proxy-ca")
    put("front-proxy-ca", fp)
    put("front-proxy-client", sign_leaf(cluster, fp[0], fp[1], "front-proxy-client", client=True))
    etcd = make_ca(cluster, "etcd-ca")
    put("etcd/ca", etcd)
    put("etcd/server", sign_leaf(cluster, etcd[0], etcd[1], node, server=True, client=True,
                                 dns=(node, "localhost"), ips=(ip, "127.0.0.1", "::1")))
    put("etcd/peer", sign_leaf(cluster, etcd[0], etcd[1], node, server=True, client=True,
                               dns=(node, "localhost"), ips=(ip, "127.0.0.1", "::1")))
    put("etcd/healthcheck-client", sign_leaf(cluster, etcd[0], etcd[1], "kube-etcd-healthcheck-client", client=True))
    put("apiserver-etcd-client", sign_leaf(cluster, etcd[0], etcd[1], "kube-apiserver-etcd-client", client=True))
    sa = tokens._key(cluster)
    out["sa.key"] = _pem_key(sa)
    out["sa.pub"] = sa.public_key().public_bytes(serialization.Encoding.PEM,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return {"/etc/kubernetes/pki/" + k: v for k, v in out.items()}


def client_pair(cluster, cn: str, orgs=()) -> tuple[str, str]:
    """(cert PEM, key PEM) of a client certificate signed by the cluster CA (kubeconfig users)."""
    ca_cert, ca_key = cluster_ca(cluster)
    cert, key = sign_leaf(cluster, ca_cert, ca_key, cn, orgs=orgs, client=True)
    return _pem_cert(cert), _pem_key(key)


def kubelet_serving(cluster, node: str) -> tuple[str, str]:
    """The kubelet's self-signed serving pair (/var/lib/kubelet/pki/kubelet.crt): CN `node@epoch`,
    issued by `node-ca@epoch`, as the kubelet makes it when serverTLSBootstrap is off."""
    key = _new_key(cluster)
    start = _boot(cluster) - datetime.timedelta(hours=1)
    epoch = int(boot_time(cluster))
    cert = (x509.CertificateBuilder().subject_name(_name(f"{node}@{epoch}"))
            .issuer_name(_name(f"{node}-ca@{epoch}")).public_key(key.public_key())
            .serial_number(_serial(cluster)).not_valid_before(start).not_valid_after(start + ONE_YEAR)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(node)]), critical=False)
            .sign(key, hashes.SHA256()))
    return _pem_cert(cert), _pem_key(key)
