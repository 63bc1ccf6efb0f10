"""CertificateSigningRequest validation (pkg/apis/certificates/validation, v1 create rules):
the request must be a PEM CERTIFICATE REQUEST whose signature checks, usages are required,
known and not repeated, the signer name is `domain/path`, expirationSeconds at least 600, and
Approved and Denied never together.
"""
from __future__ import annotations

import base64

from minikctl.api.validation.fields import (GoRaw, dns1123_label, dns1123_subdomain, duplicate, invalid,
                                            not_supported, required, too_long)
from minikctl.api.validation.meta import validate_object_meta
from minikctl import lazy

pem_blocks = lazy.function("minikctl.api.pki", "pem_blocks")
validate_object_meta_update = lazy.function("minikctl.api.validation.meta", "validate_object_meta_update")
x509 = lazy.module("cryptography.x509")

USAGES = sorted(["signing", "digital signature", "content commitment", "key encipherment", "key agreement",
                 "data encipherment", "cert sign", "crl sign", "encipher only", "decipher only", "any",
                 "server auth", "client auth", "code signing", "email protection", "s/mime", "ipsec end system",
                 "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing", "microsoft sgc", "netscape sgc"])


def go_bytes(raw: bytes) -> GoRaw:
    """%#v of a []byte."""
    return GoRaw("[]byte{" + ", ".join(f"0x{b:x}" for b in raw) + "}")


def csr_error(raw: bytes) -> str | None:
    """certificates.ParseCSR then CheckSignature, in Go's words; None for a good request."""
    blocks = pem_blocks(raw)
    if not blocks or blocks[0][0] != "CERTIFICATE REQUEST":
        return "PEM block type must be CERTIFICATE REQUEST"
    try:
        req = x509.load_der_x509_csr(blocks[0][1])
    except ValueError:
        return "asn1: structure error: tags don't match"
    if not req.is_signature_valid:
        return "crypto/rsa: verification error"
    return None


def signer_name(path: str, name: str) -> list[tuple[str, str]]:
    if not name:
        return [required(path)]
    segments = name.split("/")
    if len(segments) != 2:
        return [invalid(path, name, "must be a fully qualified domain and path of the form 'example.com/signer-name'")]
    errs = []
    domain, rest = segments
    if len(domain) > 253:
        errs.append(too_long(path, 253))
    labels = domain.split(".")
    for lbl in labels:
        msgs = dns1123_label(lbl)
        if msgs:
            errs += [invalid(path, domain, f'validating label "{lbl}": {m}') for m in msgs]
            break
    if len(labels) < 2:
        errs.append(invalid(path, domain, "should be a domain with at least two segments separated by dots"))
    for lbl in rest.split("."):
        msgs = dns1123_subdomain(lbl)
        if msgs:
            errs += [invalid(path, rest, f'validating component "{lbl}": {m}') for m in msgs]
            break
    return errs


def _conditions(csr: dict) -> list[tuple[str, str]]:
    errs = []
    seen = set()
    for i, c in enumerate((csr.get("status") or {}).get("conditions") or []):
        t = c.get("type") or ""
        if t in ("Approved", "Denied") and ({"Approved", "Denied"} - {t}) & seen:
            errs.append(invalid(f"status.conditions[{i}].type", t, "Approved and Denied conditions are mutually exclusive"))
        if t in seen:
            errs.append(duplicate(f"status.conditions[{i}].type", t))
        seen.add(t)
    return errs


def validate_csr(csr: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(csr, False)
    spec = csr.get("spec") or {}
    raw = base64.b64decode(spec.get("request") or "")
    msg = csr_error(raw)
    if msg:
        errs.append(invalid("spec.request", go_bytes(raw), msg))
    usages = spec.get("usages") or []
    if not usages:
        errs.append(required("spec.usages"))
    for i, u in enumerate(usages):
        if u not in USAGES:
            errs.append(not_supported(f"spec.usages[{i}]", u, USAGES))
    seen = set()
    for i, u in enumerate(usages):
        if u in seen:
            errs.append(duplicate(f"spec.usages[{i}]", u))
        seen.add(u)
    if spec.get("signerName") == "kubernetes.io/legacy-unknown":
        errs.append(invalid("spec.signerName", spec["signerName"], "the legacy signerName is not allowed via this API version"))
    else:
        errs += signer_name("spec.signerName", spec.get("signerName") or "")
    exp = spec.get("expirationSeconds")
    if exp is not None and exp < 600:
        errs.append(invalid("spec.expirationSeconds", exp, "may not specify a duration less than 600 seconds (10 minutes)"))
    return errs + _conditions(csr)


def validate_csr_update(csr: dict, old: dict) -> list[tuple[str, str]]:
    return validate_object_meta_update(csr, old) + validate_csr(csr)
