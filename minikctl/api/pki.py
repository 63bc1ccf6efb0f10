"""PEM and X.509 as Go's crypto/tls and crypto/x509 see them: the key-pair check of
`create secret tls` (tls.X509KeyPair, error for error), and the cluster CA's signing.

`cryptography` does the parsing and the signatures; it is imported only on these paths.
"""
from __future__ import annotations

import base64
import re
from minikctl import lazy

ec = lazy.module("cryptography.hazmat.primitives.asymmetric.ec")
ed25519 = lazy.module("cryptography.hazmat.primitives.asymmetric.ed25519")
rsa = lazy.module("cryptography.hazmat.primitives.asymmetric.rsa")
serialization = lazy.module("cryptography.hazmat.primitives.serialization")
x509 = lazy.module("cryptography.x509")

_PEM = re.compile(rb"-----BEGIN ([^-\r\n]*)-----\r?\n(.*?)-----END \1-----", re.S)


def pem_blocks(data: bytes) -> list[tuple[str, bytes]]:
    """The PEM blocks pem.Decode would find, in order: (type, DER bytes). Blocks whose body is
    not base64 are skipped, as pem.Decode skips them."""
    out = []
    for m in _PEM.finditer(data):
        body = b"".join(line.strip() for line in m.group(2).splitlines() if b":" not in line)
        try:
            out.append((m.group(1).decode(), base64.b64decode(body, validate=True)))
        except ValueError:
            continue
    return out


def _go_list(items: list[str]) -> str:
    return "[" + " ".join(items) + "]"


def x509_key_pair_error(cert_pem: bytes, key_pem: bytes) -> str | None:
    """tls.X509KeyPair's error for this certificate and key, or None when they pair up."""
    certs, skipped = [], []
    for typ, der in pem_blocks(cert_pem):
        (certs if typ == "CERTIFICATE" else skipped).append(der if typ == "CERTIFICATE" else typ)
    if not certs:
        if not skipped:
            return "tls: failed to find any PEM data in certificate input"
        if len(skipped) == 1 and skipped[0].endswith("PRIVATE KEY"):
            return ("tls: failed to find certificate PEM data in certificate input, but did find a private key; "
                    "PEM inputs may have been switched")
        return ('tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping PEM blocks '
                f"of the following types: {_go_list(skipped)}")
    skipped = []
    key_der = None
    for typ, der in pem_blocks(key_pem):
        if typ == "PRIVATE KEY" or typ.endswith(" PRIVATE KEY"):
            key_der = der
            break
        skipped.append(typ)
    if key_der is None:
        if not skipped:
            return "tls: failed to find any PEM data in key input"
        if skipped == ["CERTIFICATE"]:
            return "tls: found a certificate rather than a key in the PEM for the private key"
        return ('tls: failed to find PEM block with type ending in "PRIVATE KEY" in key input after skipping '
                f"PEM blocks of the following types: {_go_list(skipped)}")
    try:
        cert = x509.load_der_x509_certificate(certs[0])
        pub = cert.public_key()
    except ValueError:
        return "x509: malformed certificate"
    try:
        priv = serialization.load_der_private_key(key_der, password=None)
    except (ValueError, TypeError):
        return "tls: failed to parse private key"
    for ptype, ktype, same in (
            (rsa.RSAPublicKey, rsa.RSAPrivateKey, lambda p, k: p.public_numbers().n == k.public_key().public_numbers().n),
            (ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey,
             lambda p, k: p.public_numbers() == k.public_key().public_numbers()),
            (ed25519.Ed25519PublicKey, ed25519.Ed25519PrivateKey,
             lambda p, k: p.public_bytes_raw() == k.public_key().public_bytes_raw())):
        if isinstance(pub, ptype):
            if not isinstance(priv, ktype):
                return "tls: private key type does not match public key type"
            if not same(pub, priv):
                return "tls: private key does not match public key"
            return None
    return "tls: unknown public key algorithm"
