"""The kube-controller-manager's csrsigning controller: an Approved CertificateSigningRequest for
one of the kubernetes.io signers it serves gets its certificate, signed by the cluster CA
(sim/ca.py), in status.certificate; a request the signer will not sign gets a Failed condition.

kubernetes.io/kube-apiserver-client only signs client certificates: usages within digital
signature, key encipherment and client auth, else Failed with SignerValidationFailure.
"""
from __future__ import annotations

import base64

from minikctl.api import server
from minikctl import lazy

ca = lazy.module("minikctl.sim.ca")

SIGNERS = {
    "kubernetes.io/kube-apiserver-client": {"digital signature", "key encipherment", "client auth"},
    "kubernetes.io/kube-apiserver-client-kubelet": {"digital signature", "key encipherment", "client auth"},
    "kubernetes.io/kubelet-serving": {"digital signature", "key encipherment", "server auth"},
}


def _has(csr: dict, ctype: str) -> bool:
    return any(c.get("type") == ctype for c in (csr.get("status") or {}).get("conditions") or [])


def reconcile(cluster) -> None:
    for csr in cluster.list("CertificateSigningRequest"):
        spec, status = csr.get("spec") or {}, csr.get("status") or {}
        if status.get("certificate") or not _has(csr, "Approved") or _has(csr, "Denied") or _has(csr, "Failed"):
            continue
        allowed = SIGNERS.get(spec.get("signerName"))
        if allowed is None:
            continue              # a signer nobody in the cluster serves: stays Approved, never Issued
        usages = spec.get("usages") or []
        bad = [u for u in usages if u not in allowed]
        if bad:
            now = cluster.timestamp()
            csr.setdefault("status", {}).setdefault("conditions", []).append({
                "type": "Failed", "status": "True", "reason": "SignerValidationFailure",
                "message": f"invalid usage for client certificate: {bad[0]}", "lastUpdateTime": now,
                "lastTransitionTime": now})
            server.update_internal(cluster, csr)
            continue
        pem = ca.sign(cluster, base64.b64decode(spec.get("request") or ""), usages, spec.get("expirationSeconds"))
        csr.setdefault("status", {})["certificate"] = base64.b64encode(pem.encode()).decode()
        server.update_internal(cluster, csr)
