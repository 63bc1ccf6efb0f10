"""TLS as a client sees it: which certificate a listener presents for a server name (SNI), and
whether curl accepts it (its CA bundle or --cacert, the name check, -k).

Why a model: an HTTPS request in the cluster is decided by real certificates. The ingress-nginx
controller presents, for a server name listed in an Ingress's spec.tls, the kubernetes.io/tls
Secret named there (from the Ingress's namespace), and otherwise its "Kubernetes Ingress
Controller Fake Certificate" (self-signed, O=Acme Co, made when the controller starts; here made
on first need and kept in the cluster's meta). The simulated Internet's sites present
certificates from a public CA that every image's bundle trusts. Verification uses the
`cryptography` package on the real PEM bytes, so a learner's own `openssl`-made certificates and
CA files behave as they would.
"""
from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass, field
import ipaddress
from minikctl import lazy

behaviours = lazy.module("minikctl.images.behaviours")
hashes = lazy.module("cryptography.hazmat.primitives.hashes")
ingress_nginx = lazy.module("minikctl.net.ingress_nginx")
pem_blocks = lazy.function("minikctl.api.pki", "pem_blocks")
ca = lazy.module("minikctl.sim.ca")
serialization = lazy.module("cryptography.hazmat.primitives.serialization")
x509 = lazy.module("cryptography.x509")
x509_key_pair_error = lazy.function("minikctl.api.pki", "x509_key_pair_error")

FAKE_META = "ingressNginxFakeCert"
FAKE_O, FAKE_CN = "Acme Co", "Kubernetes Ingress Controller Fake Certificate"


@dataclass
class ServerCert:
    pem: bytes = b""                     # the leaf certificate (empty for a publicly trusted site)
    chain: list[bytes] = field(default_factory=list)   # intermediates sent with it
    publicly_trusted: bool = False       # issued by a CA in the images' bundles
    public_name: str = ""                # the site's name, for a publicly trusted certificate

    def leaf(self):
        return x509.load_pem_x509_certificate(self.pem)


@dataclass
class Verdict:
    ok: bool
    code: int = 0          # curl's exit code on failure (60, 51)
    reason: str = ""       # OpenSSL's verify reason (modern curl) / "name" for a name mismatch
    verify_code: int = 0   # OpenSSL's X509_V_ERR number, for -v's "verify result"


def ensure_fake_cert(cluster) -> bytes:
    """ingress-nginx's default certificate: self-signed, a year, SAN ingress.local; made once
    (when the controller is installed) and kept in the cluster's meta."""
    stored = (getattr(cluster, "meta", None) or {}).get(FAKE_META)
    if stored:
        return stored.encode()
    NameOID = x509.NameOID
    key = ca.new_rsa_key()
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, FAKE_O),
                      x509.NameAttribute(NameOID.COMMON_NAME, FAKE_CN)])
    start = datetime.datetime.fromtimestamp(int(cluster.now), tz=datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + datetime.timedelta(days=365))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("ingress.local")]), critical=False)
            .sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM)
    if hasattr(cluster, "put"):
        cluster.meta[FAKE_META] = pem.decode()
        cluster.changed = True
    return pem


def _secret_pem(view, ns: str, name: str) -> list[bytes] | None:
    sec = view.get("Secret", ns, name)
    if sec is None or sec.get("type") != "kubernetes.io/tls":
        return None
    try:
        raw = base64.b64decode((sec.get("data") or {}).get("tls.crt") or "")
        key = base64.b64decode((sec.get("data") or {}).get("tls.key") or "")
    except ValueError:
        return None
    if x509_key_pair_error(raw, key) is not None:
        return None
    certs = [b for t, b in pem_blocks(raw) if t == "CERTIFICATE"]
    return certs or None


def listener_cert(view, pod: dict, port: int, sni: str) -> ServerCert | None:
    """The certificate a pod's listener presents, or None for a plain (non-TLS) listener."""
    got = behaviours.listeners(pod).get(port)
    if got and got[0] == "ingress_nginx" and port == 443:
        return ingress_nginx_cert(view, sni)
    return None


def ingress_nginx_cert(view, sni: str) -> ServerCert:
    """The certificate the ingress-nginx controller presents for `sni`."""
    host = (sni or "").lower().rstrip(".")
    for ing in ingress_nginx.served_ingresses(view):
        ns = ing["metadata"].get("namespace") or "default"
        for t in (ing.get("spec") or {}).get("tls") or []:
            hosts = [h.lower() for h in t.get("hosts") or []]
            if host and any(h == host or (h.startswith("*.") and ingress_nginx._host_matches(h, host)) for h in hosts) \
                    and t.get("secretName"):
                certs = _secret_pem(view, ns, t["secretName"])
                if certs:
                    return ServerCert(pem=_to_pem(certs[0]), chain=[_to_pem(c) for c in certs[1:]])
    return ServerCert(pem=ensure_fake_cert(view))


def _to_pem(block: bytes) -> bytes:
    if block.startswith(b"-----BEGIN"):
        return block
    body = base64.encodebytes(block).replace(b"\n", b"")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return b"-----BEGIN CERTIFICATE-----\n" + b"\n".join(lines) + b"\n-----END CERTIFICATE-----\n"


def _names(cert) -> tuple[list[str], list[str]]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return [], []
    return [d.lower() for d in san.get_values_for_type(x509.DNSName)], \
        [str(i) for i in san.get_values_for_type(x509.IPAddress)]


def name_matches(cert, host: str) -> bool:
    """RFC 6125 as OpenSSL checks it: SAN DNS names (one left-most wildcard label) or SAN IPs."""
    dns, ips = _names(cert)
    try:
        ipaddress.ip_address(host)
        return host in ips
    except ValueError:
        pass
    return any(name_matches_one(d, host) for d in dns)


def name_matches_one(pattern: str, host: str) -> bool:
    host = host.lower().rstrip(".")
    pattern = pattern.lower()
    return pattern == host or (pattern.startswith("*.") and host.endswith(pattern[1:])
                               and "." not in host[: -len(pattern) + 1])


def _issued_by(cert, ca) -> bool:
    try:
        cert.verify_directly_issued_by(ca)
        return True
    except Exception:
        return False


def verify(server: ServerCert, host: str, cafile: bytes | None, now: float) -> Verdict:
    """curl's (OpenSSL's) verdict on a server certificate for `host`, with the default bundle
    or the --cacert bytes."""
    if server.publicly_trusted:
        return Verdict(True) if cafile is None else Verdict(False, 60, "unable to get local issuer certificate", 20)
    leaf = server.leaf()
    anchors = []
    for t, b in pem_blocks(cafile or b""):
        if t == "CERTIFICATE":
            try:
                anchors.append(x509.load_pem_x509_certificate(_to_pem(b)))
            except ValueError:
                continue
    self_signed = leaf.issuer == leaf.subject and _issued_by(leaf, leaf)
    trusted = any(a == leaf or _issued_by(leaf, a) for a in anchors)
    if not trusted:
        if self_signed:
            return Verdict(False, 60, "self-signed certificate", 18)
        return Verdict(False, 60, "unable to get local issuer certificate", 20)
    t = datetime.datetime.fromtimestamp(now, tz=datetime.timezone.utc)
    if t > leaf.not_valid_after_utc:
        return Verdict(False, 60, "certificate has expired", 10)
    if t < leaf.not_valid_before_utc:
        return Verdict(False, 60, "certificate is not yet valid", 9)
    if not name_matches(leaf, host):
        return Verdict(False, 60, "name", 0)
    return Verdict(True)


def curl_name(name) -> str:
    """A certificate name as curl's OpenSSL backend prints it: in the certificate's order, `; `."""
    NameOID = x509.NameOID
    short = {NameOID.COMMON_NAME: "CN", NameOID.ORGANIZATION_NAME: "O", NameOID.ORGANIZATIONAL_UNIT_NAME: "OU",
             NameOID.COUNTRY_NAME: "C", NameOID.STATE_OR_PROVINCE_NAME: "ST", NameOID.LOCALITY_NAME: "L"}
    return "; ".join(f"{short.get(a.oid, a.oid.dotted_string)}={a.value}" for a in name)


def curl_date(d: datetime.datetime) -> str:
    """OpenSSL's ASN1_TIME_print: `Dec  5 23:06:09 2026 GMT`."""
    return f"{d:%b} {d.day:2d} {d:%H:%M:%S} {d.year} GMT"
