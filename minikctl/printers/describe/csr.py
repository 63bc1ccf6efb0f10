"""describe certificatesigningrequest (describeCertificateSigningRequest): requestor, signer,
requested duration, the printer's status (Pending / Approved,Issued / Denied ...), and the
subject parsed from the request itself."""
from __future__ import annotations

import base64

from minikctl.api.selectors import format_labels
from minikctl.printers.describe import Writer, describe_events, events_for, time_str
from minikctl import lazy

human_duration = lazy.function("minikctl.printers.duration", "human_duration")
pem_blocks = lazy.function("minikctl.api.pki", "pem_blocks")
x509 = lazy.module("cryptography.x509")


def csr_status(csr: dict) -> str:
    """extractCSRStatus: Denied / Approved / Pending, then ,Failed and ,Issued."""
    types = {c.get("type") for c in (csr.get("status") or {}).get("conditions") or []}
    status = "Denied" if "Denied" in types else "Approved" if "Approved" in types else "Pending"
    if "Failed" in types:
        status += ",Failed"
    if (csr.get("status") or {}).get("certificate"):
        status += ",Issued"
    return status


def _subject(raw: bytes):
    blocks = pem_blocks(raw)
    try:
        return x509.load_der_x509_csr(blocks[0][1]) if blocks else None
    except ValueError:
        return None


def describe(csr: dict, view) -> str:
    NameOID = x509.NameOID
    meta, spec = csr.get("metadata") or {}, csr.get("spec") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Labels:\t{format_labels(meta.get('labels'))}\n")
    w.write(0, f"Annotations:\t{format_labels(meta.get('annotations'))}\n")
    w.write(0, f"CreationTimestamp:\t{time_str(meta.get('creationTimestamp'))}\n")
    w.write(0, f"Requesting User:\t{spec.get('username', '')}\n")
    if spec.get("signerName"):
        w.write(0, f"Signer:\t{spec['signerName']}\n")
    if spec.get("expirationSeconds") is not None:
        w.write(0, f"Requested Duration:\t{human_duration(float(spec['expirationSeconds']))}\n")
    w.write(0, f"Status:\t{csr_status(csr)}\n")
    req = _subject(base64.b64decode(spec.get("request") or ""))
    subj = req.subject if req is not None else None

    def values(oid) -> list[str]:
        return [a.value for a in subj.get_attributes_for_oid(oid)] if subj is not None else []

    w.write(0, "Subject:\n")
    w.write(0, f"\tCommon Name:\t{(values(NameOID.COMMON_NAME) or [''])[0]}\n")
    w.write(0, f"\tSerial Number:\t{(values(NameOID.SERIAL_NUMBER) or [''])[0]}\n")
    for title, oid in (("Organization", NameOID.ORGANIZATION_NAME), ("Organizational Unit", NameOID.ORGANIZATIONAL_UNIT_NAME),
                       ("Country", NameOID.COUNTRY_NAME), ("Locality", NameOID.LOCALITY_NAME),
                       ("Province", NameOID.STATE_OR_PROVINCE_NAME), ("StreetAddress", NameOID.STREET_ADDRESS),
                       ("PostalCode", NameOID.POSTAL_CODE)):
        vals = values(oid)
        if vals:
            w.write(0, f"\t{title}:\t" + "\n\t\t".join(vals) + "\n")
    describe_events(w, events_for(csr, view), view.now)
    return w.render()
